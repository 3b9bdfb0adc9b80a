"""The benchmark code paths on tiny sizes, one round: floors agree with calcgraph, JSON has its keys.

Timings are never asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import calcgraph as cg
from benchmarks import engine, memory, overhead, report, run
from benchmarks.floors import chain_floor, mlp_floor
from benchmarks.graphs import chain_graph, chain_params, deep_mlp, weights_of


@pytest.mark.parametrize("activation_size", [(4, 5, 3, 1), (6, 7, 4, 5), (2, 8, 3, 4, "deep")])
def test_numpy_floor_computes_the_same_gradients_as_calcgraph(activation_size):
    g = engine.mlp_graph(activation_size, dtype="float64")
    g.backward()
    J, grads = mlp_floor(g["x"].value, g["y"].value, weights_of(g), engine.LAM)
    assert np.isclose(J, g["J"].value, rtol=1e-12)
    params = g.leaves("param")
    assert len(grads) == len(params)
    for w, ref in zip(params, grads):
        np.testing.assert_allclose(w.grad, ref, rtol=1e-10, atol=1e-12, err_msg=w.name)


def test_chain_floor_computes_the_same_gradient_as_calcgraph():
    g = chain_graph(23, dtype="float64").backward()
    J, gx = chain_floor(g["x"].value, chain_params(g, 23))
    assert np.isclose(J, g["J"].value, rtol=1e-12)
    np.testing.assert_allclose(g["x"].grad, gx, rtol=1e-10, atol=1e-14)


def test_deep_mlp_is_built_with_the_public_builder():
    g = deep_mlp(depth=3, width=8, q=4, batch=2)
    assert [v.name for v in g.leaves("param")] == ["W1", "W2", "W3", "W4"]
    assert g["o"].shape == (2, 4) and g.objective.name == "J"
    assert [n.op.name for n in g.operators].count("relu") == 3


def test_engine_family_one_round_reports_the_floor_and_a_matching_gradient():
    rows = engine.run_case("tiny", (4, 5, 3, 1), rounds=1, min_time=0.0, torch=False, jax=False)
    by = {r["contender"]: r for r in rows}
    assert set(by) == {"calcgraph", "calcgraph keep=needed", "numpy floor"}
    assert by["numpy floor"]["ratio"] == 1.0
    assert by["calcgraph"]["grad_rel_diff"] < 1e-5  # float32
    assert by["calcgraph keep=needed"]["grad_rel_diff"] < 1e-5
    assert by["calcgraph"]["min_s"] <= by["calcgraph"]["median_s"] <= by["calcgraph"]["max_s"]


def test_overhead_family_one_round():
    rows = overhead.run(quick=True, rounds=1, n_ops=20)
    calc = next(r for r in rows if r["contender"] == "calcgraph")
    assert calc["us_per_op"] > 0 and calc["grad_rel_diff"] < 1e-5


def test_memory_counts_what_the_vjps_read():
    g = cg.mlp(d=6, h=5, q=3, batch=4, activation="sigmoid", dtype="float32")
    full, needed = memory.measure(g, "all"), memory.measure(g, "needed")
    # The VJPs read h (sigmoid's output, and × reads it), o and the objective; z is not read.
    want = sum(g[n].value.nbytes for n in ("h", "o", "J"))
    assert needed["needed_bytes"] == full["needed_bytes"] == want
    assert needed["residual_bytes"] == 4 * 4  # cross-entropy's log-sum-exp per row
    assert needed["retained_bytes"] < full["retained_bytes"]
    assert g["z"].value is None and g["h"].value is not None


def test_the_json_has_the_expected_keys(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "BATCHES", (2,))
    out = tmp_path / "bench.json"
    assert run.main(["--quick", "--only", "engine,overhead,memory", "--rounds", "1",
                     "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {"machine", "config", "results", "targets", "started"} <= set(doc)
    assert {"threads", "clock", "numpy", "OPENBLAS_CORETYPE"} <= set(doc["machine"])
    families = {r["family"] for r in doc["results"]}
    assert families == {"engine", "overhead", "memory"}
    for r in doc["results"]:
        assert {"family", "case", "contender", "ratio"} <= set(r)
    assert all({"metric", "target", "value", "met"} <= set(t) for t in doc["targets"])


def test_unknown_family_lists_the_choices(capsys):
    with pytest.raises(SystemExit):
        run.main(["--only", "engine,speed"])
    assert "must be one of" in capsys.readouterr().err


def test_targets_judge_each_family():
    rows = [{"family": "engine", "contender": "calcgraph", "case": "d2l", "target": 1.05,
             "ratio": 1.2},
            {"family": "memory", "contender": "keep=needed", "case": "depth 32", "target": 1.1,
             "peak_ratio": 1.0, "needed_bytes": 0},
            {"family": "cli", "contender": "wall", "case": "calcgraph --help", "target_s": 0.2,
             "median_s": 0.1}]
    got = {t["metric"]: t["met"] for t in report.targets(rows)}
    assert got == {"calcgraph / numpy floor, d2l": False, "calcgraph --help cold, s": True,
                   "peak / floor peak, keep=needed, depth 32": True}


def test_rendering_family_smallest_case_and_a_timeout_that_does_not_hang():
    from benchmarks import rendering

    rows = rendering.run(rounds=2, timeout=120, sizes=(10,))
    assert "embedded" in {r["contender"] for r in rows}
    emb = next(r for r in rows if r["contender"] == "embedded")
    assert emb["nodes"] == 10 and not emb["timed_out"] and emb["median_s"] > 0
    assert emb["rounds"] == 2 and emb["min_s"] <= emb["median_s"] <= emb["max_s"]
    if "graphviz alone" in {r["contender"] for r in rows}:  # the floor, in the same rounds
        floor = next(r for r in rows if r["contender"] == "graphviz alone")
        assert floor["rounds"] == 2 and floor["ratio"] == 1.0
    (stuck,) = rendering.run_size(1000, 1, timeout=0.5, names=["embedded"])
    assert stuck["timed_out"] and stuck["svg_s"] is None


def test_cli_family_runs_each_command_in_a_fresh_process():
    from benchmarks import cli_start

    rows = cli_start.run(quick=True, rounds=1)
    by = {r["case"]: r for r in rows}
    assert by["calcgraph --help"]["failed"] == 0 and by["calcgraph --help"]["median_s"] > 0
    assert by["python -c pass"]["ratio"] == 1.0
    assert 0 < by["calcgraph --help"]["cpu_median_s"]


def test_a_child_is_timed_by_a_blocking_wait_with_its_cpu_time_and_peak_memory():
    import sys

    from benchmarks.procs import run_child

    # 0.3 s of CPU in the child: wait4 reports the child's time, not this process's
    busy = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    done = run_child([sys.executable, "-c", busy + "print(1)"], 60, capture=True)
    assert done.code == 0 and done.out == b"1\n"
    assert done.cpu_s >= 0.3 and done.wall_s >= 0.3 and done.maxrss_bytes > 0
    stuck = run_child([sys.executable, "-c", "import time; time.sleep(30)"], 0.5)
    assert stuck.code is None and stuck.wall_s < 10


def test_rss_family_measures_each_contender_in_its_own_process():
    from benchmarks import rss

    if not rss.available():
        pytest.skip("peak RSS above setup needs Linux's /proc/self/clear_refs")
    rows = rss.run(quick=True, rounds=1)
    by = {r["contender"]: r for r in rows}
    assert set(by) == {"numpy floor", "calcgraph keep=all", "calcgraph keep=needed"}
    assert all(r["rounds"] == 1 and 0 < r["peak_bytes"] < r["child_peak_bytes"] for r in rows)
    # d2l batch 64 in float32: keep="all" also holds every contribution, keep="needed" not
    assert by["calcgraph keep=all"]["peak_bytes"] > by["calcgraph keep=needed"]["peak_bytes"]

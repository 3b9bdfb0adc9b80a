"""`calcgraph check`: every sample passes, a broken VJP fails naming its node, --json, --torch."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli
from calcgraph.core import ops
from calcgraph.sources import sample_names


def run(*args: str):
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


@pytest.mark.parametrize("batch", [None, "3"])
@pytest.mark.parametrize("name", sample_names())
def test_every_sample_passes_single_and_batched(name, batch):
    result = run(name, "--width", "80", *(["--batch", batch] if batch else []))
    assert result.exit_code == 0, result.output + result.stderr
    assert "ok: all" in result.output and "✗" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_table_rows_name_each_gradient_and_node():
    out = run("cs231n_circuit", "--width", "80").output
    rows = [line.split() for line in out.splitlines() if line.startswith("∂f/∂")]
    assert [r[:3] for r in rows] == [["∂f/∂q", "q", "()"], ["∂f/∂z", "z", "()"],
                                     ["∂f/∂x", "x", "()"], ["∂f/∂y", "y", "()"]]
    assert all(r[-1] == "✓" for r in rows)


def test_a_broken_vjp_exits_1_naming_the_node(monkeypatch):
    mul = ops.OPS["mul"].impls[""]
    right = ops.Impl.vjp
    monkeypatch.setattr(ops.Impl, "vjp", lambda self, i: (lambda g, ans, a, b: 2 * g * b)
                        if self is mul and i == 0 else right(self, i))
    result = run("cs231n_circuit", "--width", "80")
    assert result.exit_code == 1
    assert result.stderr.startswith("calcgraph: error: cs231n_circuit: gradient check failed "
                                    "at node 'q': ∂f/∂q is -8 but finite differences give -4; "
                                    "the VJP of operator mul_f for q is the first to disagree")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert "3 of 4 gradients do not match" in result.output


def test_json_schema():
    result = run("mlp", "--batch", "2", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert set(doc) == {"graph", "batch", "objective", "ok", "step", "rtol", "atol",
                        "max_entries", "gradients", "torch"}
    assert (doc["graph"], doc["batch"], doc["ok"], doc["torch"]) == ("mlp", 2, True, None)
    row = doc["gradients"][0]
    assert set(row) == {"node", "label", "role", "shape", "max_abs_error", "max_rel_error",
                        "ok", "checked", "size", "worst_index", "analytic", "numeric", "blame"}
    assert {r["node"] for r in doc["gradients"]} == {"L", "s", "W1", "W2", "o", "h", "z"}
    w1 = next(r for r in doc["gradients"] if r["node"] == "W1")
    assert w1["shape"] == [5, 4] and w1["size"] == w1["checked"] == 20


def test_set_and_seed_reach_the_graph():
    doc = json.loads(run("mlp", "--set", "d=2", "--seed", "3", "--json").output)
    w1 = next(r for r in doc["gradients"] if r["node"] == "W1")
    assert w1["shape"] == [5, 2] and doc["ok"]
    other = json.loads(run("mlp", "--set", "d=2", "--seed", "4", "--json").output)
    assert next(r for r in other["gradients"] if r["node"] == "W1")["analytic"] != \
        w1["analytic"]


def test_torch_comparison():
    pytest.importorskip("torch", reason="torch not installed; `pip install torch` enables "
                        "--torch (the finite-difference check runs without it)")
    result = run("softmax_regression", "--batch", "4", "--torch", "--width", "80")
    assert result.exit_code == 0, result.stderr
    assert "PyTorch autograd (float64)" in result.output and "torch agrees" in result.output
    doc = json.loads(run("cs231n_neuron", "--torch", "--json").output)
    assert len(doc["torch"]) == 10 and all(r["ok"] for r in doc["torch"])


def test_missing_torch_exits_1_saying_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises
    result = run("mlp", "--torch")
    assert result.exit_code == 1
    assert result.stderr.startswith("calcgraph: error: --torch needs PyTorch, which is not "
                                    "installed (pip install ")


def test_bad_source_is_a_usage_error():
    result = run("no_such_sample")
    assert result.exit_code == 2
    assert result.stderr.startswith("calcgraph: error: unknown source")


@pytest.mark.parametrize("spec,verdict", [
    ("input x : () = 2\nf = x * 3\nobjective f\n", "ok: no gradient to check (no param"),
    ("param x : () = 2\nf = x * 3\nobjective f\n", "ok: the 1 gradient matches finite"),
])
def test_the_verdict_counts_in_words(tmp_path, spec, verdict):
    path = tmp_path / "g.cg"
    path.write_text(spec, encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 0 and result.stdout.splitlines()[-1].startswith(verdict)

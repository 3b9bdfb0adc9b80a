"""The memory budget (issue 10 item 4): estimated from shapes before anything is allocated,
refused past the budget with the estimate and how to raise it; big JSON arrays summarized."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.core.memory import DEFAULT_BUDGET, budget, estimate, memory_budget, parse_size
from calcgraph.errors import MemoryBudgetError


def test_the_estimate_counts_values_gradients_and_kept_contributions():
    g = cg.mlp()  # x(4) W1(5,4) W2(3,5) y() z,h(5) o(3) L s J ()
    est = estimate(g)
    floats = 4 + 20 + 15 + 5 + 5 + 3 + 1 + 1 + 1
    assert est["values"] == floats * 8 + 8  # y is one int64
    assert est["gradients"] == floats * 8
    assert est["steps"] == 2 * (20 + 15) * 8  # W1 and W2 each feed × and ℓ₂
    assert est["total"] == est["values"] + est["gradients"] + est["steps"]


@pytest.mark.parametrize("d", [10**8, 10**12])
def test_a_huge_mlp_is_refused_before_allocating(d):
    with pytest.raises(MemoryBudgetError) as err:
        cg.mlp(d=d)
    msg = str(err.value)
    assert isinstance(err.value, MemoryError) and isinstance(err.value, cg.CalcgraphError)
    assert msg.startswith("graph 'mlp' would hold about ")
    assert "over the 1.0 GiB memory budget" in msg and "--max-memory" in msg
    assert "CALCGRAPH_MEMORY=" in msg


def test_the_budget_can_be_raised_lowered_or_turned_off(monkeypatch):
    with memory_budget("64K"), pytest.raises(MemoryBudgetError, match="64.0 KiB memory budget"):
        cg.mlp(d=2000)
    with memory_budget(None):
        assert cg.mlp(d=2000)["W1"].value.shape == (5, 2000)
    monkeypatch.setenv("CALCGRAPH_MEMORY", "32K")
    assert budget() == 32 * 1024
    with pytest.raises(MemoryBudgetError):
        cg.mlp(d=2000)
    monkeypatch.setenv("CALCGRAPH_MEMORY", "none")
    assert budget() is None
    monkeypatch.delenv("CALCGRAPH_MEMORY")
    assert budget() == DEFAULT_BUDGET == 2**30


def test_a_graph_built_by_hand_is_checked_before_its_first_pass():
    g = cg.Graph("hand")
    for i in range(3):
        g.param(f"W{i}", (300, 300), value=np.ones((300, 300)))
    g.apply("add", "W0", "W1", out="a")
    g.apply("add", "a", "W2", out="b")
    g.apply("sum", "b", out="L")
    g.set_objective("L")
    with memory_budget("1M"), pytest.raises(MemoryBudgetError, match="graph 'hand'"):
        g.backward()
    g.backward()  # under the default budget it runs
    assert g["W0"].grad.shape == (300, 300)


@pytest.mark.parametrize("text, size", [("512M", 2**29), ("2g", 2**31), ("1.5GiB", 3 * 2**29),
                                        ("1000", 1000), ("none", None)])
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1G", "0", "1X", "lots"])
def test_bad_sizes_are_usage_errors(text):
    with pytest.raises(cg.UsageError, match="expected a size such as 512M, 2G or none"):
        parse_size(text)


def test_large_json_arrays_are_summarized_unless_asked():
    g = cg.loads_spec("dim n = 200\nparam W : (n, n)\nL = sum(W)\nobjective L\n")
    g.backward()
    node = next(n for n in g.to_dict()["nodes"] if n["id"] == "W")
    assert node["value"]["summary"] is True and node["value"]["shape"] == [200, 200]
    assert node["grad"] == {"summary": True, "shape": [200, 200], "min": 1.0, "max": 1.0,
                            "mean": 1.0, "std": 0.0}
    full = json.loads(g.to_json(full_arrays=True))
    assert np.array_equal(np.array(next(n for n in full["nodes"] if n["id"] == "W")["value"]),
                          g["W"].value)
    small = next(n for n in cg.mlp().backward().to_dict()["nodes"] if n["id"] == "W1")
    assert isinstance(small["value"], list)  # arrays up to 10,000 numbers stay in full
    assert "μ" in g.to_dot(annotate="all")  # the figure reads the summary


def test_the_cli_refuses_with_one_line_and_exit_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(cli, ["render", "--set", "d=5000", "--max-memory", "100K",
                                   "-o", "x.svg"])
    assert run.exit_code == 1 and run.output.count("\n") == 1, run.output
    assert run.output.startswith("calcgraph: error: graph 'mlp' would hold about ")
    assert "raise it with --max-memory" in run.output and not (tmp_path / "x.svg").exists()
    run = CliRunner().invoke(cli, ["trace", "--max-memory", "lots"])
    assert run.exit_code == 2 and "--max-memory='lots'" in run.output


@pytest.mark.parametrize("command", [["trace"], ["check"], ["html", "-o", "x.html"],
                                     ["derive", "-o", "x.md"]])
def test_every_command_takes_the_budget(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(cli, [*command, "--set", "d=5000", "--max-memory", "100K"])
    assert run.exit_code == 1 and "raise it with --max-memory" in run.output, run.output
    assert not any(tmp_path.iterdir())


def test_a_memory_error_that_still_happens_is_one_line(tmp_path, monkeypatch):
    from calcgraph.figure import draw

    def boom(*args, **kwargs):
        raise MemoryError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(draw, "render_graph", boom)
    run = CliRunner().invoke(cli, ["render", "-o", "x.svg"])
    assert run.exit_code == 1
    assert run.output.startswith("calcgraph: error: ran out of memory") and "Traceback" not in \
        run.output

"""Spec warnings (issue 10 items 7, 19): unused declarations and nodes that do not reach the
objective are one `calcgraph: warning:` line each, never a failure; unused leaves cost little."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from click.testing import CliRunner

import calcgraph as cg
import calcgraph.figure.buckets as buckets_mod
import calcgraph.figure.view as view_mod
from calcgraph.cli import cli
from calcgraph.errors import SpecWarning

DEAD = """\
dim d = 3
input x : (d)
param p : (d)
param w : (d)
param u : (d)
const c = 2
L = sum(x * w)
s = sum(u)
J = L + s
objective L
"""


def caught(text: str, **kwargs) -> tuple[cg.Graph, list[str]]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        g = cg.loads_spec(text, filename="dead.cg", **kwargs)
    return g, [str(w.message) for w in seen if issubclass(w.category, SpecWarning)]


def test_unused_and_unreached_names_warn_at_their_lines():
    _, lines = caught(DEAD)
    assert lines == [
        "dead.cg:3:7: parameter 'p' is declared but never used",
        "dead.cg:5:7: parameter 'u' does not reach the objective 'L' (its gradient is zero)",
        "dead.cg:6:7: constant 'c' is declared but never used",
        ("dead.cg:8:1: 's' does not reach the objective 'L' (L does not depend on it; it is "
        "still computed and drawn)"),
        ("dead.cg:9:1: 'J' does not reach the objective 'L' (L does not depend on it; it is "
        "still computed and drawn)"),
    ]


def test_a_graph_where_everything_reaches_the_objective_is_quiet():
    _, lines = caught(DEAD.replace("objective L", "objective J").replace("param p : (d)\n", "")
                      .replace("const c = 2\n", ""))
    assert lines == []


def test_many_warnings_end_in_one_count():
    text = "dim d = 3\ninput x : (d)\n" + "".join(f"param p{i} : (d)\n" for i in range(50)) \
        + "L = sum(x)\nobjective L\n"
    _, lines = caught(text)
    assert len(lines) == 10 and lines[-1] == "dead.cg: 41 more names unused or not reaching " \
                                             "the objective"


def test_unreached_parameters_get_zero_gradients_and_the_trace_says_so():
    g, _ = caught(DEAD)
    g.backward()
    for name in ("p", "u"):
        assert g[name].grad is not None and np.array_equal(g[name].grad, np.zeros(3))
    assert g["w"].grad is not None and g["w"].grad.any()
    text = " ".join(g.trace().text(width=100).split())
    assert "Not reached: p, u never reach L" in text and "zeros of their own shape" in text


def test_the_cli_prints_warnings_as_one_line_each_and_succeeds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dead.cg").write_text(DEAD)
    result = CliRunner().invoke(cli, ["render", "dead.cg", "-o", "dead.dot"])
    assert result.exit_code == 0, result.output
    warned = [ln for ln in result.output.splitlines() if ln.startswith("calcgraph: warning: ")]
    assert len(warned) == 5 and warned[0].endswith("parameter 'p' is declared but never used")
    assert (tmp_path / "dead.dot").exists()


@pytest.mark.parametrize("n", [300])
def test_unused_leaves_cost_linear_work_in_the_figure(n, monkeypatch):
    # Counted, not timed: 2,000 unused leaves took 8.9 s because every note was tested
    # against every box and every layout step rescanned every pending node.
    calls = {"overlap": 0, "is_leaf": 0}
    overlap, is_leaf = buckets_mod.overlap, view_mod.View.is_leaf

    def count_overlap(a, b):
        calls["overlap"] += 1
        return overlap(a, b)

    def count_is_leaf(self, v):
        calls["is_leaf"] += 1
        return is_leaf(self, v)

    monkeypatch.setattr(buckets_mod, "overlap", count_overlap)
    monkeypatch.setattr(view_mod.View, "is_leaf", count_is_leaf)
    text = "dim d = 3\ninput x : (d)\n" + "".join(f"param p{i} : (d)\n" for i in range(n)) \
        + "L = sum(x)\nobjective L\n"
    g, _ = caught(text)
    dot = g.to_dot(annotate="shapes")
    assert dot.count("p299") >= 1
    assert calls["overlap"] < 60 * n, calls
    assert calls["is_leaf"] < 60 * n, calls

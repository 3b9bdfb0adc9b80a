"""The library gradient checker: finite differences of every gradient, blame, torch oracle."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import calcgraph as cg
from calcgraph.core import gradcheck, ops
from calcgraph.graph import loads_spec

CIRCUIT = """\
param x : () = -2
param y : () = 5
param z : () = -4
q = x + y
f = q * z
objective f
"""


def break_vjp(monkeypatch, op: str, operand: int, wrong) -> None:
    """Replace one VJP of `op` (every mode) for graphs built from now on."""
    impls = set(map(id, ops.OPS[op].impls.values()))
    right = ops.Impl.vjp
    monkeypatch.setattr(ops.Impl, "vjp", lambda self, i: wrong if id(self) in impls and
                        i == operand else right(self, i))


def test_a_correct_graph_passes_with_a_row_per_gradient():
    result = cg.check(loads_spec(CIRCUIT))
    assert result and result.ok and result.failures == []
    assert [r.node for r in result.rows] == ["q", "z", "x", "y"]  # backward order
    assert all(r.checked == r.size == 1 and r.max_abs < 1e-8 for r in result.rows)
    q = result.rows[0]
    assert q.analytic == -4.0 and abs(q.numeric + 4.0) < 1e-8


def test_a_broken_vjp_fails_and_blames_its_operator(monkeypatch):
    break_vjp(monkeypatch, "mul", 0, lambda g, ans, a, b: 2 * g * b)
    result = loads_spec(CIRCUIT).check()
    assert not result
    assert [r.node for r in result.failures] == ["q", "x", "y"]
    q = result.failures[0]
    assert q.analytic == -8.0 and abs(q.numeric + 4.0) < 1e-8 and q.blame == ("mul_f",)
    # x and y are wrong only because q is: their own VJPs (through +) are not blamed
    assert result.failures[1].blame == result.failures[2].blame == ()


def test_a_wrong_transpose_in_a_square_matmul_is_caught(monkeypatch):
    # the shapes agree, only the numbers are wrong: W ∂J/∂o instead of Wᵀ ∂J/∂o
    break_vjp(monkeypatch, "matmul", 1, lambda g, ans, a, b: a @ g)
    g = cg.mlp(d=4, h=4, q=4)
    result = cg.check(g)
    assert {r.node for r in result.failures} >= {"h", "z", "W1"}
    assert result.rows[[r.node for r in result.rows].index("h")].blame == ("mul2",)


def test_large_variables_are_sampled_at_max_entries(monkeypatch):
    monkeypatch.setattr(gradcheck, "MAX_ENTRIES", 7)
    result = cg.check(cg.mlp())
    w1 = next(r for r in result.rows if r.node == "W1")
    assert (w1.checked, w1.size) == (7, 20) and result.ok


def test_inputs_are_checked_on_request_and_labels_never():
    rows = {r.node for r in cg.check(cg.mlp(batch=2), inputs=True).rows}
    assert "x" in rows and "y" not in rows
    assert "x" not in {r.node for r in cg.check(cg.mlp(batch=2)).rows}


def test_float_tolerances_are_the_documented_ones():
    result = cg.check(cg.mlp())
    doc = result.to_dict()
    assert (doc["step"], doc["rtol"], doc["atol"]) == (1e-6, 1e-5, 1e-6)
    assert doc["ok"] is True and doc["torch"] is None and doc["objective"] == "J"


def test_relative_error_is_zero_where_both_gradients_vanish():
    text = "param x : (2) = [-1, 2]\nh = relu(x)\nL = sum(h)\nobjective L\n"
    row = next(r for r in cg.check(loads_spec(text)).rows if r.node == "x")
    assert row.ok and row.max_rel < 1e-8 and row.max_abs < 1e-8


def test_torch_rebuild_agrees_on_values_and_gradients():
    pytest.importorskip("torch", reason="torch not installed; `pip install torch` enables "
                        "the autograd oracle (the finite-difference checks run without it)")
    for g in (cg.mlp(), cg.mlp(batch=3), cg.load("rnn_bptt", batch=2)):
        result = cg.check(g, torch=True)
        floats = [v.name for v in g.variables if not v.integer]  # class labels are not
        assert result.ok and [r.node for r in result.torch] == floats
        assert max(r.grad_error or 0 for r in result.torch) < 1e-12


def test_torch_sees_a_broken_vjp_too(monkeypatch):
    pytest.importorskip("torch", reason="torch not installed")
    break_vjp(monkeypatch, "add", 1, lambda g, ans, a, b: 3 * g)
    result = cg.check(loads_spec(CIRCUIT), torch=True)
    bad = {r.node for r in result.torch if not r.ok}
    assert bad == {"y"} and not result.ok


def test_missing_torch_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises
    with pytest.raises(cg.MissingDependency, match=r"needs PyTorch.*pip install torch"):
        cg.check(cg.mlp(), torch=True)


def test_the_check_does_not_change_the_graph():
    g = cg.mlp(batch=2).backward()
    before = {v.name: np.copy(v.value) for v in g.variables}
    cg.check(g)
    assert all(np.array_equal(before[v.name], v.value) for v in g.variables)


def test_a_large_objective_is_not_a_false_failure():
    # J = Σ w² ≈ 4e4: J(w ± h) round at ~1e-11, /2h makes that ~1e-5, past the 1e-6 tolerance
    values = ", ".join(str(i / 1000) for i in range(5000))
    g = loads_spec(f"param w : (5000) = [{values}]\nf = sum(w * w)\nobjective f\n")
    result = cg.check(g)
    assert result.ok, result.failures


def test_an_operator_reading_a_variable_twice_is_blamed_once(monkeypatch):
    break_vjp(monkeypatch, "mul", 0, lambda g, ans, a, b: 3 * g * b)
    result = loads_spec("param w : (2) = [1, 2]\nf = sum(w * w)\nobjective f\n").check()
    (row,) = [r for r in result.failures if r.node == "w"]
    assert row.blame == ("mul_t1",)


@pytest.mark.parametrize("options", [{"step": 0}, {"step": -1e-6}, {"step": float("nan")},
                                     {"rtol": -1}, {"atol": float("inf")}])
def test_bad_tolerances_are_a_usage_error(options):
    with pytest.raises(cg.UsageError, match=r"check: (step|rtol|atol)=.* \(expected a finite"):
        loads_spec(CIRCUIT).check(**options)

"""Every op's VJP against central finite differences, driven by the op table itself."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from gradcheck import differentiable_leaves, mismatches, op_graph
from hypothesis import given, settings
from hypothesis import strategies as st

import calcgraph as cg
from calcgraph.core import ops

CASES = [(name, k) for name, op in sorted(ops.OPS.items()) for k in range(len(op.examples))]


def test_every_op_has_examples_formulas_and_symbol():
    for op in ops.OPS.values():
        assert op.examples, f"{op.name} has no example shapes for the gradient check"
        assert op.symbol and op.doc
        for mode, impl in op.impls.items():
            n = max(len(ex) for ex in op.examples)
            for i in range(n):
                if op.is_differentiable(i, n):
                    assert impl.formula("math", i), f"{op.name}/{mode} has no math for input {i}"
                    assert impl.formula("code", i), f"{op.name}/{mode} has no code for input {i}"


def test_examples_cover_batched_operands():
    batched = {name for name, op in ops.OPS.items()
               if any(b for ex in op.examples for _, b in ex)}
    # Ops whose operands may be batched must be checked with a batch too.
    for name in ("matmul", "add", "sub", "mul", "relu", "sigmoid", "tanh", "exp", "log",
                 "sum", "mean", "cross_entropy", "squared_loss", "scale", "rnn_cell",
                 "mean_cross_entropy"):
        assert name in batched, f"{name} has no batched example"


@pytest.mark.parametrize("name,k", CASES, ids=[f"{n}-{k}" for n, k in CASES])
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_vjp_matches_finite_differences(name, k, seed):
    op = ops.OPS[name]
    g = op_graph(op, op.examples[k], seed)
    assert mismatches(g, differentiable_leaves(g)) == []


def test_every_mode_is_exercised_by_an_example():
    for op in ops.OPS.values():
        seen = {op_graph(op, ex, 0)["out"].producer.mode for ex in op.examples}
        assert seen == set(op.impls), f"{op.name}: modes {set(op.impls) - seen} never checked"


def test_a_wrong_vjp_is_caught(monkeypatch):
    """The checker must fail a deliberately wrong rule (∂/∂x relu = 1 everywhere)."""
    relu = ops.OPS["relu"]
    bad_impl = dataclasses.replace(relu.impls[""], vjps=(lambda g, ans, x: g,))
    monkeypatch.setitem(ops.OPS, "relu", dataclasses.replace(relu, impls={"": bad_impl}))
    g = op_graph(ops.OPS["relu"], [((6,), False)], seed=1)
    problems = mismatches(g, ["a0"])
    assert len(problems) == 1 and "∂J/∂a0 analytic" in problems[0]


def test_wrong_matmul_transpose_is_caught(monkeypatch):
    """The classic bug: ∂J/∂h = W ∂J/∂o instead of Wᵀ ∂J/∂o (shapes even agree when square)."""
    mm = ops.OPS["matmul"]
    good = mm.impls["matvec"]
    bad = dataclasses.replace(good, vjps=(good.vjp(0), lambda g, ans, a, b: a @ g))
    monkeypatch.setitem(ops.OPS, "matmul",
                        dataclasses.replace(mm, impls={**mm.impls, "matvec": bad}))
    g = op_graph(ops.OPS["matmul"], [((4, 4), False), ((4,), False)], seed=3)
    assert any("∂J/∂a1" in p for p in mismatches(g, ["a0", "a1"]))


def test_unknown_op_lists_known_ones():
    g = cg.Graph()
    g.input("x", (3,))
    with pytest.raises(cg.UnknownOpError) as err:
        g.apply("relu2", "x", out="h")
    assert "unknown op: 'relu2'" in str(err.value) and "'relu'" in str(err.value)


def test_sigmoid_is_finite_for_extreme_inputs():
    g = cg.Graph()
    g.param("x", (3,), value=[-1000.0, 0.0, 1000.0])
    g.apply("sigmoid", "x", out="h")
    g.apply("sum", "h", out="J")
    g.set_objective("J")
    g.backward()
    assert np.allclose(g["h"].value, [0.0, 0.5, 1.0])
    assert np.all(np.isfinite(g["x"].grad))

"""The engine's fast paths against plain numpy at a realistic size, and what each keep mode holds.

The d2l MLP at 784-256-10, batch 64, in float64: large enough that ∂J/∂W1 (256 × 784) takes
the deferred-sum path and its ℓ₂ contribution the recompute path; keep="needed" takes the
lean sweep. Every gradient is compared with a hand-written numpy backward.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import calcgraph as cg
from benchmarks.floors import mlp_floor
from benchmarks.graphs import deep_mlp, weights_of
from calcgraph.core.program import SMALL_ARRAY, plan, saved_values, state

LAM = 0.1


def d2l(batch: int = 64) -> cg.Graph:
    return cg.mlp(784, 256, 10, batch=batch, lam=LAM, seed=0, dtype="float64")


def numpy_grads(g: cg.Graph) -> dict[str, np.ndarray]:
    J, grads = mlp_floor(g["x"].value, g["y"].value, weights_of(g), LAM)
    return {"J": np.asarray(J), **{w.name: d for w, d in zip(g.leaves("param"), grads)}}


def logs(a: list[float]) -> cg.Graph:
    """J = Σ log a: finite for a tiny a whose gradient 1/a is not."""
    g = cg.loads_spec("graph logs\nparam a : (3)\nla = log(a)\nJ = sum(la)\nobjective J\n")
    g.set("a", a)
    return g


def assert_grads(g: cg.Graph, want: dict[str, np.ndarray]) -> None:
    np.testing.assert_allclose(g["J"].value, want["J"], rtol=1e-12)
    for w in g.leaves("param"):
        np.testing.assert_allclose(w.grad, want[w.name], rtol=1e-10, atol=1e-13, err_msg=w.name)


def test_the_sizes_take_the_fast_paths():
    g = d2l()
    sweep = {rev.node.name: rev for rev in plan(g, False).sweep}
    (w1_via_l2,) = [c for c in sweep["l2"].todo if c.target.name == "W1"]
    assert g["W1"].grad_shape == (256, 784) and 256 * 784 > SMALL_ARRAY
    assert w1_via_l2.defer and w1_via_l2.total == 2  # deferred: × and ℓ₂ both reach W1
    assert sweep["l2"].node.impl.recompute  # ℓ₂'s buffer may become the sum


def test_recorded_sweep_deferred_sum_and_recompute_equal_numpy():
    g = d2l()
    want = numpy_grads(g)
    g.backward()
    assert_grads(g, want)
    w1 = [s for s in g.steps if s.target.name == "W1"]
    assert [s.kind for s in w1] == ["vjp", "vjp", "sum"]
    via = {s.via.name: s for s in w1 if s.kind == "vjp"}
    assert via["l2"]._value is None  # its buffer became the sum: recomputed when read
    np.testing.assert_allclose(via["l2"].value, LAM * g["W1"].value, rtol=1e-15)
    np.testing.assert_allclose(via["mul1"].value, want["W1"] - LAM * g["W1"].value,
                               rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(via["mul1"].value + via["l2"].value, w1[-1].value, rtol=1e-13)
    assert w1[-1].value is g["W1"].grad and w1[-1].terms == (w1[0].index, w1[1].index)


def test_lean_sweep_equals_numpy_and_keeps_only_leaf_gradients():
    g = d2l()
    want = numpy_grads(g)
    g.backward(keep="needed")  # the checked loops
    assert_grads(g, want)
    assert state(g).program.compiled and plan(g, False).lean is not None
    g.set("x", g["x"].value)  # a new pass: the compiled straight-line code
    g.backward(keep="needed")
    assert_grads(g, want)
    assert g.steps == []  # nothing recorded
    assert all(v.grad is None for v in g.variables if v.producer is not None
               and v is not g.objective)
    assert g["x"].grad is None and g["y"].grad is None  # not asked for
    g.backward(keep="needed", inputs=True)  # ∂J/∂x on request, in the lean sweep too
    full = d2l()
    full.backward(inputs=True)
    np.testing.assert_allclose(g["x"].grad, full["x"].grad, rtol=1e-10, atol=1e-15)


def test_lean_sweep_adds_several_large_contributions_in_place():
    """W feeds three ops (two × and ℓ₂): its gradient is one buffer, added into twice."""
    rng = np.random.default_rng(1)
    n, d, q = 64, 96, 10
    g = cg.Graph("shared", batch=n)
    x = g.input("x", (n, d), batched=True, value=rng.normal(size=(n, d)))
    g.label_input("y", (n,), batched=True, integer=True, value=rng.integers(0, q, n))
    W = g.param("W", (d, d), value=rng.normal(size=(d, d)) / d ** 0.5)
    V = g.param("V", (q, d), value=rng.normal(size=(q, d)) / d ** 0.5)
    g.constant("lam", LAM)
    g.apply("matmul", "W", "x", out="z1")
    g.apply("relu", "z1", out="h1")
    g.apply("matmul", "W", "h1", out="z2")
    g.apply("relu", "z2", out="h2")
    g.apply("matmul", "V", "h2", out="o")
    g.apply("cross_entropy", "o", "y", out="L")
    g.apply("l2", "W", "V", "lam", out="s")
    g.apply("add", "L", "s", out="J")
    g.set_objective("J")
    # by hand: J = CE(V relu(W relu(W x))) + λ/2 (‖W‖² + ‖V‖²)
    X, Wv, Vv, y = x.value, W.value, V.value, g["y"].value
    z1 = X @ Wv.T
    h1 = np.maximum(z1, 0)
    z2 = h1 @ Wv.T
    h2 = np.maximum(z2, 0)
    o = h2 @ Vv.T
    p = np.exp(o - o.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n), y] -= 1
    do = p / n
    dz2 = (do @ Vv) * (z2 > 0)
    dz1 = (dz2 @ Wv) * (z1 > 0)
    dW = dz2.T @ h1 + dz1.T @ X + LAM * Wv
    dV = do.T @ h2 + LAM * Vv
    for keep in ("needed", "needed", "needed", "all", "all"):  # checked, then compiled
        g.backward(keep=keep)
        np.testing.assert_allclose(g["W"].grad, dW, rtol=1e-10, atol=1e-14, err_msg=keep)
        np.testing.assert_allclose(g["V"].grad, dV, rtol=1e-10, atol=1e-14, err_msg=keep)
    assert [s.kind for s in g.steps if s.target.name == "W"] == ["vjp", "vjp", "vjp", "sum"]


def _record(g: cg.Graph) -> list[tuple]:
    return [(s.index, s.kind, s.target.name, s.via.name if s.via else None, s.operand, s.terms,
             s.final, s.value.copy()) for s in g.steps]


@pytest.mark.parametrize("make", [d2l, lambda: cg.mlp(4, 5, 3, batch=3, seed=0),
                                  lambda: cg.mlp(6, 5, 3, activation="sigmoid", seed=0)])
def test_compiled_recorded_sweep_records_what_the_checked_loop_records(make):
    g = make()
    g.backward()  # the checked loop
    first = _record(g)
    assert plan(g, False).recorded is not None
    for _ in range(2):  # the straight-line code, with the last sweep's steps to recycle
        g.set("x", g["x"].value)
        g.backward()
        again = _record(g)
        assert [r[:-1] for r in again] == [r[:-1] for r in first]
        for a, b in zip(again, first):
            np.testing.assert_allclose(a[-1], b[-1], rtol=1e-13, err_msg=str(a[:3]))


def test_keep_needed_keeps_the_objective_when_it_feeds_another_node():
    g = cg.mlp(4, 5, 3, lam=LAM, seed=0)
    g.apply("scale", "J", 2.0, out="J2")  # J feeds a node: it is no longer a sink
    g.set_objective("J")
    ref = cg.mlp(4, 5, 3, lam=LAM, seed=0).forward()["J"].value
    g.forward(keep="needed")
    assert g["J"].value is not None and np.isclose(g["J"].value, ref)
    assert g["J2"].value is not None  # a result nothing reads stays too
    g.backward()
    assert g["W1"].grad is not None


def test_gradient_check_gets_the_full_record_after_a_lean_backward():
    g = cg.mlp(4, 5, 3, lam=LAM, seed=0)
    g.backward(keep="needed")
    result = cg.check(g)
    full = cg.check(cg.mlp(4, 5, 3, lam=LAM, seed=0))
    assert result and len(result.rows) == len(full.rows) > 2


def test_keep_modes_switch_on_request():
    g = d2l(batch=4)
    g.forward(keep="needed")
    read = {v.name for node in plan(g, False).nodes for v in saved_values(node)}
    kept = {v.name for v in g.variables if v.producer is not None and v.value is not None}
    assert kept == (read | {"J"}) - {v.name for v in g.leaves()}
    g.backward()  # the last forward's mode: lean, nothing recorded
    assert g.steps == []
    g.backward(keep="all")  # asks for the full record: forward reruns and keeps every value
    assert g.steps and all(v.value is not None for v in g.variables)
    assert g["h"].grad is not None


def test_trace_figure_and_json_get_the_full_record_after_a_lean_backward():
    g = cg.mlp(4, 5, 3, lam=LAM, seed=0)
    g.backward(keep="needed")
    trace = g.trace()
    assert len(trace.steps) == 12 and len(g.steps) == 12
    full = cg.mlp(4, 5, 3, lam=LAM, seed=0).backward()
    for view in ("to_json", "to_dot"):
        g.backward(keep="needed")
        assert getattr(g, view)() == getattr(full, view)(), view


def test_lean_backward_still_locates_a_non_finite_gradient():
    g = logs([1.0, 1e-320, 2.0])  # log is finite there, 1/a is not
    with pytest.raises(cg.NumericError, match=r"Inf in ∂J/∂a via 'log_la'"):
        g.backward(keep="needed")


def test_lean_compiled_sweep_checks_every_gradient_with_check_all():
    g = logs([1.0, 2.0, 3.0])
    g.backward(keep="needed")  # checked loops, then compiled
    assert plan(g, False).lean is not None
    g.set("a", [1.0, 1e-320, 2.0])  # log is finite there, 1/a is not
    with pytest.raises(cg.NumericError, match=r"Inf in ∂J/∂a via 'log_la'"):
        g.backward(keep="needed", check="all")
    g.backward(keep="needed", check="none")  # no check: the Inf is there to see
    assert np.isinf(g["a"].grad[1]) and g.steps == []


def test_compiled_forward_reports_overflow_as_the_checked_loop_does(recwarn):
    g = cg.loads_spec("graph e\nparam a : (2)\nb = exp(a)\nJ = sum(b)\nobjective J\n")
    g.set("a", [0.0, 1.0])
    g.forward()  # checked, then compiled
    g.set("a", [0.0, 1000.0])  # exp overflows: one readable error, no numpy warning
    with pytest.raises(cg.NumericError, match="forward pass: Inf in 'b'"):
        g.forward()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_engine_state_is_one_declared_slot():
    g = d2l(batch=2)
    g.backward()
    st = state(g)
    assert g.engine_state is st and st.keep == "all" and st.kept_for == "J"
    assert st.program is not None and len(st.program.eqs) == len(g.operators)
    assert not {"_program_cache", "_plan_cache", "_stash", "_kept", "_spent"} & set(vars(g))


# ---------------------------------------------------------------- what the lean mode frees


def _peak(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_lean_mode_holds_what_a_hand_written_backward_holds():
    g = deep_mlp(depth=8, width=128, q=10, batch=32, dtype="float64")
    x, y, ws = g["x"].value, g["y"].value, weights_of(g)
    g.backward(keep="needed")  # compile and warm
    g.backward(keep="all")
    floor = _peak(lambda: mlp_floor(x, y, ws, LAM))
    peaks, held = {}, {}
    for keep in ("all", "needed"):
        g.forward(keep=keep)
        g.backward()
        for v in g.variables:  # start each from nothing held but the leaves
            v.grad = None
            if v.producer is not None:
                v._value = None
        g.steps, state(g).spent, state(g).stash = [], [], {}
        g._forward_version = -1
        gc.collect()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            g.backward(keep=keep)
            held[keep] = tracemalloc.get_traced_memory()[0] - base
            peaks[keep] = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    assert peaks["needed"] <= 1.1 * floor  # the hand-written floor, within 10%
    assert peaks["all"] > 1.5 * floor  # the full record holds every contribution
    # What outlives the lean sweep: the values the VJPs read, J, the leaves' gradients and
    # the residuals; every intermediate gradient is gone. Python objects: a few kB at most.
    assert all(v.grad is None for v in g.variables if v.producer is not None and v.name != "J")
    read = {v.name for node in plan(g, False).nodes for v in saved_values(node)
            if v.producer is not None} | {"J"}
    arrays = [g[n].value for n in read] + [w.grad for w in g.leaves("param")]
    arrays += list(state(g).stash.values())
    want = sum({id(a): np.asarray(a).nbytes for a in arrays}.values())
    assert want <= held["needed"] <= want + 16 * 1024


def test_compiled_passes_follow_new_values_and_constants():
    g = cg.mlp(4, 5, 3, batch=3, lam=LAM, seed=0)
    for _ in range(2):
        g.backward(keep="needed")
    g.set_constant("lam", 2 * LAM)  # a Constant is read at call time, not baked in
    g.set("W1", 2 * g["W1"].value)
    g.backward(keep="needed")
    ref = cg.mlp(4, 5, 3, batch=3, lam=2 * LAM, seed=0)
    ref.set("W1", g["W1"].value)
    ref.backward()  # one checked pass of a fresh graph
    for w in ("W1", "W2"):
        np.testing.assert_allclose(g[w].grad, ref[w].grad, rtol=1e-12)
    np.testing.assert_allclose(g["J"].value, ref["J"].value, rtol=1e-12)

"""Every numpy code template of the op table, run as written and compared with the kernel.

The trace prints these lines (`dJ_dh = dJ_do @ W2`) as the code a learner would write by
hand; here each one is evaluated with numpy and the few helpers numpy lacks (softmax,
onehot, logsumexp, cross_entropy), defined below as a learner would define them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from calcgraph.core import ops
from calcgraph.core.rules import Operand

CASES = [(name, k) for name, op in ops.OPS.items() for k in range(len(op.examples))]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def helpers(q: int) -> dict:
    """What the templates call beyond numpy, for q classes."""

    def logsumexp(o, axis=None):
        m = np.max(o, axis=axis, keepdims=True)
        return np.squeeze(np.log(np.exp(o - m).sum(axis=axis, keepdims=True)) + m, axis=axis)

    def softmax(o):
        e = np.exp(o - o.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def onehot(y):
        return np.eye(q)[y]

    def cross_entropy(o, y):
        if o.ndim == 1:
            return logsumexp(o) - o[y]
        return (logsumexp(o, axis=1) - o[np.arange(len(y)), y]).mean()

    return {"np": np, "logsumexp": logsumexp, "softmax": softmax, "onehot": onehot,
            "cross_entropy": cross_entropy}


def fill(template, ctx: dict) -> str:
    if callable(template):
        return template(ctx)
    return _PLACEHOLDER.sub(lambda m: ctx[m.group(1)], template)


def setup(op: ops.Op, example: list, seed: int = 0):
    """Operand values from the op's domain, its constants, and the mode the rule picks."""
    rng = np.random.default_rng(seed)
    q = next((shape[-1] for shape, _ in example if shape), 3)
    n = len(example)
    values = []
    for i, (shape, _) in enumerate(example):
        labels = not op.is_differentiable(i, n)
        values.append(rng.integers(0, q, size=shape) if labels
                      else np.asarray(op.domain(rng, shape, q), dtype=float))
    consts = {p: float(rng.uniform(0.3, 1.5)) for p in op.params}
    operands = [Operand(f"a{i}", s, b, not op.is_differentiable(i, n))
                for i, (s, b) in enumerate(example)]
    return values, consts, op.check(operands, "out").mode, q


@pytest.mark.parametrize("name,k", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_code_templates_compute_what_the_kernels_compute(name, k):
    op = ops.OPS[name]
    example = op.examples[k]
    values, consts, mode, q = setup(op, example)
    impl = op.impls[mode]
    names = [f"a{i}" for i in range(len(values))]
    batch = next((s[0] for s, b in example if b), 1)
    env = {**helpers(q), **dict(zip(names, values)), **consts, "n": batch}
    ctx = {**{str(i): a for i, a in enumerate(names)}, "args": names, "g": "g", "out": "out",
           "n": "n", "pairs": str(len(names) // 2), **{p: p for p in consts}}
    out = impl.forward(*values, *consts.values())
    got = eval(fill(impl.fcode, ctx), env)
    assert np.allclose(got, out), f"{name}/{mode} forward: {fill(impl.fcode, ctx)}"
    env["out"] = out
    env["g"] = np.random.default_rng(1).normal(size=np.shape(out))
    for i in range(len(values)):
        if not op.is_differentiable(i, len(values)):
            continue
        ctx_i = {**ctx, "x": names[i], "pair": names[(i + len(names) // 2) % len(names)]}
        code = fill(impl.formula("code", i), ctx_i)
        want = impl.vjp(i)(env["g"], out, *values, *consts.values())
        got = eval(code, env)
        assert np.shape(got) == np.shape(want) and np.allclose(got, want), \
            f"{name}/{mode} ∂/∂{names[i]}: {code}"


def test_helpers_the_templates_call_are_declared():
    """A template calling a function numpy lacks names it in its record's `helpers`."""
    call = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\(")
    for op in ops.OPS.values():
        for impl in op.impls.values():
            texts = [t for t in (impl.fcode, impl.code) if not callable(t)]
            texts = [t for t in texts for t in ([t] if isinstance(t, str) else t)]
            called = {m.group(1) for t in texts for m in call.finditer(t)} - {"range"}
            assert called <= set(op.helpers), f"{op.name}: undeclared {called - set(op.helpers)}"
            assert set(op.helpers) <= set(helpers(3)), f"{op.name}: the test lacks a helper"


def test_every_symbol_has_an_ascii_form():
    """The terminal trace's --ascii mode prints each op's symbol as its record says."""
    from calcgraph.text.labels import to_ascii

    for op in ops.OPS.values():
        assert op.ascii_symbol.isascii(), f"{op.name}: ASCII form {op.ascii_symbol!r}"
        assert to_ascii(op.symbol) == op.ascii_symbol, op.name


@pytest.mark.parametrize("name,k", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_torch_forms_agree_with_the_kernels(name, k):
    """Each record's `torch` form (calcgraph check --torch) against its numpy forward and VJPs."""
    torch = pytest.importorskip("torch", reason="torch not installed; the kernels are checked "
                                "without it by the finite-difference and template tests")
    op = ops.OPS[name]
    assert op.torch is not None, f"{name} has no torch form"
    values, consts, mode, _ = setup(op, op.examples[k])
    impl = op.impls[mode]
    n = len(values)
    ts = [torch.tensor(v, requires_grad=op.is_differentiable(i, n)) for i, v in enumerate(values)]
    out_t = op.torch(torch, mode, *ts, *consts.values())
    out = impl.forward(*values, *consts.values())
    assert np.allclose(out_t.detach().numpy(), out), f"{name}/{mode} forward"
    g = np.random.default_rng(1).normal(size=np.shape(out))
    out_t.backward(torch.tensor(g))
    for i in range(n):
        if op.is_differentiable(i, n):
            want = unbroadcast(impl.vjp(i)(g, out, *values, *consts.values()), values[i].shape)
            assert np.allclose(ts[i].grad.numpy(), want), f"{name}/{mode} ∂/∂a{i}"


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """A broadcasting op's VJP summed back to its operand's shape, as the engine does."""
    grad = np.asarray(grad)
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad

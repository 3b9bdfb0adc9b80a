"""The op table: one declaration per op, carrying everything every part of calcgraph needs.

An `Op` holds the symbol drawn in its circle, its shape rule, and one `Impl` per *mode*
(matmul is matrix·vector, matrix·matrix or batched rows, decided once at build time from
the operand shapes). An `Impl` carries the forward, one VJP per input, the forward and
chain-rule formulas in math form (`{0}ᵀ · {g}`) and numpy code form (`{0}.T @ {g}`), and
which forward values its VJPs read (so the engine knows what backward must keep).

Formula placeholders: `{0}`, `{1}` … operands; `{x}` the operand being differentiated;
`{g}` the incoming gradient ∂J/∂out; `{out}` the output; `{sym}` the op's symbol;
`{n}` the batch size; parameter names (`{lam}`) for constants. For an op declared
`paired=True` (operands o₁ … o_T, y₁ … y_T): `{pair}` the operand half a list away from
`{x}` (yₜ for oₜ) and `{pairs}` the number of pairs T.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from calcgraph.errors import ShapeError, UnknownOpError


class Operand(NamedTuple):
    """What a shape rule sees of an input: its display name, shape, batch flag and dtype kind."""

    name: str
    shape: tuple[int, ...]
    batched: bool
    integer: bool = False


class Sig(NamedTuple):
    """A shape rule's answer: the output shape, whether its axis 0 is the batch, the mode."""

    shape: tuple[int, ...]
    batched: bool
    mode: str = ""


@dataclass(frozen=True)
class Impl:
    """One mode of an op: forward, per-input VJPs and their formulas."""

    forward: Callable[..., np.ndarray]
    vjps: Sequence[Callable[..., np.ndarray]] | Callable[[int], Callable[..., np.ndarray]]
    fmath: str | Callable[[dict], str]
    fcode: str | Callable[[dict], str]
    math: Sequence[str] | str
    code: Sequence[str] | str
    saves: frozenset = frozenset()  # operand indices and/or "out" that the VJPs read
    # Optional: the forward that also returns a residual its VJPs reuse instead of recomputing
    # it (cross-entropy's log-sum-exp); the engine passes it to the VJPs as `res=`.
    residual: Callable[..., tuple[np.ndarray, object]] | None = None
    # The VJPs only scale an operand (ℓ₂: g λ W): recomputing one when it is read is cheaper
    # than keeping it, so the engine may sum into its buffer (see execute._gather).
    recompute: bool = False

    def vjp(self, i: int) -> Callable[..., np.ndarray]:
        return self.vjps(i) if callable(self.vjps) else self.vjps[i]

    def formula(self, kind: str, i: int) -> str:
        table = self.math if kind == "math" else self.code
        return table if isinstance(table, str) else table[i]


@dataclass(frozen=True)
class Op:
    """One row of the op table."""

    name: str
    symbol: str  # label markup, e.g. "ℓ_2"
    doc: str
    rule: Callable[[list[Operand], str], Sig]  # (operands, node name) -> Sig or ShapeError
    impls: dict[str, Impl]
    arity: int | None = None  # None: variadic, at least one operand
    params: tuple[str, ...] = ()  # scalar constants after the operands (l2's lam)
    # per operand; or (i, n) -> bool for a variadic op with n operands; None: all
    differentiable: tuple[bool, ...] | Callable[[int, int], bool] | None = None
    broadcasts: bool = False  # elementwise with numpy broadcasting: engine unbroadcasts VJPs
    domain: Callable[[np.random.Generator, tuple[int, ...], int], np.ndarray] | None = None
    examples: tuple = field(default=())  # operand (shape, batched) lists for the gradient tests
    paired: bool = False  # operands o₁ … o_T, y₁ … y_T: formulas may name {pair} and {pairs}

    def is_differentiable(self, i: int, n: int) -> bool:
        """Whether operand i of n gets a gradient."""
        d = self.differentiable
        if d is None:
            return True
        if callable(d):
            return d(i, n)
        return d[min(i, len(d) - 1)]


# ---------------------------------------------------------------- shape rules


def _err(op: str, node: str, msg: str) -> ShapeError:
    return ShapeError(f"{op} '{node}': {msg}")


def _fmt(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _matmul_rule(xs: list[Operand], node: str) -> Sig:
    a, b = xs
    bad = f"{a.name} has shape {_fmt(a.shape)} but {b.name} has shape {_fmt(b.shape)}"
    if a.batched and b.batched:
        raise _err("matmul", node, f"{bad}; both operands are batched")
    if b.batched:  # batched rows: each row of b is one sample multiplied by a
        if len(a.shape) != 2 or len(b.shape) != 2:
            raise _err("matmul", node, f"{bad}; expected a matrix times batched rows")
        if b.shape[1] != a.shape[1]:
            raise _err("matmul", node, f"{bad} (expected {b.name} to have shape (n, {a.shape[1]}))")
        return Sig((b.shape[0], a.shape[0]), True, "rows")
    ka = a.shape[-1] if a.shape else None
    kb = b.shape[0] if b.shape else None
    if not a.shape or not b.shape or len(a.shape) > 2 or len(b.shape) > 2 or ka != kb:
        want = f"({ka},)" if len(b.shape) <= 1 else f"({ka}, ...)"
        if len(a.shape) == 2 and not b.batched:
            want = f"({ka},) or ({ka}, k)"
        raise _err("matmul", node, f"{bad} (expected {b.name} to have shape {want})")
    mode = {(2, 1): "matvec", (2, 2): "matmat", (1, 2): "vecmat", (1, 1): "dot"}[
        (len(a.shape), len(b.shape))
    ]
    out = a.shape[:-1] + b.shape[1:]
    return Sig(tuple(out), a.batched, mode)


def _broadcast_rule(name: str) -> Callable[[list[Operand], str], Sig]:
    def rule(xs: list[Operand], node: str) -> Sig:
        a, b = xs
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise _err(name, node, f"{a.name} has shape {_fmt(a.shape)} but {b.name} has shape "
                       f"{_fmt(b.shape)} (expected shapes that broadcast)") from None
        # A batched operand must keep its axis 0 as the output's axis 0.
        for x in xs:
            if x.batched and len(x.shape) != len(shape):
                raise _err(name, node, f"{x.name} is batched with shape {_fmt(x.shape)} but the "
                           f"result has shape {_fmt(shape)} (expected the batch axis to stay first)")
        return Sig(tuple(shape), a.batched or b.batched)

    return rule


def _same_rule(xs: list[Operand], node: str) -> Sig:
    return Sig(xs[0].shape, xs[0].batched)


def _scalar_rule(xs: list[Operand], node: str) -> Sig:
    return Sig((), False)


def _cross_entropy_rule(xs: list[Operand], node: str, name: str = "cross_entropy") -> Sig:
    o, y = xs
    bad = f"{o.name} has shape {_fmt(o.shape)} but {y.name} has shape {_fmt(y.shape)}"
    if len(o.shape) == 1 and y.shape == ():
        mode = "single"
    elif len(o.shape) == 2 and y.shape == o.shape[:1]:
        mode = "batch"
    else:
        want = "()" if len(o.shape) == 1 else f"({o.shape[0]},)" if len(o.shape) == 2 else "(n,)"
        raise _err(name, node, f"{bad} (expected logits (q,) or (n, q) and "
                   f"{y.name} of class indices with shape {want})")
    if not y.integer:
        raise _err(name, node, f"{y.name} holds floats (expected integer class indices)")
    return Sig((), False, mode)


def _rnn_cell_rule(xs: list[Operand], node: str) -> Sig:
    whx, x, whh, h = xs
    for w in (whx, whh):
        if w.batched or len(w.shape) != 2:
            raise _err("rnn_cell", node, f"{w.name} has shape {_fmt(w.shape)}"
                       f"{' and is batched' if w.batched else ''} (expected a weight matrix)")
    k = whx.shape[0]
    if whh.shape != (k, k):
        raise _err("rnn_cell", node, f"{whx.name} has shape {_fmt(whx.shape)} but {whh.name} has "
                   f"shape {_fmt(whh.shape)} (expected {whh.name} to have shape ({k}, {k}))")
    if x.batched != h.batched:
        b, u = (x, h) if x.batched else (h, x)
        raise _err("rnn_cell", node, f"{b.name} is batched but {u.name} is not (expected both "
                   f"the input and the hidden state batched, or neither)")
    lead = (x.shape[0],) if x.batched and x.shape else ()
    for v, w, want in ((x, whx, whx.shape[1]), (h, whh, k)):
        if v.shape != lead + (want,):
            shape = f"({lead[0]}, {want})" if x.batched else f"({want},)"
            raise _err("rnn_cell", node, f"{w.name} has shape {_fmt(w.shape)} but {v.name} has "
                       f"shape {_fmt(v.shape)} (expected {v.name} to have shape {shape})")
    return Sig(lead + (k,), x.batched, "rows" if x.batched else "single")


def _mean_cross_entropy_rule(xs: list[Operand], node: str) -> Sig:
    t = len(xs) // 2
    if len(xs) % 2:
        raise _err("mean_cross_entropy", node, f"got {len(xs)} operands (expected logits "
                   f"o₁ … o_T then as many labels y₁ … y_T)")
    modes = {_cross_entropy_rule([o, y], node, "mean_cross_entropy").mode
             for o, y in zip(xs[:t], xs[t:])}
    o = xs[0]
    for u in xs[1:t]:
        if u.shape != o.shape:
            raise _err("mean_cross_entropy", node, f"{o.name} has shape {_fmt(o.shape)} but "
                       f"{u.name} has shape {_fmt(u.shape)} (expected equal shapes)")
    return Sig((), False, modes.pop())


def _squared_loss_rule(xs: list[Operand], node: str) -> Sig:
    o, y = xs
    if o.shape != y.shape:
        raise _err("squared_loss", node, f"{o.name} has shape {_fmt(o.shape)} but {y.name} has "
                   f"shape {_fmt(y.shape)} (expected equal shapes)")
    return Sig((), False, "batch" if (o.batched or y.batched) else "single")


# ---------------------------------------------------------------- kernels


def _lse_single(o):
    m = o.max()
    return np.log(np.exp(o - m).sum()) + m


def _lse_batch(o):
    if o.shape[1] <= _FEW_CLASSES:  # reduce the transposed copy: vectorized across samples
        t = o.T.copy()
        m = t.max(axis=0)
        t -= m
        np.exp(t, out=t)
        lse = np.log(t.sum(axis=0))
    else:
        m = o.max(axis=1)
        lse = np.log(np.exp(o - m[:, None]).sum(axis=1))
    lse += m
    return lse


# numpy reduces along a short last axis slowly (40 µs for the max over 10 classes of 256
# rows, 1.5 µs on the transposed copy); past this many classes the copy costs more.
_FEW_CLASSES = 32


def _ce_single(o, y):
    """(loss, log-sum-exp): the residual spares the VJP the max, exp-sum and log."""
    lse = _lse_single(o)
    return lse - o[y], lse


def _ce_batch(o, y):
    lse = _lse_batch(o)
    return (lse - o[np.arange(o.shape[0]), y]).sum() / o.shape[0], lse


def _ce_forward_single(o, y):
    return _ce_single(o, y)[0]


def _ce_forward_batch(o, y):
    return _ce_batch(o, y)[0]


def _ce_vjp_single(g, ans, o, y, res=None):
    p = np.exp(o - (_lse_single(o) if res is None else res))  # softmax(o)
    p[y] -= 1
    p *= g
    return p


def _ce_vjp_batch(g, ans, o, y, res=None):
    p = np.exp(o - (_lse_batch(o) if res is None else res)[:, None])  # softmax(o), row-wise
    p[np.arange(o.shape[0]), y] -= 1
    p *= g / o.shape[0]
    return p


def _mce_forward(*args):
    t = len(args) // 2
    ce = _ce_forward_batch if args[0].ndim == 2 else _ce_forward_single
    return np.asarray(sum(ce(o, y) for o, y in zip(args[:t], args[t:])) / t)


def _mce_vjp(i: int):
    def vjp(g, ans, *args):
        t = len(args) // 2
        o, y = args[i], args[i + t]
        ce = _ce_vjp_batch if o.ndim == 2 else _ce_vjp_single
        return ce(g / t, ans, o, y)

    return vjp


def _mce_math(c: dict) -> str:
    t = len(c["args"]) // 2
    pairs = zip(c["args"][:t], c["args"][t:])
    return "1/T (" + " + ".join(f"{c['sym']}({o}, {y})" for o, y in pairs) + ")"


def _mce_code(c: dict) -> str:
    t = len(c["args"]) // 2
    pairs = zip(c["args"][:t], c["args"][t:])
    return "(" + " + ".join(f"cross_entropy({o}, {y})" for o, y in pairs) + f") / {t}"


def _relu_vjp(g, ans, x):
    d = (x > 0).astype(g.dtype)  # a float mask then an in-place product: faster than g * bool
    d *= g
    return d


def _sigmoid(x):
    s = np.tanh(0.5 * x)  # overflow-free form of 1 / (1 + exp(-x)): 0.5 (tanh(x/2) + 1)
    s += 1.0
    s *= 0.5
    return s


def _l2_forward(*args):
    *ws, lam = args
    return np.asarray(0.5 * lam * sum(np.vdot(w, w) for w in ws), dtype=ws[0].dtype)


def _l2_vjp(i: int):
    def vjp(g, ans, *args):
        return (g * args[-1]) * args[i]

    return vjp


# ---------------------------------------------------------------- domains for the tests


def _normal(rng, shape, q):
    return rng.normal(size=shape)


def _away_from_zero(rng, shape, q):
    x = rng.uniform(0.2, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def _positive(rng, shape, q):
    return rng.uniform(0.5, 3.0, size=shape)


def _classes(rng, shape, q):
    return rng.integers(0, q, size=shape)


# ---------------------------------------------------------------- the table

B = True  # marks a batched operand in `examples`

_UNARY_EX = (([((4,), False)]), ([((3, 2), False)]), ([((5, 3), B)]), ([((), False)]))


def _unary(name, symbol, doc, fwd, vjp, math, code, fcode, saves, domain=_normal) -> Op:
    return Op(name, symbol, doc, _same_rule,
              {"": Impl(fwd, (vjp,), "{sym}({0})", fcode, (math,), (code,), frozenset(saves))},
              arity=1, domain=lambda rng, shape, q: domain(rng, shape, q), examples=_UNARY_EX)


_BINARY_EX = (
    [((4,), False), ((4,), False)],
    [((3, 4), False), ((4,), False)],
    [((6, 4), B), ((4,), False)],
    [((6, 4), B), ((6, 4), B)],
    [((), False), ((2, 3), False)],
)

OPS: dict[str, Op] = {}


def _register(*ops: Op) -> None:
    for op in ops:
        OPS[op.name] = op


_register(
    Op("matmul", "×", "matrix product (d2l's prod): matrix·vector, matrix·matrix, batched rows",
       _matmul_rule, {
           "matvec": Impl(np.matmul, (lambda g, ans, a, b: np.outer(g, b),
                                      lambda g, ans, a, b: a.T @ g),
                          "{0} {1}", "{0} @ {1}", ("{g} · {1}ᵀ", "{0}ᵀ · {g}"),
                          ("np.outer({g}, {1})", "{0}.T @ {g}"), frozenset({0, 1})),
           "matmat": Impl(np.matmul, (lambda g, ans, a, b: g @ b.T,
                                      lambda g, ans, a, b: a.T @ g),
                          "{0} {1}", "{0} @ {1}", ("{g} · {1}ᵀ", "{0}ᵀ · {g}"),
                          ("{g} @ {1}.T", "{0}.T @ {g}"), frozenset({0, 1})),
           "rows": Impl(lambda a, b: b @ a.T, (lambda g, ans, a, b: g.T @ b,
                                               lambda g, ans, a, b: g @ a),
                        "{1} {0}ᵀ", "{1} @ {0}.T", ("({g})ᵀ · {1}", "{g} · {0}"),
                        ("{g}.T @ {1}", "{g} @ {0}"), frozenset({0, 1})),
           "vecmat": Impl(np.matmul, (lambda g, ans, a, b: b @ g,
                                      lambda g, ans, a, b: np.outer(a, g)),
                          "{0}ᵀ {1}", "{0} @ {1}", ("{1} · {g}", "{0} · {g}ᵀ"),
                          ("{1} @ {g}", "np.outer({0}, {g})"), frozenset({0, 1})),
           "dot": Impl(np.matmul, (lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a),
                       "{0}ᵀ {1}", "{0} @ {1}", ("{g} {1}", "{g} {0}"),
                       ("{g} * {1}", "{g} * {0}"), frozenset({0, 1})),
       }, arity=2,
       examples=([((3, 4), False), ((4,), False)], [((3, 4), False), ((4, 2), False)],
                 [((3, 4), False), ((5, 4), B)], [((5, 4), B), ((4, 3), False)],
                 [((4,), False), ((4, 3), False)], [((4,), False), ((4,), False)])),
    Op("add", "+", "elementwise sum, with broadcasting (a bias over a batch)",
       _broadcast_rule("add"),
       {"": Impl(np.add, (lambda g, ans, a, b: g, lambda g, ans, a, b: g),
                 "{0} + {1}", "{0} + {1}", "{g}", "{g}")},
       arity=2, broadcasts=True, examples=_BINARY_EX),
    Op("sub", "−", "elementwise difference, with broadcasting", _broadcast_rule("sub"),
       {"": Impl(np.subtract, (lambda g, ans, a, b: g, lambda g, ans, a, b: -g),
                 "{0} − {1}", "{0} - {1}", ("{g}", "−{g}"), ("{g}", "-{g}"))},
       arity=2, broadcasts=True, examples=_BINARY_EX),
    Op("mul", "⊙", "elementwise (Hadamard) product, with broadcasting", _broadcast_rule("mul"),
       {"": Impl(np.multiply, (lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a),
                 "{0} ⊙ {1}", "{0} * {1}", ("{g} ⊙ {1}", "{g} ⊙ {0}"),
                 ("{g} * {1}", "{g} * {0}"), frozenset({0, 1}))},
       arity=2, broadcasts=True, examples=_BINARY_EX),
    Op("scale", "·", "multiply by a scalar constant: scale(x, c) = c x", _same_rule,
       {"": Impl(lambda x, c: c * x, (lambda g, ans, x, c: c * g,),
                 "{c} {0}", "{c} * {0}", ("{c} {g}",), ("{c} * {g}",))},
       arity=1, params=("c",), examples=_UNARY_EX),
    _unary("relu", "ϕ", "rectified linear unit max(x, 0)", lambda x: np.maximum(x, 0),
           _relu_vjp, "{g} ⊙ {sym}'({0})", "{g} * ({0} > 0)",
           "np.maximum({0}, 0)", {0}, _away_from_zero),
    _unary("sigmoid", "σ", "logistic sigmoid 1 / (1 + exp(−x))", _sigmoid,
           lambda g, ans, x: g * ans * (1 - ans), "{g} ⊙ {sym}'({0})",
           "{g} * {out} * (1 - {out})", "1 / (1 + np.exp(-{0}))", {"out"}),
    _unary("tanh", "tanh", "hyperbolic tangent", np.tanh,
           lambda g, ans, x: g * (1 - ans * ans), "{g} ⊙ {sym}'({0})",
           "{g} * (1 - {out}**2)", "np.tanh({0})", {"out"}),
    _unary("exp", "exp", "elementwise exponential", np.exp, lambda g, ans, x: g * ans,
           "{g} ⊙ {out}", "{g} * {out}", "np.exp({0})", {"out"}),
    _unary("log", "log", "elementwise natural logarithm (inputs > 0)", np.log,
           lambda g, ans, x: g / x, "{g} ⊘ {0}", "{g} / {0}", "np.log({0})", {0}, _positive),
    Op("sum", "Σ", "sum of all elements, a scalar", _scalar_rule,
       {"": Impl(lambda x: np.asarray(x.sum()), (lambda g, ans, x: np.full(x.shape, g, x.dtype),),
                 "Σ {0}", "{0}.sum()", ("{g} 𝟏",), ("np.full_like({0}, {g})",), frozenset({0}))},
       arity=1, examples=_UNARY_EX),
    Op("mean", "mean", "mean of all elements, a scalar", _scalar_rule,
       {"": Impl(lambda x: np.asarray(x.sum() / max(x.size, 1)),
                 (lambda g, ans, x: np.full(x.shape, g / max(x.size, 1), x.dtype),),
                 "mean({0})", "{0}.mean()", ("{g} 𝟏 / N",), ("np.full_like({0}, {g} / {0}.size)",),
                 frozenset({0}))},
       arity=1, examples=_UNARY_EX),
    Op("cross_entropy", "l", "softmax cross-entropy of logits and class indices, mean over the batch",
       _cross_entropy_rule, {
           "single": Impl(_ce_forward_single, (_ce_vjp_single, None),
                          "{sym}({0}, {1})", "logsumexp({0}) - {0}[{1}]",
                          ("{g} · (softmax({0}) − onehot({1}))", ""),
                          ("{g} * (softmax({0}) - onehot({1}))", ""), frozenset({0, 1}),
                          _ce_single),
           "batch": Impl(_ce_forward_batch, (_ce_vjp_batch, None),
                         "{sym}({0}, {1})", "(logsumexp({0}, axis=1) - {0}[range(n), {1}]).mean()",
                         ("{g} · (softmax({0}) − onehot({1})) / n", ""),
                         ("{g} * (softmax({0}) - onehot({1})) / n", ""), frozenset({0, 1}),
                         _ce_batch),
       }, arity=2, differentiable=(True, False),
       examples=([((3,), False), ((), False)], [((6, 3), B), ((6,), B)])),
    Op("rnn_cell", "⊕", "RNN step without activation: W_hx x + W_hh h (d2l's h_t before ϕ)",
       _rnn_cell_rule, {
           "single": Impl(lambda whx, x, whh, h: whx @ x + whh @ h,
                          (lambda g, ans, whx, x, whh, h: np.outer(g, x),
                           lambda g, ans, whx, x, whh, h: whx.T @ g,
                           lambda g, ans, whx, x, whh, h: np.outer(g, h),
                           lambda g, ans, whx, x, whh, h: whh.T @ g),
                          "{0} {1} + {2} {3}", "{0} @ {1} + {2} @ {3}",
                          ("{g} · {1}ᵀ", "{0}ᵀ · {g}", "{g} · {3}ᵀ", "{2}ᵀ · {g}"),
                          ("np.outer({g}, {1})", "{0}.T @ {g}", "np.outer({g}, {3})",
                           "{2}.T @ {g}"), frozenset({0, 1, 2, 3})),
           "rows": Impl(lambda whx, x, whh, h: x @ whx.T + h @ whh.T,
                        (lambda g, ans, whx, x, whh, h: g.T @ x,
                         lambda g, ans, whx, x, whh, h: g @ whx,
                         lambda g, ans, whx, x, whh, h: g.T @ h,
                         lambda g, ans, whx, x, whh, h: g @ whh),
                        "{1} {0}ᵀ + {3} {2}ᵀ", "{1} @ {0}.T + {3} @ {2}.T",
                        ("({g})ᵀ · {1}", "{g} · {0}", "({g})ᵀ · {3}", "{g} · {2}"),
                        ("{g}.T @ {1}", "{g} @ {0}", "{g}.T @ {3}", "{g} @ {2}"),
                        frozenset({0, 1, 2, 3})),
       }, arity=4,
       examples=([((3, 4), False), ((4,), False), ((3, 3), False), ((3,), False)],
                 [((3, 4), False), ((5, 4), B), ((3, 3), False), ((5, 3), B)])),
    Op("mean_cross_entropy", "l",
       "cross-entropy averaged over T steps: (1/T) Σₜ l(oₜ, yₜ) of logits o₁ … o_T, labels y₁ … y_T",
       _mean_cross_entropy_rule, {
           "single": Impl(_mce_forward, _mce_vjp, _mce_math, _mce_code,
                          "{g} · (softmax({x}) − onehot({pair})) / T",
                          "{g} * (softmax({x}) - onehot({pair})) / {pairs}", frozenset({"all"})),
           "batch": Impl(_mce_forward, _mce_vjp, _mce_math, _mce_code,
                         "{g} · (softmax({x}) − onehot({pair})) / (T n)",
                         "{g} * (softmax({x}) - onehot({pair})) / ({pairs} * n)",
                         frozenset({"all"})),
       }, differentiable=lambda i, n: i < n // 2, paired=True,
       examples=([((3,), False), ((), False)],
                 [((3,), False), ((3,), False), ((3,), False), ((), False), ((), False), ((), False)],
                 [((6, 3), B), ((6, 3), B), ((6,), B), ((6,), B)])),
    Op("squared_loss", "l", "½‖o − y‖², mean over the batch", _squared_loss_rule, {
        "single": Impl(lambda o, y: np.asarray(0.5 * np.vdot(o - y, o - y)),
                       (lambda g, ans, o, y: g * (o - y), lambda g, ans, o, y: g * (y - o)),
                       "{sym}({0}, {1})", "0.5 * ((({0}) - {1})**2).sum()",
                       ("{g} · ({0} − {1})", "−{g} · ({0} − {1})"),
                       ("{g} * ({0} - {1})", "-{g} * ({0} - {1})"), frozenset({0, 1})),
        "batch": Impl(lambda o, y: np.asarray(0.5 * np.vdot(o - y, o - y) / o.shape[0]),
                      (lambda g, ans, o, y: (g / o.shape[0]) * (o - y),
                       lambda g, ans, o, y: (g / o.shape[0]) * (y - o)),
                      "{sym}({0}, {1})", "0.5 * (({0} - {1})**2).sum() / n",
                      ("{g} · ({0} − {1}) / n", "−{g} · ({0} − {1}) / n"),
                      ("{g} * ({0} - {1}) / n", "-{g} * ({0} - {1}) / n"), frozenset({0, 1})),
    }, arity=2, examples=([((3,), False), ((3,), False)], [((6, 3), B), ((6, 3), B)],
                         [((), False), ((), False)])),
    Op("l2", "ℓ_2", "weight decay λ/2 Σᵢ ‖Wᵢ‖²_F over any number of operands", _scalar_rule,
       {"": Impl(_l2_forward, _l2_vjp,
                 lambda c: f"{c['lam']}/2 (" + " + ".join(f"‖{w}‖²" for w in c["args"]) + ")",
                 lambda c: f"{c['lam']} / 2 * (" + " + ".join(f"np.sum({w}**2)" for w in c["args"])
                 + ")", "{g} · {lam} {x}", "{g} * {lam} * {x}", frozenset({"all"}),
                 recompute=True)},
       arity=None, params=("lam",),
       examples=([((3, 4), False)], [((3, 4), False), ((2, 3), False)],
                 [((3,), False), ((2, 2), False), ((4, 1), False)])),
)


def get(name: str) -> Op:
    """The op called `name`, or an UnknownOpError listing the known ones."""
    try:
        return OPS[name]
    except KeyError:
        raise UnknownOpError(f"unknown op: {name!r} (must be one of {sorted(OPS)})") from None

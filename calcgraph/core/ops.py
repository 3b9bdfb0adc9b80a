"""The op table: every op's record by name, and lookups by name, spec form and role.

The rows live here (arithmetic, elementwise functions, reductions) and in core.nnops
(matmul, the RNN cell, losses, weight decay); core.record describes the fields, core.rules
the shape rules and core.kernels the longer forwards and VJPs. Adding an op is one row.
"""

from __future__ import annotations

import numpy as np

from calcgraph.core import kernels as k
from calcgraph.core import nnops, rules
from calcgraph.core.record import BINARY_EX, TWO, UNARY_EX, B, Impl, Op, unary
from calcgraph.core.rules import Operand, Sig
from calcgraph.errors import UnknownOpError

__all__ = ["OPS", "Impl", "Op", "Operand", "Sig", "by_infix", "choices", "get"]

ADD = Op(
    name="add", symbol="+", doc="elementwise sum, with broadcasting (a bias over a batch)",
    torch=lambda t, m, a, b: a + b,
    rule=rules.broadcast, arity=2, broadcasts=True, examples=BINARY_EX, infix=("a + a",),
    passthrough=(0, 1), impls={"": Impl(
        forward=np.add, vjps=(lambda g, ans, a, b: g, lambda g, ans, a, b: g),
        fmath="{0} + {1}", fcode="{0} + {1}", math="{g}", code="{g}")})
SUB = Op(
    name="sub", symbol="−", ascii="-", doc="elementwise difference, with broadcasting",
    torch=lambda t, m, a, b: a - b,
    rule=rules.broadcast, arity=2, broadcasts=True, examples=BINARY_EX, infix=("a - a",),
    passthrough=(0,), impls={"": Impl(
        forward=np.subtract, vjps=(lambda g, ans, a, b: g, lambda g, ans, a, b: -g),
        fmath="{0} − {1}", fcode="{0} - {1}", math=("{g}", "−{g}"), code=("{g}", "-{g}"))})
MUL = Op(
    name="mul", symbol="⊙", ascii="*", doc="elementwise (Hadamard) product, with broadcasting",
    torch=lambda t, m, a, b: a * b,
    rule=rules.broadcast, arity=2, broadcasts=True, examples=BINARY_EX, infix=("a * a",),
    impls={"": Impl(
        forward=np.multiply, vjps=(lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a),
        fmath="{0} ⊙ {1}", fcode="{0} * {1}", math=("{g} ⊙ {1}", "{g} ⊙ {0}"),
        code=("{g} * {1}", "{g} * {0}"), saves=TWO)})
SCALE = Op(
    name="scale", symbol="·", ascii="*", doc="multiply by a scalar constant: scale(x, c) = c x",
    torch=lambda t, m, x, c: c * x,
    rule=rules.same, arity=1, params=("c",), examples=UNARY_EX, infix=("c * a", "a * c"),
    impls={"": Impl(forward=lambda x, c: c * x, vjps=(lambda g, ans, x, c: c * g,),
                    fmath="{c} {0}", fcode="{c} * {0}", math=("{c} {g}",), code=("{c} * {g}",))})
RELU = unary(
    name="relu", symbol="ϕ", ascii="phi", doc="rectified linear unit max(x, 0)",
    torch=lambda t, m, x: t.relu(x),
    forward=lambda x: np.maximum(x, 0), vjp=k.relu_vjp, math="{g} ⊙ {sym}'({0})",
    code="{g} * ({0} > 0)", fcode="np.maximum({0}, 0)", saves={0}, domain=k.away_from_zero,
    role="activation")
SIGMOID = unary(
    name="sigmoid", symbol="σ", ascii="sigma", doc="logistic sigmoid 1 / (1 + exp(−x))",
    torch=lambda t, m, x: t.sigmoid(x),
    forward=k.sigmoid, vjp=lambda g, ans, x: g * ans * (1 - ans), math="{g} ⊙ {sym}'({0})",
    code="{g} * {out} * (1 - {out})", fcode="1 / (1 + np.exp(-{0}))", saves={"out"},
    role="activation")
TANH = unary(
    name="tanh", symbol="tanh", doc="hyperbolic tangent", forward=np.tanh,
    torch=lambda t, m, x: t.tanh(x),
    vjp=lambda g, ans, x: g * (1 - ans * ans), math="{g} ⊙ {sym}'({0})",
    code="{g} * (1 - {out}**2)", fcode="np.tanh({0})", saves={"out"}, role="activation")
EXP = unary(
    name="exp", symbol="exp", doc="elementwise exponential", forward=np.exp,
    torch=lambda t, m, x: t.exp(x),
    vjp=lambda g, ans, x: g * ans, math="{g} ⊙ {out}", code="{g} * {out}", fcode="np.exp({0})",
    saves={"out"})
LOG = unary(
    name="log", symbol="log", doc="elementwise natural logarithm (inputs > 0)", forward=np.log,
    torch=lambda t, m, x: t.log(x),
    vjp=lambda g, ans, x: g / x, math="{g} ⊘ {0}", code="{g} / {0}", fcode="np.log({0})",
    saves={0}, domain=k.positive)
SUM = Op(
    name="sum", symbol="Σ", ascii="sum", doc="sum of all elements, a scalar", rule=rules.scalar,
    torch=lambda t, m, x: x.sum(),
    arity=1, examples=UNARY_EX, impls={"": Impl(
        forward=k.total, vjps=(lambda g, ans, x: np.full(x.shape, g, x.dtype),),
        fmath="Σ {0}", fcode="{0}.sum()", math=("{g} 𝟏",), code=("np.full_like({0}, {g})",),
        saves=frozenset({0}))})
MEAN = Op(
    name="mean", symbol="mean", doc="mean of all elements, a scalar", rule=rules.scalar,
    torch=lambda t, m, x: x.mean(),
    arity=1, examples=UNARY_EX, impls={"": Impl(
        forward=k.mean, vjps=(lambda g, ans, x: np.full(x.shape, g / max(x.size, 1), x.dtype),),
        fmath="mean({0})", fcode="{0}.mean()", math=("{g} 𝟏 / N",),
        code=("np.full_like({0}, {g} / {0}.size)",), saves=frozenset({0}))})



def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))  # shifted by the max: exp never overflows
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


_ROWS_EX = ([((4,), False)], [((5, 3), B)], [((2, 3), False)])
SOFTMAX = Op(
    name="softmax", symbol="softmax", rule=rules.rows, arity=1, examples=_ROWS_EX,
    torch=lambda t, m, x: t.softmax(x, -1),
    doc="exp(x) / Σ exp(x) along the last axis (each row of a batch)", helpers=("softmax",),
    impls={"": Impl(forward=_softmax,
                    vjps=(lambda g, ans, x: ans * (g - (g * ans).sum(axis=-1, keepdims=True)),),
                    fmath="softmax({0})", fcode="softmax({0})",
                    math=("{out} ⊙ ({g} − Σ({g} ⊙ {out}))",),
                    code=("{out} * ({g} - ({g} * {out}).sum(axis=-1, keepdims=True))",),
                    saves=frozenset({"out"}))})
LOG_SOFTMAX = Op(
    name="log_softmax", symbol="log softmax", rule=rules.rows, arity=1, examples=_ROWS_EX,
    torch=lambda t, m, x: t.log_softmax(x, -1),
    doc="x − log Σ exp(x) along the last axis (each row of a batch)",
    helpers=("softmax",), impls={"": Impl(
        forward=_log_softmax,
        vjps=(lambda g, ans, x: g - np.exp(ans) * g.sum(axis=-1, keepdims=True),),
        fmath="log softmax({0})", fcode="np.log(softmax({0}))",
        math=("{g} − exp({out}) Σ {g}",),
        code=("{g} - np.exp({out}) * {g}.sum(axis=-1, keepdims=True)",),
        saves=frozenset({"out"}))})

# ---------------------------------------------------------------- constants and powers
# `c` is a scalar constant (a number or a const); its rows let specs write z + 1, 2 - x,
# x / 2, 1 / x and x ** 3 without declaring an op of their own.


def _const_op(*, name: str, symbol: str, doc: str, infix: tuple[str, ...], forward, vjp,
              fmath: str, fcode: str, math: str, code: str, saves=(), **more) -> Op:
    return Op(name=name, symbol=symbol, doc=doc, rule=rules.same, arity=1, params=("c",),
              infix=infix, examples=UNARY_EX, impls={"": Impl(
                  forward=forward, vjps=(vjp,), fmath=fmath, fcode=fcode, math=(math,),
                  code=(code,), saves=frozenset(saves))}, **more)


NEG = unary(
    name="neg", symbol="−", ascii="-", doc="negation −x", forward=np.negative,
    torch=lambda t, m, x: -x,
    vjp=lambda g, ans, x: -g, fmath="−{0}", fcode="-{0}", math="−{g}", code="-{g}", saves=(),
    infix=("- a",))
ADD_CONST = _const_op(
    name="add_const", symbol="+", doc="add a scalar constant: add_const(x, c) = x + c",
    torch=lambda t, m, x, c: x + c,
    infix=("a + c", "c + a"), forward=lambda x, c: x + c, vjp=lambda g, ans, x, c: g,
    fmath="{0} + {c}", fcode="{0} + {c}", math="{g}", code="{g}", passthrough=(0,))
SUB_CONST = _const_op(
    name="sub_const", symbol="−", ascii="-", doc="subtract a scalar constant: x − c",
    torch=lambda t, m, x, c: x - c,
    infix=("a - c",), forward=lambda x, c: x - c, vjp=lambda g, ans, x, c: g,
    fmath="{0} − {c}", fcode="{0} - {c}", math="{g}", code="{g}", passthrough=(0,))
RSUB_CONST = _const_op(
    name="rsub_const", symbol="−", ascii="-", doc="a scalar constant minus an array: c − x",
    torch=lambda t, m, x, c: c - x,
    infix=("c - a",), forward=lambda x, c: c - x, vjp=lambda g, ans, x, c: -g,
    fmath="{c} − {0}", fcode="{c} - {0}", math="−{g}", code="-{g}")
DIV_CONST = _const_op(
    name="div_const", symbol="/", doc="divide by a scalar constant: x / c",
    torch=lambda t, m, x, c: x / c,
    infix=("a / c",), forward=lambda x, c: x / c, vjp=lambda g, ans, x, c: g / c,
    fmath="{0} / {c}", fcode="{0} / {c}", math="{g} / {c}", code="{g} / {c}")
RDIV_CONST = _const_op(
    name="rdiv_const", symbol="/", doc="a scalar constant over an array: c / x (x ≠ 0)",
    torch=lambda t, m, x, c: c / x,
    infix=("c / a",), forward=lambda x, c: c / x, vjp=lambda g, ans, x, c: -g * ans / x,
    fmath="{c} / {0}", fcode="{c} / {0}", math="−{g} ⊙ {out} ⊘ {0}",
    code="-{g} * {out} / {0}", saves=(0, "out"), domain=k.away_from_zero)
POW = _const_op(
    name="pow", symbol="pow", torch=lambda t, m, x, c: x ** c,
    doc="power with a constant exponent: x ** c (x > 0 unless c is a whole number)", infix=("a ** c",), forward=lambda x, c: x ** c,
    vjp=lambda g, ans, x, c: g * c * x ** (c - 1), fmath="{0}^{c}", fcode="{0} ** {c}",
    math="{g} ⊙ {c} {0}^({c} − 1)", code="{g} * {c} * {0} ** ({c} - 1)", saves=(0,),
    domain=k.positive)
DIV = Op(
    name="div", symbol="÷", ascii="/", doc="elementwise quotient, with broadcasting (b ≠ 0)",
    torch=lambda t, m, a, b: a / b,
    rule=rules.broadcast, arity=2, broadcasts=True, examples=BINARY_EX, infix=("a / a",),
    domain=k.away_from_zero, impls={"": Impl(
        forward=np.divide, vjps=(lambda g, ans, a, b: g / b, lambda g, ans, a, b: -g * ans / b),
        fmath="{0} ⊘ {1}", fcode="{0} / {1}", math=("{g} ⊘ {1}", "−{g} ⊙ {out} ⊘ {1}"),
        code=("{g} / {1}", "-{g} * {out} / {1}"), saves=frozenset({1, "out"}))})

# ---------------------------------------------------------------- more elementwise functions

SQRT = unary(
    name="sqrt", symbol="√", ascii="sqrt", doc="elementwise square root (inputs > 0)",
    torch=lambda t, m, x: t.sqrt(x),
    forward=np.sqrt, vjp=lambda g, ans, x: g / (2 * ans), fmath="√{0}", fcode="np.sqrt({0})",
    math="{g} ⊘ (2 {out})", code="{g} / (2 * {out})", saves={"out"}, domain=k.positive)
ABS = unary(
    name="abs", symbol="abs", doc="elementwise absolute value |x|",
    torch=lambda t, m, x: t.abs(x),
    forward=np.abs, vjp=lambda g, ans, x: g * np.sign(x), fmath="|{0}|", fcode="np.abs({0})",
    math="{g} ⊙ sign({0})", code="{g} * np.sign({0})", saves={0}, domain=k.away_from_zero)
LEAKY_RELU = Op(
    name="leaky_relu", symbol="ϕ_α", ascii="phi_alpha", rule=rules.same, arity=1, params=("slope",),
    torch=lambda t, m, x, slope: t.nn.functional.leaky_relu(x, slope),
    doc="leaky ReLU max(x, slope x) with a constant slope (0.01 is usual)", examples=UNARY_EX,
    domain=k.away_from_zero, impls={"": Impl(
        forward=lambda x, slope: np.where(x > 0, x, slope * x),
        vjps=(lambda g, ans, x, slope: g * np.where(x > 0, 1.0, slope),),
        fmath="{sym}({0})", fcode="np.where({0} > 0, {0}, {slope} * {0})",
        math=("{g} ⊙ (1 where {0} > 0, else {slope})",),
        code=("{g} * np.where({0} > 0, 1.0, {slope})",), saves=frozenset({0}))})
TRANSPOSE = Op(
    name="transpose", symbol="⊤", ascii=".T", doc="matrix transpose Aᵀ (write A.T)",
    torch=lambda t, m, x: x.T,
    rule=rules.transpose, arity=1, infix=("a .T",),
    examples=([((3, 4), False)], [((2, 2), False)]), impls={"": Impl(
        forward=np.transpose, vjps=(lambda g, ans, x: g.T,), fmath="{0}ᵀ", fcode="{0}.T",
        math=("({g})ᵀ",), code=("{g}.T",))})

MATMUL, CROSS_ENTROPY, SQUARED_LOSS, L2 = nnops.MATMUL, nnops.CROSS_ENTROPY, \
    nnops.SQUARED_LOSS, nnops.L2  # what calcgraph.mlp builds with

# Table order is the docs' order: arrays first, then functions, reductions, network ops.
OPS: dict[str, Op] = {op.name: op for op in (
    nnops.MATMUL, ADD, SUB, MUL, DIV, NEG, SCALE, ADD_CONST, SUB_CONST, RSUB_CONST, DIV_CONST,
    RDIV_CONST, POW, TRANSPOSE, RELU, LEAKY_RELU, SIGMOID, TANH, EXP, LOG, SQRT, ABS, SUM, MEAN,
    SOFTMAX, LOG_SOFTMAX, nnops.CROSS_ENTROPY, nnops.RNN_CELL, nnops.MEAN_CROSS_ENTROPY, nnops.SQUARED_LOSS, nnops.L2)}


def get(name: str | Op) -> Op:
    """The op called `name` (or the record itself), or an UnknownOpError listing the known ones."""
    if isinstance(name, Op):
        return name
    try:
        return OPS[name]
    except (KeyError, TypeError):
        raise UnknownOpError(f"unknown op: {name!r} (must be one of {sorted(OPS)})") from None


def by_infix(form: str) -> Op | None:
    """The op the spec form `form` ("a @ a", "c * a", "- a") means, or None."""
    return next((op for op in OPS.values() if form in op.infix), None)


def choices(role: str) -> tuple[str, ...]:
    """The names of the ops that calcgraph.mlp accepts as `role` ("activation", "loss")."""
    return tuple(name for name, op in OPS.items() if op.role == role)

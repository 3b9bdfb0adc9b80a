"""The records of the op table: `Op` (one per op) and `Impl` (one per mode of an op).

An `Op` holds the symbol drawn in its circle (and its ASCII form), its shape rule
(core.rules), how the spec language writes it (`infix` forms), which operands are class
labels, which gradients pass through unchanged, and one `Impl` per *mode* (matmul is
matrix·vector, matrix·matrix or batched rows, decided once at build time from the operand
shapes). An `Impl` carries the forward, one VJP per input (core.kernels holds the longer
ones), the forward and chain-rule formulas in math form (`{0}ᵀ · {g}`) and numpy code form
(`{0}.T @ {g}`), and which forward values its VJPs read (so the engine knows what to keep).

Formula placeholders: `{0}`, `{1}` … operands; `{x}` the operand being differentiated;
`{g}` the incoming gradient ∂J/∂out; `{out}` the output; `{sym}` the op's symbol;
`{n}` the batch size; parameter names (`{lam}`) for constants. For an op declared
`paired=True` (operands o₁ … o_T, y₁ … y_T): `{pair}` the operand half a list away from
`{x}` (yₜ for oₜ) and `{pairs}` the number of pairs T.

Infix forms are patterns over `a` (an array) and `c` (a constant): `"a + a"`, `"c * a"`,
`"- a"`, `"a .T"`; the spec parser reads an expression's shape and finds its record here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from calcgraph.core import kernels as k
from calcgraph.core import rules
from calcgraph.core.rules import Operand, Sig

Template = str | Callable[[dict], str]


@dataclass(frozen=True, kw_only=True)
class Impl:
    """One mode of an op: forward, per-input VJPs and their formulas."""

    forward: Callable[..., np.ndarray]
    vjps: Sequence[Callable[..., np.ndarray] | None] | Callable[[int], Callable[..., np.ndarray]]
    fmath: Template  # the forward in math form, e.g. "{0} {1}"
    fcode: Template  # … and in numpy code form, e.g. "{0} @ {1}"
    math: Sequence[str] | str  # ∂J/∂operand per operand (one string: the same for all)
    code: Sequence[str] | str
    saves: frozenset = frozenset()  # operand indices and/or "out" that the VJPs read
    # Optional: the forward that also returns a residual its VJPs reuse instead of recomputing
    # it (cross-entropy's log-sum-exp); the engine passes it to the VJPs as `res=`.
    residual: Callable[..., tuple[np.ndarray, object]] | None = None
    # The VJPs only scale an operand (ℓ₂: g λ W): recomputing one when it is read is cheaper
    # than keeping it, so the engine may sum into its buffer.
    recompute: bool = False

    def vjp(self, i: int) -> Callable[..., np.ndarray]:
        return self.vjps(i) if callable(self.vjps) else self.vjps[i]

    def formula(self, kind: str, i: int) -> str:
        table = self.math if kind == "math" else self.code
        return table if isinstance(table, str) else table[i]

    def __repr__(self) -> str:  # the generated one prints every lambda
        code = self.fcode if isinstance(self.fcode, str) else "…"
        return f"<Impl {code!r}>"


@dataclass(frozen=True, kw_only=True)
class Op:
    """One row of the op table."""

    name: str
    symbol: str  # label markup, e.g. "ℓ_2"
    ascii: str = ""  # the symbol for terminals without Unicode (default: the symbol itself)
    doc: str
    rule: rules.Rule  # (op name, operands, node name) -> Sig, or a ShapeError
    impls: dict[str, Impl]
    arity: int | None = None  # None: variadic, at least one operand
    params: tuple[str, ...] = ()  # scalar constants after the operands (l2's lam)
    # per operand; or (i, n) -> bool for a variadic op with n operands; None: all
    differentiable: tuple[bool, ...] | Callable[[int, int], bool] | None = None
    broadcasts: bool = False  # elementwise with numpy broadcasting: engine unbroadcasts VJPs
    domain: Callable[[np.random.Generator, tuple[int, ...], int], np.ndarray] = k.normal
    examples: tuple = field(default=())  # operand (shape, batched) lists for the gradient tests
    paired: bool = False  # operands o₁ … o_T, y₁ … y_T: formulas may name {pair} and {pairs}
    infix: tuple[str, ...] = ()  # spec forms such as "a @ a", "c * a" (see the module doc)
    passthrough: tuple[int, ...] = ()  # operands whose gradient is {g} itself
    # "second": operand 1 holds class indices into operand 0's last axis; "pairs": each
    # label yₜ indexes the last axis of its logits oₜ (paired ops).
    class_labels: str = ""
    helpers: tuple[str, ...] = ()  # functions its code calls that numpy lacks (softmax, onehot)
    shape_calls: tuple[str, ...] = ()  # calls whose shapes read as algebra (np.outer)
    role: str = ""  # "activation" or "loss": what calcgraph.mlp may use it as
    # The op in PyTorch, (torch, mode, *operands, *constants) -> tensor: what `calcgraph
    # check --torch` rebuilds the graph from (torch is passed in, never imported here).
    torch: Callable[..., Any] | None = None

    def __repr__(self) -> str:  # the generated one is several KB of lambdas
        n = "1 or more" if self.arity is None else str(self.arity)
        params = f"; constant {', '.join(self.params)}" if self.params else ""
        return f"<Op {self.name} ({n} operands{params}): {self.doc}>"

    def is_differentiable(self, i: int, n: int) -> bool:
        """Whether operand i of n gets a gradient."""
        d = self.differentiable
        if d is None:
            return True
        if callable(d):
            return d(i, n)
        return d[min(i, len(d) - 1)]

    def check(self, operands: list[Operand], node: str) -> Sig:
        """The output's shape, batch flag and mode, or a ShapeError naming node and operands."""
        return self.rule(self.name, operands, node)

    def class_operands(self, n: int) -> list[tuple[int, int]]:
        """(labels, logits) operand index pairs among n operands: what decides a class count."""
        if self.class_labels == "second":
            return [(1, 0)]
        if self.class_labels == "pairs":
            return [(t + n // 2, t) for t in range(n // 2)]
        return []

    @property
    def ascii_symbol(self) -> str:
        return self.ascii or self.symbol


def unary(*, name: str, symbol: str, doc: str, forward, vjp, math: str, code: str, fcode: str,
           saves, fmath: str = "{sym}({0})", domain=k.normal, **more) -> Op:
    """An elementwise op of one operand, same shape in and out."""
    impl = Impl(forward=forward, vjps=(vjp,), fmath=fmath, fcode=fcode, math=(math,),
                code=(code,), saves=frozenset(saves))
    return Op(name=name, symbol=symbol, doc=doc, rule=rules.same, impls={"": impl}, arity=1,
              domain=domain, examples=UNARY_EX, **more)


B = True  # marks a batched operand in `examples`
UNARY_EX = (([((4,), False)]), ([((3, 2), False)]), ([((5, 3), B)]), ([((), False)]))
BINARY_EX = ([((4,), False), ((4,), False)], [((3, 4), False), ((4,), False)],
             [((6, 4), B), ((4,), False)], [((6, 4), B), ((6, 4), B)],
             [((), False), ((2, 3), False)])
TWO = frozenset({0, 1})



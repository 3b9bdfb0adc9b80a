"""The equations PyTorch calls are lowered to (`Ref`, `Eq`, `Lowered`), and the one fusion
that runs over them afterwards: a written-out weight-decay penalty becomes `l2`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from calcgraph.core import ops

# The letter an intermediate is named by, from what computes it: u = W x, a = u + b,
# h = ϕ(a), L = a loss, s = the weight-decay penalty; others by their op's first letters.
LETTERS = {"mm": "u", "mv": "u", "sq": "q", "negate": "n", "ce": "L", "sqloss": "L", "mse": "L",
           **{op.name: letter for op, letter in (
               (ops.ADD, "a"), (ops.SUB, "d"), (ops.MUL, "m"), (ops.SCALE, "c"), (ops.RELU, "h"),
               (ops.SIGMOID, "h"), (ops.TANH, "h"), (ops.EXP, "e"), (ops.LOG, "g"),
               (ops.SUM, "S"), (ops.MEAN, "M"), (ops.L2, "s"))}}

@dataclass(frozen=True)
class Ref:
    """What a tensor is to calcgraph: a variable, its transpose, or a vector as a (1, k) row;
    `partial` marks an intermediate only a fusion pattern may read (log_softmax)."""

    name: str
    view: str = ""  # "" | "T" | "row" | "log_probs"


@dataclass(eq=False)
class Eq:
    """One calcgraph equation: out = op(*args); op is an op record or an opaque Call."""

    op: Any
    args: list
    out: str
    consts: list = field(default_factory=list)


@dataclass
class Lowered:
    eqs: list[Eq] = field(default_factory=list)
    refs: dict[int, Ref] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # leaf name -> "label" / "int_label"
    params: set[str] = field(default_factory=set)

    def fresh(self, stem: str) -> str:
        """A short new name, as a textbook names intermediates: u1, h1, L1 (see LETTERS)."""
        stem = LETTERS.get(stem, stem[:3])
        self.counts[stem] = self.counts.get(stem, 0) + 1
        return f"{stem}{self.counts[stem]}"

    def emit(self, op: Any, args: list, stem: str, consts: list | None = None) -> str:
        out = self.fresh(stem)
        self.eqs.append(Eq(op, args, out, consts or []))
        return out


def rename(low: Lowered, old: str, new: str) -> None:
    """Call `old` `new` wherever an equation reads or writes it."""
    for eq in low.eqs:
        eq.args = [new if a == old else a for a in eq.args]
        if eq.out == old:
            eq.out = new


def fuse_l2(low: Lowered) -> None:
    """`c · (Σ(W₁⊙W₁) + Σ(W₂⊙W₂) + …)` over parameters, each term used once → l2(W₁, W₂, …; 2c)."""
    uses: dict[str, int] = {}
    for eq in low.eqs:
        for a in eq.args:
            uses[a] = uses.get(a, 0) + 1
    by_out = {eq.out: eq for eq in low.eqs}

    def squares(name: str, seen: list[Eq]) -> list[str] | None:
        eq = by_out.get(name)
        if eq is None or uses.get(name, 0) != 1:
            return None
        seen.append(eq)
        if eq.op is ops.ADD:
            parts = [squares(a, seen) for a in eq.args]
            return None if None in parts else [w for p in parts for w in p]
        if eq.op is ops.SUM:
            sq = by_out.get(eq.args[0])
            if sq is None or sq.op is not ops.MUL or sq.args[0] != sq.args[1] or uses[sq.out] != 1:
                return None
            if sq.args[0] not in low.params:
                return None
            seen.append(sq)
            return [sq.args[0]]
        return None

    for eq in list(low.eqs):
        if eq.op is not ops.SCALE or eq not in low.eqs:
            continue
        seen: list[Eq] = []
        ws = squares(eq.args[0], seen)
        if ws and len(set(ws)) == len(ws):
            for dead in seen:
                low.eqs.remove(dead)
            eq.op, eq.args, eq.consts = ops.L2, ws, [2.0 * eq.consts[0]]
            rename(low, eq.out, low.fresh(ops.L2.name))

"""Shape rules of the op table: operands in, output shape, batch flag and mode out."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from calcgraph.errors import ShapeError


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


Rule = Callable[[str, list[Operand], str], Sig]  # (op name, operands, node name) -> Sig


def _err(op: str, node: str, msg: str) -> ShapeError:
    return ShapeError(f"{op} '{node}': {msg}")


def fmt_shape(shape: tuple[int, ...] | list[int]) -> str:
    """numpy's spelling of a shape: (3,), (5, 4), (); the one shape formatter of the package."""
    return str(tuple(int(n) for n in shape))


def _bad(a: Operand, b: Operand) -> str:
    return f"{a.name} has shape {fmt_shape(a.shape)} but {b.name} has shape {fmt_shape(b.shape)}"


def matmul(op: str, xs: list[Operand], node: str) -> Sig:
    a, b = xs
    bad = _bad(a, b)
    if a.batched and b.batched:
        raise _err(op, node, f"{bad}; both operands are batched")
    if b.batched:  # batched rows: each row of b is one sample multiplied by a
        if len(a.shape) == 1 and len(b.shape) == 2 and b.shape[1] == a.shape[0]:
            return Sig((b.shape[0],), True, "vecrows")  # one dot product per sample
        if len(a.shape) not in (1, 2) or len(b.shape) != 2:
            raise _err(op, node, f"{bad}; expected a matrix or a vector times batched rows")
        if b.shape[1] != a.shape[-1]:
            raise _err(op, node, f"{bad} (expected {b.name} to have shape (n, {a.shape[-1]}))")
        return Sig((b.shape[0], a.shape[0]), True, "rows")
    ka = a.shape[-1] if a.shape else None
    kb = b.shape[0] if b.shape else None
    if not a.shape or not b.shape or len(a.shape) > 2 or len(b.shape) > 2 or ka != kb:
        want = f"({ka},)" if len(b.shape) <= 1 else f"({ka}, ...)"
        if len(a.shape) == 2 and not b.batched:
            want = f"({ka},) or ({ka}, k)"
        raise _err(op, node, f"{bad} (expected {b.name} to have shape {want})")
    mode = {(2, 1): "matvec", (2, 2): "matmat", (1, 2): "vecmat", (1, 1): "dot"}[
        (len(a.shape), len(b.shape))
    ]
    out = a.shape[:-1] + b.shape[1:]
    return Sig(tuple(out), a.batched, mode)


def broadcast(op: str, xs: list[Operand], node: str) -> Sig:
    a, b = xs
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _err(op, node, f"{_bad(a, b)} (expected shapes that broadcast)") from None
    # A batched operand must keep its axis 0 as the output's axis 0.
    for x in xs:
        if x.batched and len(x.shape) != len(shape):
            raise _err(op, node, f"{x.name} is batched with shape {fmt_shape(x.shape)} but the "
                       f"result has shape {fmt_shape(shape)} (expected the batch axis to stay first)")
    return Sig(tuple(shape), a.batched or b.batched)


def same(op: str, xs: list[Operand], node: str) -> Sig:
    return Sig(xs[0].shape, xs[0].batched)


def scalar(op: str, xs: list[Operand], node: str) -> Sig:
    return Sig((), False)


def rows(op: str, xs: list[Operand], node: str) -> Sig:
    """Same shape, along the last axis (softmax): a vector, or one vector per row."""
    x = xs[0]
    if not x.shape:
        raise _err(op, node, f"{x.name} is a scalar (expected a vector (q,) or rows (n, q))")
    return Sig(x.shape, x.batched)


def transpose(op: str, xs: list[Operand], node: str) -> Sig:
    x = xs[0]
    if x.batched or len(x.shape) != 2:
        why = "is batched" if x.batched else f"has shape {fmt_shape(x.shape)}"
        raise _err(op, node, f"{x.name} {why} (expected an unbatched matrix; a vector "
                   "needs no transpose, write it as is)")
    return Sig(x.shape[::-1], False)


def cross_entropy(op: str, xs: list[Operand], node: str) -> Sig:
    o, y = xs
    if len(o.shape) == 1 and y.shape == ():
        mode = "single"
    elif len(o.shape) == 2 and y.shape == o.shape[:1]:
        mode = "batch"
    else:
        want = "()" if len(o.shape) == 1 else f"({o.shape[0]},)" if len(o.shape) == 2 else "(n,)"
        raise _err(op, node, f"{_bad(o, y)} (expected logits (q,) or (n, q) and "
                   f"{y.name} of class indices with shape {want})")
    if not y.integer:
        raise _err(op, node, f"{y.name} holds floats (expected integer class indices)")
    return Sig((), False, mode)


def rnn_cell(op: str, xs: list[Operand], node: str) -> Sig:
    whx, x, whh, h = xs
    for w in (whx, whh):
        if w.batched or len(w.shape) != 2:
            raise _err(op, node, f"{w.name} has shape {fmt_shape(w.shape)}"
                       f"{' and is batched' if w.batched else ''} (expected a weight matrix)")
    k = whx.shape[0]
    if whh.shape != (k, k):
        raise _err(op, node, f"{_bad(whx, whh)} (expected {whh.name} to have shape ({k}, {k}))")
    if x.batched != h.batched:
        b, u = (x, h) if x.batched else (h, x)
        raise _err(op, node, f"{b.name} is batched but {u.name} is not (expected both "
                   f"the input and the hidden state batched, or neither)")
    lead = (x.shape[0],) if x.batched and x.shape else ()
    for v, w, want in ((x, whx, whx.shape[1]), (h, whh, k)):
        if v.shape != lead + (want,):
            shape = f"({lead[0]}, {want})" if x.batched else f"({want},)"
            raise _err(op, node, f"{_bad(w, v)} (expected {v.name} to have shape {shape})")
    return Sig(lead + (k,), x.batched, "rows" if x.batched else "single")


def mean_cross_entropy(op: str, xs: list[Operand], node: str) -> Sig:
    t = len(xs) // 2
    if len(xs) % 2:
        raise _err(op, node, f"got {len(xs)} operands (expected logits "
                   f"o₁ … o_T then as many labels y₁ … y_T)")
    modes = {cross_entropy(op, [o, y], node).mode for o, y in zip(xs[:t], xs[t:])}
    o = xs[0]
    for u in xs[1:t]:
        if u.shape != o.shape:
            raise _err(op, node, f"{_bad(o, u)} (expected equal shapes)")
    return Sig((), False, modes.pop())


def equal_shapes(op: str, xs: list[Operand], node: str) -> Sig:
    """Two operands of one shape, to a scalar (squared_loss): mode batch or single."""
    o, y = xs
    if o.shape != y.shape:
        raise _err(op, node, f"{_bad(o, y)} (expected equal shapes)")
    return Sig((), False, "batch" if (o.batched or y.batched) else "single")

"""Recorded aten calls → calcgraph equations, by a table of patterns.

Layout-only calls (t, unsqueeze, squeeze, detach, view to the same shape) become views of
a variable and vanish; the few multi-call idioms become one calcgraph op: `mm(x, t(W))`
is `W @ x` on batched rows, `log_softmax` + `nll_loss` is `cross_entropy`, and
`λ/2 (ΣW₁² + ΣW₂²)` written out is `l2`. Any other call becomes an opaque operator
whose forward and VJP PyTorch computes (see opaque.py), so the figure always draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from calcgraph.core import ops
from calcgraph.pytorch.capture import Call, Capture
from calcgraph.pytorch.equations import Lowered, Ref, fuse_l2, rename

# Calls that pass their operand through when the shape does not change (views that change
# it are _view's: view, reshape, _unsafe_view).
PASS = {"detach", "alias", "clone", "contiguous", "lift_fresh", "lift_fresh_copy", "_to_copy",
        "expand"}
# aten calls that are the calcgraph op of the same name
UNARY = {op.name: op for op in (ops.RELU, ops.SIGMOID, ops.TANH, ops.EXP, ops.LOG)}
BINARY = {op.name: op for op in (ops.ADD, ops.SUB, ops.MUL)}
REDUCE = {op.name: op for op in (ops.SUM, ops.MEAN)}


def _short(name: str) -> str:
    """`aten.mm.default` → `mm`."""
    parts = name.split(".")
    return parts[1] if len(parts) > 2 else parts[-1]


def lower(rec: Capture) -> tuple[Lowered, str]:
    """The equations for rec, and the name of the variable that is the loss."""
    low = Lowered(params=set(rec.params))
    for name, t in {**rec.inputs, **rec.params}.items():
        low.refs[id(t)] = Ref(name)
    for call in rec.calls:
        _lower_call(low, call)
    loss = low.refs.get(id(rec.result))
    if loss is None or loss.view:
        raise ValueError("the loss is not computed from the inputs and parameters")
    fuse_l2(low)
    if loss.name not in low.params and loss.name not in rec.inputs:
        rename(low, loss.name, "J")
        return low, "J"
    return low, loss.name


def _tensor(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype")


def _lower_call(low: Lowered, call: Call) -> None:
    out = call.out[0] if isinstance(call.out, tuple) else call.out
    if not _tensor(out):
        return
    refs = [low.refs.get(id(a)) if _tensor(a) else None for a in call.args]
    if any(isinstance(a, (list, tuple)) and any(id(t) in low.refs for t in a)
           for a in call.args):
        raise ValueError(f"{_short(call.name)} reads a list of tensors (as torch.cat and "
                         f"torch.stack do), which calcgraph cannot import yet")
    if not any(r is not None for r in refs):
        return  # computed from constants only: a literal, not part of the graph
    rule = RULES.get(_short(call.name))
    ref = rule(low, call, refs) if rule else None
    if ref is None:
        ref = Ref(_opaque(low, call, refs))
    low.refs[id(out)] = ref


def _same_shape(call: Call) -> bool:
    return tuple(call.args[0].shape) == tuple(call.out.shape)


def _pass(low: Lowered, call: Call, refs: list) -> Ref | None:
    return refs[0] if refs[0] is not None and _same_shape(call) else None


def _view(low: Lowered, call: Call, refs: list) -> Ref | None:
    """A view that only adds or drops a leading axis of 1: x (k,) as a row (1, k), and back."""
    r, src, out = refs[0], tuple(call.args[0].shape), tuple(call.out.shape)
    if r is None or src == out:
        return _pass(low, call, refs)
    if not r.view and len(src) == 1 and out == (1, *src):
        return Ref(r.name, "row")
    if r.view == "row" and src == (1, *out):
        return Ref(r.name)
    return None


def _t(low: Lowered, call: Call, refs: list) -> Ref | None:
    r, x = refs[0], call.args[0]
    if r is None or x.dim() != 2:
        return None
    if r.view == "T":
        return Ref(r.name)
    return Ref(r.name, "T") if not r.view else None


def _transpose(low: Lowered, call: Call, refs: list) -> Ref | None:
    dims = sorted(d % 2 for d in call.args[1:3]) if call.args[0].dim() == 2 else []
    return _t(low, call, refs) if dims == [0, 1] else None


def _unsqueeze(low: Lowered, call: Call, refs: list) -> Ref | None:
    r = refs[0]
    ok = r is not None and not r.view and call.args[0].dim() == 1 and call.args[1] == 0
    return Ref(r.name, "row") if ok else None


def _squeeze(low: Lowered, call: Call, refs: list) -> Ref | None:
    r = refs[0]
    return Ref(r.name) if r is not None and r.view == "row" else _pass(low, call, refs)


def _matmul(low: Lowered, a: Ref, b: Ref, batched_a: bool) -> Ref | None:
    """a @ b as torch wrote it → calcgraph's matmul, whose operand order is the math's."""
    if a.view == "row" and b.view == "T":  # unsqueeze(x) @ Wᵀ: W x, one sample
        return Ref(low.emit(ops.MATMUL, [b.name, a.name], "mm"), "row")
    if not a.view and b.view == "T" and batched_a:  # X Wᵀ: batched rows
        return Ref(low.emit(ops.MATMUL, [b.name, a.name], "mm"))
    if not a.view and not b.view:
        return Ref(low.emit(ops.MATMUL, [a.name, b.name], "mm"))
    return None


def _mm(low: Lowered, call: Call, refs: list) -> Ref | None:
    a, b = refs[:2]
    if a is None or b is None:
        return None
    return _matmul(low, a, b, batched_a=call.args[0].dim() == 2 and b.view == "T")


def _addmm(low: Lowered, call: Call, refs: list) -> Ref | None:
    bias, a, b = refs[:3]
    if bias is None or bias.view or a is None or b is None:
        return None
    prod = _matmul(low, a, b, batched_a=True)
    if prod is None:
        return None
    return Ref(low.emit(ops.ADD, [prod.name, bias.name], ops.ADD.name), prod.view)


def _mv(low: Lowered, call: Call, refs: list) -> Ref | None:
    a, b = refs[:2]
    if a is None or b is None or a.view or b.view:
        return None
    return Ref(low.emit(ops.MATMUL, [a.name, b.name], "mv"))


def _unary(low: Lowered, call: Call, refs: list) -> Ref | None:
    r = refs[0]
    if r is None or r.view:
        return None
    op = UNARY[_short(call.name)]
    return Ref(low.emit(op, [r.name], op.name))


def _binary(op: ops.Op) -> Callable[[Lowered, Call, list], Ref | None]:
    def rule(low: Lowered, call: Call, refs: list) -> Ref | None:
        a, b = refs[:2]
        if call.kwargs.get("alpha", 1) != 1 or a is None or a.view:
            return None
        if b is not None and not b.view:
            return Ref(low.emit(op, [a.name, b.name], op.name))
        c = call.args[1]
        if op is ops.MUL and isinstance(c, (int, float)):  # x * c: a scale by a constant
            return Ref(low.emit(ops.SCALE, [a.name], ops.SCALE.name, [float(c)]))
        return None

    return rule


def _div(low: Lowered, call: Call, refs: list) -> Ref | None:
    a, c = refs[0], call.args[1]
    if a is None or a.view or not isinstance(c, (int, float)) or c == 0:
        return None
    return Ref(low.emit(ops.SCALE, [a.name], ops.SCALE.name, [1.0 / float(c)]))


def _neg(low: Lowered, call: Call, refs: list) -> Ref | None:
    a = refs[0]
    return None if a is None or a.view else Ref(low.emit(ops.SCALE, [a.name], "negate", [-1.0]))


def _pow(low: Lowered, call: Call, refs: list) -> Ref | None:
    a = refs[0]
    if a is None or a.view or call.args[1] != 2:
        return None
    return Ref(low.emit(ops.MUL, [a.name, a.name], "sq"))  # x² as x ⊙ x: the l2 pattern reads it


def _reduce(op: ops.Op) -> Callable[[Lowered, Call, list], Ref | None]:
    def rule(low: Lowered, call: Call, refs: list) -> Ref | None:
        a = refs[0]
        if a is None or a.view or call.out.dim() != 0:
            return None
        return Ref(low.emit(op, [a.name], op.name))

    return rule


def _log_softmax(low: Lowered, call: Call, refs: list) -> Ref | None:
    a, dim = refs[0], call.args[1]
    if a is None or a.view or dim % call.args[0].dim() != call.args[0].dim() - 1:
        return None
    return Ref(a.name, "log_probs")


def _nll_loss(low: Lowered, call: Call, refs: list) -> Ref | None:
    logp, y = refs[:2]
    weight, reduction = call.args[2:4]
    if logp is None or logp.view != "log_probs" or y is None or y.view or weight is not None \
            or reduction != 1:
        return None
    low.roles[y.name] = "int_label"
    return Ref(low.emit(ops.CROSS_ENTROPY, [logp.name, y.name], "ce"))


def _mse_loss(low: Lowered, call: Call, refs: list) -> Ref | None:
    o, y = refs[:2]
    reduction = call.args[2] if len(call.args) > 2 else call.kwargs.get("reduction", 1)
    if o is None or y is None or o.view or y.view or reduction != 1:
        return None
    low.roles.setdefault(y.name, "label")
    x = call.args[0]
    width = x.shape[-1] if x.dim() else 1
    # mean of (o - y)² over every element = (2 / q) · calcgraph's ½‖o − y‖² / n
    sq = low.emit(ops.SQUARED_LOSS, [o.name, y.name], "sqloss")
    return Ref(low.emit(ops.SCALE, [sq], "mse", [2.0 / width]))


RULES: dict[str, Callable[[Lowered, Call, list], Ref | None]] = {
    **{name: _pass for name in PASS}, "view": _view, "reshape": _view, "_unsafe_view": _view,
    "t": _t, "transpose": _transpose, "unsqueeze": _unsqueeze, "squeeze": _squeeze,
    "squeeze_": _squeeze, "mm": _mm, "addmm": _addmm, "mv": _mv,
    **{name: _unary for name in UNARY}, **{name: _binary(op) for name, op in BINARY.items()},
    **{name: _reduce(op) for name, op in REDUCE.items()}, "div": _div, "neg": _neg, "pow": _pow,
    "_log_softmax": _log_softmax, "nll_loss_forward": _nll_loss, "mse_loss": _mse_loss,
}


def _opaque(low: Lowered, call: Call, refs: list) -> str:
    """A call no pattern knows: one operator node that PyTorch evaluates and differentiates."""
    args = [r.name for r in refs if r is not None]
    for r in refs:
        if r is not None and r.view:
            raise ValueError(f"{call.name} reads a {r.view} view of {r.name}, which calcgraph "
                             f"cannot draw yet")
    slots = tuple(i for i, r in enumerate(refs) if r is not None)
    return low.emit(replace(call, slots=slots), args, _short(call.name).strip("_"))

"""Forward and backward passes: a loop over the equations, then the same loop reversed.

Backward records one `Step` per gradient contribution, so that where a node feeds several
operators (W1 feeds × and ℓ₂) each path is visible, followed by a `sum` step.

Speed: what does not change between passes (the equations as flat tuples, the reverse plan,
what to keep) is compiled once per graph structure and cached on the graph, so a pass is a
tight loop of kernel calls. Ops whose forward computes something their VJPs reuse (softmax
cross-entropy's log-sum-exp) stash it as a residual instead of recomputing it in backward.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.core.program import SMALL as _SMALL
from calcgraph.core.program import drops as _drops
from calcgraph.core.program import plan as _plan
from calcgraph.core.program import program as _program
from calcgraph.errors import GraphError, NumericError
from calcgraph.options import CHECKS, KEEPS, choose

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph, Operator, Variable



@dataclass(eq=False, slots=True)
class Step:
    """One recorded backward step: a seed, one VJP contribution, or the sum of several."""

    index: int  # 1-based, in sweep order
    kind: str  # "seed" | "vjp" | "sum"
    target: Variable  # the variable whose gradient ∂J/∂target this step computes
    _value: np.ndarray | None  # read it as `value`
    via: Operator | None = None  # vjp: the consumer the gradient flows back through
    operand: int | None = None  # vjp: the position of target among via's inputs
    terms: tuple[int, ...] = field(default=())  # sum: indices of the contributing vjp steps
    final: bool = True  # this step completes ∂J/∂target
    _redo: Callable[[], np.ndarray] | None = field(default=None, repr=False)

    @property
    def value(self) -> np.ndarray:
        """The contribution (vjp), the total (sum) or 1 (seed).

        A contribution its op marks cheaper to recompute than to keep (λ·W via ℓ₂, whose
        buffer became the sum) is recomputed here on first read, from the same arrays.
        """
        if self._value is None and self._redo is not None:
            self._value, self._redo = self._redo(), None
        return self._value

    @value.setter
    def value(self, array: np.ndarray) -> None:
        self._value = array

    def __repr__(self) -> str:  # short: the generated one prints the whole array
        via = f" via {self.via.name}" if self.via is not None else ""
        shape = self.target.shape
        return f"<Step {self.index} {self.kind} ∂/∂{self.target.name}{via} shape={shape}>"

    @property
    def source(self) -> Variable | None:
        """The output whose gradient flows back (z for ∂J/∂W1 via ×)."""
        return self.via.output if self.via is not None else None


def _option(value: Any, choices: tuple[str, ...], what: str) -> str:
    if value.__class__ is str and value in choices:  # the common case, checked first: it is hot
        return value
    if what == "check" and value.__class__ is bool:  # check=True / False read as auto / none
        return "auto" if value else "none"
    return choose(value, choices, f"{what} mode", GraphError)


def _bad(a: np.ndarray) -> str | None:
    """'NaN' / 'Inf' when the array holds one, else None."""
    kind = a.dtype.kind
    if kind not in "fc":
        return None
    if kind == "f":  # fast path: one pass, no temporary; an overflow falls through to the exact test
        if a.ndim == 0:
            if math.isfinite(a):
                return None
        else:
            flat = a.reshape(-1)
            if math.isfinite(flat.dot(flat)):
                return None
    if np.isfinite(a).all():
        return None
    return "NaN" if np.isnan(a).any() else "Inf"


def _any_bad(arrays: list[np.ndarray]) -> bool:
    """Whether any array holds a NaN or Inf; many small ones are checked in one call."""
    small = [a for a in arrays if a.size <= _SMALL]
    if len(small) > 4:
        if _bad(np.concatenate(small, axis=None)):
            return True
        arrays = [a for a in arrays if a.size > _SMALL]
    return any(_bad(a) for a in arrays)


def _args(inputs: tuple, params: tuple) -> list:
    args = [v._value for v in inputs]
    if params:
        args.extend(p if p.__class__ is float else p.value for p in params)
    return args


def forward(graph: Graph, *, check: str | bool = "auto", keep: str = "all") -> None:
    """Evaluate every equation in order from the current leaf values.

    keep="needed" drops each intermediate that no backward VJP reads as soon as the forward
    pass is done with it (the objective stays); keep="all" (the default) keeps every value.
    """
    mode = _option(check, CHECKS, "check")
    keep = _option(keep, KEEPS, "keep")
    prog = _program(graph)
    for v in prog["leaves"]:
        if v._value is None:
            raise GraphError(f"forward: {v.role} {v.name!r} has no value (expected an array of "
                             f"shape {v.shape}; give it one with g.set({v.name!r}, array))")
    # The last sweep's steps are now stale. keep="all" hands them to the next backward, which
    # drops each as it makes its successor, so the allocator reuses their memory instead of
    # returning it to the OS and faulting it back in; keep="needed" frees them now.
    if graph.steps:  # a copy: the caller may hold the list itself
        graph._spent = list(graph.steps) if keep == "all" else []
    elif keep == "needed":
        graph._spent = []
    graph.steps = []
    for v in graph.variables:
        v.grad = None
    drops = _drops(graph, prog) if keep == "needed" else None
    stash: dict[int, Any] = {}
    ndarray = np.ndarray
    with np.errstate(all="ignore"):  # non-finite values are found and reported below
        for code, a0, a1, inputs, params, residual, fwd, out, shape, dtype, k in prog["eqs"]:
            if code == 1:
                r = fwd(a0._value)
            elif code == 2:
                r = fwd(a0._value, a1._value)
            elif residual is None:
                r = fwd(*_args(inputs, params))
            else:
                r, stash[k] = residual(*_args(inputs, params))
            if r.__class__ is not ndarray or r.dtype != dtype:
                r = np.asarray(r, dtype=dtype)
            if r.shape != shape:
                raise GraphError(f"{graph.operators[k].op.name} '{out.name}': forward gave shape "
                                 f"{r.shape} (expected {shape})")
            out._value = r
            if drops is not None:
                for v in drops[k]:
                    v._value = None
    graph._stash = stash
    graph._kept = (keep, graph.objective.name if graph.objective is not None else None)
    if mode != "none":
        _check_forward(graph, prog, mode)
    graph._forward_version = graph._version


def _check_forward(graph: Graph, prog: dict, mode: str) -> None:
    sinks = [v._value for v in prog["sinks"] if v._value is not None]
    if mode == "all" or _any_bad(sinks):
        for node in graph.operators:
            if node.output._value is None:
                continue
            kind = _bad(node.output._value)
            if kind:
                args = ", ".join(v.name for v in node.inputs)
                raise NumericError(f"forward pass: {kind} in '{node.output.name}' = "
                                   f"{node.op.name}({args}) (equation {node.index + 1})")


def backward(graph: Graph, *, inputs: bool = False, check: str | bool = "auto",
             keep: str | None = None) -> list[Step]:
    """The reverse sweep from ∂J/∂J = 1; returns (and stores in graph.steps) the steps.

    Runs forward first when a value changed since the last one (with `keep`, default the
    keep mode of the last forward). Where a large variable gets several contributions, each
    is recorded in sweep order but computed when the last one arrives, right before their
    sum: the operands are then still in cache, and no early contribution is held for long.
    """
    mode = _option(check, CHECKS, "check")
    plan = _plan(graph, inputs)
    kept, for_objective = getattr(graph, "_kept", ("all", None))
    if graph._forward_version != graph._version or (
            kept == "needed" and for_objective != graph.objective.name):
        forward(graph, check=check, keep=keep or kept)
    spent = graph.__dict__.pop("_spent", None) or list(graph.steps)  # see forward()
    dropped = 0
    graph.steps = []
    for v in graph.variables:
        v.grad = None
    objective = graph.objective
    objective.grad = plan["seed"]
    steps = [Step(1, "seed", objective, objective.grad)]
    append, n = steps.append, 1
    pending: dict[str, list[tuple]] = {}
    parts: dict[str, list[int]] = {}
    bad = False
    stash = getattr(graph, "_stash", {})
    with np.errstate(all="ignore"):
        for code, a0, a1, inputs_, params, residual, node, out, todo in plan["sweep"]:
            g, ans = out.grad, out._value
            if code == 1:
                args = (a0._value,)
            elif code == 2:
                args = (a0._value, a1._value)
            else:
                args = _args(inputs_, params)
            res = stash.get(node.index) if residual is not None else None
            if spent and n - dropped >= 4:  # drop the stale steps this sweep has replaced
                del spent[:n - dropped]
                dropped = n
            for i, var, vjp, axes, total, shape, defer in todo:
                n += 1
                if defer:  # a large target with several contributions: wait for the last one
                    step = Step(n, "vjp", var, None, node, i, (), False)
                    append(step)
                    waiting = pending.setdefault(var.name, [])
                    waiting.append((step, node, vjp, g, ans, args, res, axes, shape))
                    if len(waiting) == total:
                        n += 1
                        var.grad = _gather(var, waiting)
                        append(Step(n, "sum", var, var.grad, None, None,
                                    tuple([w[0].index for w in waiting])))
                        if var.producer is None and mode == "auto":  # checked while warm
                            bad = bad or _bad(var.grad) is not None
                    continue
                ct = vjp(g, ans, *args) if res is None else vjp(g, ans, *args, res=res)
                if axes:  # undo broadcasting: sum over the axes the operand was stretched along
                    ct = ct.sum(axis=axes).reshape(shape)
                if ct.shape != shape:
                    raise _shape_error(node, var, ct, shape)
                if total == 1:
                    var.grad = ct
                    append(Step(n, "vjp", var, ct, node, i))
                    continue
                append(Step(n, "vjp", var, ct, node, i, (), False))
                seen = parts.setdefault(var.name, [])
                seen.append(n)
                var.grad = ct if var.grad is None else var.grad + ct
                if len(seen) == total:
                    n += 1
                    append(Step(n, "sum", var, var.grad, None, None, tuple(seen)))
    graph.steps = steps
    for v in plan["unreached"]:  # ∂J/∂p = 0 exactly; no step, since no path carries it
        v.grad = np.zeros(v.shape, dtype=v.dtype)
    if mode == "all" or mode == "auto" and (
            bad or _any_bad([v.grad for v in plan["late_check"] if v.grad is not None])):
        _report_backward(steps)
    return steps


def _vjp(node: Operator, var: Variable, vjp: Any, g: Any, ans: Any, args: Any, res: Any,
         axes: tuple, shape: tuple) -> np.ndarray:
    """One contribution ∂J/∂var via node, unbroadcast, with its shape checked."""
    ct = vjp(g, ans, *args) if res is None else vjp(g, ans, *args, res=res)
    if axes:  # undo broadcasting: sum over the axes the operand was stretched along
        ct = ct.sum(axis=axes).reshape(shape)
    if ct.shape != shape:
        raise _shape_error(node, var, ct, shape)
    return ct


def _shape_error(node: Operator, var: Variable, ct: np.ndarray, shape: tuple) -> GraphError:
    return GraphError(f"{node.op.name} '{node.output.name}': ∂J/∂{var.name} has shape "
                      f"{ct.shape} (expected {shape}, {var.name}'s own shape)")


def _gather(var: Variable, waiting: list[tuple]) -> np.ndarray:
    """Compute the waiting contributions into their steps and return their sum, in order.

    The sum needs a new array, since every contribution stays as recorded; but when one of
    the first two comes from an op marked `recompute` (ℓ₂), its fresh buffer becomes the
    sum and its step recomputes the value when read: one array less to write and keep.
    """
    parts, acc = [], None
    for k, (step, node, vjp, g, ans, args, res, axes, shape) in enumerate(waiting):
        if step._value is None and step._redo is None:
            ct = _vjp(node, var, vjp, g, ans, args, res, axes, shape)
            if acc is None and k < 2 and node.impl.recompute and _owned(ct, g, args):
                acc = ct
                step._redo = partial(_vjp, node, var, vjp, g, ans, args, res, axes, shape)
                continue
            step.value = ct
        parts.append(step.value)
    if acc is None:
        acc, parts = parts[0] + parts[1], parts[2:]
    for more in parts:
        acc += more
    return acc


def _owned(ct: np.ndarray, g: Any, args: Any) -> bool:
    """Whether ct is a fresh array the engine may write to (no view, no operand)."""
    return ct.base is None and ct.flags.writeable and ct is not g and all(
        ct is not a for a in args)


def _report_backward(steps: list[Step]) -> None:
    """Raise for the first step whose value holds a NaN or Inf."""
    for step in steps:
        kind = _bad(step.value)
        if kind:
            via = f" via '{step.via.name}'" if step.via is not None else ""
            raise NumericError(f"backward pass: {kind} in ∂J/∂{step.target.name}{via} "
                               f"(step {step.index})")

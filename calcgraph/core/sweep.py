"""The reverse sweep, two ways: recorded (one `Step` per contribution) or lean (no records).

Recorded (keep="all"): where a node feeds several operators (W1 feeds × and ℓ₂) each path is
a step of its own, followed by a `sum` step; the trace, the figure and the JSON read them.
Lean (keep="needed"): what a hand-written backward does. Each contribution is added into
its target's gradient as it arrives (in place once the engine owns the buffer), and an
intermediate's gradient is dropped as soon as its own VJPs have read it, so only the
leaves' gradients outlive the sweep and no Python object is made per step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.core.checks import bad
from calcgraph.core.program import Plan
from calcgraph.errors import GraphError

if TYPE_CHECKING:
    from calcgraph.core.graph import Operator, Variable


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

    @property
    def source(self) -> Variable | None:
        """The output whose gradient flows back (z for ∂J/∂W1 via ×)."""
        return self.via.output if self.via is not None else None

    def __repr__(self) -> str:  # short: the generated one prints the whole array
        via = f" via {self.via.name}" if self.via is not None else ""
        shape = self.target.shape
        return f"<Step {self.index} {self.kind} ∂/∂{self.target.name}{via} shape={shape}>"


def args_of(inputs: tuple, params: tuple) -> list:
    args = [v._value for v in inputs]
    if params:
        args.extend(p if p.__class__ is float else p.value for p in params)
    return args


def lean(plan: Plan, stash: dict) -> None:
    """The sweep without records (the caller checks the leaves' gradients).

    It checks each contribution's shape; it runs once per plan, after which the engine runs
    the straight-line code core.compiled makes of the same sweep.
    """
    owned: set[Variable] = set()  # targets whose gradient buffer this sweep made: add into it
    for _code, _a0, _a1, inputs, params, residual, node, out, todo, free_grad in plan.sweep:
        g, ans = out.grad, out._value
        args = args_of(inputs, params)  # no fast paths: this loop runs once, then core.compiled
        res = stash.get(node.index) if residual is not None else None
        for i, var, vjp, axes, total, shape, _defer in todo:
            ct = vjp(g, ans, *args) if res is None else vjp(g, ans, *args, res=res)
            if axes:  # undo broadcasting: sum over the axes the operand was stretched along
                ct = ct.sum(axis=axes).reshape(shape)
            if ct.shape != shape:
                raise shape_error(node, var, ct, shape)
            acc = var.grad
            if acc is None:
                var.grad = ct
                if total > 1 and owns(ct, g, ans, args, res):
                    owned.add(var)
            elif var in owned:
                acc += ct
            else:
                var.grad = acc + ct
                owned.add(var)
        if free_grad:
            out.grad = None


def recorded(plan: Plan, objective: Variable, stash: dict, spent: list,
             check: bool) -> tuple[list[Step], bool]:
    """The sweep with one Step per seed, contribution and sum; (steps, a gradient is bad).

    Only leaves of few or small contributions are left for the caller to check (late_check).
    """
    steps = [Step(1, "seed", objective, plan.seed)]
    append, n, dropped = steps.append, 1, 0
    pending: dict[str, list[tuple]] = {}
    parts: dict[str, list[int]] = {}
    found = False
    for code, a0, a1, inputs, params, residual, node, out, todo, _free in plan.sweep:
        g, ans = out.grad, out._value
        if code == 1:
            args = (a0._value,)
        elif code == 2:
            args = (a0._value, a1._value)
        elif code == 3:
            args = (a0._value, *params)
        else:
            args = args_of(inputs, params)
        res = stash.get(node.index) if residual is not None else None
        if spent and n - dropped >= 4:  # drop the stale steps this sweep has replaced
            del spent[:n - dropped]
            dropped = n
        for i, var, vjp, axes, total, shape, defer in todo:
            n += 1
            if defer:  # a large target with several contributions: wait for the last one
                waiting = pending.setdefault(var.name, [])
                n = defer_one(steps, n, waiting, var, i, total,
                              (node, vjp, g, ans, args, res, axes, shape))
                if check and len(waiting) == total and var.producer is None:
                    found = found or bad(var.grad) is not None  # checked while warm
                continue
            ct = vjp(g, ans, *args) if res is None else vjp(g, ans, *args, res=res)
            if axes:
                ct = ct.sum(axis=axes).reshape(shape)
            if ct.shape != shape:
                raise shape_error(node, var, ct, shape)
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
    return steps, found


def defer_one(steps: list[Step], n: int, waiting: list[tuple], var: Variable, i: int,
              total: int, call: tuple) -> int:
    """Record contribution n as waiting; at the last one, compute them all and their sum."""
    node = call[0]
    step = Step(n, "vjp", var, None, node, i, (), False)
    steps.append(step)
    waiting.append((step, *call))
    if len(waiting) == total:
        n += 1
        var.grad = gather(var, waiting)
        steps.append(Step(n, "sum", var, var.grad, None, None,
                          tuple([w[0].index for w in waiting])))
    return n


def one_vjp(node: Operator, var: Variable, vjp: Any, g: Any, ans: Any, args: Any, res: Any,
            axes: tuple, shape: tuple) -> np.ndarray:
    """One contribution ∂J/∂var via node, unbroadcast, with its shape checked."""
    ct = vjp(g, ans, *args) if res is None else vjp(g, ans, *args, res=res)
    if axes:
        ct = ct.sum(axis=axes).reshape(shape)
    if ct.shape != shape:
        raise shape_error(node, var, ct, shape)
    return ct


def shape_error(node: Operator, var: Variable, ct: np.ndarray, shape: tuple) -> GraphError:
    return GraphError(f"{node.op.name} '{node.output.name}': ∂J/∂{var.name} has shape "
                      f"{ct.shape} (expected {shape}, {var.name}'s own shape)")


def gather(var: Variable, waiting: list[tuple]) -> np.ndarray:
    """Compute the waiting contributions into their steps and return their sum, in order.

    The sum needs a new array, since every contribution stays as recorded; but when one of
    the first two comes from an op marked `recompute` (ℓ₂), its fresh buffer becomes the
    sum and its step recomputes the value when read: one array less to write and keep.
    """
    parts, acc = [], None
    for k, (step, node, vjp, g, ans, args, res, axes, shape) in enumerate(waiting):
        if step._value is None and step._redo is None:
            ct = one_vjp(node, var, vjp, g, ans, args, res, axes, shape)
            if acc is None and k < 2 and node.impl.recompute and owns(ct, g, ans, args, res):
                acc = ct
                step._redo = partial(one_vjp, node, var, vjp, g, ans, args, res, axes, shape)
                continue
            step.value = ct
        parts.append(step.value)
    if acc is None:
        acc, parts = parts[0] + parts[1], parts[2:]
    for more in parts:
        acc += more
    return acc


def owns(ct: np.ndarray, g: Any, ans: Any, args: Any, res: Any) -> bool:
    """Whether ct is a fresh array the engine may write to (no view, no operand, no residual)."""
    return (ct.base is None and ct.flags.writeable and ct is not g and ct is not ans
            and ct is not res and all(ct is not a for a in args))

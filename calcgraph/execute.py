"""Forward and backward passes: a loop over the equations, then the same loop reversed.

Backward records one `Step` per gradient contribution, so that where a node feeds several
operators (W1 feeds × and ℓ₂) each path is visible, followed by a `sum` step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .errors import GraphError, NumericError

if TYPE_CHECKING:
    from .graph import Graph, Operator, Variable

CHECKS = ("auto", "all", "none")


@dataclass(eq=False)
class Step:
    """One recorded backward step: a seed, one VJP contribution, or the sum of several."""

    index: int  # 1-based, in sweep order
    kind: str  # "seed" | "vjp" | "sum"
    target: Variable  # the variable whose gradient ∂J/∂target this step computes
    value: np.ndarray  # the contribution (vjp), the total (sum) or 1 (seed)
    via: Operator | None = None  # vjp: the consumer the gradient flows back through
    operand: int | None = None  # vjp: the position of target among via's inputs
    terms: tuple[int, ...] = field(default=())  # sum: indices of the contributing vjp steps
    final: bool = True  # this step completes ∂J/∂target

    @property
    def source(self) -> Variable | None:
        """The output whose gradient flows back (z for ∂J/∂W1 via ×)."""
        return self.via.output if self.via is not None else None


def _check_mode(check: str | bool) -> str:
    mode = {True: "auto", False: "none"}.get(check, check)  # type: ignore[call-overload]
    if mode not in CHECKS:
        raise GraphError(f"unknown check mode: {check!r} (must be one of {list(CHECKS)})")
    return mode


def _bad(a: np.ndarray) -> str | None:
    """'NaN' / 'Inf' when the array holds one, else None."""
    if a.dtype.kind not in "fc" or np.isfinite(a).all():
        return None
    return "NaN" if np.isnan(a).any() else "Inf"


def forward(graph: Graph, *, check: str | bool = "auto") -> None:
    """Evaluate every equation in order from the current leaf values."""
    mode = _check_mode(check)
    for v in graph.variables:
        if v.producer is None and v._value is None:
            raise GraphError(f"forward: {v.role} {v.name!r} has no value (expected an array of "
                             f"shape {v.shape}; give it one with g.set({v.name!r}, array))")
    with np.errstate(all="ignore"):  # non-finite values are found and reported below
        for node in graph.operators:
            out = node.output
            r = node.fwd(*[v._value for v in node.inputs], *node.param_values())
            if type(r) is not np.ndarray or r.dtype != out.dtype:
                r = np.asarray(r, dtype=out.dtype)
            if r.shape != out.shape:
                raise GraphError(f"{node.op.name} '{out.name}': forward gave shape {r.shape} "
                                 f"(expected {out.shape})")
            out._value = r
    graph.steps = []
    for v in graph.variables:
        v.grad = None
    if mode != "none":
        _check_forward(graph, mode)
    graph._forward_version = graph._version


def _check_forward(graph: Graph, mode: str) -> None:
    sinks = [v for v in graph.variables if v.producer is not None and not v.consumers]
    if mode == "all" or any(_bad(v._value) for v in sinks):
        for node in graph.operators:
            kind = _bad(node.output._value)
            if kind:
                args = ", ".join(v.name for v in node.inputs)
                raise NumericError(f"forward pass: {kind} in '{node.output.name}' = "
                                   f"{node.op.name}({args}) (equation {node.index + 1})")


def _plan(graph: Graph, inputs: bool) -> tuple[list, dict]:
    """Which equations to visit in reverse and which operands to differentiate."""
    objective = graph.objective
    if objective is None:
        raise GraphError(f"backward: graph {graph.name!r} has no objective (expected a scalar "
                         f"node marked as the objective, e.g. g.set_objective('J'))")
    key = (inputs, objective.name, len(graph.operators),
           tuple(v.requires_grad for v in graph.variables))
    cached = getattr(graph, "_plan_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]

    reach = {objective.name}  # ancestors of the objective
    for node in reversed(graph.operators):
        if node.output.name in reach:
            reach.update(v.name for v in node.inputs)
    wants: dict[str, bool] = {}  # does a gradient-requiring leaf feed this variable?
    for v in graph.variables:
        if v.producer is None:
            wants[v.name] = v.requires_grad or (inputs and v.role in ("input", "label"))
        else:
            wants[v.name] = any(wants[u.name] for u in v.producer.inputs)
    plan, counts = [], {}
    for node in reversed(graph.operators):
        if node.output.name not in reach or not wants[node.output.name]:
            continue
        todo = []
        for i, v in enumerate(node.inputs):
            if wants[v.name] and v.name in reach and node.op.is_differentiable(i):
                todo.append((i, v, node.vjps[i], node.reduce[i][0]))
                counts[v.name] = counts.get(v.name, 0) + 1
        if todo:
            plan.append((node, todo))
    graph._plan_cache = (key, plan, counts)
    return plan, counts


def backward(graph: Graph, *, inputs: bool = False, check: str | bool = "auto") -> list[Step]:
    """The reverse sweep from ∂J/∂J = 1; returns (and stores in graph.steps) the steps."""
    mode = _check_mode(check)
    plan, counts = _plan(graph, inputs)
    if graph._forward_version != graph._version:
        forward(graph, check=check)
    for v in graph.variables:
        v.grad = None
    objective = graph.objective
    objective.grad = np.ones((), dtype=objective.dtype)
    steps = [Step(1, "seed", objective, objective.grad)]
    remaining = dict(counts)
    parts: dict[str, list[int]] = {}
    with np.errstate(all="ignore"):
        for node, todo in plan:
            g = node.output.grad
            ans = node.output._value
            args = [v._value for v in node.inputs]
            args.extend(node.param_values())
            for i, var, vjp, axes in todo:
                ct = vjp(g, ans, *args)
                if axes:  # undo broadcasting: sum over the axes the operand was stretched along
                    ct = ct.sum(axis=axes).reshape(var.shape)
                if ct.shape != var.shape:
                    raise GraphError(f"{node.op.name} '{node.output.name}': ∂J/∂{var.name} has "
                                     f"shape {ct.shape} (expected {var.shape}, {var.name}'s "
                                     f"own shape)")
                name = var.name
                left = remaining[name] = remaining[name] - 1
                total = counts[name]
                steps.append(Step(len(steps) + 1, "vjp", var, ct, node, i, final=total == 1))
                if total == 1:
                    var.grad = ct
                    continue
                parts.setdefault(name, []).append(len(steps))
                var.grad = ct if var.grad is None else var.grad + ct
                if left == 0:
                    steps.append(Step(len(steps) + 1, "sum", var, var.grad,
                                      terms=tuple(parts[name])))
    graph.steps = steps
    if mode != "none":
        _check_backward(graph, steps, mode)
    return steps


def _check_backward(graph: Graph, steps: list[Step], mode: str) -> None:
    leaves = [v for v in graph.variables if v.producer is None and v.grad is not None]
    if mode == "all" or any(_bad(v.grad) for v in leaves):
        for step in steps:
            kind = _bad(step.value)
            if kind:
                via = f" via '{step.via.name}'" if step.via is not None else ""
                raise NumericError(f"backward pass: {kind} in ∂J/∂{step.target.name}{via} "
                                   f"(step {step.index})")

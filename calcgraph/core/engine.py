"""Forward and backward passes: a loop over the equations, then the same loop reversed.

What does not change between passes (the equations as named records, the reverse plan,
what to keep) is compiled once per graph structure (core.program) and cached in the graph's
one declared slot, `graph.engine_state`, so a pass is a tight loop of kernel calls; from a
structure's second pass on, forward and the lean sweep are straight-line code. Ops
whose forward computes something their VJPs reuse (softmax cross-entropy's log-sum-exp)
stash it as a residual instead of recomputing it in backward.

Two keep modes (docs/library.md, "Memory"): keep="all" keeps every value and records one
`Step` per gradient contribution, which the trace, the figure and the JSON read;
keep="needed" keeps only what backward reads and only the leaves' gradients, as a
hand-written backward does (core.sweep.lean).
"""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.core import compiled, sweep
from calcgraph.core.checks import any_bad, bad
from calcgraph.core.program import EngineState, Plan, Program, drops, plan, program, state
from calcgraph.core.sweep import Step, args_of
from calcgraph.errors import GraphError, NumericError
from calcgraph.options import CHECKS, KEEPS, choose

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph

__all__ = ["EngineState", "Step", "backward", "forward"]

# keep="needed" with check="auto" checks the leaves' gradients while that has cost at most
# this share of the time its sweeps took: always on the first sweep, then on most sweeps of a
# large graph and on fewer of a small one (where one check costs more than the sweep's
# kernels). The objective is checked on every pass, so a non-finite gradient a skipped check
# let through shows in the objective of the next step that updates the weights with it.
CHECK_BUDGET = 0.005


def _option(value: Any, choices: tuple[str, ...], what: str) -> str:
    if value.__class__ is str and value in choices:  # the common case, checked first: it is hot
        return value
    if what == "check" and value.__class__ is bool:  # check=True / False read as auto / none
        return "auto" if value else "none"
    return choose(value, choices, f"{what} mode", GraphError)


def forward(graph: Graph, *, check: str | bool = "auto", keep: str = "all") -> None:
    """Evaluate every equation in order from the current leaf values.

    keep="needed" drops each intermediate that no backward VJP reads as soon as the forward
    pass is done with it (the objective and the results stay); keep="all" keeps every value.
    """
    mode = _option(check, CHECKS, "check")
    keep = _option(keep, KEEPS, "keep")
    prog, st = program(graph), state(graph)
    for v in prog.leaves:
        if v._value is None:
            raise GraphError(f"forward: {v.role} {v.name!r} has no value (expected an array of "
                             f"shape {v.shape}; give it one with g.set({v.name!r}, array))")
    # The last sweep's steps are now stale. keep="all" hands them to the next backward, which
    # drops each as it makes its successor, so the allocator reuses their memory instead of
    # returning it to the OS and faulting it back in; keep="needed" frees them now.
    st.spent = list(graph.steps) if keep == "all" and graph.steps else []
    graph.steps = []
    _clear_grads(st)
    st.stash = {}
    _forward(graph, prog, st.stash, keep)
    st.keep = keep
    st.kept_for = graph.objective.name if graph.objective is not None else None
    if mode != "none":
        _check_forward(graph, prog, mode)
    graph._forward_version = graph._version


def _clear_grads(st: EngineState) -> None:
    """Forget the last sweep's gradients (only those variables got one)."""
    for v in st.graded:
        v.grad = None
    st.graded = []


def _forward(graph: Graph, prog: Program, stash: dict, keep: str) -> None:
    """The checked loop on a structure's first pass; straight-line code from the second.

    The loop's bookkeeping (unpacking, dispatch on the operand count, the shape and dtype
    checks) is then paid once, when the pass is compiled (core.compiled).
    """
    key = (keep, graph.objective.name if graph.objective is not None else None)
    fast = prog.compiled.get(key)
    if fast is not None:
        with np.errstate(all="ignore"):  # non-finite values are found and reported after it
            fast(stash)
        return
    drop = drops(graph, prog) if keep == "needed" else None
    convert = _run(graph, prog, stash, drop)
    prog.compiled[key] = compiled.forward(prog.eqs, drop, convert)


def _run(graph: Graph, prog: Program, stash: dict, drop: list[tuple] | None) -> set[int]:
    """The checked forward loop; returns the equations whose output had to be converted."""
    convert = set()
    ndarray = np.ndarray
    with np.errstate(all="ignore"):  # non-finite values are found and reported after the pass
        for code, a0, a1, inputs, params, residual, fwd, out, shape, dtype, k in prog.eqs:
            if code == 1:
                r = fwd(a0._value)
            elif code == 2:
                r = fwd(a0._value, a1._value)
            elif code == 3:
                r = fwd(a0._value, *params)
            elif residual is None:
                r = fwd(*args_of(inputs, params))
            else:
                r, stash[k] = residual(*args_of(inputs, params))
            if r.__class__ is not ndarray or (r.dtype is not dtype and r.dtype != dtype):
                r = np.asarray(r, dtype=dtype)
                convert.add(k)
            if r.shape != shape:
                raise GraphError(f"{graph.operators[k].op.name} '{out.name}': forward gave shape "
                                 f"{r.shape} (expected {shape})")
            out._value = r
            if drop is not None and drop[k]:
                for v in drop[k]:
                    v._value = None
    return convert


def _check_forward(graph: Graph, prog: Program, mode: str) -> None:
    if mode == "all" or any_bad([v._value for v in prog.sinks]):
        for node in graph.operators:
            if node.output._value is None:
                continue
            kind = bad(node.output._value)
            if kind:
                args = ", ".join(v.name for v in node.inputs)
                raise NumericError(f"forward pass: {kind} in '{node.output.name}' = "
                                   f"{node.op.name}({args}) (equation {node.index + 1})")


def backward(graph: Graph, *, inputs: bool = False, check: str | bool = "auto",
             keep: str | None = None) -> list[Step]:
    """The reverse sweep from ∂J/∂J = 1; returns (and stores in graph.steps) the steps.

    `keep` defaults to the keep mode of the last forward. Forward runs first when a value
    changed since the last one, or when it kept less than `keep` asks for. keep="needed"
    records no steps (an empty list) and leaves gradients on the leaves only.
    """
    mode = _option(check, CHECKS, "check")
    st = state(graph)
    keep = st.keep if keep is None else _option(keep, KEEPS, "keep")
    the_plan = plan(graph, inputs)
    objective = graph.objective
    if graph._forward_version != graph._version or st.keep != keep or (
            keep == "needed" and st.kept_for != objective.name):
        forward(graph, check=check, keep=keep)
    spent, st.spent = st.spent or list(graph.steps), []  # see forward()
    graph.steps = []
    _clear_grads(st)
    st.graded = the_plan.graded + the_plan.unreached
    objective.grad = the_plan.seed
    for v in the_plan.unreached:  # ∂J/∂p = 0 exactly; no step, since no path carries it
        v.grad = np.zeros(v.shape, dtype=v.dtype)
    with np.errstate(all="ignore"):  # non-finite values are found and reported below
        if keep == "needed":
            if _lean(the_plan, st, mode):  # locate the culprit: sweep again with records
                return backward(graph, inputs=inputs, check="all", keep="all")
            return graph.steps
        if the_plan.recorded is not None:
            steps, found = the_plan.recorded(st.stash, spent, mode == "auto")
        else:  # checks every contribution's shape, once; then the straight-line code
            steps, found = sweep.recorded(the_plan, objective, st.stash, spent, mode == "auto")
            the_plan.recorded = compiled.recorded(the_plan, objective)
    del spent
    graph.steps = steps
    if mode == "all" or mode == "auto" and (
            found or any_bad([v.grad for v in the_plan.late_check])):
        _report_backward(steps)
    return steps


def _lean(the_plan: Plan, st: EngineState, mode: str) -> bool:
    """The lean sweep, then its check within the budget; whether a gradient is not finite."""
    start = perf_counter()
    if the_plan.lean is not None:
        the_plan.lean(st.stash)
    else:
        sweep.lean(the_plan, st.stash)  # checks every contribution's shape
        the_plan.lean = compiled.lean(the_plan)
    swept = perf_counter()
    st.sweep_s += swept - start
    if mode == "all" or mode == "auto" and st.check_s <= CHECK_BUDGET * st.sweep_s:
        found = any_bad([v.grad for v in the_plan.leaf_targets])
        st.check_s += perf_counter() - swept
        return found
    return False


def _report_backward(steps: list[Step]) -> None:
    """Raise for the first step whose value holds a NaN or Inf."""
    for step in steps:
        kind = bad(step.value)
        if kind:
            via = f" via '{step.via.name}'" if step.via is not None else ""
            raise NumericError(f"backward pass: {kind} in ∂J/∂{step.target.name}{via} "
                               f"(step {step.index})")

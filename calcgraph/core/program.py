"""What a pass runs, compiled once per graph structure: equations, reverse plans, engine state.

Nothing here changes between passes, so the engine's loops only call kernels: the equations
as named records, which operands each reverse step differentiates, how many contributions
each gradient gets, and (for keep="needed") which values and gradients to drop when. The
records are NamedTuples so the hot loops unpack them as plain tuples, as fast as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from calcgraph.core.memory import check as check_memory
from calcgraph.errors import GraphError

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph, Operator, Variable

# Arrays up to this size count as small: checked for NaN/Inf together in one call, and a
# gradient this small is summed as its contributions arrive (larger ones wait, see sweep).
SMALL_ARRAY = 4096


class Equation(NamedTuple):
    """One forward equation `out = fwd(inputs; params)`, flattened for the loop.

    code 1 and 2 are the fast paths (one or two operands, no constants, no residual): the
    loops then call the kernel with a0's (and a1's) value directly, without building a list;
    code 3 is one operand and fixed numbers (4·v: `params` holds the floats themselves).
    """

    code: int
    a0: Variable
    a1: Variable
    inputs: tuple[Variable, ...]
    params: tuple
    residual: Callable | None  # the forward that also returns what the VJPs reuse
    fwd: Callable[..., np.ndarray]
    out: Variable
    shape: tuple[int, ...]
    dtype: np.dtype
    index: int  # the operator's position in graph.operators


class Contribution(NamedTuple):
    """One VJP of a reverse step: ∂J/∂target via the step's node, for operand `operand`."""

    operand: int
    target: Variable
    vjp: Callable[..., np.ndarray]
    axes: tuple[int, ...]  # axes to sum over to undo broadcasting
    total: int  # how many contributions target gets in the whole sweep
    shape: tuple[int, ...]  # target's shape, which the contribution must have
    defer: bool  # large with several contributions: computed when the last one arrives


class Reverse(NamedTuple):
    """One equation of the reverse sweep: how to call its VJPs and which operands get one."""

    code: int
    a0: Variable
    a1: Variable
    inputs: tuple[Variable, ...]
    params: tuple
    residual: Callable | None
    node: Operator
    out: Variable
    todo: tuple[Contribution, ...]
    free_grad: bool  # keep="needed" drops out.grad after this step (all but the objective's)


@dataclass(slots=True)
class Program:
    """The forward equations of one graph structure, its leaves and its results."""

    key: tuple[int, int]
    leaves: list[Variable]
    sinks: list[Variable]  # operator outputs nothing reads
    eqs: list[Equation]
    drop: dict[str | None, list[tuple]] = field(default_factory=dict)  # see drops()
    # per (keep, objective): the straight-line forward core.compiled made after the first
    # pass ran through the checked loop
    compiled: dict[tuple, Callable] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    """The reverse sweep for one objective and one set of gradient-requiring leaves."""

    nodes: list[Operator]  # the equations visited, in sweep order
    sweep: list[Reverse]
    counts: dict[str, int]  # contributions per target variable
    seed: np.ndarray  # ∂J/∂J = 1, read-only, shared by every sweep
    late_check: list[Variable]  # leaves whose gradient is checked after the sweep
    leaf_targets: list[Variable]  # the leaves that get a gradient
    graded: list[Variable]  # every variable the sweep gives a gradient, the objective first
    unreached: list[Variable]  # parameters J does not depend on: ∂J/∂p = 0, as JAX gives
    lean: Callable | None = None  # the straight-line lean sweep, after a checked one
    recorded: Callable | None = None  # the straight-line recorded sweep, likewise


@dataclass(slots=True)
class EngineState:
    """Everything the engine keeps on a graph between passes, in graph.engine_state."""

    program: Program | None = None
    plans: dict[tuple, Plan] = field(default_factory=dict)
    stash: dict[int, Any] = field(default_factory=dict)  # residuals by equation index
    keep: str = "all"  # the keep mode of the last forward
    kept_for: str | None = None  # the objective that forward kept values for
    graded: list = field(default_factory=list)  # the variables the last sweep gave a gradient
    # keep="needed", check="auto": seconds spent in lean sweeps and in checking their
    # gradients, so the checks can be held to a budget (see engine.CHECK_BUDGET)
    sweep_s: float = 0.0
    check_s: float = 0.0
    # keep="all": the last sweep's steps, dropped one by one as the next sweep makes their
    # successors, so the allocator reuses their memory instead of returning it to the OS
    spent: list = field(default_factory=list)


def state(graph: Graph) -> EngineState:
    """The graph's engine state, created on first use."""
    st = graph.engine_state
    if st is None:
        st = graph.engine_state = EngineState()
    return st


def operands(node: Operator) -> tuple:
    """How a pass calls node's kernels: (code, a0, a1, inputs, params, residual)."""
    ins, params, residual = tuple(node.inputs), tuple(node.params.values()), node.impl.residual
    code = len(ins) if len(ins) <= 2 and not params and residual is None else 0
    if len(ins) == 1 and params and residual is None and all(
            p.__class__ is float for p in params):  # a Constant is read at call time: not here
        code = 3
    return code, ins[0], ins[-1], ins, params, residual


def program(graph: Graph) -> Program:
    """The forward equations, the leaves and the sinks; cached per structure."""
    key = (len(graph.variables), len(graph.operators))
    st = state(graph)
    if st.program is not None and st.program.key == key:
        return st.program
    check_memory(graph)  # a graph built by hand: refuse it before the pass allocates
    st.program = Program(
        key=key,
        leaves=[v for v in graph.variables if v.producer is None],
        sinks=[v for v in graph.variables if v.producer is not None and not v.consumers],
        eqs=[Equation(*operands(node), node.fwd, node.output, node.output.shape,
                      node.output.dtype, node.index) for node in graph.operators])
    return st.program


def drops(graph: Graph, prog: Program) -> list[tuple]:
    """For keep="needed": after each equation, the intermediates no VJP reads and none follows.

    The objective and every result nothing reads stay, even when the objective feeds
    another node (J read by a logging op): it is what the caller asked for.
    """
    name = graph.objective.name if graph.objective is not None else None
    if name in prog.drop:
        return prog.drop[name]
    needed = {v.name for v in prog.sinks}
    if name:
        needed.add(name)
        for node in plan(graph, True).nodes:
            needed.update(v.name for v in saved_values(node))
    last: dict[str, int] = {}
    for node in graph.operators:
        for v in node.inputs:
            last[v.name] = node.index
    out: list[list] = [[] for _ in graph.operators]
    for v in graph.variables:
        if v.producer is not None and v.name not in needed:
            out[last.get(v.name, v.producer.index)].append(v)
    prog.drop[name] = result = [tuple(d) for d in out]
    return result


def saved_values(node: Operator) -> list[Variable]:
    """The forward values node's VJPs read (its impl's `saves`), leaves included."""
    out = []
    for key in node.impl.saves:
        if key == "out":
            out.append(node.output)
        elif key == "all":
            out.extend(node.inputs)
        else:
            out.append(node.inputs[key])
    return out


def plan(graph: Graph, inputs: bool) -> Plan:
    """Which equations to visit in reverse and which operands to differentiate; cached."""
    objective = graph.objective
    if objective is None:
        raise GraphError(f"backward: graph {graph.name!r} has no objective (expected a scalar "
                         f"node marked as the objective, e.g. g.set_objective('J'))")
    # only the leaves' flags decide what gets a gradient
    key = (inputs, objective.name, len(graph.operators),
           tuple([v.requires_grad for v in program(graph).leaves]))
    cache = state(graph).plans
    if key not in cache:
        cache[key] = _compile_plan(graph, objective, inputs)
    return cache[key]


def _compile_plan(graph: Graph, objective: Variable, inputs: bool) -> Plan:
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
    nodes, counts = [], {}
    for node in reversed(graph.operators):
        if node.output.name not in reach or not wants[node.output.name]:
            continue
        n = len(node.inputs)
        todo = [(i, v) for i, v in enumerate(node.inputs)
                if wants[v.name] and v.name in reach and node.op.is_differentiable(i, n)]
        for _i, v in todo:
            counts[v.name] = counts.get(v.name, 0) + 1
        if todo:
            nodes.append((node, todo))

    def contribution(node: Operator, i: int, v: Variable) -> Contribution:
        big = int(np.prod(v.shape)) > SMALL_ARRAY
        return Contribution(i, v, node.vjps[i], node.reduce[i][0], counts[v.name], v.shape,
                            counts[v.name] > 1 and big)

    sweep = [Reverse(*operands(node), node, node.output,
                     tuple(contribution(node, i, v) for i, v in todo), node.output is not objective)
             for node, todo in nodes]
    seed = np.ones((), dtype=objective.dtype)
    seed.flags.writeable = False
    late = [v for v in graph.variables if v.name in counts and v.producer is None
            and (counts[v.name] == 1 or int(np.prod(v.shape)) <= SMALL_ARRAY)]
    return Plan(nodes=[node for node, _todo in nodes], sweep=sweep, counts=counts, seed=seed,
                late_check=late,
                leaf_targets=[v for v in graph.variables
                              if v.name in counts and v.producer is None],
                graded=[objective, *(v for v in graph.variables if v.name in counts)],
                unreached=[v for v in graph.variables if v.producer is None and v.requires_grad
                           and v.name not in counts and v is not objective])

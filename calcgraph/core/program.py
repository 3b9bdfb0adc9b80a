"""What a pass runs, compiled once per graph structure: flat equations and backward plans.

Nothing here changes between passes, so execute.py's loops only call kernels: the
equations as flat tuples, which operands each reverse step differentiates, how many
contributions each gradient gets, and (for keep="needed") which values to drop when.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from calcgraph.core.memory import check as check_memory
from calcgraph.errors import GraphError

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph, Operator, Variable

SMALL = 4096  # arrays up to this size are checked for NaN/Inf together, in one call


def operands(node: Operator) -> tuple:
    """How a pass calls node's kernels: (code, a0, a1, inputs, params, residual).

    code 1 and 2 are the fast paths (one or two operands, no constants, no residual): the
    loops then call the kernel with the operands' values directly, without building a list.
    """
    ins, params, residual = tuple(node.inputs), tuple(node.params.values()), node.impl.residual
    code = len(ins) if len(ins) <= 2 and not params and residual is None else 0
    return code, ins[0], ins[-1], ins, params, residual


def program(graph: Graph) -> dict:
    """The forward equations as flat tuples, the leaves and the sinks; cached per structure."""
    key = (len(graph.variables), len(graph.operators))
    cached = getattr(graph, "_program_cache", None)
    if cached is not None and cached["key"] == key:
        return cached
    prog = {
        "key": key,
        "leaves": [v for v in graph.variables if v.producer is None],
        "sinks": [v for v in graph.variables if v.producer is not None and not v.consumers],
        "eqs": [(*operands(node), node.fwd, node.output, node.output.shape, node.output.dtype,
                 node.index) for node in graph.operators],
        "drop": {},  # per objective name: after equation k, the values keep="needed" drops
    }
    check_memory(graph)  # a graph built by hand: refuse it before the pass allocates
    graph._program_cache = prog
    return prog


def drops(graph: Graph, prog: dict) -> list[tuple]:
    """For keep="needed": after each equation, the intermediates no VJP reads and none follows."""
    name = graph.objective.name if graph.objective is not None else None
    if name in prog["drop"]:
        return prog["drop"][name]
    needed = {v.name for v in prog["sinks"]}  # every result no equation reads
    if name:  # and the objective, even when it feeds another node (objective L, J = L + s)
        needed.add(name)
        for node in plan(graph, True)["nodes"]:
            needed.update(v.name for v in saved_values(node))
    last: dict[str, int] = {}
    for node in graph.operators:
        for v in node.inputs:
            last[v.name] = node.index
    drops: list[list] = [[] for _ in graph.operators]
    for v in graph.variables:
        if v.producer is not None and v.name not in needed:
            drops[last.get(v.name, v.producer.index)].append(v)
    prog["drop"][name] = out = [tuple(d) for d in drops]
    return out


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


def plan(graph: Graph, inputs: bool) -> dict:
    """Which equations to visit in reverse and which operands to differentiate; cached."""
    objective = graph.objective
    if objective is None:
        raise GraphError(f"backward: graph {graph.name!r} has no objective (expected a scalar "
                         f"node marked as the objective, e.g. g.set_objective('J'))")
    key = (inputs, objective.name, len(graph.operators),
           tuple([v.requires_grad for v in graph.variables]))
    cache = graph.__dict__.setdefault("_plan_cache", {})
    if key in cache:
        return cache[key]

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
    # One flat record per node, each VJP with how many contributions its target gets in all.
    sweep = [(*operands(node), node, node.output,
              tuple((i, v, node.vjps[i], node.reduce[i][0], counts[v.name], v.shape,
                     counts[v.name] > 1 and int(np.prod(v.shape)) > SMALL) for i, v in todo))
             for node, todo in nodes]
    seed = np.ones((), dtype=objective.dtype)
    seed.flags.writeable = False  # ∂J/∂J = 1, shared by every sweep
    plan = {"nodes": [node for node, _todo in nodes], "sweep": sweep, "counts": counts,
            "seed": seed,
            # parameters J does not depend on: their gradient is zeros, as JAX gives
            "unreached": [v for v in graph.variables if v.producer is None and v.requires_grad
                          and v.name not in counts and v is not objective],
            # leaves whose gradient is checked after the sweep (the others: during it)
            "late_check": [v for v in graph.variables if v.name in counts and v.producer is None
                           and (counts[v.name] == 1 or int(np.prod(v.shape)) <= SMALL)]}
    cache[key] = plan
    return plan

"""Recurrent graphs as d2l draws them: one row per time step, one column per role, time upward.

Steps are found in the graph's structure, never in its names: operators that apply the
same op to the same shared parameter (a leaf read by several operators) and to operands
of the same shapes, each reachable from the one before, are one recurrence; the k-th of
them opens step k. docs/layout.md ("Recurrent graphs") has the rules and the BPTT figure.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass, field

from calcgraph.figure.grid import Cell
from calcgraph.figure.view import View

MAX_NODES = 2000  # past this, steps are not looked for (the search is O(n × steps))
MIN_STEPS = 3  # two like operators in a row are too common by chance to call a recurrence


@dataclass
class Plan:
    """Preferred cells in placing order, the consumer each shared leaf sits under, and the
    edges between steps, which the renderer routes around nodes (they never move one)."""

    cells: list[tuple[str, Cell]] = field(default_factory=list)
    anchor: dict[str, str] = field(default_factory=dict)
    routed: set[tuple[str, str]] = field(default_factory=set)


def recurrences(g: View) -> list[list[str]]:
    """Chains of like operators over a shared leaf, longest first (ties: first found)."""
    shared = {v for v in g.order if g.is_leaf(v) and len(g.succs[v]) > 1}
    groups: dict[Hashable, list[str]] = {}
    for v in g.order:
        n = g.node[v]
        if n["kind"] != "operator" or not shared.intersection(g.preds[v]):
            continue
        operands = tuple(u if u in shared else tuple(g.node[u].get("shape", ()))
                         for u in n["inputs"])
        groups.setdefault((n.get("op"), operands), []).append(v)
    chains = [ops for ops in groups.values() if len(ops) >= MIN_STEPS and _chained(g, ops)]
    return sorted(chains, key=lambda ops: -len(ops))


def _chained(g: View, ops: list[str]) -> bool:
    """Is each operator reachable from the one before it?"""
    for a, b in itertools.pairwise(ops):
        limit, seen, todo = g.index[b], {a}, [a]
        while todo and b not in seen:
            for u in g.succs[todo.pop()]:
                if u not in seen and g.index[u] <= limit:
                    seen.add(u)
                    todo.append(u)
        if b not in seen:
            return False
    return True


def plan(g: View) -> Plan | None:
    """Preferred cells for a recurrent graph, or None when it has no recurrence."""
    if len(g.order) > MAX_NODES:
        return None
    chains = recurrences(g)
    if not chains:
        return None
    steps, merges = _steps(g, chains[0])
    shared = {v for v in g.order if g.is_leaf(v) and len(g.succs[v]) > 1}
    inits = _initial_states(g, chains)
    depth = _depths(g, steps, merges, shared | set(inits))
    return _cells(g, steps, merges, depth, shared, inits, len(chains[0]))


def _steps(g: View, ops: list[str]) -> tuple[dict[str, int], set[str]]:
    """Each node's step: forward from the recurrence, then back to the leaves and branches.

    An operator fed from every step (a mean loss over time) is a merge: it gets no step of
    its own here; its leaf operands paired with stepped ones take their steps.
    """
    total = len(ops)
    step = {v: t for t, v in enumerate(ops, 1)}
    merges: set[str] = set()
    for v in g.order:
        if v in step or g.is_leaf(v):
            continue
        got = {step[u] for u in g.preds[v] if u in step}
        if total > 1 and len(got) == total and g.node[v]["kind"] == "operator":
            merges.add(v)
            stepped = [u for u in g.preds[v] if u in step]
            loose = [u for u in g.preds[v] if u not in step and g.is_leaf(u)]
            if len(loose) == len(stepped):  # l(o_t, y_t): y_t pairs with o_t
                for u, w in zip(loose, stepped):
                    step[u] = step[w]
        elif got and not any(u in merges for u in g.preds[v]):
            step[v] = max(got)
    for v in reversed(g.order):  # what feeds a step belongs to it
        if v not in step and v not in merges and not _after_merge(g, v, merges):
            got = [step[u] for u in g.succs[v] if u in step]
            if got and not (g.is_leaf(v) and len(g.succs[v]) > 1):
                step[v] = min(got)
    return step, merges


def _after_merge(g: View, v: str, merges: set[str]) -> bool:
    return any(u in merges for u in g.preds[v])


def _initial_states(g: View, chains: list[list[str]]) -> dict[str, str]:
    """The leaf each recurrence starts from (h₀) -> the state it stands for (h₁).

    It is the first operator's leaf operand where the second operator reads a value that
    the first one computed.
    """
    out = {}
    for ops in chains:
        for u, w in zip(g.node[ops[0]]["inputs"], g.node[ops[1]]["inputs"]):
            if g.is_leaf(u) and not g.is_leaf(w) and ops[0] in _ancestors(g, w):
                out[u] = w
    return out


def _ancestors(g: View, v: str, reach: int = 8) -> set[str]:
    """Nodes upstream of v, at most `reach` edges away: enough to tie h₁ back to its cell."""
    seen, todo = set(), [(v, 0)]
    while todo:
        u, d = todo.pop()
        for p in g.preds[u]:
            if p not in seen and d < reach:
                seen.add(p)
                todo.append((p, d + 1))
    return seen


def _depths(g: View, step: dict[str, int], merges: set[str], fixed: set[str]) -> dict[str, int]:
    """Column index (0 = left) of each stepped node: longest path inside its step."""
    depth: dict[str, int] = {}
    for v in g.order:
        if v in step and not g.is_leaf(v):
            inside = [depth[u] for u in g.preds[v] if u in depth and step.get(u) == step[v]]
            depth[v] = 1 + max(inside, default=0)
    for v in merges:
        depth[v] = 1 + max((depth[u] for u in g.preds[v] if u in depth), default=0)
    for v in g.order:
        if v in step and g.is_leaf(v) and v not in fixed:
            users = [u for u in g.succs[v] if u in depth]
            if any(u in merges for u in users):
                depth[v] = max(depth[u] for u in users) + 1  # the labels, right of the loss
            elif users:
                depth[v] = min(depth[u] for u in users) - 1
    return depth


def _cells(g: View, step: dict[str, int], merges: set[str], depth: dict[str, int],
           shared: set[str], inits: dict[str, str], total: int) -> Plan:
    """Each step's main row with its branches hung under it, and the parameter row below all."""
    low = min(depth.values(), default=0)
    col, drop = _rows(g, step, {v: d - low + 1 for v, d in depth.items()})
    height = max(drop.values(), default=0) + 1

    def main_row(t: int) -> int:
        return t * height

    out = Plan()
    for v in sorted(drop, key=lambda v: (step[v], drop[v], col[v])):
        out.cells.append((v, (col[v], main_row(step[v]) - drop[v])))
    for v in sorted(merges, key=g.index.__getitem__):
        out.cells.append((v, (col[v], main_row((total + 1) // 2))))  # the middle step's row
        for w in g.succs[v]:  # its output climbs to the top row
            out.cells.append((w, (col[v], main_row(total))))
    for v in g.order:  # the parameter row: shared leaves under their first consumer
        if v in shared or v in inits:
            users = [u for u in g.succs[v] if u in col]
            if not users:
                continue
            first = min(users, key=lambda u: (step.get(u, 0), g.index[u]))
            out.anchor[v] = first
            out.cells.append((v, (col.get(inits.get(v, ""), col[first]), 0)))  # h₀ under h₁
    out.routed = {(a, b) for a, b in g.edges if a in step and b in step and step[a] != step[b]
                  and a not in inits}
    return out


def _rows(g: View, step: dict[str, int],
          col: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """(column, rows below the step's main row) of each stepped node.

    The first node of a step in each column is on the main row; a later one is a branch
    and hangs under its consumer, an operator left of its output: the previous step's
    state then reaches it up-left between two rows, as in d2l's figure, never through a
    node.
    """
    main: set[tuple[int, int]] = set()
    lift: dict[str, int] = {}  # rows below the main row
    hung: list[str] = []
    for v in g.order:
        if v in step and v in col:
            if (step[v], col[v]) in main:
                hung.append(v)
            else:
                main.add((step[v], col[v]))
                lift[v] = 0
    for v in reversed(hung):  # consumers come later in the order: placed first here
        users = [u for u in g.succs[v] if u in lift and step.get(u) == step[v]]
        if not users:
            lift[v] = 1
            continue
        u = min(users, key=g.index.__getitem__)
        operator = g.node[v]["kind"] == "operator"
        col[v] = col[u] - 1 if operator else col[u]
        lift[v] = lift[u] + (0 if operator else 1)
    return col, lift

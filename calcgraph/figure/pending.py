"""The d2l rules' order: which node is placed next, and the cell its rule prefers.

Rules 2 to 6 of docs/layout.md ("The rules"), in their order of priority; the placer in
layout.py then finds the free cell nearest the preferred one.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any

from calcgraph.figure.grid import Cell
from calcgraph.figure.view import View


class Queue:
    """The next node to place and its preferred cell, by rule priority.

    One heap per rule, keyed by equation order; a node enters a heap when a neighbour is
    placed, and is checked again when it comes up: what makes a node ready only grows.
    """

    def __init__(self, g: View, p: Any):
        self.g, self.p = g, p
        self.leaves: list[int] = []  # rule 2, lowest order first
        self.hanging: list[int] = []  # rule 3, highest order first (negated)
        self.forward: list[int] = []  # rules 4 and 5, lowest order first
        self.loose = [g.index[v] for v in g.order if v not in g.downstream and v != g.target]
        self.rest = list(range(len(g.order)))  # both already in order: valid heaps

    def placed(self, v: str) -> None:
        g = self.g
        for u in g.preds[v]:
            if g.is_leaf(u):
                heapq.heappush(self.leaves, g.index[u])
            elif u != g.target:
                heapq.heappush(self.hanging, -g.index[u])
        for u in g.succs[v]:
            if u != g.target:
                heapq.heappush(self.forward, g.index[u])

    def _top(self, heap: list[int], ok: Any, sign: int = 1) -> str | None:
        """The first node of heap still unplaced and ok; others are dropped (they come back)."""
        while heap:
            v = self.g.order[sign * heap[0]]
            if v not in self.p.cells and ok(v):
                return v
            heapq.heappop(heap)
        return None

    def next(self) -> tuple[str, Cell]:
        g, p, cells = self.g, self.p, self.p.cells
        v = self._top(self.leaves, lambda v: True)
        if v is not None:  # rule 2: a leaf directly above the first placed operator it feeds
            p.anchor[v] = g.sorted(u for u in g.succs[v] if u in cells)[0]
            c, r = cells[p.anchor[v]]
            return v, (c, r + 1)
        v = self._top(self.hanging, lambda v: not _fed(g, v, cells), -1)
        if v is not None:  # rule 3: a branch that only feeds placed nodes hangs above them
            c, r = cells[g.sorted(u for u in g.succs[v] if u in cells)[0]]
            return v, (c - 1, r) if g.node[v]["kind"] == "operator" else (c, r + 1)
        v = self._top(self.forward, lambda v: _forward(g, v, cells) is not None)
        if v is not None:  # rules 4 and 5: forward from placed inputs
            return v, _forward(g, v, cells, p.spine_end)
        # A part connected to nothing placed starts a new row at the left, before the objective.
        v = self._top(self.loose, lambda v: True)
        if v is None and g.target in cells:
            v = self._top(self.rest, lambda v: True)
        if v is not None:
            return v, (1, p.box[2] + 1)
        # Rule 6: the objective at the top-right corner, right of and not below its producer.
        target = g.target
        pc, pr = cells[g.preds[target][0]] if g.preds[target] else (0, 0)
        return target, (max(p.box[1], pc + 1), max(p.box[2], pr))


def _forward(g: View, v: str, cells: Mapping[str, Cell],
             spine_end: str | None = None) -> Cell | None:
    """Rules 4 and 5: v's preferred cell from its placed inputs, or None when not ready."""
    preds = g.preds[v]
    if g.node[v]["kind"] == "operator":
        computed = [u for u in preds if not g.is_leaf(u)]
        anchors = [cells[u] for u in (computed or preds) if u in cells]
        if not anchors or any(u not in cells for u in computed):
            return None
        lo, hi = min(c for c, _ in anchors), max(c for c, _ in anchors)
        row = max(r for _, r in anchors)
        # Rule 4: between the columns it is fed from (a tie goes right, toward the objective).
        return ((lo + hi + 1) // 2, row) if hi > lo else (hi + 1, row)
    if preds and preds[0] in cells:
        c, r = cells[preds[0]]
        climbs = g.is_reduction(preds[0]) or preds[0] == spine_end  # rule 5
        return (c, r + 1) if climbs else (c + 1, r)
    return None


def _fed(g: View, v: str, cells: Mapping[str, Cell]) -> bool:
    """Can v be placed forward: its producer, or all (and some) of its computed inputs, placed?"""
    if g.node[v]["kind"] == "variable":
        return any(u in cells for u in g.preds[v])
    computed = [u for u in g.preds[v] if not g.is_leaf(u)]
    return bool(computed) and all(u in cells for u in computed)

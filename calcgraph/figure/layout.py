"""Grid cells for a computation graph: main chain along the bottom, objective at the top right.

The rules, with their reasons and a worked example, are in docs/layout.md. In short:

1. The main chain, the longest path from a data input to the objective up to the loss
   (the operator reading a label), runs left to right along the bottom row.
2. A leaf (parameter, label, other input) sits directly above the operator it feeds.
3. A branch that only feeds placed nodes hangs above its consumer, its operator left of it.
4. An operator fed from several columns sits between them, on its highest input's row;
   fed from one column, right of it.
5. An operator's output sits right of it; the loss's output, and any scalar reduced
   from an array, climbs above it.
6. The objective takes the top-right corner.

A blocked cell gives way to the nearest free one where no edge passes through a node,
inside the grid drawn so far.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from calcgraph.figure import recurrent
from calcgraph.figure.boxes import merge_boxes
from calcgraph.figure.grid import (
    PITCH,
    SPLINE_LIMIT,
    Cell,
    EdgeIndex,
    cover,
    cross,
    flaws,
    through,
)
from calcgraph.figure.layered import Layered, layered
from calcgraph.figure.pending import Queue
from calcgraph.figure.route import routes
from calcgraph.figure.untangle import untangle
from calcgraph.figure.view import View, main_chain

__all__ = ["PITCH", "Cell", "Layout", "layout", "main_chain"]
SEARCH_RADIUS = 6  # how far a blocked node may move from its preferred cell while it looks


@dataclass(frozen=True)
class Layout:
    """Grid cells per node id, the main chain, and the grid size."""

    cells: dict[str, Cell]
    spine: tuple[str, ...] = ()
    edges: tuple[tuple[str, str], ...] = field(default=())
    method: str = "d2l"  # or "recurrent", or "layered": the fallback (docs/layout.md)
    # Waypoints (grid units) of each edge whose straight line would cross a node.
    routes: dict[tuple[str, str], tuple[tuple[float, float], ...]] = field(default_factory=dict)

    @property
    def ncols(self) -> int:
        return max((c for c, _ in self.cells.values()), default=0)

    @property
    def nrows(self) -> int:
        return max((r for _, r in self.cells.values()), default=-1) + 1


class _Placer:
    def __init__(self, g: View):
        self.g = g
        self.cells: dict[str, Cell] = {}
        self.at: dict[Cell, str] = {}
        self.index = EdgeIndex()  # placed edges by the cells they pass: checks stay local
        self.box = (1, 1, 0)  # min col, max col, max row of the grid placed so far
        self.anchor: dict[str, str] = {}  # leaf -> the consumer it sits above
        self.routed: set[tuple[str, str]] = set()  # edges left to the renderer's router
        self.spine_end: str | None = None

    def put(self, v: str, cell: Cell) -> None:
        self.cells[v], self.at[cell] = cell, v
        self.box = (min(self.box[0], cell[0]), max(self.box[1], cell[0]), max(self.box[2], cell[1]))
        for end, soft in self.context(v):
            self.index.add(cell, end, soft)

    def context(self, v: str) -> list[tuple[Cell, bool]]:
        """v's edges to placed nodes: (the other end's cell, soft)."""
        g, placed, out = self.g, self.cells, []
        for u in g.preds[v]:
            if u in placed:
                out.append((placed[u], self.soft(u, v)))
        for u in g.succs[v]:
            if u in placed:
                out.append((placed[u], self.soft(v, u)))
        return out

    def crossings(self, v: str, cell: Cell, mine: list[tuple[Cell, bool]],
                  hard_only: bool = False) -> tuple[int, int]:
        """(hard, soft): edges that would pass through a node if v sat at cell.

        Soft edges run from a shared leaf to a consumer other than the one it sits above:
        they may be long and the renderer routes them around nodes, so they never keep
        a node off their path; v's own soft edges only break ties (not for leaves, which
        sit directly above their operator). Edges crossing edges count as soft too.
        hard_only: soft is left 0 (the caller knows hard alone rules the cell out).
        """
        hard = sum(through(a, b, cell) for a, b, soft in self.index.at(cell) if not soft)
        soft = 0
        leaf = self.g.is_leaf(v)
        for end, is_soft in mine:
            if is_soft and (leaf or hard_only):
                continue
            n = sum(through(cell, end, c) for c in cover(cell, end)
                    if c != end and c != cell and c in self.at)
            hard, soft = (hard + n, soft) if not is_soft else (hard, soft + n)
        if not leaf and not hard_only:
            for end, _ in mine:
                soft += sum(cross(cell, end, a, b) for a, b, _ in self.index.along(cell, end))
        return hard, soft

    def soft(self, a: str, b: str) -> bool:
        if (a, b) in self.routed:
            return True
        return self.g.is_leaf(a) and len(self.g.succs[a]) > 1 and self.anchor.get(a, b) != b

    def place(self, v: str, pref: Cell, planned: bool = False) -> Cell:
        """The best free cell near pref: no edge through a node, near it, inside the grid.

        Rings are searched outward up to SEARCH_RADIUS; when all of them are full (a node
        with many neighbours), the d2l rules cannot hold and _Crowded is raised.
        """
        best: tuple | None = None
        mine = self.context(v)
        r = 0
        while True:
            for cell in _ring(pref, r):
                if cell in self.at:
                    continue
                col, row = cell
                outside = col < self.box[0] or col > self.box[1] or row > self.box[2]
                hard, _ = self.crossings(v, cell, mine, hard_only=True)
                if best is not None and (hard, r > 1) > best[0][:2]:
                    continue  # ranks below the best whatever its crossings
                hard, soft = self.crossings(v, cell, mine)
                # A straight edge is worth one step away, not more (planned: not even that).
                key = (hard, r > 1 or (planned and r > 0), soft, r, outside,
                       abs(col - pref[0]) + abs(row - pref[1]), row < pref[1], col, row)
                if best is None or key < best[0]:
                    best = (key, cell)
            if best is not None and (best[0][0] == 0 and (r >= 1 or best[0][2] == 0)
                                     or r >= SEARCH_RADIUS):
                break  # farther rings rank lower
            if r >= SEARCH_RADIUS:
                raise _Crowded(v)
            r += 1
        self.put(v, best[1])
        return best[1]

    def place_corner(self, v: str, pref: Cell) -> Cell:
        """The objective: pref or a cell right of or above it, so it stays the top-right corner."""
        cells = sorted(((pref[0] + i, pref[1] + j) for i in range(SEARCH_RADIUS + 1)
                        for j in range(SEARCH_RADIUS + 1)),
                       key=lambda c: (c[0] - pref[0] + c[1] - pref[1], c[1]))
        free, mine = [c for c in cells if c not in self.at], self.context(v)
        # The first clean cell; failing that, the first with no edge through a node.
        cell = min(free, key=lambda c: tuple(n > 0 for n in self.crossings(v, c, mine)))
        self.put(v, cell)
        return cell


def _ring(pref: Cell, r: int) -> Iterable[Cell]:
    """The cells at Chebyshev distance r from pref, on or above row 0, column by column."""
    for col in range(pref[0] - r, pref[0] + r + 1):
        edge = abs(col - pref[0]) == r
        for row in range(max(0, pref[1] - r), pref[1] + r + 1):
            if edge or abs(row - pref[1]) == r:
                yield col, row


def layout(data: Mapping[str, Any]) -> Layout:
    """Grid cells for every node of `data` (the plain form of a Graph: Graph.to_dict())."""
    g = View(merge_boxes(data))
    steps = recurrent.plan(g)
    if steps is not None:
        try:
            return _shifted(_d2l(g, [], steps), (), g.edges, "recurrent")
        except _Crowded:
            pass  # the general rules may still find room
    spine = main_chain(g)
    try:
        cells = _d2l(g, spine)
    except _Crowded:  # docs/layout.md, "Fallback"
        return _layered(g, layered(g.order, g.preds, g.succs, g.target, _inputs(g)))
    if flaws(cells, g.edges, through_too=False)[1]:
        # Nodes off the main chain step to where fewer edges cross; a layered drawing with
        # fewer crossings still wins (a fan-out, random DAGs). A straight edge through a node
        # is drawn around it (by Graphviz or route.py) and crosses more on the way, so it
        # counts as one more; the layered count is exact.
        cells = untangle(cells, g.edges, set(spine) | {g.target})
        through_count, crossings = flaws(cells, g.edges)
        other = layered(g.order, g.preds, g.succs, g.target, _inputs(g))
        if crossings and other.crossings < crossings + through_count:
            return _layered(g, other)
    return _shifted(cells, tuple(spine), g.edges, "d2l")


def _shifted(cells: dict[str, Cell], spine: tuple[str, ...], edges: tuple[tuple[str, str], ...],
             method: str) -> Layout:
    """The grid moved so that it starts at column 1, row 0 (a branch may hang left of x)."""
    low = min((c for c, _ in cells.values()), default=1)
    bottom = min((r for _, r in cells.values()), default=0)
    cells = {v: (c - low + 1, r - bottom) for v, (c, r) in cells.items()}
    # Up to SPLINE_LIMIT nodes Graphviz routes the edges of a d2l grid; past it (straight
    # edges), we do.
    routed = routes(cells, edges) if len(cells) > SPLINE_LIMIT else {}
    return Layout(cells, spine, edges, method, routed)


def _inputs(g: View) -> list[str]:
    """The data inputs, to go bottom-left; a graph of parameters alone (micrograd's, the
    CS231n circuits) starts from its first leaf instead, as the main chain does."""
    inputs = [v for v in g.order if g.node[v].get("role") == "input"]
    return inputs or [v for v in g.order if g.is_leaf(v)][:1]


def _layered(g: View, drawing: Layered) -> Layout:
    """The fallback's Layout: every edge along its own waypoints (through its dummies)."""
    low = min((c for c, _ in drawing.cells.values()), default=1)
    cells = {v: (c - low + 1, r) for v, (c, r) in drawing.cells.items()}
    routed = {e: tuple((x - low + 1, y) for x, y in pts) for e, pts in drawing.routes.items()}
    return Layout(cells, (), g.edges, "layered", routed)


class _Crowded(Exception):
    """No free cell within SEARCH_RADIUS of where the rules want a node."""


def _d2l(g: View, spine: list[str], steps: recurrent.Plan | None = None) -> dict[str, Cell]:
    """The six rules of the module docstring, in their order of priority; a recurrent
    graph's steps first, at the cells their plan prefers."""
    p = _Placer(g)
    queue = Queue(g, p)
    for i, v in enumerate(spine):
        p.put(v, (i + 1, 0))
        queue.placed(v)
    p.spine_end = spine[-1] if spine else None
    if steps is not None:
        p.anchor.update(steps.anchor)
        p.routed = steps.routed
        for v, pref in steps.cells:
            if v not in p.cells:
                p.place(v, pref, planned=True)
                queue.placed(v)
    for _ in range(len(g.order) - len(p.cells)):
        v, pref = queue.next()
        (p.place_corner if v == g.target else p.place)(v, pref)
        queue.placed(v)
    return p.cells

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

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Cell = tuple[int, int]  # (col, row): col 1 = left, row 0 = bottom
# Grid geometry used for the edge-through-node test: the d2l pitch and node radius (pt).
PITCH = (41.0, 39.0)
NODE_RADIUS = 13.0
SEARCH_RADIUS = 6  # how far a blocked node may move from its preferred cell


@dataclass(frozen=True)
class Layout:
    """Grid cells per node id, the main chain, and the grid size."""

    cells: dict[str, Cell]
    spine: tuple[str, ...] = ()
    edges: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ncols(self) -> int:
        return max((c for c, _ in self.cells.values()), default=0)

    @property
    def nrows(self) -> int:
        return max((r for _, r in self.cells.values()), default=-1) + 1


class _View:
    """Adjacency read from plain graph data (Graph.to_dict()), in equation order."""

    def __init__(self, data: Mapping[str, Any]):
        nodes = {n["id"]: n for n in data["nodes"]}
        self.node = nodes
        self.preds: dict[str, list[str]] = {k: [] for k in nodes}
        self.succs: dict[str, list[str]] = {k: [] for k in nodes}
        for e in data["edges"]:
            self.preds[e["dst"]].append(e["src"])
            self.succs[e["src"]].append(e["dst"])
        order: list[str] = []
        seen: set[str] = set()
        for n in data["nodes"]:  # operators come in equation order: a topological order
            if n["kind"] == "operator":
                for v in [*n["inputs"], n["id"], n["output"]]:
                    if v not in seen:
                        seen.add(v)
                        order.append(v)
        order += [k for k in nodes if k not in seen]
        self.order = order
        self.index = {k: i for i, k in enumerate(order)}
        self.edges = tuple((e["src"], e["dst"]) for e in data["edges"])
        self.target = data.get("objective") or self._deepest_sink()
        self.downstream = {self.target}  # the target and what it feeds: placed after it
        for v in self.order:
            if any(u in self.downstream for u in self.preds[v]):
                self.downstream.add(v)

    def _deepest_sink(self) -> str | None:
        """Without an objective: the sink with the most ancestors (the last one on ties)."""
        seen: dict[str, set[str]] = {}
        for v in self.order:
            seen[v] = {v}.union(*(seen[u] for u in self.preds[v]))
        sinks = [v for v in self.order if not self.succs[v]]
        return max(reversed(sinks), key=lambda v: len(seen[v]), default=None)

    def is_leaf(self, v: str) -> bool:
        return self.node[v]["kind"] == "variable" and not self.preds[v]

    def is_scalar(self, v: str) -> bool:
        return self.node[v]["kind"] == "variable" and len(self.node[v].get("shape", [])) == 0

    def is_reduction(self, op: str) -> bool:
        """An operator turning an array into a scalar: a loss, a penalty, a sum."""
        out = self.succs[op]
        return bool(out) and self.is_scalar(out[0]) and any(
            not self.is_scalar(v) for v in self.preds[op])

    def sorted(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=self.index.__getitem__)


def main_chain(g: _View) -> list[str]:
    """The longest path from an input to the target, ending at the loss.

    The loss is the operator that reads a label; without one, the last reduction (array
    to scalar); without that, the objective's producer.
    """
    if g.target is None:
        return []
    ancestors = {g.target}
    for v in reversed(g.order):
        if v in ancestors:
            ancestors.update(g.preds[v])
    inputs = [v for v in g.order if g.is_leaf(v) and v in ancestors
              and g.node[v].get("role") == "input"]
    starts = set(inputs or [v for v in g.order if g.is_leaf(v) and v in ancestors])
    best: dict[str, tuple[int, str | None]] = {}
    for v in g.order:
        if v not in ancestors:
            continue
        if v in starts:
            best[v] = (1, None)
        for p in g.preds[v]:  # strict '>' keeps the first operand on ties
            if p in best and (v not in best or best[p][0] + 1 > best[v][0]):
                best[v] = (best[p][0] + 1, p)
    path: list[str] = []
    v: str | None = g.target if g.target in best else None
    while v is not None:
        path.append(v)
        v = best[v][1]
    path.reverse()
    ops = [i for i, v in enumerate(path[:-1]) if g.node[v]["kind"] == "operator"]
    losses = [i for i in ops if any(g.node[u].get("role") == "label" for u in g.preds[path[i]])]
    reductions = [i for i in ops if g.is_reduction(path[i])]
    end = (losses or reductions[-1:] or [len(path) - 2])[0]
    return path[: end + 1] if len(path) > 1 else path


def _through(a: Cell, b: Cell, c: Cell) -> bool:
    """Does the straight edge a→b pass through the node at c (closer than NODE_RADIUS)?"""
    (ax, ay), (bx, by), (cx, cy) = a, b, c
    # A node is smaller than a cell: outside the edge's bounding box it is clear.
    if (cx < ax and cx < bx) or (cx > ax and cx > bx) or (cy < ay and cy < by) or (
            cy > ay and cy > by):
        return False
    px, py = PITCH
    dx, dy, ex, ey = (bx - ax) * px, (by - ay) * py, (cx - ax) * px, (cy - ay) * py
    t = max(0.0, min(1.0, (ex * dx + ey * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(t * dx - ex, t * dy - ey) < NODE_RADIUS


def _cross(p: Cell, q: Cell, r: Cell, s: Cell) -> bool:
    """Do segments p-q and r-s properly cross? (Sharing an end, or touching, is not crossing.)"""
    (px, py), (qx, qy), (rx, ry), (sx, sy) = p, q, r, s
    if ((qx - px) * (ry - py) - (qy - py) * (rx - px)) * (
            (qx - px) * (sy - py) - (qy - py) * (sx - px)) >= 0:
        return False
    return ((sx - rx) * (py - ry) - (sy - ry) * (px - rx)) * (
        (sx - rx) * (qy - ry) - (sy - ry) * (qx - rx)) < 0


class _Placer:
    def __init__(self, g: _View):
        self.g = g
        self.cells: dict[str, Cell] = {}
        self.at: dict[Cell, str] = {}
        self.box = (1, 1, 0)  # min col, max col, max row of the grid placed so far
        self.anchor: dict[str, str] = {}  # leaf -> the consumer it sits above
        self.spine_end: str | None = None

    def put(self, v: str, cell: Cell) -> None:
        self.cells[v], self.at[cell] = cell, v
        self.box = (min(self.box[0], cell[0]), max(self.box[1], cell[0]), max(self.box[2], cell[1]))

    def context(self, v: str) -> tuple[list, list]:
        """v's edges to placed nodes (end cell, soft) and the placed edges (cell, cell, soft)."""
        placed, mine, others = self.cells, [], []
        for a, b in self.g.edges:
            if v in (a, b):
                end = placed.get(b if a == v else a)
                if end is not None:
                    mine.append((end, self.soft(a, b)))
            elif a in placed and b in placed:
                others.append((placed[a], placed[b], self.soft(a, b)))
        return mine, others

    def crossings(self, v: str, cell: Cell, context: tuple[list, list]) -> tuple[int, int]:
        """(hard, soft): edges that would pass through a node if v sat at cell.

        Soft edges run from a shared leaf to a consumer other than the one it sits above:
        they may be long and the renderer routes them around nodes, so they never keep
        a node off their path; v's own soft edges only break ties (not for leaves, which
        sit directly above their operator). Edges crossing edges count as soft too.
        """
        mine, others = context
        hard = sum(_through(a, b, cell) for a, b, soft in others if not soft)
        soft = 0
        leaf = self.g.is_leaf(v)
        for end, is_soft in mine:
            n = sum(_through(cell, end, c) for c in self.at if c != end)
            if not is_soft:
                hard += n
            elif not leaf:
                soft += n
            if not leaf:
                soft += sum(_cross(cell, end, a, b) for a, b, _ in others)
        return hard, soft

    def soft(self, a: str, b: str) -> bool:
        return self.g.is_leaf(a) and len(self.g.succs[a]) > 1 and self.anchor.get(a, b) != b

    def place(self, v: str, pref: Cell) -> Cell:
        """The best free cell near pref: no edge through a node, near it, inside the grid."""
        best: tuple | None = None
        context = self.context(v)
        for r in range(SEARCH_RADIUS + 1):
            for col in range(pref[0] - r, pref[0] + r + 1):
                for row in range(max(0, pref[1] - r), pref[1] + r + 1):
                    cell = (col, row)
                    if cell in self.at or max(abs(col - pref[0]), abs(row - pref[1])) != r:
                        continue
                    outside = col < self.box[0] or col > self.box[1] or row > self.box[2]
                    hard, soft = self.crossings(v, cell, context)
                    # A straight edge is worth one step away, not more.
                    key = (hard, r > 1, soft, r, outside,
                           abs(col - pref[0]) + abs(row - pref[1]), row < pref[1], col, row)
                    if best is None or key < best[0]:
                        best = (key, cell)
            if best is not None and best[0][0] == 0 and (r >= 1 or best[0][2] == 0):
                break  # farther rings rank lower
        assert best is not None  # ring 1 always has a free cell above row 0
        self.put(v, best[1])
        return best[1]

    def place_corner(self, v: str, pref: Cell) -> Cell:
        """The objective: pref or a cell right of or above it, so it stays the top-right corner."""
        cells = sorted(((pref[0] + i, pref[1] + j) for i in range(SEARCH_RADIUS + 1)
                        for j in range(SEARCH_RADIUS + 1)),
                       key=lambda c: (c[0] - pref[0] + c[1] - pref[1], c[1]))
        free, context = [c for c in cells if c not in self.at], self.context(v)
        # The first clean cell; failing that, the first with no edge through a node.
        cell = min(free, key=lambda c: tuple(n > 0 for n in self.crossings(v, c, context)))
        self.put(v, cell)
        return cell


def layout(data: Mapping[str, Any]) -> Layout:
    """Grid cells for every node of `data` (the plain form of a Graph: Graph.to_dict())."""
    g = _View(data)
    p = _Placer(g)
    spine = main_chain(g)
    for i, v in enumerate(spine):
        p.put(v, (i + 1, 0))
    p.spine_end = spine[-1] if spine else None
    target, cells = g.target, p.cells
    pending = [v for v in g.order if v not in cells]
    # Nodes with no edge at all (declared, never used) wait outside `pending`, which every
    # step scans: 2,000 of them in it made the layout quadratic. They go in just before the
    # objective, each starting a row at the left as any loose part does.
    alone = [v for v in pending if v != target and not g.preds[v] and not g.succs[v]]
    pending = [v for v in pending if g.preds[v] or g.succs[v] or v == target]
    while pending:
        v, pref = _next(g, p, pending, target)
        if v == target and alone:
            for a in alone:
                p.place(a, (1, p.box[2] + 1))
            alone = []
            continue
        (p.place_corner if v == g.target else p.place)(v, pref)
        pending.remove(v)
    for a in alone:
        p.place(a, (1, p.box[2] + 1))
    low = min((c for c, _ in cells.values()), default=1)  # a branch may hang left of x
    return Layout({v: (c - low + 1, r) for v, (c, r) in cells.items()}, tuple(spine), g.edges)


def _next(g: _View, p: _Placer, pending: list[str], target: str | None) -> tuple[str, Cell]:
    """The next node to place and its preferred cell, by rule priority."""
    cells = p.cells
    for v in pending:  # rule 2: a leaf directly above the first placed operator it feeds
        users = [u for u in g.succs[v] if u in cells]
        if g.is_leaf(v) and users:
            p.anchor[v] = g.sorted(users)[0]
            c, r = cells[p.anchor[v]]
            return v, (c, r + 1)
    rest = [v for v in pending if v != target]
    for v in reversed(rest):  # rule 3: a branch that only feeds placed nodes hangs above them
        users = g.sorted(u for u in g.succs[v] if u in cells)
        if users and not g.is_leaf(v) and not _fed(g, v, cells):
            c, r = cells[users[0]]
            return v, (c - 1, r) if g.node[v]["kind"] == "operator" else (c, r + 1)
    for v in rest:  # rules 4 and 5: forward from placed inputs
        preds = g.preds[v]
        if g.node[v]["kind"] == "operator":
            computed = [u for u in preds if not g.is_leaf(u)]
            anchors = [cells[u] for u in (computed or preds) if u in cells]
            if not anchors or any(u not in cells for u in computed):
                continue
            lo, hi = min(c for c, _ in anchors), max(c for c, _ in anchors)
            row = max(r for _, r in anchors)
            # Rule 4: between the columns it is fed from (a tie goes right, toward the objective).
            return v, ((lo + hi + 1) // 2, row) if hi > lo else (hi + 1, row)
        if preds and preds[0] in cells:
            c, r = cells[preds[0]]
            climbs = g.is_reduction(preds[0]) or preds[0] == p.spine_end  # rule 5
            return v, (c, r + 1) if climbs else (c + 1, r)
    # A part connected to nothing placed starts a new row at the left, before the objective.
    loose = [v for v in rest if v not in g.downstream] or ([] if target in pending else pending)
    if loose:
        return loose[0], (1, p.box[2] + 1)
    # Rule 6: the objective at the top-right corner, right of and not below its producer.
    pc, pr = cells[g.preds[target][0]] if g.preds[target] else (0, 0)
    return target, (max(p.box[1], pc + 1), max(p.box[2], pr))


def _fed(g: _View, v: str, cells: Mapping[str, Cell]) -> bool:
    """Can v be placed forward: its producer, or all (and some) of its computed inputs, placed?"""
    if g.node[v]["kind"] == "variable":
        return any(u in cells for u in g.preds[v])
    computed = [u for u in g.preds[v] if not g.is_leaf(u)]
    return bool(computed) and all(u in cells for u in computed)

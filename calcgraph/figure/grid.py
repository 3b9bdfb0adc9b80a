"""Grid geometry for the layout: the edge-through-node and crossing tests, and a cell index of edges."""

from __future__ import annotations

import math
from collections.abc import Iterator

Cell = tuple[int, int]  # (col, row): col 1 = left, row 0 = bottom
# Grid geometry used for the edge-through-node test: the d2l pitch and node radius (pt).
PITCH = (41.0, 39.0)
NODE_RADIUS = 13.0
# Nodes (variables + operators) up to which Graphviz routes edges around nodes (splines);
# past it edges are straight, and calcgraph routes those that would cross a node itself.
SPLINE_LIMIT = 80


def through(a: Cell, b: Cell, c: Cell) -> bool:
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


def cross(p: Cell, q: Cell, r: Cell, s: Cell) -> bool:
    """Do segments p-q and r-s properly cross? (Sharing an end, or touching, is not crossing.)"""
    (px, py), (qx, qy), (rx, ry), (sx, sy) = p, q, r, s
    if ((qx - px) * (ry - py) - (qy - py) * (rx - px)) * (
            (qx - px) * (sy - py) - (qy - py) * (sx - px)) >= 0:
        return False
    return ((sx - rx) * (py - ry) - (sy - ry) * (px - rx)) * (
        (sx - rx) * (qy - ry) - (sy - ry) * (qx - rx)) < 0


def cover(a: Cell, b: Cell) -> Iterator[Cell]:
    """The cells whose tile (the square of half a pitch around the centre) the segment a-b meets.

    A node the segment passes through, and any point where it crosses another segment, lie
    in one of them: an edge filed under these cells is found from any of them.
    """
    (ax, ay), (bx, by) = (a, b) if a[0] <= b[0] else (b, a)
    if ax == bx:
        for row in range(min(ay, by), max(ay, by) + 1):
            yield ax, row
        return
    slope = (by - ay) / (bx - ax)
    for col in range(ax, bx + 1):
        x0, x1 = max(ax, col - 0.5), min(bx, col + 0.5)
        y0, y1 = sorted((ay + (x0 - ax) * slope, ay + (x1 - ax) * slope))
        for row in range(math.ceil(y0 - 0.5 - 1e-9), math.floor(y1 + 0.5 + 1e-9) + 1):
            yield col, row


class EdgeIndex:
    """Placed straight edges filed under the cells they pass: a query reads only nearby edges."""

    def __init__(self) -> None:
        self.edges: list[tuple[Cell, Cell, bool]] = []
        self.by_cell: dict[Cell, list[int]] = {}

    def add(self, a: Cell, b: Cell, soft: bool) -> None:
        i = len(self.edges)
        self.edges.append((a, b, soft))
        for c in cover(a, b):
            self.by_cell.setdefault(c, []).append(i)

    def at(self, cell: Cell) -> Iterator[tuple[Cell, Cell, bool]]:
        """The edges whose segment meets cell's tile."""
        for i in self.by_cell.get(cell, ()):
            yield self.edges[i]

    def along(self, a: Cell, b: Cell) -> list[tuple[Cell, Cell, bool]]:
        """The edges meeting any tile the segment a-b meets, each once."""
        seen: set[int] = set()
        for c in cover(a, b):
            seen.update(self.by_cell.get(c, ()))
        return [self.edges[i] for i in sorted(seen)]


def flaws(cells: dict[str, Cell], edges: tuple[tuple[str, str], ...],
          soft: set[tuple[str, str]] = frozenset(), through_too: bool = True) -> tuple[int, int]:
    """(edges through nodes, edge crossings) of straight edges on a grid; `soft` edges (the
    renderer routes them) count for crossings only; through_too=False: crossings only."""
    index, at = EdgeIndex(), {c: v for v, c in cells.items()}
    through_count = crossings = 0
    for a, b in edges:
        p, q = cells[a], cells[b]
        if through_too and (a, b) not in soft:
            through_count += sum(through(p, q, c) for c in cover(p, q)
                                 if c in at and c != p and c != q)
        crossings += sum(cross(p, q, r, s) for r, s, _ in index.along(p, q))
        index.add(p, q, False)
    return through_count, crossings

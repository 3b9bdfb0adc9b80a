"""Crossing reduction on a placed grid: nodes step to a nearby free cell where their edges
cross fewer edges, never onto a path that runs an edge through a node."""

from __future__ import annotations

from collections.abc import Iterable

from calcgraph.figure.grid import Cell, cover, cross, through

RADIUS = 2  # how far a node may step
PASSES = 3
BUDGET = 40_000  # segment tests per layout at most: big graphs stop early, deterministically


class _Edges:
    """Edges filed under the cells their segment meets, movable one node at a time."""

    def __init__(self, cells: dict[str, Cell], edges: Iterable[tuple[str, str]]):
        self.cells = cells
        self.edges = list(edges)
        self.by_cell: dict[Cell, set[int]] = {}
        self.of: dict[str, list[int]] = {}
        for i, (a, b) in enumerate(self.edges):
            self.of.setdefault(a, []).append(i)
            self.of.setdefault(b, []).append(i)
            self._file(i, True)

    def _file(self, i: int, add: bool) -> None:
        a, b = self.edges[i]
        for c in cover(self.cells[a], self.cells[b]):
            bucket = self.by_cell.setdefault(c, set())
            (bucket.add if add else bucket.discard)(i)

    def move(self, v: str, cell: Cell) -> None:
        for i in self.of.get(v, ()):
            self._file(i, False)
        self.cells[v] = cell
        for i in self.of.get(v, ()):
            self._file(i, True)

    def score(self, v: str, cell: Cell, at: dict[Cell, str]) -> tuple[int, int, int]:
        """(edges through nodes, crossings, tests made) for v's edges if v sat at cell."""
        mine = set(self.of.get(v, ()))
        bad = crossings = tests = 0
        for i in self.by_cell.get(cell, ()):  # other edges through v's node
            if i not in mine:
                a, b = self.edges[i]
                bad += through(self.cells[a], self.cells[b], cell)
                tests += 1
        for i in mine:
            a, b = self.edges[i]
            end = self.cells[b if a == v else a]
            near: set[int] = set()
            for c in cover(cell, end):
                if c != cell and c != end and at.get(c, v) != v:
                    bad += through(cell, end, c)
                near.update(self.by_cell.get(c, ()))
            for j in near - mine:
                p, q = self.edges[j]
                crossings += cross(cell, end, self.cells[p], self.cells[q])
            tests += len(near)
        return bad, crossings, tests


def untangle(cells: dict[str, Cell], edges: tuple[tuple[str, str], ...],
             fixed: set[str]) -> dict[str, Cell]:
    """cells with movable nodes stepped where fewer edges cross (a copy; fixed stay put).

    Nodes stay inside the grid's box (the objective keeps its top-right corner).
    """
    cells = dict(cells)
    index = _Edges(cells, edges)
    at = {c: v for v, c in cells.items()}
    cols = [c for c, _ in cells.values()]
    rows = [r for _, r in cells.values()]
    box = (min(cols), max(cols), max(rows))
    spent = 0
    for _ in range(PASSES):
        moved = False
        for v in sorted(cells):
            if v in fixed or spent > BUDGET:
                continue
            here = cells[v]
            bad, crossed, tests = index.score(v, here, at)
            spent += tests
            if not crossed:
                continue
            best = (bad, crossed, here)
            for cell in _near(here, box):
                if cell in at:
                    continue
                b, c, t = index.score(v, cell, at)
                spent += t
                if b <= bad and c < best[1]:  # nearer cells come first: they win ties
                    best = (b, c, cell)
            if best[2] != here:
                del at[here]
                at[best[2]] = v
                index.move(v, best[2])
                moved = True
        if not moved:
            break
    return cells


def _near(c: Cell, box: tuple[int, int, int]) -> list[Cell]:
    out = []
    for dc in range(-RADIUS, RADIUS + 1):
        for dr in range(-RADIUS, RADIUS + 1):
            col, row = c[0] + dc, c[1] + dr
            if (dc or dr) and box[0] <= col <= box[1] and 0 <= row <= box[2]:
                out.append((col, row))
    return sorted(out, key=lambda p: (abs(p[0] - c[0]) + abs(p[1] - c[1]), p))

"""Edges around nodes: a path along the channels between grid cells for every edge whose
straight line would pass through a node (docs/layout.md, "Long edges")."""

from __future__ import annotations

import heapq
import math

from calcgraph.figure.grid import PITCH, Cell, cover, through

Point = tuple[float, float]  # grid units: (col, row), cell centres on integers
ROUTE_LIMIT = 400  # edges routed per graph at most; the rest stay straight (big graphs)
TURN = 0.6  # cost of a bend, in pitches: straighter paths win ties
SHORTCUT = 16  # how far ahead string pulling looks for a straight stretch
LANE = 4.0  # pt between routes that share a channel
LANES = (0, 1, -1)  # lanes of a channel, in LANE steps to the lower left of its middle


def routes(cells: dict[str, Cell], edges: tuple[tuple[str, str], ...]
           ) -> dict[tuple[str, str], tuple[Point, ...]]:
    """{edge: waypoints from the source centre to the target centre} for blocked edges."""
    at = {c: v for v, c in cells.items()}
    if not at:
        return {}
    cols, rows = [c for c, _ in at], [r for _, r in at]
    box = (min(cols) - 1, min(rows) - 1, max(cols), max(rows))  # corners around the grid
    out: dict[tuple[str, str], tuple[Point, ...]] = {}
    used: dict[Point, int] = {}  # routes through each channel corner so far
    for a, b in edges:
        p, q = cells[a], cells[b]
        if not _blocked(p, q, at) or (a, b) in out:
            continue
        if len(out) >= ROUTE_LIMIT:
            break
        path = _search(p, q, box)
        if path is not None:
            out[(a, b)] = _lane(_pull(path, at), used)
    return out


def _lane(path: list[Point], used: dict[Point, int]) -> tuple[Point, ...]:
    """The path moved LANE to the lower left or upper right of a channel's middle when
    routes already run through its corners, so that they run side by side instead of on
    one line. Three lanes at most: a channel half a pitch from node centres has room for
    no more clear of the nodes (more routes share the lanes, as a bus)."""
    inner = path[1:-1]
    lane = LANES[max((used.get(c, 0) for c in inner), default=0) % len(LANES)]
    for c in inner:
        used[c] = used.get(c, 0) + 1
    dx, dy = LANE / PITCH[0] * lane, LANE / PITCH[1] * lane
    return (path[0], *((x - dx, y - dy) for x, y in inner), path[-1])


def _blocked(p: Cell, q: Cell, at: dict[Cell, str]) -> bool:
    return any(through(p, q, c) for c in cover(p, q) if c in at and c != p and c != q)


def _corners(c: Cell) -> list[tuple[int, int]]:
    """The lattice points around a cell: lattice (i, j) is the corner (i + ½, j + ½)."""
    return [(c[0] - 1, c[1] - 1), (c[0], c[1] - 1), (c[0] - 1, c[1]), (c[0], c[1])]


def _search(p: Cell, q: Cell, box: tuple[int, int, int, int]) -> list[Point] | None:
    """The cheapest path p → corner → ... → corner → q along the channels (Dijkstra).

    Channels run half a pitch from node centres, clear of every node (radius 13 pt).
    """
    hop = math.hypot(PITCH[0] / 2, PITCH[1] / 2) / PITCH[0]
    goal = set(_corners(q))
    todo = [(hop, k, c, None) for k, c in enumerate(_corners(p))]
    heapq.heapify(todo)
    came: dict[tuple[int, int], tuple[tuple[int, int] | None, tuple[int, int] | None]] = {}
    step = (PITCH[0] / PITCH[0], PITCH[1] / PITCH[0])
    while todo:
        cost, _, c, prev = heapq.heappop(todo)
        if c in came:
            continue
        came[c] = (prev, None)
        if c in goal:
            lattice = [c]
            while came[lattice[-1]][0] is not None:
                lattice.append(came[lattice[-1]][0])
            pts = [(i + 0.5, j + 0.5) for i, j in reversed(lattice)]
            return [(float(p[0]), float(p[1])), *pts, (float(q[0]), float(q[1]))]
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            n = (c[0] + dx, c[1] + dy)
            if n in came or not (box[0] <= n[0] <= box[2] and box[1] <= n[1] <= box[3]):
                continue
            turn = TURN if prev is not None and (c[0] - prev[0], c[1] - prev[1]) != (dx, dy) else 0
            heapq.heappush(todo, (cost + step[0 if dx else 1] + turn, len(came) + len(todo),
                                  n, c))
    return None


def _pull(path: list[Point], at: dict[Cell, str]) -> list[Point]:
    """Drop waypoints while the straight stretch between the kept ones passes no node."""
    out, i = [path[0]], 0
    while i < len(path) - 1:
        j = min(len(path) - 1, i + SHORTCUT)
        while j > i + 1 and not _clear(path[i], path[j], at, path[0], path[-1]):
            j -= 1
        out.append(path[j])
        i = j
    return out


def _clear(a: Point, b: Point, at: dict[Cell, str], src: Point, dst: Point) -> bool:
    """Does the segment a-b keep clear of every node but the edge's own two?"""
    lo_c, hi_c = math.floor(min(a[0], b[0])), math.ceil(max(a[0], b[0]))
    lo_r, hi_r = math.floor(min(a[1], b[1])), math.ceil(max(a[1], b[1]))
    for col in range(lo_c, hi_c + 1):
        for row in range(lo_r, hi_r + 1):
            if (col, row) in at and (col, row) not in (src, dst) and _near(a, b, (col, row)):
                return False
    return True


def _near(a: Point, b: Point, c: Cell) -> bool:
    """through() for points anywhere, not only cell centres (with 2 pt to spare)."""
    px, py = PITCH
    dx, dy = (b[0] - a[0]) * px, (b[1] - a[1]) * py
    ex, ey = (c[0] - a[0]) * px, (c[1] - a[1]) * py
    t = max(0.0, min(1.0, (ex * dx + ey * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(t * dx - ex, t * dy - ey) < 15.0

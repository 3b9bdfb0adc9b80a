"""Drawn edge curves that clear every node: a smooth curve through a route's waypoints,
tightened (then bent around a node) wherever it would graze one (docs/layout.md, "Long edges")."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calcgraph.figure.elements import Node

Point = tuple[float, float]
# Curve tensions tried in turn: Catmull-Rom's 1/6 first, down to 0 (the polyline itself,
# which the router keeps clear of nodes; the smaller tensions round its corners less).
TENSIONS = (1 / 6, 1 / 10, 1 / 16, 0.0)
MARGIN = 1.5  # pt a curve keeps from a node's outline (the quality measure counts 1 pt in)
SAMPLES = 16  # chords per Bézier piece when checking a curve
DETOURS = 8  # waypoints added at most to bend a polyline around nodes it passes through
CLEAR = 4.0  # pt beyond a node's outline where a detour waypoint goes
CELL = 40.0  # pt: bucket size of NodeIndex
NEAR = 6  # nodes near a piece checked against all its chords; more: chord by chord


def rim(toward: Point, n: Node) -> Point:
    """Where the line from n's centre toward a point leaves n's outline."""
    dx, dy = toward[0] - n.x, toward[1] - n.y
    if n.shape == "circle":
        scale = n.width / 2 / (math.hypot(dx, dy) or 1.0)
    else:
        scale = min(n.width / 2 / (abs(dx) or 1e-9), n.height / 2 / (abs(dy) or 1e-9))
    return n.x + dx * scale, n.y + dy * scale


def spline(points: Sequence[Point], src: Node, dst: Node, arrow: float,
           tension: float = 1 / 6) -> tuple[Point, ...]:
    """The curve through the waypoints (centre to centre) as Graphviz's pos wants it: the
    arrow's tip, then cubic Bézier control points from the source's outline to the start
    of the arrowhead (a cardinal spline; tension 1/6 is Catmull-Rom, 0 the polyline)."""
    pts = [rim(points[1], src), *points[1:-1], rim(points[-2], dst)]
    tip = pts[-1]
    (ax, ay), (bx, by) = pts[-2], tip
    d = math.hypot(bx - ax, by - ay) or 1.0
    pts[-1] = (bx - (bx - ax) * arrow / d, by - (by - ay) * arrow / d)  # the arrowhead's room
    out = [pts[0]]
    for i in range(len(pts) - 1):
        p0, p1, p2 = pts[max(i - 1, 0)], pts[i], pts[i + 1]
        p3 = pts[min(i + 2, len(pts) - 1)]
        # A control point at most a third of the piece away: a short piece beside a long one
        # would otherwise loop (its tangent is as long as the long one's).
        room = math.hypot(p2[0] - p1[0], p2[1] - p1[1]) / 3
        a = _capped((p2[0] - p0[0]) * tension, (p2[1] - p0[1]) * tension, room)
        b = _capped((p3[0] - p1[0]) * tension, (p3[1] - p1[1]) * tension, room)
        out += [(p1[0] + a[0], p1[1] + a[1]), (p2[0] - b[0], p2[1] - b[1]), p2]
    return (tip, *out)


def _capped(dx: float, dy: float, most: float) -> Point:
    size = math.hypot(dx, dy)
    return (dx, dy) if size <= most else (dx * most / size, dy * most / size)


def backward(curve: Sequence[Point], arrow: float) -> tuple[Point, ...]:
    """The same curve with its arrowhead at the source (Graphviz's "s," pos, dir=back): the
    tip at the source's outline, the path from `arrow` along it to the target's outline."""
    tip, ctrl = curve[0], list(curve[1:])
    start, end = ctrl[0], ctrl[3]  # the first piece
    d = math.hypot(end[0] - start[0], end[1] - start[1]) or 1.0
    step = min(arrow, d / 2)
    ctrl[0] = (start[0] + (end[0] - start[0]) * step / d,
               start[1] + (end[1] - start[1]) * step / d)
    if math.dist(ctrl[1], start) < step:  # its control point now behind the start: no hook
        ctrl[1] = ctrl[0]
    ctrl[-1] = tip  # the path now ends at the target's outline, where the tip was
    return (start, *ctrl)


class NodeIndex:
    """Nodes filed under the CELL-sized buckets their boxes meet: a query reads only those."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.buckets: dict[tuple[int, int], list[Node]] = {}
        for n in nodes:
            for key in _span((n.x - n.width / 2, n.y - n.height / 2,
                              n.x + n.width / 2, n.y + n.height / 2)):
                self.buckets.setdefault(key, []).append(n)

    def near(self, pts: Sequence[Point], skip: tuple[str, ...], margin: float = MARGIN
             ) -> list[Node]:
        """The nodes (not in skip) whose box, margin wider, meets the points' bounding box."""
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        b = (min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)
        out: dict[str, Node] = {}
        for key in _span(b):
            for n in self.buckets.get(key, ()):
                if n.id not in skip and n.id not in out and (
                        n.x - n.width / 2 <= b[2] and b[0] <= n.x + n.width / 2
                        and n.y - n.height / 2 <= b[3] and b[1] <= n.y + n.height / 2):
                    out[n.id] = n
        return list(out.values())

    def hits(self, a: Point, b: Point, skip: tuple[str, ...], most: int = 1,
             margin: float = MARGIN) -> list[Node]:
        """Up to `most` nodes (not in skip) that the segment a-b comes within margin of,
        nearest a first: the segment is walked a bucket at a time, so a long one reads only
        the buckets along it."""
        steps = max(1, math.ceil(max(abs(b[0] - a[0]), abs(b[1] - a[1])) / CELL))
        seen: set[str] = set(skip)
        out: list[Node] = []
        for i in range(steps):
            x0, x1 = sorted((a[0] + (b[0] - a[0]) * i / steps,
                             a[0] + (b[0] - a[0]) * (i + 1) / steps))
            y0, y1 = sorted((a[1] + (b[1] - a[1]) * i / steps,
                             a[1] + (b[1] - a[1]) * (i + 1) / steps))
            for key in _span((x0 - margin, y0 - margin, x1 + margin, y1 + margin)):
                for n in self.buckets.get(key, ()):
                    if n.id not in seen:
                        seen.add(n.id)
                        if _near(a, b, n, margin):
                            out.append(n)
                            if len(out) >= most:
                                return out
        return out

    def hit(self, a: Point, b: Point, skip: tuple[str, ...]) -> Node | None:
        """The first node (not in skip) that the segment a-b comes within MARGIN of."""
        found = self.hits(a, b, skip)
        return found[0] if found else None


def _span(b: tuple[float, float, float, float]) -> list[tuple[int, int]]:
    return [(i, j) for i in range(math.floor(b[0] / CELL), math.floor(b[2] / CELL) + 1)
            for j in range(math.floor(b[1] / CELL), math.floor(b[3] / CELL) + 1)]


def _near(a: Point, b: Point, n: Node, margin: float) -> bool:
    """Does the segment a-b come within margin of n's outline (circle or box)?"""
    if n.shape == "circle":
        return distance((n.x, n.y), a, b) < n.width / 2 + margin
    x0, y0 = n.x - n.width / 2 - margin, n.y - n.height / 2 - margin
    x1, y1 = n.x + n.width / 2 + margin, n.y + n.height / 2 + margin
    lo, hi, dx, dy = 0.0, 1.0, b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
    return lo <= hi


def distance(c: Point, a: Point, b: Point) -> float:
    """From point c to the segment a-b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((c[0] - a[0]) * dx + (c[1] - a[1]) * dy) / (dx * dx + dy * dy or 1)))
    return math.hypot(a[0] + t * dx - c[0], a[1] + t * dy - c[1])


_WEIGHTS = [((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3)
            for t in (k / SAMPLES for k in range(SAMPLES + 1))]


def _piece(p0: Point, p1: Point, p2: Point, p3: Point) -> list[Point]:
    """SAMPLES + 1 points along one cubic Bézier piece, both ends included."""
    return [(a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
             a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]) for a, b, c, d in _WEIGHTS]


def curve_grazes(curve: Sequence[Point], index: NodeIndex, ends: tuple[str, str],
                 margin: float = MARGIN) -> bool:
    """Does the drawn path (control points after the tip; the arrowhead left out) come
    within margin of a node not its end? A piece lies inside its control points' hull:
    only the nodes near that are checked, against SAMPLES chords."""
    ctrl = curve[1:]
    for i in range(0, len(ctrl) - 3, 3):
        near = index.near(ctrl[i:i + 4], ends, margin)
        if not near:
            continue
        pts = _piece(*ctrl[i:i + 4])
        if len(near) <= NEAR:
            if any(_near(a, b, n, margin) for n in near for a, b in itertools.pairwise(pts)):
                return True
        elif any(index.hits(a, b, ends, 1, margin)  # a long piece: chord by chord
                 for a, b in itertools.pairwise(pts)):
            return True
    return False


def _grazed(line: Sequence[Point], index: NodeIndex, ends: tuple[str, str]) -> tuple | None:
    """(piece number, node) of the first piece of the polyline passing a node not its end."""
    for i in range(len(line) - 1):
        n = index.hit(line[i], line[i + 1], ends)
        if n is not None:
            return i, n
    return None


def clear_curve(points: Sequence[Point], src: Node, dst: Node, arrow: float,
                index: NodeIndex) -> tuple[Point, ...]:
    """The smoothest curve through the waypoints that passes no node but its two ends.

    Tensions are tried from Catmull-Rom's down to the polyline; when the polyline itself
    passes a node, a waypoint beside that node (CLEAR pt off its outline, on the side the
    line passed) bends it around, up to DETOURS times. Returns the last try when none is
    clean (an unroutable crowd; the quality measure then counts it).
    """
    pts, ends = list(points), (src.id, dst.id)
    for _ in range(DETOURS + 1):
        for tension in TENSIONS:
            curve = spline(pts, src, dst, arrow, tension)
            if not (curve_grazes(curve, index, ends) if tension
                    else _grazed(_corners(curve), index, ends)):
                return curve
        pts = _detour(pts, curve, *_grazed(_corners(curve), index, ends))
    return curve


def _corners(curve: Sequence[Point]) -> list[Point]:
    """The polyline of a tension-0 curve: its piece ends."""
    return list(curve[1::3])


def _detour(pts: list[Point], curve: Sequence[Point], piece: int, n: Node) -> list[Point]:
    """The waypoints with one more beside n, where the polyline's piece `piece` passed it."""
    line = _corners(curve)
    a, b = line[piece], line[piece + 1]
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((n.x - a[0]) * dx + (n.y - a[1]) * dy) / (dx * dx + dy * dy or 1)))
    cx, cy = a[0] + t * dx - n.x, a[1] + t * dy - n.y
    size = math.hypot(cx, cy)
    if size < 1e-6:  # straight through the centre: go round on the left of the direction
        cx, cy, size = -dy, dx, math.hypot(dx, dy) or 1.0
    reach = (n.width / 2 if n.shape == "circle" else math.hypot(n.width, n.height) / 2) + CLEAR
    w = (n.x + cx / size * reach, n.y + cy / size * reach)
    # piece i of the curve runs from waypoint i to i+1 (the ends are the nodes' centres)
    return [*pts[:piece + 1], w, *pts[piece + 1:]]


def straight_curve(src: Node, dst: Node, arrow: float, index: NodeIndex
                   ) -> tuple[Point, ...] | None:
    """None when the straight edge clears every node; else a curve bent around them (not
    when it passes more nodes than DETOURS: the router left it straight in a crowd)."""
    a, b = rim((dst.x, dst.y), src), rim((src.x, src.y), dst)
    crossed = len(index.hits(a, b, (src.id, dst.id), most=DETOURS + 1))
    if not crossed or crossed > DETOURS:  # clear, or a crowd no detour gets round: as drawn
        return None
    return clear_curve(((src.x, src.y), (dst.x, dst.y)), src, dst, arrow, index)

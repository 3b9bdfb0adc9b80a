"""Placed boxes and segments filed under the square buckets they meet, so that "is this box
free" reads only nearby ones (annotation placement, figure/notes.py)."""

from __future__ import annotations

import math

from calcgraph.figure.curves import distance

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1
Point = tuple[float, float]


class Buckets:
    """Boxes and segments filed under the square buckets they meet: a query reads only those."""

    SIZE = 40.0  # pt: about one grid pitch
    LONG = 64  # buckets: a longer segment is kept in a list of its own

    def __init__(self) -> None:
        self.boxes: dict[tuple[int, int], list[Box]] = {}
        self.segs: dict[tuple[int, int], list[tuple[Segment, Box]]] = {}
        self.long: list[tuple[Segment, Box]] = []

    def _span(self, b: Box) -> list[tuple[int, int]]:
        k = self.SIZE
        return [(i, j) for i in range(math.floor(b[0] / k), math.floor(b[2] / k) + 1)
                for j in range(math.floor(b[1] / k), math.floor(b[3] / k) + 1)]

    def add_box(self, b: Box) -> None:
        for key in self._span(b):
            self.boxes.setdefault(key, []).append(b)

    def add_segment(self, seg: Segment) -> None:
        """Filed under the buckets its slices (at most a bucket long) meet: few for any slope."""
        x0, y0, x1, y1 = seg if seg[0] <= seg[2] else (seg[2], seg[3], seg[0], seg[1])
        bound = (x0, min(y0, y1), x1, max(y0, y1))
        k, keys = self.SIZE, set()
        steps = max(1, math.ceil(max(x1 - x0, abs(y1 - y0)) / k))
        if steps > self.LONG:  # checked one by one: filing it would cost more than it saves
            self.long.append((seg, bound))
            return
        for i in range(steps):
            a, b = x0 + (x1 - x0) * i / steps, x0 + (x1 - x0) * (i + 1) / steps
            ya = y0 + (y1 - y0) * i / steps
            yb = y0 + (y1 - y0) * (i + 1) / steps
            keys.update(self._span((a, min(ya, yb), b, max(ya, yb))))
        for key in keys:
            self.segs.setdefault(key, []).append((seg, bound))

    def free(self, b: Box) -> bool:
        """Does b meet no filed box and no filed segment?"""
        for key in self._span(b):
            if any(overlap(b, o) for o in self.boxes.get(key, ())):
                return False
            if any(overlap(b, bound) and cuts(b, seg) for seg, bound in self.segs.get(key, ())):
                return False
        return not any(overlap(b, bound) and cuts(b, seg) for seg, bound in self.long)


    def box_on(self, seg: Segment, space: float) -> bool:
        """Does the segment come within `space` of a filed box?"""
        bound = _bound(seg, space)
        for key in self._span(bound):
            if any(overlap(bound, o) and cuts((o[0] - space, o[1] - space, o[2] + space,
                                               o[3] + space), seg)
                   for o in self.boxes.get(key, ())):
                return True
        return False

    def segment_near(self, seg: Segment, space: float) -> bool:
        """Does the segment come within `space` of a filed segment?"""
        bound = _bound(seg, space)
        near = [s for key in self._span(bound) for s in self.segs.get(key, ())] + self.long
        return any(overlap(bound, b) and seg_distance(seg, s) < space for s, b in near)


def _bound(seg: Segment, space: float) -> Box:
    return (min(seg[0], seg[2]) - space, min(seg[1], seg[3]) - space,
            max(seg[0], seg[2]) + space, max(seg[1], seg[3]) + space)


def overlap(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def cuts(b: Box, seg: Segment) -> bool:
    """Does the segment cross the box? (Liang-Barsky: clip the segment's t range to the box.)"""
    x0, y0, x1, y1 = seg
    lo, hi, dx, dy = 0.0, 1.0, x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - b[0]), (dx, b[2] - x0), (-dy, y0 - b[1]), (dy, b[3] - y0)):
        if p == 0 and q < 0:
            return False
        if p < 0:
            lo = max(lo, q / p)
        elif p > 0:
            hi = min(hi, q / p)
    return lo <= hi


def seg_distance(s: Segment, o: Segment) -> float:
    """The least distance between two segments (0 when they cross)."""
    a, b, c, d = (s[0], s[1]), (s[2], s[3]), (o[0], o[1]), (o[2], o[3])

    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    if side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0:
        return 0.0
    return min(distance(c, a, b), distance(d, a, b), distance(a, c, d), distance(b, c, d))

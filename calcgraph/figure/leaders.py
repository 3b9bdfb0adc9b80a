"""Notes with no free spot beside their node: farther out, joined to it by a thin leader
line, as textbook figures do (docs/render.md, "Annotations")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from calcgraph.figure.curves import rim

if TYPE_CHECKING:
    from calcgraph.figure.elements import Node, Note

Point = tuple[float, float]
Segment = tuple[float, float, float, float]
ANGLES = 24  # directions tried around the node, 15° apart
# Leader lengths tried (pt), shortest first; past the first few the note is far enough from
# its node that only the line tells whose it is.
REACH = (5.0, 9.0, 14.0, 20.0, 27.0, 35.0, 45.0, 57.0, 72.0, 90.0)
FAR = (120.0, 160.0, 220.0, 300.0, 400.0)  # last resort: the leader may cross edges
SPACE = 2.0  # pt a leader keeps from an edge, another leader, a node or a note
START = 1.0  # pt between the node's outline and its leader
Box = tuple[float, float, float, float]


class Index(Protocol):
    """What is placed so far (notes.Buckets): boxes and segments."""

    def free(self, b: Box) -> bool: ...
    def box_on(self, seg: Segment, space: float) -> bool: ...
    def segment_near(self, seg: Segment, space: float) -> bool: ...


def _directions() -> list[Point]:
    """Unit vectors, straight down first, then alternately right and left of it, up last."""
    steps = sorted(range(ANGLES), key=lambda k: (min(k, ANGLES - k), k > ANGLES // 2))
    return [(math.cos(-math.pi / 2 + 2 * math.pi * k / ANGLES),
             math.sin(-math.pi / 2 + 2 * math.pi * k / ANGLES)) for k in steps]


DIRECTIONS = _directions()


def far_spot(note: Note, node: Node, index: Index, spokes: Sequence[Point] = ()
             ) -> tuple[Note, tuple] | None:
    """The note at the nearest free spot around its node with a leader clear of
    everything, (note, its box); failing that, the nearest whose leader crosses only
    edges; None when every spot is walled in by nodes and notes.

    spokes: the directions the node's edges leave it in; the middles of the widest gaps
    between them are tried first at each distance, then every 15°.
    """
    directions = [*gaps(spokes), *DIRECTIONS]
    for reaches, strict in ((REACH, True), (REACH + FAR, False)):
        for d in reaches:
            for u in directions:
                found = _try(note, node, index, u, d, strict)
                if found is not None:
                    return found
    return None


def gaps(spokes: Sequence[Point], most: int = 4) -> list[Point]:
    """Unit vectors halfway between neighbouring spokes, the widest gap first."""
    angles = sorted(math.atan2(y, x) for x, y in spokes if x or y)
    if not angles:
        return []
    out = []
    for a, b in zip(angles, [*angles[1:], angles[0] + 2 * math.pi]):
        if b - a > 1e-6:
            mid = (a + b) / 2
            out.append((b - a, (math.cos(mid), math.sin(mid))))
    out.sort(key=lambda gap: -gap[0])
    return [u for _, u in out[:most]]


def _try(note: Note, node: Node, index: Index, u: Point, d: float, strict: bool
         ) -> tuple[Note, tuple] | None:
    start = _out(node, u, START)
    edge = _out(node, u, START + d)  # where the leader meets the note's box
    # the box's centre: as far beyond `edge` as its outline is from its centre along u
    t = min(note.width / 2 / (abs(u[0]) or 1e-9), note.height / 2 / (abs(u[1]) or 1e-9))
    cx, cy = edge[0] + u[0] * (t + 1.0), edge[1] + u[1] * (t + 1.0)
    b = (cx - note.width / 2 - 1, cy - note.height / 2 - 1,
         cx + note.width / 2 + 1, cy + note.height / 2 + 1)  # as notes.box: 1 pt around
    if not index.free(b):
        return None
    leader = (*start, *edge)
    # Boxes are checked from where it leaves its node's own (a circle's box reaches past it).
    near = _rad(node, u) + START
    lo, hi = max(near, _exit(node, u, 0.5 + SPACE) + 0.01), near + d
    if lo < hi and index.box_on((node.x + u[0] * lo, node.y + u[1] * lo, *edge), SPACE):
        return None
    if strict and index.segment_near(leader, SPACE):
        return None
    align = "left" if u[0] > 0.3 else "right" if u[0] < -0.3 else "center"
    return replace(note, x=cx, y=cy, align=align, leader=leader), b


def _rad(node: Node, u: Point) -> float:
    """From the node's centre to its outline along u."""
    p = rim((node.x + u[0], node.y + u[1]), node)
    return math.hypot(p[0] - node.x, p[1] - node.y)


def _out(node: Node, u: Point, gap: float) -> Point:
    r = _rad(node, u) + gap
    return node.x + u[0] * r, node.y + u[1] * r


def _exit(node: Node, u: Point, pad: float) -> float:
    """From the node's centre to its bounding box, pad wider, along u."""
    return min((node.width / 2 + pad) / (abs(u[0]) or 1e-9),
               (node.height / 2 + pad) / (abs(u[1]) or 1e-9))

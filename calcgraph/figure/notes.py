"""Annotations: where each one goes beside its node, clear of edges, nodes and other notes.

What a note says is in figure/notetext.py, how wide it is in figure/metrics.py.

Pure functions over plain data and the scene's dataclasses (calcgraph.figure.scene); the rules
are in docs/render.md ("Annotations").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from calcgraph.figure.level import level_splines, min_pitch
from calcgraph.figure.metrics import LINE, text_width

if TYPE_CHECKING:
    from calcgraph.figure.elements import Edge, Key, Node, Note, Scene
    from calcgraph.figure.layout import Layout

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1
GAP = 2.0  # pt between a node and its annotation
EDGE_GAP = 4.0  # pt between an edge leaving a node vertically and the text beside it
# Where an annotation may go, in order: under the node, under to the right or left (clear of
# a vertical edge), over it, over to the right or left, then beside it.
PLACE_BUDGET = 20_000  # note placements tried while looking for a pitch where all fit
SPOTS = ((0, -1), (1, -1), (-1, -1), (0, 1), (1, 1), (-1, 1), (1, 0), (-1, 0))

# ---------------------------------------------------------------- where a note goes


def place(scene: Scene, grid: Layout) -> Scene:
    """Pin nodes to the grid and annotations beside them, widening the pitch only as needed.

    Pitches are tried from the narrowest, within a work budget (a pass costs one try per
    note); past it, or when nothing fits, every note goes under its node.
    """
    base = scene.theme.pitch
    if grid.method == "layered":  # room between the columns for the edges' S-curves
        base = (max(base[0], min_pitch(scene.nodes, _arrow(scene))), base[1])
    tries = sorted(((i, j) for i in range(12) for j in range(12)), key=lambda p: (sum(p), p))
    budget = max(6, PLACE_BUDGET // max(1, len(scene.notes)))
    done: dict[tuple[int, int], tuple] = {}

    def attempt(spot: tuple[int, int]) -> tuple:
        if spot not in done:
            pitch = _pitch(base, spot)
            nodes = _pinned(scene, grid, pitch)
            edges = _routed(scene, grid, pitch, nodes)
            done[spot] = (pitch, nodes, edges, _place_notes(replace(scene, edges=edges), nodes))
        return done[spot]

    # When the narrowest pitch fails, the widest is tried: failing too, nothing will fit.
    if attempt(tries[0])[3] is None and attempt(tries[-1])[3] is None:
        tries = [tries[-1]]
    for spot in tries[:budget]:
        pitch, nodes, edges, notes = attempt(spot)
        if notes is not None:
            break
    else:  # nothing fits (a very dense graph): put every note under its node
        by_id = {n.id: n for n in nodes}
        notes = tuple(at(n, by_id[n.node], (0, -1)) for n in scene.notes)
    placed = replace(scene, nodes=nodes, edges=edges, notes=notes, pitch=pitch, grid=grid)
    return replace(placed, legend=_place_legend(placed)) if scene.legend else placed


def _pitch(base: tuple[float, float], step: tuple[int, int]) -> tuple[float, float]:
    return base[0] + 4 * step[0], base[1] + 4 * step[1]


def _arrow(scene: Scene) -> float:
    return 10 * scene.theme.arrowsize  # the arrowhead's length in pt, as dot.py draws it


def _routed(scene: Scene, grid: Layout, pitch: tuple[float, float],
            nodes: tuple[Node, ...]) -> tuple[Edge, ...]:
    """The edges, each routed one with its waypoints in pt at this pitch (the layered
    drawing's: its own curves, level across the columns)."""
    if grid.method == "layered":
        curves = level_splines(grid.routes, nodes, pitch, _arrow(scene))
        return tuple(replace(e, spline=curves[(e.src, e.dst)])
                     if (e.src, e.dst) in curves else e for e in scene.edges)

    def pt(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] - 1) * pitch[0], p[1] * pitch[1]

    return tuple(replace(e, points=tuple(pt(p) for p in grid.routes[(e.src, e.dst)]))
                 if (e.src, e.dst) in grid.routes else e for e in scene.edges)


def _pinned(scene: Scene, grid: Layout, pitch: tuple[float, float]) -> tuple[Node, ...]:
    return tuple(replace(n, x=(grid.cells[n.id][0] - 1) * pitch[0],
                         y=grid.cells[n.id][1] * pitch[1], cell=grid.cells[n.id])
                 for n in scene.nodes)


def at(note: Note, node: Node, spot: tuple[int, int]) -> Note:
    """The note at one spot around its node; lines aligned toward the node beside it."""
    sx, sy = spot
    x = node.x + sx * (note.width / 2 + EDGE_GAP) if sy else node.x + sx * (
        node.width / 2 + GAP + note.width / 2)
    y = node.y + sy * (node.height / 2 + GAP + note.height / 2)
    return replace(note, x=x, y=y, align={1: "left", -1: "right"}.get(sx, "center"))


def box(x: float, y: float, w: float, h: float, pad: float = 1.0) -> Box:
    return (x - w / 2 - pad, y - h / 2 - pad, x + w / 2 + pad, y + h / 2 + pad)


def segments(scene: Scene, nodes: tuple[Node, ...] | None = None) -> list[Segment]:
    """Every edge as straight segments: between its nodes' centres, or along its route."""
    by_id = {n.id: n for n in (nodes or scene.nodes)}
    out = []
    for e in scene.edges:
        if e.spline:  # tip, then Bézier control points: 8 chords a piece
            pts = bezier_points(e.spline[1:]) + [e.spline[0]]
            out += [(*a, *b) for a, b in itertools.pairwise(pts)]
        elif e.points:
            out += [(*a, *b) for a, b in itertools.pairwise(e.points)]
        else:
            out.append((by_id[e.src].x, by_id[e.src].y, by_id[e.dst].x, by_id[e.dst].y))
    return out


def place_notes(scene: Scene, nodes: tuple[Node, ...]) -> tuple[Note, ...]:
    """Each note at its first free spot around its node, or under it when none is free
    (nodes that do not move: Graphviz's layout)."""
    return _place_notes(scene, nodes, strict=False) or ()


def bezier_points(ctrl: Sequence[tuple[float, float]],
                  steps: int = 8) -> list[tuple[float, float]]:
    """Points along cubic Bézier pieces p0 c c p1 c c p2 ... (`steps` chords a piece)."""
    out = list(ctrl[:1])
    for i in range(0, len(ctrl) - 3, 3):
        p0, p1, p2, p3 = ctrl[i:i + 4]
        for k in range(1, steps + 1):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _place_notes(scene: Scene, nodes: tuple[Node, ...],
                 strict: bool = True) -> tuple[Note, ...] | None:
    """Each note at its first free spot, or None when one has none at this pitch.

    Free: the note's box (1 pt around the text) meets no node box (0.5 pt around the
    node), no note placed before it and no edge, an edge taken as the straight segment
    between node centres. Text thus keeps 1.5 pt from nodes and 2 pt from other text:
    Graphviz's spline router gives up (and draws every edge straight) when nodes touch,
    its esep margins included.
    """
    by_id = {n.id: n for n in nodes}
    index = Buckets()
    for n in nodes:
        b = box(n.x, n.y, n.width, n.height, 0.5)
        if strict and not index.free(b):
            return None  # two nodes touch: Graphviz would draw every edge straight
        index.add_box(b)
    for seg in segments(scene, nodes):
        index.add_segment(seg)
    out = []
    for note in scene.notes:
        for spot in SPOTS:
            cand = at(note, by_id[note.node], spot)
            b = box(cand.x, cand.y, note.width, note.height)
            if index.free(b):
                out.append(cand)
                index.add_box(b)
                break
        else:
            if strict:
                return None
            out.append(at(note, by_id[note.node], (0, -1)))
    return tuple(out)


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


def _place_legend(scene: Scene) -> tuple[Key, ...]:
    """A row of swatches under everything else, then the text lines, left-aligned (x: left edge)."""
    size = scene.theme.note_size
    bottom = min([n.y - n.height / 2 for n in scene.nodes]
                 + [n.y - n.height / 2 for n in scene.notes if n.y is not None]
                 # a routed edge may dip under every node (a layered drawing's long edge):
                 # a curve stays inside its control points
                 + [y for e in scene.edges for _, y in (*e.spline, *e.points)])
    left = min(n.x - n.width / 2 for n in scene.nodes)
    x, y, out = left + 5, bottom - 14, []
    for key in scene.legend:
        if key.kind == "text":
            lines = key.text.count("\n") + 1
            out.append(replace(key, x=left, y=y - 8 - lines * size * LINE / 2))
        else:
            out.append(replace(key, x=x, y=y))
            x += 14 + text_width(key.text, size) + 10
    return tuple(out)

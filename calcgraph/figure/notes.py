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

from calcgraph.figure.buckets import Box, Buckets, Segment
from calcgraph.figure.curves import NodeIndex, clear_curve, curve_grazes, straight_curve
from calcgraph.figure.grid import SPLINE_LIMIT
from calcgraph.figure.leaders import far_spot
from calcgraph.figure.level import level_splines, min_pitch
from calcgraph.figure.metrics import LINE, text_width

if TYPE_CHECKING:
    from calcgraph.figure.elements import Edge, Key, Node, Note, Scene
    from calcgraph.figure.layout import Layout

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
    note), first against a sketch of the edges (routes as their waypoints' polyline), then,
    where the sketch has room, against the curves as drawn. Past the budget, or when no
    pitch fits every note beside its node, the widest pitch is kept and the notes without
    room there go farther out, with a leader line.
    """
    base = scene.theme.pitch
    if grid.method == "layered":  # room between the columns for the edges' S-curves
        base = (max(base[0], min_pitch(scene.nodes, _arrow(scene))), base[1])
    tries = sorted(((i, j) for i in range(12) for j in range(12)), key=lambda p: (sum(p), p))
    budget = max(6, PLACE_BUDGET // max(1, len(scene.notes)))
    shapes: dict[tuple[tuple[int, int], bool], tuple] = {}
    fits: dict[tuple[tuple[int, int], bool], tuple[Note, ...] | None] = {}

    def shaped(spot: tuple[int, int], drawn: bool = False) -> tuple:
        """(pitch, nodes, edges) at one pitch; drawn: the edges' curves, else a sketch."""
        if (spot, drawn) not in shapes:
            pitch = _pitch(base, spot)
            nodes = shaped(spot)[1] if drawn else _pinned(scene, grid, pitch)
            shapes[spot, drawn] = pitch, nodes, _routed(scene, grid, pitch, nodes, drawn)
        return shapes[spot, drawn]

    def fit(spot: tuple[int, int], drawn: bool = False) -> tuple[Note, ...] | None:
        if (spot, drawn) not in fits:
            _, nodes, edges = shaped(spot, drawn)
            if drawn and edges == shaped(spot)[2]:  # nothing routed or bent: as sketched
                fits[spot, drawn] = fit(spot)
            else:
                fits[spot, drawn] = _place_notes(replace(scene, edges=edges), nodes)
        return fits[spot, drawn]

    # When the narrowest pitch fails, the widest is tried: failing too, nothing will fit.
    widest = tries[-1]
    if fit(tries[0]) is None and fit(widest) is None:
        tries = [widest]
    for spot in tries[:budget]:
        if fit(spot) is not None and fit(spot, drawn=True) is not None:
            pitch, nodes, edges = shaped(spot, drawn=True)
            notes = fit(spot, drawn=True)
            break
    else:  # no pitch has room beside every node (a dense graph): the widest tried, with
        # the notes that find no room beside their node set off with a leader line
        pitch, nodes, edges = shaped(widest, drawn=True)
        notes = _place_notes(replace(scene, edges=edges), nodes, strict=False)
    placed = replace(scene, nodes=nodes, edges=edges, notes=notes, pitch=pitch, grid=grid)
    return replace(placed, legend=_place_legend(placed)) if scene.legend else placed


def _pitch(base: tuple[float, float], step: tuple[int, int]) -> tuple[float, float]:
    return base[0] + 4 * step[0], base[1] + 4 * step[1]


def _arrow(scene: Scene) -> float:
    return 10 * scene.theme.arrowsize  # the arrowhead's length in pt, as dot.py draws it


def _routed(scene: Scene, grid: Layout, pitch: tuple[float, float], nodes: tuple[Node, ...],
            drawn: bool = True) -> tuple[Edge, ...]:
    """The edges as drawn at this pitch: each routed one with its waypoints in pt and its
    curve (the layered drawing's own, level across the columns: figure/level.py, kept
    unless it enters a node; else a smooth one through the waypoints), tightened or bent
    where it would come within 1.5 pt of a node (figure/curves.py); when Graphviz draws
    the others straight (past SPLINE_LIMIT nodes), a straight one through a node bent
    around it too. drawn False: a sketch, quicker (no
    curve checked or made but the layered drawing's)."""
    def pt(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] - 1) * pitch[0], p[1] * pitch[1]

    level = (level_splines(grid.routes, nodes, pitch, _arrow(scene))
             if grid.method == "layered" else {})
    if not drawn:
        return tuple(replace(e, spline=level[(e.src, e.dst)]) if (e.src, e.dst) in level
                     else replace(e, points=tuple(pt(p) for p in grid.routes[(e.src, e.dst)]))
                     if (e.src, e.dst) in grid.routes else e for e in scene.edges)
    by_id, index = {n.id: n for n in nodes}, NodeIndex(nodes)
    arrow, straight = _arrow(scene), len(nodes) > SPLINE_LIMIT
    out = []
    for e in scene.edges:
        key, src, dst = (e.src, e.dst), by_id[e.src], by_id[e.dst]
        if key in level and not curve_grazes(level[key], index, key, margin=0.0):
            e = replace(e, spline=level[key])
        elif key in grid.routes:
            points = tuple(pt(p) for p in grid.routes[key])
            e = replace(e, points=points, spline=clear_curve(points, src, dst, arrow, index))
        elif straight and not _neighbours(src, dst):
            curve = straight_curve(src, dst, arrow, index)
            e = e if curve is None else replace(e, spline=curve)
        out.append(e)
    return tuple(out)


def _neighbours(a: Node, b: Node) -> bool:
    """Cells at most one apart (or one node): a straight edge between them passes 28 pt or
    more from any other cell's centre at the narrowest pitch, clear of every node."""
    return a.cell is not None and b.cell is not None and max(
        abs(a.cell[0] - b.cell[0]), abs(a.cell[1] - b.cell[1])) <= 1


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
        if e.spline:  # tip, then Bézier control points: 8 chords a curved piece
            out += _chords(e.spline)
        elif e.points:
            out += [(*a, *b) for a, b in itertools.pairwise(e.points)]
        else:
            out.append((by_id[e.src].x, by_id[e.src].y, by_id[e.dst].x, by_id[e.dst].y))
    return out


def _chords(curve: Sequence[tuple[float, float]]) -> list[Segment]:
    """A drawn curve (tip first) as segments, then the arrowhead's: each piece in as many
    chords (1 to 8) as keep them within about 0.2 pt of it (a piece strays from its chord
    by at most 3/4 of its control points' distance from it, and n chords cut that n² times)."""
    ctrl, out = curve[1:], []
    for i in range(0, len(ctrl) - 3, 3):
        p0, p1, p2, p3 = ctrl[i:i + 4]
        bulge = 0.75 * max(_off_line(p1, p0, p3), _off_line(p2, p0, p3))
        steps = min(8, math.ceil(math.sqrt(bulge / 0.2))) if bulge > 0.2 else 1
        pts = bezier_points(ctrl[i:i + 4], steps) if steps > 1 else [p0, p3]
        out += [(*a, *b) for a, b in itertools.pairwise(pts)]
    return [*out, (*ctrl[-1], *curve[0])]


def _off_line(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """How far p lies from the line through a and b (from a, when they coincide)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    size = math.hypot(dx, dy)
    if size < 1e-9:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    return abs(dx * (p[1] - a[1]) - dy * (p[0] - a[0])) / size


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
    """Each note at its first free spot beside its node; strict: None when one has none at
    this pitch, else those go farther out with a leader line (figure/leaders.py), after all
    the others.

    Free: the note's box (1 pt around the text) meets no node box (0.5 pt around the
    node), no note placed before it and no edge, an edge taken as its drawn curve, or as
    the straight segment between node centres. Text thus keeps 1.5 pt from nodes and 2 pt
    from other text: Graphviz's spline router gives up (and draws every edge straight) when
    nodes touch, its esep margins included.
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
    out: list[Note | None] = []
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
            out.append(None)
    spokes = _spokes(scene, by_id) if None in out else {}
    for i, note in enumerate(scene.notes):
        if out[i] is None:
            found = far_spot(note, by_id[note.node], index, spokes.get(note.node, ()))
            out[i] = found[0] if found else at(note, by_id[note.node], (0, -1))
            if found:
                index.add_box(found[1])
                index.add_segment(found[0].leader)
    return tuple(out)


def _spokes(scene: Scene, by_id: dict[str, Node]) -> dict[str, list[tuple[float, float]]]:
    """For each node, the directions its edges leave it in (toward the first waypoint or
    control point past its outline, or the other end)."""
    out: dict[str, list[tuple[float, float]]] = {}
    for e in scene.edges:
        a, b = by_id[e.src], by_id[e.dst]
        if e.spline:  # tip, start, control points ..., end
            first, last = e.spline[2], e.spline[-2]
        elif e.points:
            first, last = e.points[1], e.points[-2]
        else:
            first, last = (b.x, b.y), (a.x, a.y)
        out.setdefault(a.id, []).append((first[0] - a.x, first[1] - a.y))
        out.setdefault(b.id, []).append((last[0] - b.x, last[1] - b.y))
    return out


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

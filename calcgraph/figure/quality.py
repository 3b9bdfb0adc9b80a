"""How clean a figure is, counted in its SVG: edge crossings, edges through nodes, note
collisions and the canvas size (docs/layout.md, "Measuring a figure")."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass

from calcgraph.figure.buckets import cuts, overlap
from calcgraph.figure.metrics import text_width
from calcgraph.figure.notes import bezier_points

SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
Point = tuple[float, float]
Box = tuple[float, float, float, float]
INSET = 1.0  # pt: an edge must enter a node this deep to count (not just graze its outline)


@dataclass(frozen=True)
class Quality:
    """Counts for one figure; 0 is the goal for all but the canvas."""

    crossings: int  # pairs of edge pieces that cross (edges sharing a node excepted)
    through: int  # (edge, node) pairs where the edge passes through a node not its end
    collisions: int  # note lines (and leader lines) touching a node, an edge or another note
    width: float  # canvas, pt
    height: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class _Shape:
    name: str
    box: Box
    circle: bool


def measure_svg(svg: bytes | str) -> Quality:
    """Count crossings, edges through nodes and note collisions in a Graphviz SVG."""
    root = ET.fromstring(svg)
    shapes, notes, edges = _read(root)
    leaders = [(ends, line) for ends, line in edges if ends[2]]
    edges = [(ends[:2], line) for ends, line in edges if not ends[2]]
    crossings = _crossings(edges)
    through = sum(1 for (src, dst), line in edges for s in shapes
                  if s.name not in (src, dst) and _enters(line, s))
    collisions = _collisions(notes, shapes, edges) + _leader_collisions(
        leaders, notes, shapes, edges)
    width, height = (float(_NUMBER.match(root.get(k, "0")).group()) for k in ("width", "height"))
    return Quality(crossings, through, collisions, width, height)


def _read(root: ET.Element) -> tuple[list[_Shape], list[tuple[str, Box]], list]:
    """Node shapes, note text boxes (keyed by the note they belong to) and edge polylines."""
    shapes, notes, edges = [], [], []
    for g in root.iter(SVG + "g"):
        cls = g.get("class", "").split()
        title = g.findtext(SVG + "title") or ""
        if cls[:1] == ["edge"]:  # a graph edge, or a note's leader line (src, note, True)
            src, _, dst = title.replace("&#45;&gt;", "->").partition("->")
            path = g.find(SVG + "path")
            if path is not None:
                edges.append(((src, dst, "leader" in cls), _bezier(path.get("d", ""))))
        elif cls[:1] == ["node"] and "note" in cls:
            key = title.rsplit("_", 1)[0]  # the lines of one note: _note3_0, _note3_1
            notes += [(key, _text_box(t)) for t in g.iter(SVG + "text")]
        elif cls[:1] == ["node"] and "legend" not in cls:
            shape = _shape(g, title)
            if shape is not None:
                shapes.append(shape)
                for t in g.findall(SVG + "text"):  # xlabels: beside the node, not inside
                    notes.append((title, _text_box(t)))
    return shapes, notes, edges


def _shape(g: ET.Element, title: str) -> _Shape | None:
    ellipse, polygon = g.find(f".//{SVG}ellipse"), g.find(f".//{SVG}polygon")
    if ellipse is not None:
        cx, cy, rx, ry = (float(ellipse.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return _Shape(title, (cx - rx, cy - ry, cx + rx, cy + ry), True)
    if polygon is not None:
        xs = [float(v) for v in _NUMBER.findall(polygon.get("points", ""))]
        return _Shape(title, (min(xs[0::2]), min(xs[1::2]), max(xs[0::2]), max(xs[1::2])), False)
    return None


def _text_box(t: ET.Element) -> Box:
    """Where the viewer draws the glyphs: text_width() wide, 0.7 em over the baseline to
    0.25 em under it (the metrics the notes are placed with)."""
    size = float(t.get("font-size", "9"))
    text = "".join(t.itertext())
    w, x, y = text_width(text, size), float(t.get("x", "0")), float(t.get("y", "0"))
    left = {"start": x, "end": x - w}.get(t.get("text-anchor", "middle"), x - w / 2)
    return (left, y - 0.7 * size, left + w, y + 0.25 * size)


def _bezier(d: str) -> list[Point]:
    """Points along a Graphviz path 'M x,y C x,y x,y x,y ...' (10 per cubic piece)."""
    nums = [float(v) for v in _NUMBER.findall(d)]
    return bezier_points(list(zip(nums[0::2], nums[1::2])), steps=10)


def _bound(line: list[Point]) -> Box:
    xs, ys = [p[0] for p in line], [p[1] for p in line]
    return (min(xs), min(ys), max(xs), max(ys))


def _pieces(line: list[Point]) -> list[tuple[Point, Point]]:
    return list(itertools.pairwise(line))


def _crossings(edges: list) -> int:
    """Proper crossings between edges with no node in common (each crossing point once)."""
    items = [(ends, _bound(line), _pieces(line)) for ends, line in edges]
    items.sort(key=lambda it: it[1][0])
    count = 0
    for i, (ends, bound, pieces) in enumerate(items):
        for other, obound, opieces in items[i + 1:]:
            if obound[0] > bound[2]:
                break  # sorted by left edge: nothing further right can meet this one
            if set(ends) & set(other) or not overlap(bound, obound):
                continue
            count += sum(_proper(p, q, r, s) for p, q in pieces for r, s in opieces)
    return count


def _proper(p: Point, q: Point, r: Point, s: Point) -> bool:
    def side(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0


def _enters(line: list[Point], shape: _Shape) -> bool:
    """Does the polyline go INSET pt or more into the node's box or circle?"""
    x0, y0, x1, y1 = shape.box
    inner = (x0 + INSET, y0 + INSET, x1 - INSET, y1 - INSET)
    if not overlap(_bound(line), inner):
        return False
    if not shape.circle:
        return any(cuts(inner, (*a, *b)) for a, b in _pieces(line))
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 - INSET
    return any(_distance((cx, cy), a, b) < r for a, b in _pieces(line))


def _distance(c: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((c[0] - a[0]) * dx + (c[1] - a[1]) * dy) / (dx * dx + dy * dy or 1)))
    return math.hypot(a[0] + t * dx - c[0], a[1] + t * dy - c[1])


def _collisions(notes: list[tuple[str, Box]], shapes: list[_Shape], edges: list) -> int:
    """Note lines that touch a node box, an edge, or a line of another note."""
    lines = [(ends, _bound(line), _pieces(line)) for ends, line in edges]
    count = 0
    for i, (key, b) in enumerate(notes):
        hit = any(overlap(b, s.box) for s in shapes)
        hit = hit or any(k != key and overlap(b, o) for k, o in notes[:i] + notes[i + 1:])
        hit = hit or any(overlap(b, bound) and any(cuts(b, (*p, *q)) for p, q in pieces)
                         for _, bound, pieces in lines)
        count += hit
    return count


def _leader_collisions(leaders: list, notes: list[tuple[str, Box]], shapes: list[_Shape],
                       edges: list) -> int:
    """Leader lines (a set-off note's line to its node) that touch a node other than their
    own, an edge, a line of another note or another leader."""
    count = 0
    for i, ((node, line_id, _), line) in enumerate(leaders):
        key, pieces, bound = line_id.rsplit("_", 1)[0], _pieces(line), _bound(line)
        hit = any(s.name != node and overlap(bound, s.box) and any(
            cuts(s.box, (*p, *q)) for p, q in pieces) for s in shapes)
        hit = hit or any(k != key and overlap(bound, b) and any(
            cuts(b, (*p, *q)) for p, q in pieces) for k, b in notes)
        others = [other for _, other in edges] + [o for j, (_, o) in enumerate(leaders) if j != i]
        hit = hit or any(_meets(pieces, bound, other) for other in others)
        count += hit
    return count


def _meets(pieces: list[tuple[Point, Point]], bound: Box, other: list[Point]) -> bool:
    """Does a polyline (its pieces and bounding box) properly cross another?"""
    return overlap(bound, _bound(other)) and any(
        _proper(p, q, r, t) for p, q in pieces for r, t in _pieces(other))

"""Annotations: what each one says, how wide its text is, and where it goes beside its node.

Pure functions over plain data and the scene's dataclasses (calcgraph.figure.scene); the rules
are in docs/render.md ("Annotations").
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from calcgraph.figure import fonts
from calcgraph.options import WITH_GRADS, WITH_SHAPES, WITH_VALUES
from calcgraph.text.summary import fmt_shape, number, summarize

if TYPE_CHECKING:
    from calcgraph.figure.elements import Edge, Key, Node, Note, Scene
    from calcgraph.figure.layout import Layout

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1
GAP = 2.0  # pt between a node and its annotation
EDGE_GAP = 4.0  # pt between an edge leaving a node vertically and the text beside it
LINE = 1.2  # line height, in font sizes (Graphviz's own line spacing)
# Where an annotation may go, in order: under the node, under to the right or left (clear of
# a vertical edge), over it, over to the right or left, then beside it.
PLACE_BUDGET = 20_000  # note placements tried while looking for a pitch where all fit
SPOTS = ((0, -1), (1, -1), (-1, -1), (0, 1), (1, 1), (-1, 1), (1, 0), (-1, 0))

# ---------------------------------------------------------------- text widths

# Advance widths in 1/1000 em of Times-Roman, which the bundled Liberation Serif matches
# glyph for glyph (calcgraph/fonts; browsers use Times or a metric twin), for ' ' to '~'.
_ASCII = (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
)
_OTHER = {"μ": 536, "σ": 539, "∂": 494, "−": 564, "×": 564, "·": 333, "–": 500, "—": 1000,
          "…": 1000, "′": 219}


def is_wide(c: str) -> bool:
    """Whether `c` is drawn a full em wide: CJK ideographs, kana, Hangul, fullwidth forms
    (Unicode's East Asian Wide and Fullwidth, as every CJK font draws them)."""
    return unicodedata.east_asian_width(c) in ("W", "F")


def _char_width(c: str) -> float:
    """One character's width in em: Times' (= Liberation Serif's) table for the annotation
    alphabet, else the bundled font that draws it, else generous; 1 em for wide characters."""
    if is_wide(c):
        return 1.0
    code = ord(c)
    if 32 <= code < 127:
        return _ASCII[code - 32] / 1000
    if c in _OTHER:
        return _OTHER[c] / 1000
    drawn = fonts.advance(c)  # the bundled font that draws it (fonts.py)
    if drawn is not None:
        return drawn
    if 0x3B1 <= code <= 0x3C9:  # lowercase Greek: at most ω's 0.658
        return 0.66
    if 0x391 <= code <= 0x3A9:  # capital Greek: at most Μ's 0.889
        return 0.9
    if 0x2070 <= code <= 0x209F or c in "¹²³":  # super- and subscripts: at most 0.401
        return 0.41
    return 1.0 if code > 0x2E7F else 0.75  # CJK and the like: 1 em; anything else: generous


def text_width(text: str, size: float) -> float:
    """Width in pt of `text` set in Times at `size` pt, as the SVG viewer draws it.

    Graphviz's own estimate (which varies with the renderer) never places the text:
    every annotation line is centred on a point computed from this width (dot.py).
    """
    return sum(_char_width(c) for c in text) * size


# ---------------------------------------------------------------- what a note says


def record(n: Mapping[str, Any], annotate: str) -> str | None:
    """micrograd's record for a scalar variable, `data −4 | grad 46`, when values are asked
    for; 5 significant digits, like every other number in a figure (J = 1.0025).

    >>> record({"shape": [], "value": -4.0, "grad": 46.0}, "values")
    'data −4 | grad 46'
    >>> record({"shape": [], "value": 0.7310585786, "grad": None}, "all")
    'data 0.73106'
    """
    if annotate not in WITH_VALUES or n.get("shape") or n.get("value") is None:
        return None
    text = f"data {number(n['value'])}"
    return text if n.get("grad") is None else f"{text} | grad {number(n['grad'])}"


def constant_line(n: Mapping[str, Any], constants: Mapping[str, Mapping[str, Any]],
                  annotate: str) -> str | None:
    """An operator's constants, `λ = 0.1` or `c = 2`, when values are asked for: the circle
    shows only the op's symbol, and 2 · x would otherwise read as an unexplained ·."""
    params = n.get("params") or {}
    if annotate not in WITH_VALUES or not params:
        return None
    parts = []
    for key, p in params.items():
        if isinstance(p, str) and p in constants:
            parts.append(f"{constants[p]['label_text']} = {number(constants[p]['value'])}")
        else:
            parts.append(f"{key} = {number(p)}")
    return ", ".join(parts)


def gets_grad(data: Mapping[str, Any]) -> set[str]:
    """Variables that get ∂J in a backward pass: parameters and what depends on them."""
    nodes = {n["id"]: n for n in data["nodes"]}
    out = {k for k, n in nodes.items() if n.get("role") == "param"}
    for n in data["nodes"]:
        if n["kind"] == "operator" and any(i in out for i in n["inputs"]):
            out.add(n["output"])
    return out - {data.get("objective")}


def note_lines(n: Mapping[str, Any], annotate: str, obj: str,
               grad: bool) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Shape, value, gradient shape, gradient (as many as `annotate` asks for), and which
    lines are faint.

    A scalar's shape () is left out: its italic letter already says it. A variable that
    backward does not reach (an input, a label, what depends on those alone) still has a
    gradient shape, written faint; a class index (an integer) has no gradient at all.
    """
    if n.get("members"):  # one box for several parameters: their lines side by side
        return _joined([note_lines(m, annotate, obj, grad) for m in n["members"]], obj)
    shapes, values = annotate in WITH_SHAPES, annotate in WITH_VALUES
    grads = annotate in WITH_GRADS
    lines, faint = [], []
    if (shapes or values) and n["shape"]:
        lines.append(fmt_shape(n["shape"]))
    if values and n.get("value") is not None:
        lines.append(summarize(n["value"]))
    real = not str(n.get("dtype", "float")).startswith(("int", "uint", "bool"))
    if (shapes or grads) and n["grad_shape"] and (grad or (real and n.get("role") != "objective")):
        if not grad:
            faint.append(len(lines))
        lines.append(f"∂{obj}: {fmt_shape(n['grad_shape'])}")
    if grad and grads and n.get("grad") is not None:
        value = summarize(n["grad"])
        lines.append(value if n["grad_shape"] else f"∂{obj}: {value}")
    return tuple(lines), tuple(faint)


def _joined(parts: list[tuple[tuple[str, ...], tuple[int, ...]]],
            obj: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Members' note lines joined line by line: '(5, 4), (5, 5)', '∂L: (5, 4), (5, 5)'."""
    lines = []
    for i, first in enumerate(parts[0][0]):
        rest = [p[0][i].removeprefix(f"∂{obj}: ") for p in parts[1:] if i < len(p[0])]
        lines.append(", ".join([first, *rest]))
    return tuple(lines), parts[0][1]


# ---------------------------------------------------------------- where a note goes


def place(scene: Scene, grid: Layout) -> Scene:
    """Pin nodes to the grid and annotations beside them, widening the pitch only as needed.

    Pitches are tried from the narrowest, within a work budget (a pass costs one try per
    note); past it, or when nothing fits, every note goes under its node.
    """
    base = scene.theme.pitch
    tries = sorted(((i, j) for i in range(12) for j in range(12)), key=lambda p: (sum(p), p))
    budget = max(6, PLACE_BUDGET // max(1, len(scene.notes)))
    done: dict[tuple[int, int], tuple] = {}

    def attempt(spot: tuple[int, int]) -> tuple:
        if spot not in done:
            pitch = _pitch(base, spot)
            nodes, edges = _pinned(scene, grid, pitch), _routed(scene, grid, pitch)
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


def _routed(scene: Scene, grid: Layout, pitch: tuple[float, float]) -> tuple[Edge, ...]:
    """The edges, each routed one with its waypoints in pt at this pitch."""
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
        index.add_box(box(n.x, n.y, n.width, n.height, 0.5))
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
                 + [n.y - n.height / 2 for n in scene.notes if n.y is not None])
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

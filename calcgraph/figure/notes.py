"""Annotations: what each one says, how wide its text is, and where it goes beside its node.

Pure functions over plain data and the scene's dataclasses (calcgraph.figure.scene); the rules
are in docs/render.md ("Annotations").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from calcgraph.figure.buckets import Buckets
from calcgraph.text.formulas import fmt_shape
from calcgraph.text.summary import number, summarize

if TYPE_CHECKING:
    from calcgraph.figure.elements import Key, Node, Note, Scene
    from calcgraph.figure.layout import Layout

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1
GAP = 2.0  # pt between a node and its annotation
EDGE_GAP = 4.0  # pt between an edge leaving a node vertically and the text beside it
LINE = 1.2  # line height, in font sizes (Graphviz's own line spacing)
# Where an annotation may go, in order: under the node, under to the right or left (clear of
# a vertical edge), over it, over to the right or left, then beside it.
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
    """One character's width in em: exact for the annotation alphabet, generous otherwise."""
    if is_wide(c):
        return 1.0
    code = ord(c)
    if 32 <= code < 127:
        return _ASCII[code - 32] / 1000
    if c in _OTHER:
        return _OTHER[c] / 1000
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
    if annotate not in ("values", "all") or n.get("shape") or n.get("value") is None:
        return None
    text = f"data {number(n['value'])}"
    return text if n.get("grad") is None else f"{text} | grad {number(n['grad'])}"


def constant_line(n: Mapping[str, Any], constants: Mapping[str, Mapping[str, Any]],
                  annotate: str) -> str | None:
    """An operator's constants, `λ = 0.1` or `c = 2`, when values are asked for: the circle
    shows only the op's symbol, and 2 · x would otherwise read as an unexplained ·."""
    params = n.get("params") or {}
    if annotate not in ("values", "all") or not params:
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
    shapes, values = annotate in ("shapes", "all"), annotate in ("values", "all")
    grads = annotate in ("grads", "all")
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


# ---------------------------------------------------------------- where a note goes


def place(scene: Scene, grid: Layout) -> Scene:
    """Pin nodes to the grid and annotations beside them, widening the pitch only as needed."""
    base = scene.theme.pitch
    for i, j in sorted(((i, j) for i in range(12) for j in range(12)), key=lambda p: (sum(p), p)):
        pitch = (base[0] + 4 * i, base[1] + 4 * j)
        nodes = tuple(replace(n, x=(grid.cells[n.id][0] - 1) * pitch[0],
                              y=grid.cells[n.id][1] * pitch[1], cell=grid.cells[n.id])
                      for n in scene.nodes)
        notes = _place_notes(scene, nodes)
        if notes is not None:
            break
    else:  # nothing fits (a very dense graph): put every note under its node
        notes = tuple(at(n, {m.id: m for m in nodes}[n.node], (0, -1)) for n in scene.notes)
    placed = replace(scene, nodes=nodes, notes=notes, pitch=pitch, grid=grid)
    return replace(placed, legend=_place_legend(placed)) if scene.legend else placed


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
    """Every edge as the straight segment between its nodes' centres."""
    by_id = {n.id: n for n in (nodes or scene.nodes)}
    return [(by_id[e.src].x, by_id[e.src].y, by_id[e.dst].x, by_id[e.dst].y)
            for e in scene.edges]


def _place_notes(scene: Scene, nodes: tuple[Node, ...]) -> tuple[Note, ...] | None:
    """Each note at its first free spot, or None when one has none at this pitch.

    Free: the note's box (1 pt around the text) meets no node box (0.5 pt around the
    node), no note placed before it and no edge, an edge taken as the straight segment
    between node centres. Text thus keeps 1.5 pt from nodes and 2 pt from other text:
    Graphviz's spline router gives up (and draws every edge straight) when nodes touch,
    its esep margins included.
    """
    by_id = {n.id: n for n in nodes}
    boxes, segs = Buckets(), Buckets()  # each note meets only what is near it, not all
    for n in nodes:
        b = box(n.x, n.y, n.width, n.height, 0.5)
        boxes.add(b, b)
    for s in segments(scene, nodes):
        bound = (min(s[0], s[2]), min(s[1], s[3]), max(s[0], s[2]), max(s[1], s[3]))
        segs.add(bound, (s, bound))
    out = []
    for note in scene.notes:
        for spot in SPOTS:
            cand = at(note, by_id[note.node], spot)
            b = box(cand.x, cand.y, note.width, note.height)
            if not any(overlap(b, o) for o in boxes.near(b)) and not any(
                    overlap(b, bound) and cuts(b, seg) for seg, bound in segs.near(b)):
                out.append(cand)
                boxes.add(b, b)
                break
        else:
            return None
    return tuple(out)


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

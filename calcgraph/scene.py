"""Every visual decision as plain data: shapes, sizes, colours, label runs, positions in pt, edges."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import UsageError
from .labels import parse
from .layout import Layout, layout

ANNOTATE = ("none", "shapes", "values", "grads", "all")
LAYOUTS = ("d2l", "dot")


@dataclass(frozen=True)
class Theme:
    """The d2l look (reference/README.md): sizes in pt, colours, fonts."""

    var_size: float = 21.0
    op_size: float = 23.0
    pitch: tuple[float, float] = (41.0, 39.0)
    penwidth: float = 1.0
    op_fill: str = "#B2D9FF"
    param_fill: str = "#66BFFF"
    var_fill: str = "white"
    stroke: str = "black"
    font: str = "Times-Roman"
    fontsize: float = 9.0
    symbol_size: float = 12.0  # ×, +, ⊙ … in the circles: a 9 pt × is a speck
    script_size: float = 6.5
    note_size: float = 6.5
    note_color: str = "#555555"
    arrowhead: str = "vee"
    arrowsize: float = 0.5


D2L = Theme()


@dataclass(frozen=True)
class Run:
    """A run of label text with its style; script is '', 'sup' or 'sub'."""

    text: str
    bold: bool = False
    italic: bool = False
    script: str = ""


@dataclass(frozen=True)
class Node:
    """A square (variable) or circle (operator) with its label runs and, once placed, position."""

    id: str
    kind: str  # "variable" | "operator"
    role: str  # input, label, param, intermediate, objective, operator
    shape: str  # "square" | "circle"
    width: float
    height: float
    fill: str
    label: tuple[Run, ...]
    tooltip: str
    fontsize: float = 9.0
    x: float | None = None  # centre in pt, y up; None when Graphviz lays the graph out
    y: float | None = None
    cell: tuple[int, int] | None = None


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str


@dataclass(frozen=True)
class Note:
    """Annotation text beside a node: lines, and the centre of its box in pt (None: beside)."""

    node: str
    lines: tuple[str, ...]
    x: float | None = None
    y: float | None = None
    width: float = 0.0
    height: float = 0.0
    align: str = "center"  # lines centred, or left/right-aligned toward the node


@dataclass(frozen=True)
class Key:
    """One legend entry: a swatch ('variable', 'param', 'operator') or 'text', at x, y (pt)."""

    kind: str
    text: str
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class Scene:
    """The whole figure; positions are None for layout 'dot' (Graphviz places the nodes)."""

    name: str
    layout: str
    theme: Theme
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    notes: tuple[Note, ...] = ()
    legend: tuple[Key, ...] = ()
    pitch: tuple[float, float] = (41.0, 39.0)
    grid: Layout | None = field(default=None, compare=False)


def text_width(text: str, size: float) -> float:
    """Estimated width in pt of Times text, erring wide (Graphviz's own estimate is wider)."""
    narrow, wide = set(" ,.;:'!|()[]ijlrtf1"), set("MWmw∂—")
    em = sum(0.3 if c in narrow else 0.85 if c in wide else 1.0 if ord(c) > 0x2E7F
             else 0.6 if ord(c) > 0x7F else 0.5 for c in text)
    return em * size


def fmt_shape(shape: Any) -> str:
    return str(tuple(int(n) for n in shape))


def _flat(value: Any) -> list[float]:
    """Numbers of a JSON array; 'NaN', 'Inf', '-Inf' (how JSON spells them) as floats."""
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [float(value)]


def _g(x: float, scale: float = 1.0) -> str:
    # Round-off noise (a mean of 1e-19 where the exact answer is 0) prints as 0.
    return ("0" if abs(x) < 1e-12 * max(scale, 1.0) else f"{x:.3g}").replace("-", "−")


def summarize(value: Any) -> str:
    """A short text for an array: the numbers when there are at most 3, else mean and std.

    >>> summarize(0.5), summarize([1, -2.25]), summarize([[1.0, 2.0], [3.0, 4.0]])
    ('0.5', '[1, −2.25]', 'μ 2.5 σ 1.12')
    """
    xs = _flat(value)
    if not isinstance(value, list):
        return _g(xs[0])
    if len(xs) <= 3:
        return "[" + ", ".join(_g(x) for x in xs) + "]"
    mean = sum(xs) / len(xs)
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))
    return f"μ {_g(mean, std)} σ {_g(std)}"


def label_runs(markup: str, *, kind: str, ndim: int) -> tuple[Run, ...]:
    """d2l typography: arrays bold upright, scalars and operator letters italic, scripts small."""
    runs = []
    for part in parse(markup):
        if part.kind == "base":
            letter = part.text.isalpha() and len(part.text) == 1
            bold = kind == "variable" and ndim > 0
            italic = (kind == "variable" and ndim == 0) or (kind == "operator" and letter)
            runs.append(Run(part.text, bold=bold, italic=italic))
        else:  # a script: letters are math variables (W_hx), digits and brackets upright
            runs.append(Run(part.text, italic=part.text.isalpha(), script=part.kind))
    return tuple(runs)


def _gets_grad(data: Mapping[str, Any]) -> set[str]:
    """Variables that get ∂J in a backward pass: parameters and what depends on them."""
    nodes = {n["id"]: n for n in data["nodes"]}
    out = {k for k, n in nodes.items() if n.get("role") == "param"}
    for n in data["nodes"]:
        if n["kind"] == "operator" and any(i in out for i in n["inputs"]):
            out.add(n["output"])
    return out - {data.get("objective")}


def _note_lines(n: Mapping[str, Any], annotate: str, obj: str, grad: bool) -> tuple[str, ...]:
    """Shape, value, gradient shape, gradient: as many as `annotate` asks for.

    A scalar's shape () is left out: its italic letter already says it.
    """
    shapes, values = annotate in ("shapes", "all"), annotate in ("values", "all")
    grads = annotate in ("grads", "all")
    lines = []
    if (shapes or values) and n["shape"]:
        lines.append(fmt_shape(n["shape"]))
    if values and n.get("value") is not None:
        lines.append(summarize(n["value"]))
    if grad and (shapes or grads) and n["grad_shape"]:
        lines.append(f"∂{obj}: {fmt_shape(n['grad_shape'])}")
    if grad and grads and n.get("grad") is not None:
        value = summarize(n["grad"])
        lines.append(value if n["grad_shape"] else f"∂{obj}: {value}")
    return tuple(lines)


def build_scene(data: Mapping[str, Any], *, annotate: str = "shapes", layout_name: str = "d2l",
                legend: bool = False, theme: Theme = D2L) -> Scene:
    """The figure of a graph given as plain data (Graph.to_dict()), ready for dot.to_dot()."""
    if annotate not in ANNOTATE:
        raise UsageError(f"unknown annotate: {annotate!r} (must be one of {list(ANNOTATE)})")
    if layout_name not in LAYOUTS:
        raise UsageError(f"unknown layout: {layout_name!r} (must be one of {list(LAYOUTS)})")
    obj_id = data.get("objective")
    by_id = {n["id"]: n for n in data["nodes"]}
    obj = by_id[obj_id]["label_text"] if obj_id in by_id else "J"
    grads = _gets_grad(data)
    nodes, notes = [], []
    for n in data["nodes"]:
        var = n["kind"] == "variable"
        size = theme.var_size if var else theme.op_size
        role = n.get("role", "intermediate") if var else n.get("op", "operator")
        fill = (theme.op_fill if not var else theme.param_fill if role == "param"
                else theme.var_fill)
        ndim = len(n.get("shape", ()))
        tip = (f"{n['id']}: {role} {fmt_shape(n['shape'])}" if var
               else f"{n['id']}: {n.get('op', '')}({', '.join(n.get('inputs', ()))})")
        runs = label_runs(n["label"], kind=n["kind"], ndim=ndim)
        symbol = not var and len(runs) == 1 and not any(c.isalnum() for c in runs[0].text)
        nodes.append(Node(n["id"], n["kind"], role, "square" if var else "circle", size, size,
                          fill, runs, tip, theme.symbol_size if symbol else theme.fontsize))
        lines = _note_lines(n, annotate, obj, n["id"] in grads) if var else ()
        if lines:
            notes.append(Note(n["id"], lines, width=max(text_width(t, theme.note_size)
                                                        for t in lines),
                              height=len(lines) * theme.note_size * 1.2))
    edges = tuple(Edge(e["src"], e["dst"]) for e in data["edges"])
    keys = _legend(annotate, obj) if legend else ()
    scene = Scene(str(data.get("name", "graph")), layout_name, theme, tuple(nodes), edges,
                  tuple(notes), keys, theme.pitch)
    return scene if layout_name == "dot" else place(scene, layout(data))


def _legend(annotate: str, obj: str) -> tuple[Key, ...]:
    """Swatches for the three kinds of node, then the typography and annotation notes."""
    lines = ["bold: vector or matrix, italic: scalar"]
    if annotate in ("shapes", "all"):
        lines.append(f"(5, 4): value shape, ∂{obj}: (5, 4): gradient shape")
    if annotate in ("values", "grads", "all"):
        lines.append("μ σ: mean and standard deviation of a larger array")
    return (Key("variable", "variable"), Key("param", "parameter"), Key("operator", "operator"),
            Key("text", "\n".join(lines)))


# ---------------------------------------------------------------- positions in pt

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
GAP = 2.0  # pt between a node and its annotation
# Where an annotation may go, in order: under the node, under to the right or left (clear of
# a vertical edge), over it, then beside it.
_SPOTS = ((0, -1), (1, -1), (-1, -1), (0, 1), (1, 1), (-1, 1), (1, 0), (-1, 0))


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
        notes = tuple(_at(n, {m.id: m for m in nodes}[n.node], (0, -1)) for n in scene.notes)
    placed = replace(scene, nodes=nodes, notes=notes, pitch=pitch, grid=grid)
    return replace(placed, legend=_place_legend(placed)) if scene.legend else placed


def _at(note: Note, node: Node, spot: tuple[int, int]) -> Note:
    sx, sy = spot
    x = node.x + sx * (note.width / 2 + 4) if sy else node.x + sx * (node.width / 2 + GAP
                                                                      + note.width / 2)
    y = node.y + sy * (node.height / 2 + GAP + note.height / 2)
    return replace(note, x=x, y=y, align={1: "left", -1: "right"}.get(sx, "center"))


def _box(x: float, y: float, w: float, h: float, pad: float = 1.0) -> Box:
    return (x - w / 2 - pad, y - h / 2 - pad, x + w / 2 + pad, y + h / 2 + pad)


def _place_notes(scene: Scene, nodes: tuple[Node, ...]) -> tuple[Note, ...] | None:
    """Each note at its first free spot, or None when one has none at this pitch."""
    by_id = {n.id: n for n in nodes}
    boxes = [_box(n.x, n.y, n.width, n.height) for n in nodes]
    segs = []
    for e in scene.edges:
        a, b = by_id[e.src], by_id[e.dst]
        segs.append(((a.x, a.y, b.x, b.y), (min(a.x, b.x), min(a.y, b.y), max(a.x, b.x),
                                            max(a.y, b.y))))
    out = []
    for note in scene.notes:
        for spot in _SPOTS:
            cand = _at(note, by_id[note.node], spot)
            box = _box(cand.x, cand.y, note.width, note.height, 0.5)
            if not any(_overlap(box, b) for b in boxes) and not any(
                    _overlap(box, bound) and _cuts(box, seg) for seg, bound in segs):
                out.append(cand)
                boxes.append(box)
                break
        else:
            return None
    return tuple(out)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _cuts(box: Box, seg: tuple[float, float, float, float]) -> bool:
    """Does the segment cross the box? (Liang-Barsky: clip the segment's t range to the box.)"""
    x0, y0, x1, y1 = seg
    lo, hi, dx, dy = 0.0, 1.0, x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
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
            out.append(replace(key, x=left, y=y - 8 - lines * size * 0.6))
        else:
            out.append(replace(key, x=x, y=y))
            x += 14 + text_width(key.text, size) + 10
    return tuple(out)

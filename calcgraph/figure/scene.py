"""Every visual decision as plain data: shapes, sizes, colours, label runs, positions in pt, edges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calcgraph.figure.boxes import merge_boxes
from calcgraph.figure.elements import D2L, Edge, Key, Node, Note, Run, Scene, Theme
from calcgraph.figure.layout import layout
from calcgraph.figure.metrics import LINE, text_width
from calcgraph.figure.notes import place
from calcgraph.figure.notetext import constant_line, gets_grad, note_lines, record
from calcgraph.options import ANNOTATE, LAYOUTS, WITH_NUMBERS, WITH_SHAPES, choose
from calcgraph.text.labels import parse
from calcgraph.text.summary import fmt_shape, summarize

__all__ = ["D2L", "Edge", "Key", "Node", "Note", "Run", "Scene", "Theme",
           "build_scene", "fmt_shape", "label_runs", "summarize", "text_width"]


def _fit(runs: list[Run], size: float, theme: Theme, symbol: bool, var: bool) -> float:
    """The label's font size: a long op name (softmax) shrinks to fit its circle."""
    fontsize = theme.symbol_size if symbol else theme.fontsize
    wide = text_width("".join(r.text for r in runs), fontsize)
    room = 0.85 * size
    return fontsize if var or wide <= room else max(5.0, round(fontsize * room / wide, 1))


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


def build_scene(data: Mapping[str, Any], *, annotate: str = "shapes", layout_name: str = "d2l",
                legend: bool = False, theme: Theme = D2L) -> Scene:
    """The figure of a graph given as plain data (Graph.to_dict()), ready for dot.to_dot()."""
    choose(annotate, ANNOTATE, "annotate")
    choose(layout_name, LAYOUTS, "layout")
    data = merge_boxes(data)
    obj_id = data.get("objective")
    by_id = {n["id"]: n for n in data["nodes"]}
    obj = by_id[obj_id]["label_text"] if obj_id in by_id else "J"
    grads = gets_grad(data)
    constants = {c["name"]: c for c in data.get("constants", ())}
    nodes, notes = [], []
    for n in data["nodes"]:
        var = n["kind"] == "variable"
        size = theme.var_size if var else theme.op_size
        width = max(size, text_width(n["label_text"], theme.fontsize) + 8) if n.get(
            "members") else size  # a box for several parameters fits their labels
        role = n.get("role", "intermediate") if var else n.get("op", "operator")
        fill = (theme.op_fill if not var else theme.param_fill if role == "param"
                else theme.var_fill)
        ndim = len(n.get("shape", ()))
        tip = (f"{n['id']}: {role} {fmt_shape(n['shape'])}" if var
               else f"{n['id']}: {n.get('op', '')}({', '.join(n.get('inputs', ()))})")
        runs = label_runs(n["label"], kind=n["kind"], ndim=ndim)
        symbol = not var and len(runs) == 1 and not any(c.isalnum() for c in runs[0].text)
        nodes.append(Node(n["id"], n["kind"], role, "square" if var else "circle", width, size,
                          fill, runs, tip, _fit(runs, size, theme, symbol, var)))
        boxed = record(n, annotate) if var else None
        if boxed is not None and layout_name != "dot":
            pad = 2 * theme.frame_pad
            notes.append(Note(n["id"], (boxed,), width=text_width(boxed, theme.note_size) + pad,
                              height=theme.note_size * LINE + pad, framed=True))
            continue
        lines, faint = note_lines(n, annotate, obj, n["id"] in grads) if var else ((), ())
        if boxed is not None:
            lines, faint = (boxed,), ()
        if not var and constant_line(n, constants, annotate):
            lines = (constant_line(n, constants, annotate),)
        if lines:
            notes.append(Note(n["id"], lines, width=max(text_width(t, theme.note_size)
                                                        for t in lines),
                              height=len(lines) * theme.note_size * LINE, faint=faint))
    edges = tuple(Edge(e["src"], e["dst"]) for e in data["edges"])
    keys = _legend(annotate, obj, any(n.faint for n in notes),
                   any(n.framed for n in notes), _example_shape(data)) if legend else ()
    scene = Scene(str(data.get("name", "graph")), layout_name, theme, tuple(nodes), edges,
                  tuple(notes), keys, theme.pitch)
    return scene if layout_name == "dot" else place(scene, layout(data))


def _example_shape(data: Mapping[str, Any]) -> str | None:
    """A shape the figure really shows, for the legend: a weight matrix's if any (W⁽¹⁾'s
    (5, 4) in the MLP), else the first with the most axes; None when all are scalars."""
    shown = [n for n in data["nodes"] if n["kind"] == "variable" and n["shape"]]
    best = max(shown, key=lambda n: (len(n["shape"]), n.get("role") == "param"), default=None)
    return fmt_shape(best["shape"]) if best is not None else None


def _legend(annotate: str, obj: str, faint: bool, framed: bool,
            shape: str | None) -> tuple[Key, ...]:
    """Swatches for the three kinds of node, then the typography and annotation notes."""
    lines = ["bold: vector or matrix, italic: scalar"]
    if annotate in WITH_SHAPES and shape is not None:
        lines.append(f"{shape}: value shape, ∂{obj}: {shape}: gradient shape")
    if faint:
        lines.append(f"light grey ∂{obj}: a gradient that backward does not compute")
    if annotate in WITH_NUMBERS:
        lines.append("μ σ: mean and standard deviation of a larger array")
    if framed:
        lines.append(f"data | grad: a scalar's value and its gradient ∂{obj}")
    return (Key("variable", "variable"), Key("param", "parameter"), Key("operator", "operator"),
            Key("text", "\n".join(lines)))

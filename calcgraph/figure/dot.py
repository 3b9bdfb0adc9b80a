"""Scene to DOT text: tiny template functions, and one escape function for every user string."""

from __future__ import annotations

from calcgraph.figure import curves
from calcgraph.figure.grid import SPLINE_LIMIT
from calcgraph.figure.metrics import LINE, text_width
from calcgraph.figure.quoting import (
    attrs,
    dot_id,
    html_label,
    inches,
    lines_string,
    num,
    pinned_pos,
    quote,
)
from calcgraph.figure.scene import Edge, Key, Node, Note, Scene


def node_stmt(n: Node, scene: Scene, extra: str = "") -> str:
    return dot_id(n.id) + attrs(
        shape="box" if n.shape == "square" else "circle", width=inches(n.width),
        height=inches(n.height), style='"filled,dashed"' if n.dashed else "filled", fillcolor=quote(n.fill),
        label=html_label(n.label, scene.theme.script_size), tooltip=quote(n.tooltip),
        fontsize=float(n.fontsize) if n.fontsize != scene.theme.fontsize else None,
        pos=pinned_pos(n.x, n.y), xlabel=extra or None, color=quote(n.outline) if n.outline else None,
        penwidth=float(n.penwidth) if n.penwidth else None,
        **{"class": quote(" ".join(filter(None, (n.kind, n.role, n.mark))))}) + ";"


def edge_stmt(e: Edge, scene: Scene, by_id: dict[str, Node] | None = None) -> str:
    """An edge; a highlighted one is coloured, thicker, and may point back (dir=back); a
    routed one (or one on dot's own curve) carries its curve as pos, unless it points back."""
    t = scene.theme
    pos = None
    if by_id is not None and e.back and e.spline:  # the arrowhead at the source end
        pos = '"s,' + " ".join(f"{num(x)},{num(y)}" for x, y in curves.backward(
            e.spline, 7 * t.arrowsize)) + '"'  # its arrowsize is 0.7 (below)
    elif by_id is not None and not e.back and (e.points or e.spline):
        pos = edge_pos(e.points, by_id[e.src], by_id[e.dst], 10 * t.arrowsize, e.spline)
    return f"{dot_id(e.src)} -> {dot_id(e.dst)}" + attrs(pos=pos,
        color=quote(e.color) if e.color else None,
        penwidth=float(e.penwidth) if e.penwidth else None,
        dir="back" if e.back else None, arrowtail=t.arrowhead if e.back else None,
        arrowsize=0.7 if e.back or e.mark == "step" else None,
        style="dashed" if e.dashed else None,
        **({"class": quote(e.mark)} if e.mark else {})) + ";"


def text_stmts(nid: str, lines: tuple[str, ...], x: float, top: float, align: str, size: float,
               colors: tuple[str, ...], cls: str) -> list[str]:
    """Lines of text, one plaintext node each, as the scene measured them (text_width()).

    x is the left edge (align 'left'), the right edge ('right') or the centre ('center'),
    top the top of the first line. Each line is centred on its own point and its node is
    the measured box (fixedsize=shape): Graphviz's own width estimate, which differs
    between renderers and versions, then moves no text and bends no edge. The boxes are a
    little lower than the font size: nodes touching, with esep and with Graphviz 2.x
    rounding sizes to whole points, make it give up routing and draw every edge straight.
    """
    step, out = size * LINE, []
    for i, line in enumerate(lines):
        w = text_width(line, size)
        cx = x + w / 2 if align == "left" else x - w / 2 if align == "right" else x
        out.append(f"{nid}_{i}" + attrs(
            shape="plaintext", fixedsize="shape", width=inches(w), height=inches(size - 0.5),
            margin="0", fontsize=float(size), fontcolor=quote(colors[i]), label=quote(line),
            pos=pinned_pos(cx, top - (i + 0.5) * step), **{"class": quote(cls)}) + ";")
    return out


def note_stmts(note: Note, nid: str, scene: Scene) -> list[str]:
    t = scene.theme
    anchor = {"left": note.x - note.width / 2, "right": note.x + note.width / 2}.get(
        note.align, note.x)
    override = dict(note.colors)
    colors = tuple(override.get(i, t.faint_color if i in note.faint else t.note_color)
                   for i in range(len(note.lines)))
    if note.framed:  # the record's frame, then its text centred inside
        frame = nid + "f" + attrs(shape="box", fixedsize="true", width=inches(note.width),
                                  height=inches(note.height), label='""', penwidth=0.5,
                                  color=quote(t.note_color), pos=pinned_pos(note.x, note.y),
                                  **{"class": quote("note frame")}) + ";"
        return [frame, *text_stmts(nid, note.lines, note.x, note.y + note.height / 2 -
                                   t.frame_pad, "center", t.note_size, colors, "note"),
                *leader_stmts(note, nid, scene)]
    return text_stmts(nid, note.lines, anchor, note.y + note.height / 2, note.align,
                      t.note_size, colors, "note") + leader_stmts(note, nid, scene)


def leader_stmts(note: Note, nid: str, scene: Scene) -> list[str]:
    """The thin line from a set-off note's node to its first line: a straight curve drawn as
    given, no arrowhead, in the notes' colour; class 'leader' (never an edge of the graph)."""
    if note.leader is None:
        return []
    x0, y0, x1, y1 = note.leader
    pts = [(x0 + (x1 - x0) * k / 3, y0 + (y1 - y0) * k / 3) for k in range(4)]
    pos = '"' + " ".join(f"{num(x)},{num(y)}" for x, y in pts) + '"'
    return [f"{dot_id(note.node)} -> {nid}_0" + attrs(
        pos=pos, dir="none", penwidth=0.5, color=quote(scene.theme.note_color),
        **{"class": quote("leader")}) + ";"]


def key_stmts(key: Key, nid: str, scene: Scene) -> list[str]:
    t = scene.theme
    lines = tuple(key.text.split("\n"))
    colors = (t.stroke,) * len(lines)
    half = len(lines) * t.note_size * LINE / 2
    if key.kind == "text":  # key.x is the left edge of the block, key.y its middle
        return text_stmts(nid, lines, key.x, key.y + half, "left", t.note_size, colors,
                          "legend")
    fill = {"param": t.param_fill, "operator": t.op_fill,
            "gradient": t.grad_fill}.get(key.kind, t.var_fill)
    return [
        f"{nid}s" + attrs(shape="circle" if key.kind == "operator" else "box",
                          width=inches(9), height=inches(9), style="filled",
                          fillcolor=quote(fill), label='""', pos=pinned_pos(key.x, key.y),
                          **{"class": quote("legend")}) + ";",
        *text_stmts(f"{nid}t", lines, key.x + 8, key.y + half, "left", t.note_size, colors,
                    "legend"),
    ]


def edge_pos(points: tuple[tuple[float, float], ...], src: Node, dst: Node,
             arrow: float, spline: tuple[tuple[float, float], ...] = ()) -> str | None:
    """A routed edge as Graphviz's pos: a smooth curve (Catmull-Rom as cubic Béziers) through
    its waypoints, from the source's outline to the arrowhead at the target's; neato -n2
    draws it as given. None for a straight edge (Graphviz draws those).

    spline: the curve already made (tip first): Graphviz's own (layout 'dot'), or the one
    the notes were placed around, tightened where it would graze a node (figure/curves.py).
    """
    if spline:
        return '"e,' + " ".join(f"{num(x)},{num(y)}" for x, y in spline) + '"'
    if not points:
        return None
    return '"e,' + " ".join(f"{num(x)},{num(y)}" for x, y in curves.spline(
        points, src, dst, arrow)) + '"'


def _prefix(scene: Scene) -> str:
    """An ID prefix for notes and legend entries that no graph node name starts with."""
    prefix = "_note"
    while any(n.id.startswith(prefix) for n in scene.nodes):
        prefix = "_" + prefix
    return prefix




def to_dot(scene: Scene) -> str:
    """The whole DOT text of a scene: pinned positions (neato -n2) or, for layout 'dot', none."""
    t = scene.theme
    pinned = all(n.x is not None for n in scene.nodes)  # d2l, or dot's layout read back
    # margin=0: PDF pages otherwise get Graphviz's half-inch paper margin on every side.
    # esep: spline routing needs a margin around nodes smaller than the gap to the notes,
    # or Graphviz falls back to straight edges through nodes.
    # Spline routing around pinned nodes grows steeply with size (system Graphviz 2.43: 1 s at
    # 47 nodes, 5 s at 100, minutes at 1000): past SPLINE_LIMIT nodes, edges are straight.
    curved = not pinned or len(scene.nodes) <= SPLINE_LIMIT or all(e.spline for e in scene.edges)
    graph = attrs(splines="true" if curved else "line", outputorder="edgesfirst", bgcolor="white", pad='"0.1"',
                  margin="0", esep='"+0.5"', rankdir=None if pinned else "LR",
                  # room between ranks and nodes for the notes placed beside them afterwards
                  ranksep=None if pinned else "0.6", nodesep=None if pinned else "0.4",
                  forcelabels=None if pinned else "true")
    lines = [
        f"digraph {dot_id(scene.name)} {{",
        f"graph{graph};",
        "node" + attrs(fontname=quote(t.font), fontsize=float(t.fontsize), fixedsize="true",
                       penwidth=float(t.penwidth), color=quote(t.stroke),
                       fontcolor=quote(t.stroke)) + ";",
        "edge" + attrs(arrowhead=t.arrowhead, arrowsize=float(t.arrowsize),
                       penwidth=float(t.penwidth), color=quote(t.stroke)) + ";",
    ]
    notes = {note.node: note for note in scene.notes}
    for n in scene.nodes:  # without pins Graphviz places each annotation itself (xlabel)
        note = notes.get(n.id) if not pinned else None
        shown = tuple(t for i, t in enumerate(note.lines) if i not in note.faint) if note else ()
        lines.append(node_stmt(n, scene, lines_string(shown) if shown else ""))
    by_id = {n.id: n for n in scene.nodes}
    lines += [edge_stmt(e, scene, by_id) for e in scene.edges]
    prefix = _prefix(scene)
    if not pinned and scene.legend:
        swatch = {"variable": "□ ", "param": "■ ", "operator": "○ "}
        text = "   ".join(swatch.get(k.kind, "") + k.text for k in scene.legend)
        lines.append("graph" + attrs(label=quote(text), labelloc="b",
                                     fontsize=float(t.note_size), fontname=quote(t.font)) + ";")
    if scene.caption:
        lines += caption_stmts(scene, prefix)
    if pinned:
        for i, note in enumerate(scene.notes):
            lines += note_stmts(note, f"{prefix}{i}", scene)
        for i, key in enumerate(scene.legend):
            lines += key_stmts(key, f"{prefix}_key{i}", scene)
    return "\n".join(lines) + "\n}\n"


CAPTION_SPARE = 1.25


def caption_stmts(scene: Scene, prefix: str) -> list[str]:
    """The caption under the figure: pinned lines centred under everything, or the graph label.

    Graphviz's own layout has one graph label (the legend may already use it): the caption
    then goes on top (labelloc t), where it never meets the legend.
    """
    t = scene.theme
    if scene.layout != "d2l":
        return ["graph" + attrs(label=lines_string(scene.caption), labelloc="t",
                                fontsize=float(t.caption_size), fontname=quote(t.font)) + ";"]
    xs = [n.x for n in scene.nodes] or [0.0]
    bottoms = [n.y - n.height / 2 for n in scene.nodes]
    bottoms += [n.y - n.height / 2 for n in scene.notes if n.y is not None]
    bottoms += [k.y - (k.text.count("\n") + 1) * t.note_size * LINE / 2 - 5
                for k in scene.legend if k.y is not None]
    top = min(bottoms, default=0.0) - 6
    colors = (t.note_color,) + (t.stroke,) * (len(scene.caption) - 1)
    cx = (min(xs) + max(xs)) / 2
    out = text_stmts(f"{prefix}_cap", scene.caption, cx, top, "center", t.caption_size, colors,
                     "caption")
    # An empty box as wide as the widest caption (of a whole sweep: frames line up), with a
    # quarter to spare: a line with a glyph Times lacks (⁽²⁾) may be drawn in a wider font.
    room = CAPTION_SPARE * max([scene.caption_room] + [text_width(line, t.caption_size)
                                                       for line in scene.caption])
    if room:
        out.append(f"{prefix}_caproom" + attrs(
            shape="plaintext", fixedsize="shape", width=inches(room),
            height=inches(1.0), margin="0", label='""',
            # 1 pt lower than the last line's foot: with esep's margins they would touch
            # (and Graphviz would give up routing: every edge of the figure straight)
            pos=pinned_pos(cx, top - len(scene.caption) * t.caption_size * LINE - 1)) + ";")
    return out

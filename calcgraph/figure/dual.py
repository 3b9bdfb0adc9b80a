"""The backward (dual) graph: gradients as squares, the operations computing them as circles.

Built from the backward records of the plain JSON document: each vjp step is a circle (the
forward op's symbol with ᵀ, or ⊙ϕ′ for an elementwise function), fed by the gradient of the
output it came back from and by the forward values its numpy line reads; where several paths
meet, a + circle adds them. The layout is the forward rule set run on this graph, then
turned half a turn, so the sweep starts top-right at ∂J/∂J and flows down-left: the mirror
of the forward figure. `both` stacks it above the forward figure, with dashed read-edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from calcgraph.figure.boxes import box_ids
from calcgraph.figure.elements import D2L, Edge, Key, Node, Note, Run, Scene, Theme
from calcgraph.figure.layout import Cell, Layout, layout
from calcgraph.figure.metrics import LINE, text_width
from calcgraph.figure.notes import place
from calcgraph.figure.scene import build_scene, label_runs
from calcgraph.figure.stepped import (
    CAPTION_CHARS,
    EDGE_WIDTH,
    KNOWN_WIDTH,
    STEP_WIDTH,
    check_step,
)
from calcgraph.options import BACKWARD, LAYOUTS, choose
from calcgraph.text.lang import words
from calcgraph.text.steps import caption, known
from calcgraph.text.summary import fmt_shape

DUAL_PITCH = (30.0, 36.0)  # a doubled grid: a forward cell every 60 pt, room between
PAD = 6.0  # pt of room each side of a gradient's label in its box
CAPTION = (("the backward graph: each gradient ∂{j}/∂v in a square, each forward operation "
           "transposed (ᵀ) or differentiated (⊙ϕ′) in a circle,"),
           "+ where paths meet; dashed: the forward values it reads, kept in memory for it")


def gid(v: str) -> str:
    """The node of ∂J/∂v (or of v's backward operation); no forward id starts with ∂."""
    return f"∂{v}"


def sum_id(v: str) -> str:
    return f"∂+{v}"


def dual_data(data: Mapping[str, Any], reads: bool = True) -> dict:
    """The backward graph as plain data: nodes (with the steps each stands for) and edges.

    One circle per forward operator (its VJPs to all its inputs: the transposed operation),
    one square per gradient, a + circle where a variable fed several operators, and, with
    `reads`, the forward values the VJPs read (their forward ids).
    """
    nodes: dict[str, dict] = {}
    edges: list[tuple[str, str]] = []
    by_id = {n["id"]: n for n in data["nodes"]}

    def node(nid: str, kind: str, role: str, of: str, step: int) -> None:
        rec = nodes.setdefault(nid, {"id": nid, "kind": kind, "role": role, "of": of,
                                     "steps": []})
        rec["steps"].append(step)

    for rec in data["backward"]:
        k, v = rec["step"], rec["target"]
        if rec["kind"] == "seed":
            node(gid(v), "variable", "gradient", v, k)
        elif rec["kind"] == "sum":
            node(sum_id(v), "operator", "sum", v, k)
            node(gid(v), "variable", "gradient", v, k)
            edges.append((sum_id(v), gid(v)))
        else:
            op = gid(rec["via"])
            node(op, "operator", "vjp", rec["via"], k)
            edges.append((gid(rec["source"]), op))
            if rec["final"]:
                node(gid(v), "variable", "gradient", v, k)
                edges.append((op, gid(v)))
            else:
                edges.append((op, sum_id(v)))
            for r in rec["touches"]["reads"] if reads else ():
                node(r, "variable", "read", r, k)
                edges.append((r, op))
    for n in nodes.values():
        n["shape"] = by_id[n["of"]].get("grad_shape" if n["role"] == "gradient" else "shape")
    return {"name": f"{data.get('name', 'graph')}_backward", "nodes": list(nodes.values()),
            "edges": [{"src": s, "dst": d} for s, d in dict.fromkeys(edges)]}


def dual_cells(data: Mapping[str, Any], dd: Mapping[str, Any],
               grid: Layout | None = None) -> dict[str, Cell]:
    """Cells on a doubled grid: each gradient and backward operation where its forward node
    is, so the figure reads as the forward one with its arrows reversed; a + circle and each
    read value take the nearest free cell beside the nodes they connect to.
    """
    grid = grid or layout(data)
    boxed = box_ids(data)  # a parameter drawn in a shared box sits where the box does
    cells: dict[str, Cell] = {}
    taken: set[Cell] = set()
    for n in dd["nodes"]:
        if n["role"] in ("gradient", "vjp"):
            c, r = grid.cells[boxed.get(n["of"], n["of"])]
            home = (2 * c, 2 * r)
            # The parameters of one shared box have a gradient each: the second one
            # beside the first, not on it (nodes that touch make Graphviz give up routing).
            cells[n["id"]] = home if home not in taken else _free(home, [home], taken, False)
            taken.add(cells[n["id"]])
    links: dict[str, list[str]] = {}
    for e in dd["edges"]:
        links.setdefault(e["src"], []).append(e["dst"])
        links.setdefault(e["dst"], []).append(e["src"])
    for n in dd["nodes"]:
        if n["id"] in cells:
            continue
        near = [cells[m] for m in links.get(n["id"], []) if m in cells]
        home = near[-1] if n["role"] == "sum" else near[0]  # + beside ∂v; a read by its reader
        cell = _free(home, near, taken, below=n["role"] == "read")
        cells[n["id"]] = cell
        taken.add(cell)
    return cells


def _free(home: Cell, near: list[Cell], taken: set[Cell], below: bool) -> Cell:
    """The free cell around `home` closest to everything in `near`; a read value goes under
    its reader if it can (inputs from below, as leaves come from above in the forward figure).
    """
    ring = [(home[0] + dc, home[1] + dr) for dr in (-1, 0, 1, -2, 2) for dc in (0, -1, 1, -2, 2)]
    free = [c for c in ring if c not in taken]
    return min(free, key=lambda c: ((below and c[1] >= home[1]),
                                    sum(abs(c[0] - x) + abs(c[1] - y) for x, y in near),
                                    ring.index(c)))


def vjp_runs(op: Mapping[str, Any], by_id: Mapping[str, Any]) -> tuple[Run, ...]:
    """The circle of a backward operation: ⊙ϕ′ for an elementwise function, else the op's ᵀ."""
    runs = label_runs(op["label"], kind="operator", ndim=0)
    ins = op.get("inputs", [])
    out = by_id.get(op.get("output"), {})
    if len(ins) == 1 and by_id[ins[0]].get("shape") == out.get("shape"):
        return (Run("⊙"), *runs, Run("′"))
    return (*runs, Run("T", script="sup"))


def _grad_node(nid: str, v: Mapping[str, Any], obj: Mapping[str, Any], theme: Theme) -> Node:
    runs = (Run("∂"), *label_runs(obj["label"], kind="variable", ndim=0), Run("/∂"),
            *label_runs(v["label"], kind="variable", ndim=len(v.get("shape", ()))))
    width = max(theme.var_size, _runs_width(runs, theme) + 2 * PAD)
    tip = f"∂{obj['label_text']}/∂{v['label_text']}: gradient {fmt_shape(v['grad_shape'])}"
    return Node(nid, "variable", "gradient", "square", width, theme.var_size, theme.grad_fill,
                runs, tip)


def _runs_width(runs: tuple[Run, ...], theme: Theme) -> float:
    return sum(text_width(r.text, theme.script_size if r.script else theme.fontsize)
               for r in runs)


def _nodes(dd: Mapping[str, Any], data: Mapping[str, Any], theme: Theme) -> list[Node]:
    by_id = {n["id"]: n for n in data["nodes"]}
    obj = by_id.get(data.get("objective"), {"label": "J", "label_text": "J"})
    steps = {r["step"]: r for r in data["backward"]}
    out = []
    for n in dd["nodes"]:
        recs = [steps[k] for k in n["steps"]]
        if n["role"] == "gradient":
            out.append(_grad_node(n["id"], by_id[n["of"]], obj, theme))
        elif n["kind"] == "operator":
            runs = (Run("+"),) if n["role"] == "sum" else vjp_runs(by_id[n["of"]], by_id)
            tip = "; ".join(r["code"] for r in recs)
            size = theme.symbol_size if len(runs) == 1 else theme.fontsize
            out.append(Node(n["id"], "operator", n["role"], "circle", theme.op_size,
                            theme.op_size, theme.op_fill, runs, tip, size))
        else:  # a forward value a backward operation reads: what memory must keep
            v = by_id[n["of"]]
            fill = theme.param_fill if v.get("role") == "param" else theme.var_fill
            runs = label_runs(v["label"], kind="variable", ndim=len(v["shape"]))
            out.append(Node(v["id"], "variable", "read", "square", theme.var_size,
                            theme.var_size, fill, runs,
                            f"{v['id']}: forward value {fmt_shape(v['shape'])}, kept for backward",
                            outline=theme.read_color, dashed=True, mark="read"))
    return out


def _notes(nodes: list[Node], data: Mapping[str, Any], theme: Theme) -> list[Note]:
    """Each gradient's shape (a scalar's () is left out, as on the forward figure)."""
    by_id = {n["id"]: n for n in data["nodes"]}
    out = []
    for n in nodes:
        shape = by_id[n.id[1:]]["grad_shape"] if n.role == "gradient" else ()
        if shape:
            line = fmt_shape(shape)
            out.append(Note(n.id, (line,), width=text_width(line, theme.note_size),
                            height=theme.note_size * LINE))
    return out


def _objective_text(data: Mapping[str, Any]) -> str:
    return next((n["label_text"] for n in data["nodes"] if n["id"] == data.get("objective")),
                "J")


def _caption(data: Mapping[str, Any]) -> tuple[str, ...]:
    obj = _objective_text(data)
    return tuple(line.replace("{j}", obj) for line in CAPTION)


def _legend(data: Mapping[str, Any], both: bool) -> tuple[Key, ...]:
    """Swatches for the backward graph's squares and circles (and the forward figure's)."""
    obj = _objective_text(data)
    keys = [Key("gradient", f"gradient ∂{obj}/∂v"),
            Key("operator", "backward operation, or + where paths meet")]
    if both:
        keys = [Key("variable", "variable"), Key("param", "parameter"), *keys]
    return (*keys, Key("text", "dashed: a forward value the backward pass reads"))


def _edge(src: str, dst: str, reads: set[str], theme: Theme) -> Edge:
    if src in reads:
        return Edge(src, dst, color=theme.read_color, dashed=True, mark="read")
    return Edge(src, dst)


def dual_scene(data: Mapping[str, Any], mode: str = "only", *, layout_name: str = "d2l",
               legend: bool = False, theme: Theme = D2L) -> Scene:
    """The backward graph (mode 'only'), or the forward graph under it ('both')."""
    choose(mode, BACKWARD, "backward mode")
    choose(layout_name, LAYOUTS, "layout")
    theme = replace(theme, pitch=DUAL_PITCH)
    both = mode == "both"
    dd = dual_data(data)
    nodes = _nodes(dd, data, theme)
    reads = {n.id for n in nodes if n.role == "read"}
    notes = _notes(nodes, data, theme)
    name = dd["name"]
    if both:  # the forward figure itself supplies the values read
        fwd = build_scene(data, annotate="shapes", layout_name="dot", theme=theme)
        nodes = [*fwd.nodes, *(n for n in nodes if n.role != "read")]
        notes = [*fwd.notes, *notes]
        boxed = box_ids(data)  # a value read from a parameter drawn in a shared box
        edges = (*fwd.edges, *(_edge(boxed.get(e["src"], e["src"]), e["dst"], reads, theme)
                               for e in dd["edges"]))
        name = f"{data.get('name', 'graph')}_forward_backward"
    else:
        edges = tuple(_edge(e["src"], e["dst"], reads, theme) for e in dd["edges"])
    keys = _legend(data, both) if legend else ()
    scene = Scene(name, layout_name, theme, tuple(nodes), tuple(edges), tuple(notes), keys,
                  theme.pitch, caption=_caption(data))
    if layout_name == "dot":
        return scene
    grid = layout(data)
    cells = dual_cells(data, dd, grid)
    if both:  # the forward figure on the same doubled grid, the backward one above it
        up = 2 * grid.nrows
        cells = {k: (c, r + up) for k, (c, r) in cells.items() if k.startswith("∂")}
        cells.update({v: (2 * c, 2 * r) for v, (c, r) in grid.cells.items()})
    low = min(c for c, _ in cells.values())
    bottom = min(r for _, r in cells.values())  # read values may hang under row 0
    cells = {k: (c - low + 1, r - bottom) for k, (c, r) in cells.items()}
    return place(scene, Layout(cells, (), tuple((e.src, e.dst) for e in edges)))


def dual_at_step(scene: Scene, data: Mapping[str, Any], k: int, lang: str = "en") -> Scene:
    """The backward graph at step k: gradients known so far outlined, the step's operation,
    the square it computes and the edges into them (the values it reads too) in red."""
    check_step(data, k)
    t = scene.theme
    rec = data["backward"][k - 1] if k else None
    done, partial = known(data["backward"], k)
    hot, path = _hot(data, rec)
    nodes = []
    for n in scene.nodes:
        of = n.id[1:] if n.role == "gradient" else None
        if rec is not None and n.role == "gradient" and of == rec["target"] and rec["final"]:
            n = replace(n, outline=t.accent, penwidth=STEP_WIDTH, mark="step")
        elif n.id in hot:
            n = replace(n, outline=t.accent, penwidth=KNOWN_WIDTH, mark="path")
        elif of in done:
            n = replace(n, outline=t.known_color, penwidth=KNOWN_WIDTH, mark="known")
        elif of in partial:
            n = replace(n, outline=t.known_color, penwidth=KNOWN_WIDTH, dashed=True,
                        mark="partial")
        nodes.append(n)
    edges = tuple(replace(e, color=t.accent, penwidth=EDGE_WIDTH, mark="step")
                  if (e.src, e.dst) in path else e for e in scene.edges)
    head, through, math = caption(data, k, lang)
    if through and len(head) + len(through) <= CAPTION_CHARS:
        head += words(lang)["s.sep"] + through
    return replace(scene, nodes=tuple(nodes), edges=edges, caption=(head, math))


def _hot(data: Mapping[str, Any], rec: Mapping[str, Any] | None) -> tuple[set, set]:
    """The circles and the edges step rec runs along in the backward graph."""
    if rec is None or rec["kind"] == "seed":
        return set(), set()
    v = rec["target"]
    if rec["kind"] == "sum":
        vias = [data["backward"][t - 1]["via"] for t in rec["terms"]]
        return {sum_id(v)}, {(gid(op), sum_id(v)) for op in vias} | {(sum_id(v), gid(v))}
    op = gid(rec["via"])
    out = gid(v) if rec["final"] else sum_id(v)
    edges = {(gid(rec["source"]), op), (op, out)}
    edges |= {(r, op) for r in rec["touches"]["reads"]}
    return {op}, edges

"""The glue behind `calcgraph render` and Graph.to_dot/render/_repr_svg_: graph → scene → DOT → file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from calcgraph.figure import dot, dotplace
from calcgraph.figure.fonts import embed as embed_fonts
from calcgraph.figure.scene import build_scene
from calcgraph.graphviz import run as render
from calcgraph.options import ANNOTATE, LAYOUTS, RENDERERS, choose

# The public calcgraph.Graph, duck-typed (name, backward(), to_dict(), to_json()): the figure
# reads the plain JSON document, so it never imports the graph or the engine.
Graph = Any


def graph_data(graph: Graph | Mapping[str, Any], annotate: str = "shapes") -> Mapping[str, Any]:
    """The plain data the scene reads, after the passes the annotations need."""
    if isinstance(graph, Mapping):
        return graph
    choose(annotate, ANNOTATE, "annotate")
    # values too, when it can: a scalar's record shows its gradient beside its value
    if annotate in ("grads", "all") or (annotate == "values" and
                                        getattr(graph, "objective", None) is not None):
        graph.backward()
    elif annotate == "values":
        graph.forward()
    return graph.to_dict(values=annotate in ("values", "grads", "all"))


def to_dot(graph: Graph | Mapping[str, Any], *, annotate: str = "shapes", layout: str = "d2l",
           legend: bool = False) -> str:
    """The figure as DOT text with pinned positions (neato -n2): the d2l grid, or where
    Graphviz's dot puts the nodes (layout='dot'; without a Graphviz to ask, no positions)."""
    return _dot(graph, annotate, layout, legend)[0]


def _dot(graph: Graph | Mapping[str, Any], annotate: str, layout: str,
         legend: bool) -> tuple[str, bool]:
    """(DOT text, pinned?)."""
    data = graph_data(graph, annotate)
    scene = build_scene(data, annotate=annotate, layout_name=layout, legend=legend)
    if layout == "dot":
        scene = dotplace.attach(scene)
    return dot.to_dot(scene), all(n.x is not None for n in scene.nodes)


def default_path(graph: Graph | Mapping[str, Any], fmt: str | None = None) -> str:
    """`<graph name>.svg` (or .fmt) in the current folder, the name made file-safe."""
    name = graph["name"] if isinstance(graph, Mapping) else graph.name
    safe = re.sub(r"[^\w.-]+", "_", str(name)).strip("._") or "graph"
    return f"{safe}.{(fmt or 'svg').lower()}"


def render_graph(graph: Graph, path: str | None = None, fmt: str | None = None, *,
                 annotate: str = "shapes", renderer: str = "auto", layout: str = "d2l",
                 dpi: float | None = None, scale: float | None = None, legend: bool = False,
                 fonts: tuple[str, ...] = (), strict: bool = False) -> tuple[str, str | None]:
    """Write the figure ('-': stdout); returns (path, 'system' | 'embedded', or None for
    dot/json). PNG density: `dpi` (default 300) or `scale` pixels per point; `fonts` adds font
    files; `strict` makes a character no font has an error instead of a warning."""
    choose(layout, LAYOUTS, "layout")
    choose(renderer, RENDERERS, "renderer")
    path = path or default_path(graph, fmt)
    kind = render.format_from_path(path, fmt)
    if kind == "json":
        graph.backward()  # so that values and gradients are in the file
        render.write_output(path, graph.to_json().encode("utf-8"))
        return path, None
    source, pinned = _dot(graph, annotate, layout, legend)
    if kind == "dot":
        render.write_output(path, source.encode("utf-8"))
        return path, None
    used = render.render_to_file(source, path, kind, renderer=renderer, dpi=dpi, scale=scale,
                                 fonts=fonts, strict=strict, pinned=pinned,
                                 engine="neato" if pinned else "dot", svg_filter=_embed)
    return path, used


def svg_text(graph: Graph | Mapping[str, Any], **options: Any) -> str:
    """The figure as SVG text, for Jupyter; works without a system Graphviz."""
    source, pinned = _dot(graph, options.get("annotate", "shapes"),
                          options.get("layout", "d2l"), options.get("legend", False))
    svg = render.render(source, "svg", renderer="auto", pinned=pinned,
                        engine="neato" if pinned else "dot")
    return embed_fonts(svg.decode("utf-8"))


def _embed(svg: bytes) -> bytes:
    """The glyphs the SVG uses, embedded: the same look in every viewer (fonts.py)."""
    return embed_fonts(svg.decode("utf-8")).encode("utf-8")



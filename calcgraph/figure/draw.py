"""The glue behind `calcgraph render` and Graph.to_dot/render/_repr_svg_: graph → scene → DOT → file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from calcgraph.errors import UsageError
from calcgraph.figure import dot, dotplace
from calcgraph.figure.fonts import embed as embed_fonts
from calcgraph.figure.scene import build_scene
from calcgraph.figure.stepped import STEP_ANNOTATE, at_step
from calcgraph.graphviz import run as render
from calcgraph.options import (
    ANNOTATE,
    LAYOUTS,
    RENDER_FORMATS,
    RENDERERS,
    WITH_GRADS,
    WITH_NUMBERS,
    choose,
)

# The public calcgraph.Graph, duck-typed (name, backward(), to_dict(), to_json()): the figure
# reads the plain JSON document, so it never imports the graph or the engine.
Graph = Any


def graph_data(graph: Graph | Mapping[str, Any], annotate: str = "shapes",
               steps: bool = False) -> Mapping[str, Any]:
    """The plain data the scene reads, after the passes the annotations (or steps) need."""
    if isinstance(graph, Mapping):
        return graph
    choose(annotate, ANNOTATE, "annotate")
    # values too, when it can: a scalar's record shows its gradient beside its value
    if annotate in WITH_GRADS or steps or (annotate == "values" and
                                                 getattr(graph, "objective", None) is not None):
        graph.backward()
    elif annotate == "values":
        graph.forward()
    return graph.to_dict(values=annotate in WITH_NUMBERS)


def to_dot(graph: Graph | Mapping[str, Any], *, annotate: str = "shapes", layout: str = "d2l",
           legend: bool = False, step: int | None = None, backward: str | None = None) -> str:
    """The figure as DOT text: pinned d2l positions (neato -n2) or, layout='dot', none.

    step=K: the forward figure at backward step K (0: the forward state); backward='dual'
    or 'both': the backward graph, alone or beside the forward one (figure/dual.py).
    """
    return _dot(graph, annotate, layout, legend, step, backward)[0]


def _dot(graph: Graph | Mapping[str, Any], annotate: str, layout: str, legend: bool,
         step: int | None = None, backward: str | None = None) -> tuple[str, bool]:
    """(DOT text, pinned?). With layout 'dot' the scene is pinned where Graphviz's dot puts
    the nodes, notes beside them (dotplace.py); without a Graphviz to ask, it is not."""
    choose(annotate, ANNOTATE, "annotate")
    if backward is not None:
        from calcgraph.figure.dual import dual_at_step, dual_scene

        data = graph_data(graph, annotate, steps=True)
        scene = dual_scene(data, backward, layout_name=layout, legend=legend)
        scene = scene if step is None else dual_at_step(scene, data, step)
    elif step is None:
        data = graph_data(graph, annotate)
        scene = build_scene(data, annotate=annotate, layout_name=layout, legend=legend)
    else:
        annotate = STEP_ANNOTATE[annotate]
        data = graph_data(graph, annotate, steps=True)
        scene = build_scene(data, annotate=annotate, layout_name=layout, legend=legend)
        scene = at_step(scene, data, step)
    if layout == "dot" and backward is None:
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
                 fonts: tuple[str, ...] = (), strict: bool = False,
                 full_arrays: bool = False, step: int | None = None,
                 backward: str | None = None) -> tuple[str, str | None]:
    """Write the figure ('-': stdout); returns (path, 'system' | 'embedded', or None for
    dot/json). PNG density: `dpi` (default 300) or `scale` pixels per point; `fonts` adds font
    files; `strict` makes a character no font has an error instead of a warning;
    `full_arrays` writes JSON arrays of more than 10,000 numbers in full; `step` and
    `backward` as for to_dot."""
    choose(layout, LAYOUTS, "layout")
    choose(renderer, RENDERERS, "renderer")
    path = path or default_path(graph, fmt)
    kind = render.format_from_path(path, fmt)
    if kind == "json":
        graph.backward()  # so that values and gradients are in the file
        render.write_output(path, graph.to_json(full_arrays=full_arrays).encode("utf-8"))
        return path, None
    source, pinned = _dot(graph, annotate, layout, legend, step, backward)
    if kind == "dot":
        render.write_output(path, source.encode("utf-8"))
        return path, None
    used = render.render_to_file(source, path, kind, renderer=renderer, dpi=dpi, scale=scale,
                                 fonts=fonts, strict=strict, pinned=pinned,
                                 engine="neato" if pinned else "dot", svg_filter=_embed)
    return path, used


def svg_text(graph: Graph | Mapping[str, Any], **options: Any) -> str:
    """The figure as SVG text, for Jupyter; works without a system Graphviz."""
    source, pinned = _dot(graph, options.get("annotate", "shapes"), options.get("layout", "d2l"),
                          options.get("legend", False), options.get("step"),
                          options.get("backward"))
    svg = render.render(source, "svg", renderer="auto", pinned=pinned,
                        engine="neato" if pinned else "dot")
    return embed_fonts(svg.decode("utf-8"))


def _embed(svg: bytes) -> bytes:
    """The glyphs the SVG uses, embedded: the same look in every viewer (fonts.py)."""
    return embed_fonts(svg.decode("utf-8")).encode("utf-8")


class Figure:
    """The figure of a graph with its options, shown inline by Jupyter (SVG) and saved by
    `save`: what `Graph.figure(annotate="all")` returns. The SVG is made once, when first
    asked for, so the values are those of that moment."""

    def __init__(self, graph: Graph, **options: Any):
        choose(options.get("annotate", "shapes"), ANNOTATE, "annotate")
        self.graph, self.options = graph, options
        self._svg: str | None = None

    @property
    def svg(self) -> str:
        if self._svg is None:
            self._svg = svg_text(self.graph, **self.options)
        return self._svg

    def to_dot(self) -> str:
        return to_dot(self.graph, **self.options)

    def save(self, path: str, fmt: str | None = None, **render_options: Any) -> str:
        """Write the figure as render() does (format from the extension); returns the path."""
        return render_graph(self.graph, path, fmt, **{**self.options, **render_options})[0]

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return {"image/svg+xml": self.svg}

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"<Figure of {self.graph.name!r}{': ' + opts if opts else ''}>"


def render_steps(graph: Graph, out: str | None = None, fmt: str | None = None, *,
                 annotate: str = "shapes", renderer: str = "auto", layout: str = "d2l",
                 dpi: float | None = None, scale: float | None = None, legend: bool = False,
                 backward: str | None = None,
                 stem: str | None = None) -> tuple[list[str], str | None]:
    """Every step: numbered frames in a folder, or one animation (.gif, .webp, .png).

    Returns the paths written and the renderer used. Default: `<stem>_steps/` with SVG frames,
    `stem` defaulting to the graph's name.
    PNG frames have the density of render (`dpi`, default 300, or `scale`); an animation,
    shown on a screen, defaults to 144 dpi.
    """
    from calcgraph.figure import sweep

    choose(layout, LAYOUTS, "layout")
    choose(renderer, RENDERERS, "renderer")
    data = graph_data(graph, STEP_ANNOTATE[annotate], steps=True)
    stem = (stem or default_path(graph, "x")[:-2]) + ("_backward" if backward else "")
    out = out or f"{stem}_steps/"
    dots = sweep.step_dots(data, annotate=annotate, layout=layout, legend=legend,
                           backward=backward)
    kind = os.path.splitext(out)[1].lower().lstrip(".")
    folder = out.endswith(("/", os.sep)) or os.path.isdir(out) or not kind
    frame = (fmt or "svg").lower() if folder else "png"
    used = None if frame == "dot" else render.resolve_renderer(renderer, choose(
        frame, RENDER_FORMATS + ("dot",), "frame format"))
    if folder:
        paths = sweep.write_frames(dots, out, stem, frame, renderer=renderer,
                                   layout=layout, dpi=dpi, scale=scale)
        return [str(p) for p in paths], used
    if fmt is not None and fmt.lower() != kind:
        raise UsageError(f"--format {fmt}: an animation's format comes from its extension "
                         f"(.{kind}); for frames of another format give a folder")
    sweep.write_animation(dots, out, renderer=renderer, layout=layout, dpi=dpi, scale=scale)
    return [out], used

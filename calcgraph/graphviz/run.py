"""DOT text to SVG, PNG or PDF bytes via system or embedded Graphviz: the only module running it."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from calcgraph.errors import GraphvizNotFound, RenderError, UsageError
from calcgraph.graphviz.files import (
    STDOUT,
    drop_failed_dot,
    keep_failed_dot,
    write_atomic,
    write_output,
)
from calcgraph.graphviz.fonts import FONT_DIR, FONT_FAMILY, check_glyphs, plan_fonts
from calcgraph.graphviz.fonts import bundled_fonts as font_files
from calcgraph.graphviz.raster import (
    DEFAULT_DPI,
    rasterize,
    resolve_dpi,
    svg2pdf_available,
    svg_to_pdf,
    svg_to_png,
)
from calcgraph.options import ENGINES, FORMATS, RENDER_FORMATS, RENDERERS, choose

# The module's public names, some defined in files, fonts and raster, re-exported here so that
# `from calcgraph.graphviz import run as render` reaches everything.
__all__ = ["DEFAULT_DPI", "FONT_DIR", "FONT_FAMILY", "find_system_dot", "font_files",
           "format_from_path", "rasterize", "render", "render_to_file", "resolve_renderer",
           "svg2pdf_available", "svg_to_pdf", "svg_to_png", "write_atomic", "write_output"]

_INSTALL_HINT = (
    "install Graphviz (e.g. `apt-get install graphviz`) or set CALCGRAPH_DOT to a dot executable"
)
# Extensions that name a format: a --format that contradicts one is a usage error.
_TELLING = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "gv": "dot", "json": "json"}


def find_system_dot() -> str | None:
    """Graphviz's dot: $CALCGRAPH_DOT if set (it must then work), else `dot` on PATH, else None."""
    configured = os.environ.get("CALCGRAPH_DOT")
    if configured:
        found = shutil.which(configured)  # accepts a path or a bare command name
        if found is None:
            raise GraphvizNotFound(
                f"CALCGRAPH_DOT={configured!r} is not an executable file; "
                "point it at Graphviz's dot or unset it"
            )
        return found
    return shutil.which("dot")


def resolve_renderer(renderer: str, fmt: str) -> str:
    """Which renderer makes `fmt`: 'system' or 'embedded'; raises if none can."""
    choose(renderer, RENDERERS, "renderer")
    choose(fmt, RENDER_FORMATS, "format to render")
    via_svg = fmt != "pdf" or svg2pdf_available()  # PDF from our SVG when svg2pdf-py is here
    if renderer == "embedded" and via_svg:
        return "embedded"  # no need to look for (or complain about) a system dot
    dot = find_system_dot() if renderer != "embedded" else None
    if dot:
        return "system"
    if not via_svg:
        raise GraphvizNotFound(
            "PDF needs svg2pdf-py (`pip install 'calcgraph[pdf]'`) or the system Graphviz: "
            + _INSTALL_HINT
        )
    if renderer == "system":
        raise GraphvizNotFound(
            f"renderer 'system' needs Graphviz's dot, not found on PATH: {_INSTALL_HINT}, "
            "or use renderer 'embedded'"
        )
    return "embedded"


def render(
    dot_source: str,
    fmt: str,
    *,
    renderer: str = "auto",
    engine: str = "neato",
    pinned: bool = True,
    dpi: float | None = None,
    scale: float | None = None,
    fonts: Sequence[str | os.PathLike[str]] = (),
    strict: bool = False,
    timeout: float = 30.0,
) -> bytes:
    """Render DOT to svg/png/pdf bytes.

    pinned=True: node positions come from pos="x,y!" (points) and Graphviz only
    routes edges (neato -n2); pinned=False: `engine` lays the graph out itself.
    PNG density: `dpi` (default 300), or `scale` pixels per point (1 = 72 dpi).
    `fonts`: font files to draw with besides the bundled ones; a character no font has is
    a MissingGlyphWarning, or with `strict` a MissingGlyphError. `timeout` is in seconds.
    """
    return _render(dot_source, fmt, renderer, engine, pinned, resolve_dpi(dpi, scale),
                   tuple(fonts), strict, timeout)[0]


def _render(
    dot_source: str,
    fmt: str,
    renderer: str = "auto",
    engine: str = "neato",
    pinned: bool = True,
    dpi: float = DEFAULT_DPI,
    fonts: tuple = (),
    strict: bool = False,
    timeout: float = 30.0,
) -> tuple[bytes, str]:
    choose(engine, ENGINES, "engine")
    if pinned and engine != "neato":
        raise UsageError(f"engine {engine!r} needs pinned=False (pinned layouts use neato -n2)")
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise UsageError(f"timeout must be a positive number, got {timeout!r}")
    if "\0" in dot_source:
        raise RenderError("DOT source contains a NUL character, which Graphviz cannot read")
    used = resolve_renderer(renderer, fmt)
    if fmt == "pdf" and not svg2pdf_available():  # Graphviz draws HTML-like labels itself
        args = ["-Kneato", "-n2"] if pinned else [f"-K{engine}"]
        return _run_system(dot_source, "pdf", args, timeout), used
    svg = _svg(dot_source, used, engine, pinned, timeout)
    if fmt == "svg":
        return svg, used
    plan = plan_fonts(svg, fonts)
    check_glyphs(plan, fmt.upper(), strict)
    return (svg_to_pdf(svg, plan) if fmt == "pdf" else svg_to_png(svg, dpi, plan)), used


def _svg(dot_source: str, used: str, engine: str, pinned: bool, timeout: float) -> bytes:
    from calcgraph.graphviz import htmllabels as _htmllabels

    plain, labels, unsupported = _htmllabels.extract(dot_source)
    if used == "embedded":
        if unsupported:
            raise RenderError(
                f"the embedded Graphviz cannot draw {unsupported[0]} (it has no HTML-like "
                f"tables or images): {_INSTALL_HINT}"
            )
        from calcgraph.graphviz import wasm as _wasm

        svg = _wasm.default().render(plain, "svg", "nop2" if pinned else engine, timeout)
    else:
        args = ["-Kneato", "-n2"] if pinned else [f"-K{engine}"]
        svg = _run_system(plain, "svg", args, timeout)
    if labels:
        svg = _htmllabels.restore(svg.decode("utf-8"), labels).encode("utf-8")
    return svg


def _run_system(dot_source: str, fmt: str, args: list[str], timeout: float) -> bytes:
    # subprocess, not graphviz.pipe(): pipe() has no timeout and runs whatever
    # `neato`/`dot` PATH gives, ignoring CALCGRAPH_DOT.
    dot = find_system_dot()
    if dot is None:
        raise GraphvizNotFound(f"Graphviz's dot is no longer on PATH: {_INSTALL_HINT}")
    try:
        proc = subprocess.run(
            [dot, *args, f"-T{fmt}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,  # run() kills dot and reaps it before raising
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz timed out after {timeout:g} s ({dot})") from None
    except OSError as exc:
        raise GraphvizNotFound(f"cannot run Graphviz at {dot}: {exc.strerror}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", errors="replace")
        detail = "; ".join(line.strip() for line in message.splitlines() if line.strip())
        raise RenderError(f"Graphviz ({dot}) failed: {detail or f'exit code {proc.returncode}'}")
    return proc.stdout


def render_to_file(
    dot_source: str, path: str | os.PathLike[str], fmt: str | None = None, *,
    renderer: str = "auto", engine: str = "neato", pinned: bool = True,
    dpi: float | None = None, scale: float | None = None,
    fonts: Sequence[str | os.PathLike[str]] = (), strict: bool = False, timeout: float = 30.0,
    svg_filter: Callable[[bytes], bytes] | None = None,
) -> str:
    """Render and write `path` ('-': stdout); returns the renderer used ('system' or 'embedded').
    `svg_filter` rewrites an SVG before it is written (the figure embeds its fonts).

    On a Graphviz failure the DOT is kept as '<path>.failed.dot' (or in the temp
    dir) and the RenderError message ends with 'DOT kept at <file>'.
    """
    fmt = format_from_path(path, fmt)
    try:
        data, used = _render(dot_source, fmt, renderer, engine, pinned, resolve_dpi(dpi, scale),
                             tuple(fonts), strict, timeout)
    except (GraphvizNotFound, UsageError):
        raise  # nothing wrong with the DOT: no reason to keep it
    except RenderError as exc:
        if type(exc) is not RenderError or "Graphviz" not in str(exc):
            raise  # a font or conversion problem, not Graphviz's
        kept = keep_failed_dot(dot_source, path)
        raise type(exc)(f"{exc}; DOT kept at {kept}") from None
    if svg_filter is not None and fmt == "svg":
        data = svg_filter(data)
    write_output(path, data)
    drop_failed_dot(path)  # stale from a past failure
    return used


def format_from_path(path: str | os.PathLike[str], fmt: str | None) -> str:
    """The output format: `fmt` if given, else the file extension ('.gv' counts as dot).

    A `fmt` that contradicts a telling extension (`x.svg` with 'png') is a UsageError;
    '-' (stdout) has no extension and defaults to svg.
    """
    suffix = "" if str(path) == STDOUT else Path(path).suffix.lower().lstrip(".")
    if fmt is not None:
        if fmt.lower() not in FORMATS:
            choose(fmt, FORMATS, "format")
        told = _TELLING.get(suffix)
        if told is not None and told != fmt.lower():
            raise UsageError(
                f"format {fmt!r} contradicts the extension of {str(path)!r} ({told}): "
                f"drop the format or name the file .{fmt.lower()}"
            )
        return fmt.lower()
    if str(path) == STDOUT:
        return "svg"
    if not suffix:
        raise UsageError(
            f"cannot tell the format of {str(path)!r}: add an extension or give a format "
            f"(one of {list(FORMATS)})"
        )
    suffix = _TELLING.get(suffix, suffix)
    choose(suffix, FORMATS, "format")
    return suffix

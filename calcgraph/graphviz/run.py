"""DOT text to SVG, PNG or PDF bytes via system or embedded Graphviz: the only module running it."""

from __future__ import annotations

import importlib.util
import math
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from calcgraph.errors import GraphvizNotFound, RenderError, UsageError
from calcgraph.options import ENGINES, FORMATS, RENDER_FORMATS, RENDERERS, choose

# scale=1: one pixel per point (72 dpi), so a PNG is round(size in pt * scale) pixels.
PNG_DPI = 72.0
FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"  # package data, calcgraph/fonts
# Metric-compatible with Times, so Graphviz's "Times" text widths fit it; DejaVu
# Serif is only the fallback for glyphs Liberation lacks (⊙, ⁰, ⁽ ⁾, ...).
FONT_FAMILY = "Liberation Serif"
_INSTALL_HINT = (
    "install Graphviz (e.g. `apt-get install graphviz`) or set CALCGRAPH_DOT to a dot executable"
)
_FONT_FAMILY_ATTR = re.compile(r'font-family="[^"]*"')
_SVG_SIZE = re.compile(rb'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"')


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
    scale: float = 2.0,
    timeout: float = 30.0,
) -> bytes:
    """Render DOT to svg/png/pdf bytes.

    pinned=True: node positions come from pos="x,y!" (points) and Graphviz only
    routes edges (neato -n2); pinned=False: `engine` lays the graph out itself.
    `scale` is the PNG pixel density (1 = 72 dpi); `timeout` is in seconds.
    """
    return _render(dot_source, fmt, renderer, engine, pinned, scale, timeout)[0]


def _render(
    dot_source: str,
    fmt: str,
    renderer: str = "auto",
    engine: str = "neato",
    pinned: bool = True,
    scale: float = 2.0,
    timeout: float = 30.0,
) -> tuple[bytes, str]:
    choose(engine, ENGINES, "engine")
    if pinned and engine != "neato":
        raise UsageError(f"engine {engine!r} needs pinned=False (pinned layouts use neato -n2)")
    for name, value in (("scale", scale), ("timeout", timeout)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise UsageError(f"{name} must be a positive number, got {value!r}")
    if "\0" in dot_source:
        raise RenderError("DOT source contains a NUL character, which Graphviz cannot read")
    used = resolve_renderer(renderer, fmt)
    if fmt == "pdf" and not svg2pdf_available():  # Graphviz draws HTML-like labels itself
        args = ["-Kneato", "-n2"] if pinned else [f"-K{engine}"]
        return _run_system(dot_source, "pdf", args, timeout), used
    svg = _svg(dot_source, used, engine, pinned, timeout)
    if fmt == "pdf":
        return svg_to_pdf(svg), used
    return (svg if fmt == "svg" else svg_to_png(svg, scale)), used


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


def font_files() -> list[str]:
    """The fonts shipped in calcgraph/fonts, used for every PNG."""
    return sorted(str(p) for p in FONT_DIR.glob("*.ttf"))


def svg_to_png(svg: bytes, scale: float = 2.0) -> bytes:
    """Rasterise SVG with resvg and only the shipped fonts, so every machine makes the same PNG."""
    import resvg_py

    options: dict[str, Any] = {"zoom": scale}
    size = _SVG_SIZE.search(svg)
    if size:  # explicit width: resvg's zoom rounds the 1x size first, then multiplies
        options = {"width": max(1, round(float(size.group(1)) * PNG_DPI / 72 * scale))}
    try:
        return bytes(
            resvg_py.svg_to_bytes(
                svg_string=svg.decode("utf-8"),
                dpi=PNG_DPI,  # resvg's default (0) rejects sizes given in pt
                skip_system_fonts=True,
                font_files=font_files(),
                font_family=FONT_FAMILY,
                serif_family=FONT_FAMILY,
                **options,
            )
        )
    except ValueError as exc:
        raise RenderError(f"SVG to PNG conversion failed: {exc}") from None


def svg2pdf_available() -> bool:
    """Whether the optional svg2pdf-py (`calcgraph[pdf]`) is installed."""
    return importlib.util.find_spec("svg2pdf_py") is not None


def svg_to_pdf(svg: bytes) -> bytes:
    """Vector PDF from our SVG with the shipped fonts embedded: the same look as the PNG."""
    import svg2pdf_py

    fonts = svg2pdf_py.FontDatabase()
    for path in font_files():
        fonts.load_font_file(path)
    # svg2pdf resolves families only among the loaded fonts; name ours explicitly.
    text = _FONT_FAMILY_ATTR.sub(f'font-family="{FONT_FAMILY}"', svg.decode("utf-8"))
    try:
        return bytes(svg2pdf_py.svg_to_pdf(text, fonts))
    except ValueError as exc:
        raise RenderError(f"SVG to PDF conversion failed: {exc}") from None


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a temp file in the same folder, then os.replace(): readers see old or whole new."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the umask decide the final mode, as a plain open() would.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise RenderError(f"cannot write {target}: {exc.strerror}") from None
        raise


def _keep_failed_dot(dot_source: str, out: Path) -> str:
    data = dot_source.encode("utf-8")
    beside = out.with_name(out.name + ".failed.dot")
    try:
        write_atomic(beside, data)
        return str(beside)
    except RenderError:
        pass
    try:
        fd, name = tempfile.mkstemp(prefix=out.name + ".", suffix=".failed.dot")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return name
    except OSError as exc:
        return f"nowhere ({exc.strerror})"


def render_to_file(
    dot_source: str, path: str | os.PathLike[str], fmt: str | None = None, **render_kwargs: Any
) -> str:
    """Render and write `path` atomically; returns the renderer used ('system' or 'embedded').

    On a Graphviz failure the DOT is kept as '<path>.failed.dot' (or in the temp
    dir) and the RenderError message ends with 'DOT kept at <file>'.
    """
    out = Path(path)
    fmt = format_from_path(out, fmt)
    try:
        data, used = _render(dot_source, fmt, **render_kwargs)
    except GraphvizNotFound:
        raise  # nothing wrong with the DOT: no reason to keep it
    except RenderError as exc:
        kept = _keep_failed_dot(dot_source, out)
        raise type(exc)(f"{exc}; DOT kept at {kept}") from None
    write_atomic(out, data)
    out.with_name(out.name + ".failed.dot").unlink(missing_ok=True)  # stale from a past failure
    return used


def format_from_path(path: str | os.PathLike[str], fmt: str | None) -> str:
    """The output format: `fmt` if given, else the file extension ('.gv' counts as dot)."""
    if fmt is not None:
        if fmt.lower() not in FORMATS:
            choose(fmt, FORMATS, "format")
        return fmt.lower()
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        raise UsageError(
            f"cannot tell the format of {str(path)!r}: add an extension or give a format "
            f"(one of {list(FORMATS)})"
        )
    suffix = "dot" if suffix == "gv" else suffix
    choose(suffix, FORMATS, "format")
    return suffix

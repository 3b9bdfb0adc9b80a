"""SVG to PNG (resvg) and PDF (svg2pdf) with the fonts that cover the text, at a stated DPI.

A large PNG is rasterized in a worker process: resvg holds the GIL for seconds, so Ctrl-C
would otherwise wait for it; the worker is killed at once and no file is written.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Sequence
from typing import Any

from calcgraph.errors import RenderError, UsageError
from calcgraph.graphviz.fonts import FONT_FAMILY, FontPlan, bundled_fonts, check_glyphs, plan_fonts

DEFAULT_DPI = 300.0  # print quality: a 6.5 pt note is 27 px tall
POINT_DPI = 72.0  # one pixel per point: --scale 1
# Above this many pixels resvg may need more than ~0.3 s: run it where Ctrl-C can kill it.
WORKER_PIXELS = 1_500_000
_SVG_TAG = re.compile(rb"<svg\b[^>]*>")
_SIZE = re.compile(rb'\b(width|height)="([\d.]+)pt"')
_FONT_FAMILY_ATTR = re.compile(r'font-family="[^"]*"')
_WORKER = (
    "import json, signal, sys\n"
    # A terminal's Ctrl-C reaches the worker too: let it end the worker at once.
    "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
    "if hasattr(signal, 'pthread_sigmask'):\n"
    "    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})\n"
    "import resvg_py\n"
    "opts = json.loads(sys.stdin.buffer.readline())\n"
    "svg = sys.stdin.buffer.read().decode('utf-8')\n"
    "sys.stdout.buffer.write(bytes(resvg_py.svg_to_bytes(svg_string=svg, **opts)))\n"
)


def resolve_dpi(dpi: float | None = None, scale: float | None = None) -> float:
    """The PNG density: `dpi`, or `scale` pixels per point (72 dpi each), else DEFAULT_DPI."""
    if dpi is not None and scale is not None:
        raise UsageError(f"give dpi ({dpi:g}) or scale ({scale:g}), not both: dpi = 72 × scale")
    value = dpi if dpi is not None else (scale * POINT_DPI if scale is not None else DEFAULT_DPI)
    if not (isinstance(value, (int, float)) and 0 < value < float("inf")):
        raise UsageError(f"dpi must be a positive number, got {value!r}")
    return float(value)


def size_pt(svg: bytes) -> tuple[float, float] | None:
    """The SVG's width and height in points, from its root element."""
    tag = _SVG_TAG.search(svg)
    sizes = dict(_SIZE.findall(tag.group())) if tag else {}
    if b"width" in sizes and b"height" in sizes:
        return float(sizes[b"width"]), float(sizes[b"height"])
    return None


def rasterize(svg: bytes, *, dpi: float = DEFAULT_DPI, fonts: Sequence[str] = (),
              strict: bool = False, worker: bool | None = None) -> bytes:
    """PNG bytes of `svg` at `dpi`, the fonts checked first (warn, or raise when `strict`).

    `worker`: rasterize in a separate process (None: when the image is large).
    """
    plan = plan_fonts(svg, fonts)
    check_glyphs(plan, "PNG", strict)
    return svg_to_png(svg, dpi, plan, worker)


def svg_to_png(svg: bytes, dpi: float = DEFAULT_DPI, plan: FontPlan | None = None,
               worker: bool | None = None) -> bytes:
    """Rasterize with resvg and only the planned fonts, so a machine's other fonts never
    change the pixels; the PNG carries its DPI (a pHYs chunk)."""
    plan = plan or FontPlan(tuple(bundled_fonts()), (), "")
    options: dict[str, Any] = {
        "dpi": POINT_DPI,  # resvg's default (0) rejects sizes given in pt
        "skip_system_fonts": True, "font_files": list(plan.files),
        "font_family": FONT_FAMILY, "serif_family": FONT_FAMILY,
    }
    size = size_pt(svg)
    pixels = 0.0
    if size:  # explicit width: resvg's zoom rounds the 1x size first, then multiplies
        options["width"] = max(1, round(size[0] * dpi / POINT_DPI))
        pixels = options["width"] * size[1] * dpi / POINT_DPI
    else:
        options["zoom"] = dpi / POINT_DPI
    if worker is None:
        worker = pixels > WORKER_PIXELS
    png = _in_worker(svg, options) if worker else _in_process(svg, options)
    return with_dpi(png, dpi)


def _in_process(svg: bytes, options: dict[str, Any]) -> bytes:
    import resvg_py

    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), **options))
    except ValueError as exc:
        raise RenderError(f"SVG to PNG conversion failed: {exc}") from None


def _in_worker(svg: bytes, options: dict[str, Any]) -> bytes:
    payload = json.dumps(options).encode("utf-8") + b"\n" + svg
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    # Ctrl-C between the fork and the `try` would orphan a running worker: hold SIGINT back
    # until the worker is in hand. It is delivered as soon as the mask is restored, so that
    # happens inside the `try` whose handler kills the worker (outside it, a Ctrl-C sent
    # while the worker started escaped and left it drawing).
    hold = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if hold else None
    result: list[tuple[bytes, bytes]] = []
    proc: subprocess.Popen | None = None
    pipes: threading.Thread | None = None
    try:
        try:
            proc = subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        finally:
            if old is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        # communicate() in a helper thread: on Ctrl-C, communicate() itself would first give
        # the worker 0.25 s to exit by itself; the main thread kills it at once instead.
        pipes = threading.Thread(target=lambda: result.append(proc.communicate(payload)),
                                 name="calcgraph-raster", daemon=True)
        pipes.start()
        while pipes.is_alive():
            pipes.join(0.1)
    except BaseException:  # KeyboardInterrupt above all: stop drawing now, write nothing
        if proc is not None:
            proc.kill()
            if pipes is not None and pipes.is_alive():
                pipes.join()
            else:
                proc.wait()
        raise
    out, err = result[0] if result else (b"", b"")
    if proc.returncode != 0 or not out.startswith(b"\x89PNG"):
        lines = err.decode("utf-8", errors="replace").strip().splitlines()
        raise RenderError(f"SVG to PNG conversion failed: "
                          f"{lines[-1] if lines else f'exit code {proc.returncode}'}")
    return out


def with_dpi(png: bytes, dpi: float) -> bytes:
    """`png` with a pHYs chunk saying `dpi` (in pixels per metre, as PNG stores it)."""
    ppm = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    end_of_ihdr = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    rest = png[end_of_ihdr:]
    if b"pHYs" in rest[: rest.find(b"IDAT")]:
        return png  # already stated
    return png[:end_of_ihdr] + chunk + rest


def svg2pdf_available() -> bool:
    """Whether the optional svg2pdf-py (`calcgraph[pdf]`) is installed."""
    return importlib.util.find_spec("svg2pdf_py") is not None


def svg_to_pdf(svg: bytes, plan: FontPlan | None = None) -> bytes:
    """Vector PDF from our SVG with the planned fonts embedded; the page is the SVG's size
    in points, as Graphviz's own PDF."""
    import svg2pdf_py

    plan = plan or FontPlan(tuple(bundled_fonts()), (), "")
    fonts = svg2pdf_py.FontDatabase()
    for path in plan.files:
        fonts.load_font_file(path)
    text = svg.decode("utf-8", errors="replace")
    # svg2pdf makes a page of the size in CSS px (1 pt = 4/3 px) and calls those px points:
    # unitless sizes (user units) give a page as many points wide as the SVG says.
    tag = _SVG_TAG.search(svg)
    if tag:
        head = _SIZE.sub(rb'\1="\2"', tag.group()).decode("utf-8")
        text = text.replace(tag.group().decode("utf-8"), head, 1)
    # svg2pdf resolves families only among the loaded fonts; name ours explicitly.
    text = _FONT_FAMILY_ATTR.sub(f'font-family="{FONT_FAMILY}"', text)
    try:
        return bytes(svg2pdf_py.svg_to_pdf(text, fonts))
    except ValueError as exc:
        raise RenderError(f"SVG to PDF conversion failed: {exc}") from None

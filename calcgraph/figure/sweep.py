"""Every backward step at once: one numbered figure per step, or an animation of the sweep.

The frames share one layout (built once) and one bounding box (the caption row reserves the
widest caption), so nothing jumps from frame to frame. Animations need Pillow, an optional
extra: `pip install 'calcgraph[anim]'`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from calcgraph.errors import RenderError, UsageError
from calcgraph.figure import dot
from calcgraph.figure.metrics import text_width
from calcgraph.figure.scene import build_scene
from calcgraph.figure.stepped import STEP_ANNOTATE, at_step
from calcgraph.graphviz import run as render
from calcgraph.options import ANIMATIONS, RENDER_FORMATS, choose

FRAME_MS, FIRST_MS, LAST_MS = 1600, 2000, 3500  # a step is read in 1.6 s; the ends linger
SCREEN_DPI = 144.0  # an animation is watched on a screen: twice 72 dpi, not print's 300
ANIM_HINT = "animations need Pillow: pip install 'calcgraph[anim]' (or pip install Pillow)"


def step_dots(data: Mapping[str, Any], *, annotate: str = "shapes", layout: str = "d2l",
              legend: bool = False, backward: str | None = None, lang: str = "en") -> list[str]:
    """DOT text of the forward state (step 0) and of every backward step, in order;
    with backward ('only' or 'both'), of the backward graph at each step; captions in
    `lang`."""
    if backward is not None:
        from calcgraph.figure.dual import dual_at_step, dual_scene

        scene, stepper = dual_scene(data, backward, layout_name=layout), dual_at_step
    else:
        scene = build_scene(data, annotate=STEP_ANNOTATE[annotate], layout_name=layout,
                            legend=legend)
        stepper = at_step
    frames = [stepper(scene, data, k, lang) for k in range(len(data["backward"]) + 1)]
    size = scene.theme.caption_size
    room = max(text_width(line, size) for f in frames for line in f.caption)
    return [dot.to_dot(replace(f, caption_room=room)) for f in frames]


def frame_paths(folder: str | Path, name: str, count: int, fmt: str) -> list[Path]:
    """`<folder>/<name>_step00.<fmt>` … : zero-padded so that a listing sorts them in order."""
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "graph"
    width = max(2, len(str(count - 1)))
    return [Path(folder) / f"{safe}_step{k:0{width}d}.{fmt}" for k in range(count)]


def write_frames(dots: list[str], folder: str | Path, name: str, fmt: str = "svg", *,
                 renderer: str = "auto", layout: str = "d2l", dpi: float | None = None,
                 scale: float | None = None) -> list[Path]:
    """Render every frame into `folder` (made if missing); returns the paths written."""
    fmt = choose(fmt.lower(), RENDER_FORMATS + ("dot",), "frame format")
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--steps: {str(out)!r} is a file; give a folder (frames/) or an "
                         f"animation file ({', '.join('.' + a for a in ANIMATIONS)})")
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot make the folder {str(out)!r}: {exc.strerror}") from None
    paths = frame_paths(out, name, len(dots), fmt)
    images = [d.encode("utf-8") if fmt == "dot" else
              _render(d, fmt, renderer, layout, dpi, scale)
              for d in dots]  # every frame rendered before any is written
    for path, data in zip(paths, images):
        render.write_atomic(path, data)
    return paths


def _render(source: str, fmt: str, renderer: str, layout: str, dpi: float | None,
            scale: float | None) -> bytes:
    pinned = layout == "d2l"
    return render.render(source, fmt, renderer=renderer, pinned=pinned, dpi=dpi, scale=scale,
                         engine="neato" if pinned else "dot")


def write_animation(dots: list[str], path: str | Path, *, renderer: str = "auto",
                    layout: str = "d2l", dpi: float | None = None,
                    scale: float | None = None) -> None:
    """An animated GIF, WebP or PNG (by the extension) of the frames, on a white canvas."""
    kind = Path(path).suffix.lower().lstrip(".")
    choose(kind, ANIMATIONS, "animation format")
    try:
        from PIL import Image
    except ImportError:
        raise RenderError(f"cannot write {str(path)!r}: {ANIM_HINT}") from None
    if dpi is None and scale is None:
        dpi = SCREEN_DPI
    frames = [Image.open(io.BytesIO(_render(d, "png", renderer, layout, dpi, scale))
                         ).convert("RGB") for d in dots]
    width, height = max(f.width for f in frames), max(f.height for f in frames)
    canvas = []
    for f in frames:  # centred across, top-aligned: the caption is centred under the graph
        page = Image.new("RGB", (width, height), "white")
        page.paste(f, ((width - f.width) // 2, 0))
        canvas.append(page)
    durations = [FIRST_MS] + [FRAME_MS] * (len(canvas) - 2) + [LAST_MS]
    buf = io.BytesIO()
    options: dict[str, Any] = {"save_all": True, "append_images": canvas[1:], "loop": 0,
                               "duration": durations[: len(canvas)]}
    if kind == "gif":
        options.update(optimize=False, disposal=1)
    elif kind == "webp":
        options.update(lossless=True)
    canvas[0].save(buf, format={"gif": "GIF", "webp": "WEBP", "png": "PNG"}[kind], **options)
    render.write_atomic(path, buf.getvalue())

"""Fonts that travel: the bundled serif's advance widths, and an SVG with its glyphs embedded.

Text is drawn in Liberation Serif (Times' metrics, glyph for glyph) with DejaVu Serif for
what it lacks (⊙, ⊕, ⁽ ⁾, ₕ ...). `embed()` puts the subset of both that a figure uses into
the SVG as @font-face data URLs (WOFF), so a browser, notebook or vector editor draws the
same glyphs as the PNG; the notes were placed with these very widths (metrics.text_width).
"""

from __future__ import annotations

import base64
import functools
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

from calcgraph.graphviz.fonts import FONT_DIR

FAMILY = "calcgraph serif"
FALLBACK = "calcgraph serif fallback"
FACES = {  # (bold, italic) -> file
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}
FALLBACK_FILE = "DejaVuSerif.ttf"
_SVG = "{http://www.w3.org/2000/svg}"
_FAMILY_ATTR = re.compile(r'font-family="[^"]*"')


@functools.lru_cache(maxsize=8)
def _font(name: str) -> Any:
    from fontTools.ttLib import TTFont

    return TTFont(str(FONT_DIR / name), lazy=True)


@functools.lru_cache(maxsize=4096)
def advance(c: str) -> float | None:
    """c's advance width in em in the font that draws it (Liberation, else DejaVu), or None
    when neither has it (or fontTools is missing)."""
    try:
        fonts = [_font(FACES[False, False]), _font(FALLBACK_FILE)]
    except (ImportError, OSError):
        return None
    for font in fonts:
        glyph = font.getBestCmap().get(ord(c))
        if glyph is not None:
            return font["hmtx"][glyph][0] / font["head"].unitsPerEm
    return None


def _used(svg: str) -> dict[tuple[bool, bool], set[str]]:
    """The characters each (bold, italic) face draws, from the SVG's text and tspans."""
    used: dict[tuple[bool, bool], set[str]] = {}

    def walk(el: ET.Element, bold: bool, italic: bool) -> None:
        bold = bold or el.get("font-weight") == "bold"
        italic = italic or el.get("font-style") == "italic"
        used.setdefault((bold, italic), set()).update(el.text or "")
        for child in el:
            walk(child, bold, italic)
            if child.tail:
                used.setdefault((bold, italic), set()).update(child.tail)

    for text in ET.fromstring(svg).iter(_SVG + "text"):
        walk(text, False, False)
    return {k: v - {"\n", "\t"} for k, v in used.items() if v - {"\n", "\t", " "}}


def _subset(name: str, chars: set[str]) -> str | None:
    """A WOFF subset of the bundled font with these characters, base64; None if none in it."""
    from fontTools import subset

    font = _font(name)
    cmap = font.getBestCmap()
    codes = sorted(ord(c) for c in chars if ord(c) in cmap)
    if not codes:
        return None
    options = subset.Options()
    options.flavor = "woff"  # zlib: no brotli needed
    options.layout_features = ["*"]
    options.name_IDs = [1, 2]
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps
    from fontTools.ttLib import TTFont

    copy = TTFont(str(FONT_DIR / name))
    copy.recalcTimestamp = False  # the same figure, the same bytes
    sub = subset.Subsetter(options)
    sub.populate(unicodes=codes)
    sub.subset(copy)
    buf = io.BytesIO()
    copy.flavor = "woff"
    copy.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def embed(svg: str) -> str:
    """The SVG with the glyphs it uses embedded (@font-face) and its text set in them.

    Without fontTools the SVG is returned as it was (it then asks for Times, as before).
    """
    try:
        import fontTools  # noqa: F401
    except ImportError:
        return svg
    rules = []
    every: set[str] = set()
    for (bold, italic), chars in sorted(_used(svg).items()):
        every |= chars
        data = _subset(FACES[bold, italic], chars)
        if data:
            rules.append(_face(FAMILY, data, bold, italic))
    main = _font(FACES[False, False]).getBestCmap()
    fallback = _subset(FALLBACK_FILE, {c for c in every if ord(c) not in main})
    if fallback:
        rules.append(_face(FALLBACK, fallback, False, False))
    if not rules:
        return svg
    style = "<style>\n" + "\n".join(rules) + "\n</style>\n"
    family = f"font-family=\"'{FAMILY}','{FALLBACK}',Times,serif\""
    svg = _FAMILY_ATTR.sub(family, svg)
    at = svg.find(">", svg.find("<svg")) + 1
    return svg[:at] + "\n" + style + svg[at:]


def _face(family: str, data: str, bold: bool, italic: bool) -> str:
    return (f"@font-face {{ font-family: '{family}'; "
            f"font-weight: {'bold' if bold else 'normal'}; "
            f"font-style: {'italic' if italic else 'normal'}; "
            f"src: url(data:font/woff;base64,{data}) format('woff'); }}")

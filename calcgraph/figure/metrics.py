"""How wide a note's text is: the advance widths of the font that draws it, in pt."""

from __future__ import annotations

import unicodedata

from calcgraph.figure import fonts

LINE = 1.2  # line height, in font sizes (Graphviz's own line spacing)


# Advance widths in 1/1000 em of Times-Roman, which the bundled Liberation Serif matches
# glyph for glyph (calcgraph/fonts; browsers use Times or a metric twin), for ' ' to '~'.
_ASCII = (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
)
_OTHER = {"μ": 536, "σ": 539, "∂": 494, "−": 564, "×": 564, "·": 333, "–": 500, "—": 1000,
          "…": 1000, "′": 219}


def is_wide(c: str) -> bool:
    """Whether `c` is drawn a full em wide: CJK ideographs, kana, Hangul, fullwidth forms
    (Unicode's East Asian Wide and Fullwidth, as every CJK font draws them)."""
    return unicodedata.east_asian_width(c) in ("W", "F")


def _char_width(c: str) -> float:
    """One character's width in em: Times' (= Liberation Serif's) table for the annotation
    alphabet, else the bundled font that draws it, else generous; 1 em for wide characters."""
    if is_wide(c):
        return 1.0
    code = ord(c)
    if 32 <= code < 127:
        return _ASCII[code - 32] / 1000
    if c in _OTHER:
        return _OTHER[c] / 1000
    drawn = fonts.advance(c)  # the bundled font that draws it (fonts.py)
    if drawn is not None:
        return drawn
    if 0x3B1 <= code <= 0x3C9:  # lowercase Greek: at most ω's 0.658
        return 0.66
    if 0x391 <= code <= 0x3A9:  # capital Greek: at most Μ's 0.889
        return 0.9
    if 0x2070 <= code <= 0x209F or c in "¹²³":  # super- and subscripts: at most 0.401
        return 0.41
    return 1.0 if code > 0x2E7F else 0.75  # CJK and the like: 1 em; anything else: generous


def text_width(text: str, size: float) -> float:
    """Width in pt of `text` set in Times at `size` pt, as the SVG viewer draws it.

    Graphviz's own estimate (which varies with the renderer) never places the text:
    every annotation line is centred on a point computed from this width (dot.py).
    """
    return sum(_char_width(c) for c in text) * size

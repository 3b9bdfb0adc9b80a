"""Fonts that travel: the SVG carries the glyphs it draws, and notes are measured with them."""

from __future__ import annotations

import base64
import io
import re

import pytest

import calcgraph as cg
from calcgraph.figure import fonts
from calcgraph.figure.draw import svg_text
from calcgraph.figure.metrics import text_width

FACE = re.compile(r"font-family: '([^']*)'; font-weight: (\w+); font-style: (\w+); "
                  r"src: url\(data:font/woff;base64,([^)]*)\)")


def faces(svg: str) -> dict[tuple[str, str, str], set[int]]:
    from fontTools.ttLib import TTFont

    return {(fam, w, s): set(TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap())
            for fam, w, s, data in FACE.findall(svg)}


def test_the_svg_embeds_every_glyph_it_draws():
    svg = svg_text(cg.load("rnn_bptt"))
    got = faces(svg)
    regular = got[(fonts.FAMILY, "normal", "normal")]
    assert {ord(c) for c in "(5, 4)∂L:"} <= regular
    assert ord("x") in got[(fonts.FAMILY, "bold", "normal")]  # x_t: a vector, bold
    assert ord("L") in got[(fonts.FAMILY, "normal", "italic")]  # L: a scalar, italic
    assert ord("⊕") in got[(fonts.FALLBACK, "normal", "normal")]  # not in Liberation Serif
    assert "font-family=\"'calcgraph serif','calcgraph serif fallback',Times,serif\"" in svg
    assert 'font-family="Times,serif"' not in svg


def test_embedding_is_deterministic_and_small():
    a, b = svg_text(cg.mlp()), svg_text(cg.mlp())
    assert a == b
    assert len(a.encode()) < 60_000


def test_text_width_uses_the_drawn_fonts_metrics():
    assert text_width("(5, 4)", 10) == pytest.approx(10 * (333 + 500 + 250 + 250 + 500 + 333)
                                                    / 1000)
    # ⊙ comes from DejaVu Serif, which draws it 0.838 em wide.
    assert text_width("⊙", 10) == pytest.approx(10 * fonts.advance("⊙"))
    assert fonts.advance("⊙") == pytest.approx(0.838, abs=0.001)
    assert text_width("中文", 10) == 20  # wide characters: 1 em each

"""Label markup: W^(1) → W⁽¹⁾, x_t → xₜ, ASCII fallbacks; the module's doctests too."""

from __future__ import annotations

import doctest

import pytest

from calcgraph.text import labels
from calcgraph.text.labels import Part, parse, to_ascii, to_unicode


def test_doctests():
    assert doctest.testmod(labels).failed == 0


@pytest.mark.parametrize("markup,unicode,ascii_", [
    ("W^(1)", "W⁽¹⁾", "W^(1)"),
    ("ℓ_2", "ℓ₂", "l_2"),
    ("h_{t-1}", "hₜ₋₁", "h_t-1"),
    ("W_{qh}", "W_qh", "W_qh"),  # no subscript q in Unicode: keep the markup readable
    ("plain", "plain", "plain"),
])
def test_unicode_and_ascii(markup, unicode, ascii_):
    assert to_unicode(markup) == unicode
    assert to_ascii(markup) == ascii_
    assert to_ascii(markup).isascii()


def test_escapes_and_unclosed_groups_are_literal():
    assert parse(r"a\^b") == [Part("base", "a^b")]
    assert parse("x^(1") == [Part("base", "x"), Part("sup", "(")] + [Part("base", "1")]
    assert to_unicode("x^") == "x^"

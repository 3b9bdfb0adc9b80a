"""Formulas as MathML: fractions for ∂a/∂b, scripts for W⁽²⁾ and hᵀ, bold arrays, no loss."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from calcgraph.html.mathml import to_mathml


def text(mathml: str) -> str:
    return "".join(ET.fromstring(mathml).itertext())


def test_a_gradient_is_a_fraction_and_a_transpose_a_superscript():
    m = to_mathml("∂J/∂h = W⁽²⁾ᵀ · ∂J/∂o", {"W", "h", "o"})
    assert m.count("<mfrac>") == 2
    assert '<msup><mi class="b">W</mi><mrow><mn>(2)</mn><mi>T</mi></mrow></msup>' in m


@pytest.mark.parametrize("formula", [
    "∂J/∂W⁽²⁾ = ∂J/∂o · hᵀ + λ W⁽²⁾",
    "s = λ/2 (‖W⁽¹⁾‖² + ‖W⁽²⁾‖²)",
    "∂J/∂O = prod(∂J/∂L, ∂L/∂O) = (softmax(O) − onehot(y)) / n",
    "∂J/∂z = prod(∂J/∂h, ∂h/∂z) = ∂J/∂h ⊙ ϕ'(z)",
    "o₁ = W_qh h₁",
    "prod(∂J/∂O, ∂O/∂W⁽²⁾) = (∂J/∂O)ᵀ · H",
])
def test_well_formed_and_nothing_lost(formula):
    m = to_mathml(formula)
    plain = re.sub(r"\s", "", text(m))
    shown = formula.replace("/∂", "∂")  # ∂a/∂b is a fraction: its slash becomes the bar
    for ch in re.sub(r"[\s_'⁽⁾¹²ᵀ₁]", "", shown):  # every other visible symbol survives
        assert ch in plain, ch


def test_arrays_are_bold_and_words_upright():
    m = to_mathml("softmax(O) − onehot(y)", {"O"})
    assert '<mi class="b">O</mi>' in m and '<mi mathvariant="normal">softmax</mi>' in m
    assert "<mi>y</mi>" in m

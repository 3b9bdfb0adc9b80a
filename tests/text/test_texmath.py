"""Formula text as LaTeX and MathML: fractions, scripts, bold vectors, d2l's book form."""

from __future__ import annotations

import doctest
import xml.etree.ElementTree as ET

import pytest

from calcgraph.text import book as book_module
from calcgraph.text import texmath
from calcgraph.text.book import book
from calcgraph.text.texmath import to_latex, to_mathml

BOLD = {"W⁽¹⁾", "W⁽²⁾", "x", "z", "h", "o", "W_qh", "h1"}


@pytest.mark.parametrize("module", [texmath, book_module])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("text,tex", [
    ("∂J/∂W⁽²⁾", r"\frac{\partial J}{\partial \mathbf{W}^{(2)}}"),
    ("W⁽²⁾ᵀ ∂J/∂o", r"\mathbf{W}^{(2)\top} \frac{\partial J}{\partial \mathbf{o}}"),
    ("∂J/∂h ⊙ ϕ'(z)", r"\frac{\partial J}{\partial \mathbf{h}} \odot \phi'(\mathbf{z})"),
    ("λ/2 (‖W⁽¹⁾‖² + ‖W⁽²⁾‖²)",
     r"\lambda/2 (\Vert\mathbf{W}^{(1)}\Vert^{2} + \Vert\mathbf{W}^{(2)}\Vert^{2})"),
    ("Σₙ (∂J/∂Z)", r"\sum_{n} \left(\frac{\partial J}{\partial Z}\right)"),
    ("prod(∂J/∂o, ∂o/∂h)", (r"\mathrm{prod}\left(\frac{\partial J}{\partial \mathbf{o}}, "
                           r"\frac{\partial \mathbf{o}}{\partial \mathbf{h}}\right)")),
    ("x ∈ ℝ⁵ˣ⁴", r"\mathbf{x} \in \mathbb{R}^{5\times 4}"),
    ("W_qhᵀ ∂L/∂o₃", r"\mathbf{W}_{\mathrm{qh}}^{\top} \frac{\partial L}{\partial \mathbf{o}_{3}}"),
    ("∂J/∂ŷ = ŷ − y", r"\frac{\partial J}{\partial \hat{y}} = \hat{y} - y"),
    ("softmax(o) − onehot(y)", r"\mathrm{softmax}(\mathbf{o}) - \mathrm{onehot}(y)"),
    ("h1 ⊕ λW", r"\mathbf{h}_{1} \oplus \lambda W"),
])
def test_latex(text, tex):
    assert to_latex(text, BOLD) == tex


def test_mathml_is_wellformed_and_bold_uses_math_letters():
    mml = to_mathml("∂J/∂W⁽²⁾ = ∂J/∂o hᵀ + λ W⁽²⁾", BOLD, display=True)
    root = ET.fromstring(mml)
    assert root.tag == "math" and root.get("display") == "block"
    assert "𝐖" in mml and "𝐡" in mml and "mathvariant" not in mml
    assert mml.count("<mfrac>") == 2


def test_parentheses_stretch_only_around_fractions():
    mml = to_mathml("prod(∂J/∂o, ϕ(z))")
    assert mml.count('<mo stretchy="false">(</mo>') == 1  # ϕ(z)
    assert mml.count("<mo>(</mo>") == 1  # prod( … ∂J/∂o …


@pytest.mark.parametrize("text,want", [
    ("((W⁽²⁾ᵀ · ∂J/∂o) ⊙ ϕ'(z)) · xᵀ + λ W⁽¹⁾", "(W⁽²⁾ᵀ ∂J/∂o ⊙ ϕ'(z)) xᵀ + λ W⁽¹⁾"),
    ("∂J/∂o · hᵀ + λ W⁽²⁾", "∂J/∂o hᵀ + λ W⁽²⁾"),
    ("(∂J/∂O)ᵀ · H", "(∂J/∂O)ᵀ H"),  # a transposed group keeps its parentheses
    ("g · (a − b) / (T n)", "g (a − b) / (T n)"),  # a sum, and a divisor, keep theirs
    ("Σₙ (a b)", "Σₙ (a b)"),
    ("softmax(o) − onehot(y)", "softmax(o) − onehot(y)"),
])
def test_book_form(text, want):
    assert book(text) == want

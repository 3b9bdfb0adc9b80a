"""Formulas in math form (`∂J/∂W⁽²⁾ = ∂J/∂o · hᵀ + λ W⁽²⁾`) as MathML, which browsers draw.

A small converter for the formula text calcgraph prints: names with Unicode super- and
subscripts (W⁽²⁾, hᵀ, x₁, W_qh), ∂a/∂b as a fraction, numbers, and operators. Names in
`bold` (arrays, as d2l sets them) are set bold. Anything else passes through as an operator,
so no formula is ever lost, only drawn plainer.
"""

from __future__ import annotations

import html
import re

_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˣᵀ", "0123456789+-=()nixT"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789+-=()aehijklmnoprstuvx"))
_SCRIPTS = "".join(_SUP) + "".join(_SUB)
_TOKEN = re.compile(
    rf"(?P<grad>∂(?P<num>[^\W\d_]\w*(?:_\w+)?[{_SCRIPTS}]*)/∂(?P<den>[^\W\d_]\w*(?:_\w+)?"
    rf"[{_SCRIPTS}]*))"
    rf"|(?P<name>(?![{_SCRIPTS}])[^\W\d_][^\W_]*(?:_[^\W_]+)?[{_SCRIPTS}]*'?)"
    rf"|(?P<number>\d+(?:\.\d+)?[{_SCRIPTS}]*)"
    rf"|(?P<script>[{_SCRIPTS}]+)"
    r"|(?P<space>\s+)"
    r"|(?P<op>.)"
)
_OPS = {"'": "′", "-": "−", "*": "·"}


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _scripted(text: str, bold: frozenset[str], base_tag: str = "mi") -> str:
    """A name or number with its trailing Unicode scripts: <msup>, <msub> or <msubsup>."""
    prime = text.endswith("'")
    text = text.rstrip("'")
    i = len(text)
    while i > 0 and text[i - 1] in _SCRIPTS:
        i -= 1
    base, scripts = text[:i], text[i:]
    sub = "".join(_SUB[c] for c in scripts if c in _SUB)
    sup = "".join(_SUP[c] for c in scripts if c in _SUP) + ("′" if prime else "")
    if "_" in base:  # W_qh: a subscript with no Unicode form
        base, extra = base.split("_", 1)
        sub = extra + sub
    # MathML Core draws only mathvariant="normal"; bold (an array, as d2l sets it) is a class.
    variant = ' class="b"' if base in bold or text in bold else ""
    if base_tag == "mi" and len(base) > 1 and not variant:
        variant = ' mathvariant="normal"'  # softmax, onehot, prod: upright words
    out = f"<{base_tag}{variant}>{_esc(base)}</{base_tag}>"
    if sub and sup:
        return f"<msubsup>{out}{_row(sub)}{_row(sup)}</msubsup>"
    if sub:
        return f"<msub>{out}{_row(sub)}</msub>"
    if sup:
        return f"<msup>{out}{_row(sup)}</msup>"
    return out


def _attach(element: str, scripts: str) -> str:
    sub = "".join(_SUB[c] for c in scripts if c in _SUB)
    sup = "".join(_SUP[c] for c in scripts if c in _SUP)
    if sub:
        element = f"<msub>{element}{_row(sub)}</msub>"
    return f"<msup>{element}{_row(sup)}</msup>" if sup else element


def _row(script: str) -> str:
    """A script's content: (1) and 2 as numbers, T and qh as names, signs as tight operators."""
    parts = []
    for t in re.findall(r"\(\d+\)|\d+|[^\W\d_]+|.", script):
        if t[0] in "(0123456789" and len(t) > 1 or t.isdigit():
            parts.append(f"<mn>{_esc(t)}</mn>")
        elif t.isalpha():
            parts.append(f"<mi>{_esc(t)}</mi>")
        else:
            parts.append(f'<mo lspace="0" rspace="0">{_esc(t)}</mo>')
    return parts[0] if len(parts) == 1 else "<mrow>" + "".join(parts) + "</mrow>"


def to_mathml(formula: str, bold: frozenset[str] | set[str] = frozenset(),
              display: bool = False) -> str:
    """The formula as a <math> element.

    >>> to_mathml("∂J/∂h = W⁽²⁾ᵀ · ∂J/∂o")[:60]
    '<math><mrow><mfrac><mrow><mo>∂</mo><mi>J</mi></mrow><mrow><m'
    >>> "<msup><mi>h</mi><mi>T</mi></msup>" in to_mathml("hᵀ")
    True
    """
    bold = frozenset(bold)
    out = []
    for m in _TOKEN.finditer(formula):
        kind = m.lastgroup
        if kind == "grad" or m.group("grad"):
            num, den = m.group("num"), m.group("den")
            out.append(f"<mfrac><mrow><mo>∂</mo>{_scripted(num, bold)}</mrow>"
                       f"<mrow><mo>∂</mo>{_scripted(den, bold)}</mrow></mfrac>")
        elif kind == "name":
            out.append(_scripted(m.group(0), bold))
        elif kind == "number":
            out.append(_scripted(m.group(0), bold, "mn"))
        elif kind == "script" and out:  # ‖W‖², (∂J/∂O)ᵀ: a script on what came before
            out[-1] = _attach(out[-1], m.group(0))
        elif kind == "op":
            op = _OPS.get(m.group(0), m.group(0))
            out.append(f"<mo>{_esc(op)}</mo>")
    mode = ' display="block"' if display else ""
    return f"<math{mode}><mrow>{''.join(out)}</mrow></math>"

"""Display labels: a tiny TeX-like markup (`W^(1)`, `x_t`, `W_{hx}`) rendered as Unicode or parts.

The markup is deliberately small: a base text, then any number of `^X` / `_X` scripts,
where X is one character, a parenthesised group `(...)` (kept with its parentheses, as
d2l writes W⁽¹⁾) or a braced group `{...}` (braces dropped). A backslash escapes `^`,
`_`, `{`, `}` and itself. Everything else is literal text, so any name is a valid label.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from calcgraph.core.ops import OPS

_SUP = dict(zip("0123456789+-=()nixT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˣᵀ"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


class Part(NamedTuple):
    """One run of label text: `kind` is 'base', 'sup' or 'sub'."""

    kind: str
    text: str


def parse(label: str) -> list[Part]:
    """Split label markup into base/sup/sub runs.

    >>> parse("W^(1)")
    [Part(kind='base', text='W'), Part(kind='sup', text='(1)')]
    >>> parse("W_{hx}")
    [Part(kind='base', text='W'), Part(kind='sub', text='hx')]
    >>> parse(r"a\\_b")
    [Part(kind='base', text='a_b')]
    """
    parts: list[Part] = []
    base: list[str] = []
    i, n = 0, len(label)

    def flush() -> None:
        if base:
            parts.append(Part("base", "".join(base)))
            base.clear()

    while i < n:
        ch = label[i]
        if ch == "\\" and i + 1 < n:
            base.append(label[i + 1])
            i += 2
            continue
        if ch in "^_" and i + 1 < n:
            kind = "sup" if ch == "^" else "sub"
            opener = label[i + 1]
            closer = {"(": ")", "{": "}"}.get(opener)
            end = label.find(closer, i + 2) if closer else -1
            if closer and end != -1:
                text = label[i + 2 : end]
                if opener == "(":
                    text = f"({text})"
                i = end + 1
            else:
                text = opener
                i += 2
            flush()
            parts.append(Part(kind, text))
            continue
        base.append(ch)
        i += 1
    flush()
    return parts


def to_unicode(label: str) -> str:
    """Render markup as one line of Unicode, with script characters where they exist.

    >>> to_unicode("W^(1)"), to_unicode("x_t"), to_unicode("W_{hx}"), to_unicode("ℓ_2")
    ('W⁽¹⁾', 'xₜ', 'Wₕₓ', 'ℓ₂')
    >>> to_unicode("W_{qh}")
    'W_qh'
    """
    out = []
    for kind, text in parse(label):
        table = _SUP if kind == "sup" else _SUB if kind == "sub" else None
        if table is None:
            out.append(text)
        elif all(c in table for c in text):
            out.append("".join(table[c] for c in text))
        else:
            out.append(("^" if kind == "sup" else "_") + text)
    return "".join(out)


def to_ascii(label: str) -> str:
    """Render markup for terminals without Unicode: `W^(1)`, `x_t`, `l_2`.

    >>> to_ascii("W^(1)"), to_ascii("ℓ_2"), to_ascii("ϕ")
    ('W^(1)', 'l_2', 'phi')
    """
    if label in _SYMBOLS:  # an op's own symbol reads as its record says: scale's · is *
        return _SYMBOLS[label]
    out = []
    for kind, text in parse(label):
        text = ascii_text(text)
        out.append(text if kind == "base" else ("^" if kind == "sup" else "_") + text)
    return "".join(out)


_ASCII = {
    "ϕ": "phi", "φ": "phi", "σ": "sigma", "λ": "lam", "ℓ": "l", "×": "x", "⊙": "*",
    "∂": "d", "ᵀ": ".T", "·": "@", "−": "-", "Σ": "sum", "θ": "theta", "α": "alpha",
    "β": "beta", "γ": "gamma", "μ": "mu", "η": "eta", "ε": "eps", "⊘": "/", "≡": "==",
    "✓": "ok", "✗": "x", "→": "->", "←": "<-", "…": "...", "𝟏": "1", "⁽": "^(", "⁾": ")",
    "‖": "||", "½": "1/2", "≈": "~=",
}
# An op's one-character symbol (⊕) reads as its record's ASCII form says.
_ASCII = {**{op.symbol: op.ascii_symbol for op in OPS.values() if len(op.symbol) == 1}, **_ASCII}
# In formulas · is the matrix product (@); as a circle's symbol it is the op's own.
_SYMBOLS = {op.symbol: op.ascii_symbol for op in OPS.values()}
_MARKS = {"COMBINING CIRCUMFLEX ACCENT": "hat", "COMBINING MACRON": "bar",
          "COMBINING TILDE": "tilde", "COMBINING DOT ABOVE": "dot", "COMBINING DIAERESIS": "ddot"}


def ascii_text(text: str) -> str:
    """Replace the math characters calcgraph prints by ASCII stand-ins.

    A run of superscript or subscript characters keeps its marker, as to_ascii writes it.

    ⊙ (elementwise) becomes `*` and · (matrix product) `@`, as numpy writes them.

    >>> ascii_text("∂J/∂W⁽¹⁾ = ∂J/∂z ⊙ ϕ'(z) · xᵀ")
    "dJ/dW^(1) = dJ/dz * phi'(z) @ x.T"
    >>> ascii_text("λ/2 (‖W⁽¹⁾‖² + ‖W⁽²⁾‖²) = ℓ₂, Σₙ")
    'lam/2 (||W^(1)||^2 + ||W^(2)||^2) = l_2, sum_n'
    >>> ascii_text("∂J/∂ŷ, ω, Δ")
    'dJ/dyhat, omega, Delta'
    """
    out = []
    script = ""  # "sup" / "sub" while inside a run of script characters, "group" inside ⁽…⁾
    for ch in text:
        if ch in _ASCII:
            out.append(_ASCII[ch])
            script = "group" if ch == "⁽" else ""
            continue
        sup, sub = _SUP_ASCII.get(ch), _SUB_ASCII.get(ch)
        if sup is not None or sub is not None:
            kind = "sup" if sup is not None else "sub"
            marker = "" if script in ("group", kind) else ("^" if kind == "sup" else "_")
            out.append(marker + (sup or sub))
            script = script if script == "group" else kind
            continue
        script = ""
        out.append(ch if ch.isascii() else _spell(ch))
    return "".join(out)


def _spell(ch: str) -> str:
    """A letter outside the table by its Unicode name: ŷ → yhat, ω → omega; else '?'."""
    base, *marks = unicodedata.normalize("NFD", ch)  # ŷ is y + a combining circumflex
    if base.isascii() and all(unicodedata.name(m, "") in _MARKS for m in marks):
        return base + "".join(_MARKS[unicodedata.name(m)] for m in marks)
    name = unicodedata.name(ch, "")
    if name in _MARKS:  # a mark written after its letter (x̂)
        return _MARKS[name]
    return greek_name(ch) or "?"


def greek_name(ch: str) -> str | None:
    """A Greek letter's name as LaTeX spells it: ω → omega, Ω → Omega; else None.

    >>> greek_name("ω"), greek_name("Ω"), greek_name("x")
    ('omega', 'Omega', None)
    """
    name = unicodedata.name(ch, "")
    for prefix in ("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER "):
        word = name.removeprefix(prefix)
        if word != name and word.isalpha():
            return word.lower() if "SMALL" in prefix else word.capitalize()
    return None


_SUP_ASCII = {v: k for k, v in _SUP.items()}
_SUB_ASCII = {v: k for k, v in _SUB.items()}

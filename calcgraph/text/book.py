"""Formulas the way d2l prints them: a product is juxtaposition (no `·`), and parentheses
that only group a product inside a ⊙ or a sum are dropped, so the unrolled ∂J/∂W⁽¹⁾ reads
`(W⁽²⁾ᵀ ∂J/∂o ⊙ ϕ'(z)) xᵀ + λ W⁽¹⁾` as in the book.
"""

from __future__ import annotations

import re


def book(math: str) -> str:
    """The formula as d2l prints it: products by juxtaposition, no needless parentheses.

    >>> book("((W⁽²⁾ᵀ · ∂J/∂o) ⊙ ϕ'(z)) · xᵀ + λ W⁽¹⁾")
    "(W⁽²⁾ᵀ ∂J/∂o ⊙ ϕ'(z)) xᵀ + λ W⁽¹⁾"
    """
    text = math.replace(" · ", " ")
    while True:
        new = _drop_one(text)
        if new == text:
            return text
        text = new


_BINARY = {"+", "−", "-", "⊙", "⊘", "/", "=", "·"}


def _drop_one(text: str) -> str:
    """Remove the first pair of parentheses that only groups a product, if any."""
    stack = []
    for k, ch in enumerate(text):
        if ch == "(":
            stack.append(k)
        elif ch == ")" and stack:
            start = stack.pop()
            inner = text[start + 1:k]
            before = text[:start].rstrip()
            after = text[k + 1:k + 2]
            call = start > 0 and not text[start - 1].isspace() and text[start - 1] != "("
            top = _top_level(inner)
            if (call or after not in ("", " ", ")") or "," in top
                    or any(t in _BINARY for t in top.split()) or " " not in inner
                    or before.endswith(("/", "⊘", "Σ")) or re.search(r"Σ\S*$", before)):
                continue
            return text[:start] + inner + text[k + 1:]
    return text


def _top_level(text: str) -> str:
    """text with every parenthesised part blanked out."""
    out, depth = [], 0
    for ch in text:
        depth += ch == "("
        out.append(ch if depth == 0 else "_")
        depth -= ch == ")"
    return "".join(out)

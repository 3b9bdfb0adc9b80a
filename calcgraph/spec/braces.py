"""Braces in spec strings: `{t}` in a loop's labels and `{T}` in the title become their values."""

from __future__ import annotations

import re

_BRACED = re.compile(r"\{([^{}]*)\}")
_TOKEN = re.compile(r"\s*([A-Za-z_]\w*|[0-9]+|[+-])\s*")


def fill(text: str, env: dict[str, int], dims: dict[str, int]) -> str:
    """`{t}`, `{t-1}`, `{l,t}` replaced by their values where t is a loop variable in `env`.

    A value of several digits right after `_` or `^` keeps its braces, so the label
    markup still subscripts all of it: "x_{t}" is "x_1" at t = 1 and "x_{10}" at t = 10.
    Braces that hold no loop variable ("W_{hx}") are label markup and stay.

    >>> fill("h_{t-1}", {"t": 3}, {}), fill("x_{t}", {"t": 10}, {}), fill("W_{hx}", {"t": 1}, {})
    ('h_2', 'x_{10}', 'W_{hx}')
    """
    if "{" not in text or not env:
        return text

    def one(m: re.Match) -> str:
        values = [evaluate(part, {**dims, **env}, env) for part in m.group(1).split(",")]
        if None in values:
            return m.group(0)
        s = ",".join(map(str, values))
        scripted = m.start() > 0 and text[m.start() - 1] in "_^" and len(s) > 1
        return "{" + s + "}" if scripted else s

    return _BRACED.sub(one, text)


def evaluate(text: str, scope: dict[str, int], anchor: dict[str, int]) -> int | None:
    """`t-1` with names from scope, or None unless it is such a sum naming one of anchor."""
    parts, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        parts.append(m.group(1))
        pos = m.end()
    if not parts or len(parts) % 2 == 0 or not any(p in anchor for p in parts[::2]):
        return None
    total, sign = 0, 1
    for i, part in enumerate(parts):
        if i % 2:
            if part not in "+-":
                return None
            sign = 1 if part == "+" else -1
        elif part.isdigit():
            total += sign * int(part)
        elif part in scope:
            total += sign * scope[part]
        else:
            return None
    return total

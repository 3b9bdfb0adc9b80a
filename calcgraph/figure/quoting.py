"""DOT quoting: one escape function for every user string, and the tiny formatters of DOT
attributes (ids, numbers, positions, label lines, HTML-like labels)."""

from __future__ import annotations

import re
import unicodedata

from calcgraph.figure.elements import Run

_BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}
_PLAIN = re.compile(r"[ !#-%'-;=?-\[\]-~]*\Z")  # printable ASCII but for " & < > \\
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def quote(text: str, *, html: bool = False) -> str:
    r"""Make any user string safe in DOT: a quoted DOT string, or (html=True) HTML-like label text.

    Control characters, lone surrogates and U+FFFE/U+FFFF are dropped (the SVG's XML
    forbids them); a newline becomes a line break. & < > " become entities in both
    forms: Graphviz decodes them in labels, and an ID or tooltip that still looked like
    an entity (`&foo;`) would otherwise reach the SVG raw and break it.

    >>> print(quote('say "hi" \\N'))
    "say &quot;hi&quot; \\N"
    >>> quote("a<b> & c\x00\nd", html=True)
    'a&lt;b&gt; &amp; c<BR/>d'
    >>> print(quote("two\nlines"), quote("中文"))
    "two\nlines" "中文"
    """
    if _PLAIN.match(text):  # the common case, fast: nothing to drop or escape
        return text if html else f'"{text}"'
    clean = "".join(c for c in text if c in "\n\t" or (
        unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff"))
    body = "".join(_ENTITIES.get(c, c) for c in clean.replace("\t", " "))
    if html:
        return body.replace("\n", "<BR/>")
    return '"' + body.replace("\\", "\\\\").replace("\n", "\\n") + '"'


def dot_id(name: str) -> str:
    """A node or graph ID: bare when DOT allows it (x, mul1), else quoted.

    >>> dot_id("mul1"), dot_id("node"), dot_id("W 1")
    ('mul1', '"node"', '"W 1"')
    """
    if _BARE_ID.match(name) and name.lower() not in _KEYWORDS:
        return name
    return quote(name)


def lines_string(lines: tuple[str, ...], align: str = "center") -> str:
    """Lines as one DOT string, each ended by Graphviz's centre/left/right line break."""
    if align == "center":
        return '"' + "\\n".join(quote(line)[1:-1] for line in lines) + '"'
    end = {"left": "\\l", "right": "\\r"}[align]  # each line ends with its own break
    return '"' + "".join(quote(line)[1:-1] + end for line in lines) + '"'


def num(x: float) -> str:
    """Fixed, short number text (2 decimals at most), so the DOT is byte-identical on rerun."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(**kv: str | float | None) -> str:
    """`[k=v, ...]` for the values that are not None; strings must already be quoted."""
    items = [f"{k}={num(v) if isinstance(v, float) else v}" for k, v in kv.items() if v is not None]
    return f" [{', '.join(items)}]" if items else ""


def html_label(runs: tuple[Run, ...], script_size: float) -> str:
    """Runs as an HTML-like label: <B>W</B><SUP><FONT POINT-SIZE="6.5">(1)</FONT></SUP>."""
    if not runs:
        return '""'
    out = []
    for run in runs:
        text = quote(run.text, html=True)
        if run.script:
            text = f'<FONT POINT-SIZE="{num(script_size)}">{text}</FONT>'
        for flag, tag in ((run.italic, "I"), (run.bold, "B"), (bool(run.script), run.script.upper())):
            if flag:
                text = f"<{tag}>{text}</{tag}>"
        out.append(text)
    return "<" + "".join(out) + ">"


def pinned_pos(x: float | None, y: float | None) -> str | None:
    return None if x is None or y is None else f'"{num(x)},{num(y)}!"'


def inches(pt: float) -> str:
    """Graphviz sizes nodes in inches; 4 decimals keep 21 pt from rounding to 21.6."""
    return f"{pt / 72:.4f}"

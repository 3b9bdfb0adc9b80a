"""The derivation as Markdown with `$…$` / `$$…$$` math (GitHub, Jupyter, most site generators)."""

from __future__ import annotations

from calcgraph.derive.blocks import Code, Display, Document, Heading, Para, Table, runs
from calcgraph.text.texmath import to_latex


def _inline(text: str, bold: set[str], cell: bool = False) -> str:
    out = []
    for kind, s in runs(text):
        if kind == "math":
            tex = to_latex(s, bold)
            out.append(f"${tex}$")
        elif kind == "code":
            out.append(f"`{s}`")
        elif kind == "bold":
            out.append(f"**{s}**")
        else:
            out.append(s)
    line = "".join(out)
    return line.replace("|", r"\|") if cell else line


def to_markdown(doc: Document) -> str:
    """The document as Markdown text, ending in one newline."""
    parts = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            parts.append("#" * b.level + " " + _inline(b.text, doc.bold))
        elif isinstance(b, Para):
            parts.append(_inline(b.text, doc.bold))
        elif isinstance(b, Display):
            parts.append("\n".join(f"$$\n{to_latex(line, doc.bold)}\n$$" for line in b.lines))
        elif isinstance(b, Table):
            head = "| " + " | ".join(_inline(h, doc.bold, True) for h in b.header) + " |"
            rule = "|" + "|".join("---" for _ in b.header) + "|"
            rows = ["| " + " | ".join(_inline(c, doc.bold, True) for c in row) + " |"
                    for row in b.rows]
            parts.append("\n".join([head, rule, *rows]))
        elif isinstance(b, Code):
            parts.append(f"```python\n{b.text}\n```")
    return "\n\n".join(parts) + "\n"

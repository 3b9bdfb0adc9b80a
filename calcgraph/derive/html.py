"""The derivation as one standalone HTML page: MathML math, no script, no network request."""

from __future__ import annotations

from html import escape

from calcgraph.derive.blocks import Code, Display, Document, Heading, Para, Table, runs
from calcgraph.text.texmath import to_mathml

_STYLE = """
body { font: 16px/1.55 system-ui, "Noto Sans", "Noto Sans CJK SC", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; }
math { font-size: 1.1em; } math[display="block"] { margin: .6rem 0; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code, pre { font: .88rem/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
code { background: #f6f8fa; padding: .05rem .25rem; border-radius: 4px; }
pre { background: #f6f8fa; padding: .7rem 1rem; border-radius: 6px; overflow-x: auto; }
@media (prefers-color-scheme: dark) {
  body { color: #e6edf3; background: #0d1117; } th, code, pre { background: #161b22; }
  th, td, h2 { border-color: #30363d; }
}
"""


def _inline(text: str, bold: set[str]) -> str:
    out = []
    for kind, s in runs(text):
        if kind == "math":
            out.append(to_mathml(s, bold))
        elif kind == "code":
            out.append(f"<code>{escape(s)}</code>")
        elif kind == "bold":
            out.append(f"<strong>{escape(s)}</strong>")
        else:
            out.append(escape(s))
    return "".join(out)


def to_html(doc: Document) -> str:
    """The document as an HTML page, ending in one newline."""
    lang = "zh-CN" if doc.lang == "zh" else doc.lang
    parts = ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(doc.title)}</title>", f"<style>{_STYLE}</style>", "</head>",
             "<body>"]
    for b in doc.blocks:
        if isinstance(b, Heading):
            parts.append(f"<h{b.level}>{_inline(b.text, doc.bold)}</h{b.level}>")
        elif isinstance(b, Para):
            parts.append(f"<p>{_inline(b.text, doc.bold)}</p>")
        elif isinstance(b, Display):
            parts += [to_mathml(line, doc.bold, display=True) for line in b.lines]
        elif isinstance(b, Table):
            head = "".join(f"<th>{_inline(h, doc.bold)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c, doc.bold)}</td>" for c in row)
                           + "</tr>" for row in b.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Code):
            parts.append(f"<pre><code>{escape(b.text)}</code></pre>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"

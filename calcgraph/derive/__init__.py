"""The derivation as a document: `calcgraph derive` in Markdown, LaTeX, HTML or plain text.

build.py, shapes.py and memory.py turn a graph into format-free blocks (blocks.py);
markdown.py, latex.py, html.py and plain.py write them. Every formula comes from the op
table through text.formulas, as the trace's do; the words come from text.lang.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from calcgraph.errors import UsageError
from calcgraph.options import DERIVE_FORMATS, choose

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph

EXTENSIONS = {".md": "md", ".markdown": "md", ".tex": "tex", ".html": "html", ".htm": "html",
              ".txt": "txt"}


def derivation(graph: Graph, *, fmt: str = "md", lang: str = "en", values: bool = False,
               batch_graph: Graph | None = None, width: int = 100) -> str:
    """The derivation of `graph` as text in `fmt` (md, tex, html or txt)."""
    from calcgraph.derive.build import derive_document

    fmt = choose(fmt, DERIVE_FORMATS, "derive format")
    doc = derive_document(graph, batch_graph=batch_graph, lang=lang, values=values)
    if fmt == "md":
        from calcgraph.derive.markdown import to_markdown

        return to_markdown(doc)
    if fmt == "tex":
        from calcgraph.derive.latex import to_latex_document

        return to_latex_document(doc)
    if fmt == "html":
        from calcgraph.derive.html import to_html

        return to_html(doc)
    from calcgraph.derive.plain import to_text

    return to_text(doc, width)


def format_for(path: str | None, fmt: str | None) -> str:
    """The format: `fmt` if given, else from the extension of `path`, else plain text."""
    if fmt is not None:
        return choose(fmt.lower(), DERIVE_FORMATS, "derive format")
    if path is None:
        return "txt"
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UsageError(f"cannot tell the format of {path!r} (expected one of the extensions "
                         f"{sorted(EXTENSIONS)}, or give --format {'/'.join(DERIVE_FORMATS)})")
    return EXTENSIONS[suffix]

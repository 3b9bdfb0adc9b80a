"""The derivation as plain text (the default on stdout): Unicode math, tables drawn by rich."""

from __future__ import annotations

import io
import re

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable

from calcgraph.derive.blocks import Code, Display, Document, Heading, Para, Table, runs


def _plain(text: str) -> str:
    return "".join(s for _kind, s in runs(text))


_PIECES = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f"
                     r"\uff00-\uffef]+|\s+")


_CLOSING = set("）。，；：、！？」』")  # never at the start of a line


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells, broken at spaces or between any two Chinese characters
    (which take two cells each), as a Chinese text is set.

    >>> wrap("前向传播按顺序计算", 8)
    ['前向传播', '按顺序计', '算']
    """
    lines, line = [], ""
    for piece in _PIECES.findall(text):
        if piece.isspace():
            line += " " if line else ""
        elif line and cell_len(line + piece) > width and piece not in _CLOSING:
            lines.append(line.rstrip())
            line = piece
        else:
            line += piece
    return [*lines, line.rstrip()] if line.strip() else lines


def to_text(doc: Document, width: int = 100) -> str:
    """The document as plain text wrapped to `width` columns (CJK counted double)."""
    buf = io.StringIO()
    con = Console(file=buf, width=width, color_system=None, highlight=False, emoji=False,
                  markup=False)
    for b in doc.blocks:
        if isinstance(b, Heading):
            title = _plain(b.text)
            rule = ("=" if b.level == 1 else "-") * min(con.measure(title).maximum, width)
            con.print(title if b.level > 2 else f"{title}\n{rule}")
        elif isinstance(b, Para):
            for line in wrap(_plain(b.text), width):
                con.print(line, soft_wrap=True)
        elif isinstance(b, Display):
            for line in b.lines:
                con.print("    " + line)
        elif isinstance(b, Table):
            table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            for h in b.header:
                table.add_column(_plain(h), overflow="fold")
            for row in b.rows:
                table.add_row(*[_plain(c) for c in row])
            con.print(table)
        elif isinstance(b, Code):
            con.print("    " + b.text)
        con.print()
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().rstrip().splitlines())

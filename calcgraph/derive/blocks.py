"""The derivation as format-free blocks (headings, prose, display math, tables, code).

Prose and table cells are small markup strings: `$…$` is math (formula text, as
text.formulas writes it) and `` `…` `` is code; each writer renders both its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Heading:
    level: int  # 1: the title, 2: a section, 3: a subsection
    text: str


@dataclass
class Para:
    text: str


@dataclass
class Display:
    """Display math: one formula per line."""

    lines: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Code:
    text: str


Block = Heading | Para | Display | Table | Code


@dataclass
class Document:
    """A derivation ready to write: its blocks, language and the bold (vector) labels."""

    title: str
    lang: str
    blocks: list[Block] = field(default_factory=list)
    bold: set[str] = field(default_factory=set)  # labels set in bold: vectors and matrices

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def math(self) -> list[str]:
        """Every math fragment of the document, inline and display, as formula text."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Display):
                out += b.lines
            texts = [b.text] if isinstance(b, (Heading, Para)) else (
                b.header + [c for row in b.rows for c in row] if isinstance(b, Table) else [])
            for t in texts:
                out += [s for kind, s in runs(t) if kind == "math"]
        return out


_RUN = re.compile(r"\$([^$]+)\$|`([^`]+)`|\*\*([^*]+)\*\*")


def runs(text: str) -> list[tuple[str, str]]:
    """Split markup into ('text' | 'math' | 'code' | 'bold', content) runs.

    >>> runs("the gradient $∂J/∂o$ is `dJ_do`.")
    [('text', 'the gradient '), ('math', '∂J/∂o'), ('text', ' is '), ('code', 'dJ_do'), ('text', '.')]
    """
    out, pos = [], 0
    for m in _RUN.finditer(text):
        if m.start() > pos:
            out.append(("text", text[pos:m.start()]))
        kind = "math" if m.group(1) is not None else "code" if m.group(2) is not None else "bold"
        out.append((kind, m.group(m.lastindex)))
        pos = m.end()
    if pos < len(text):
        out.append(("text", text[pos:]))
    return out

"""The parsed form of a spec file, and errors that point at its text with a caret."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from calcgraph.errors import SpecError
from calcgraph.text.printable import escape_char, printable


@dataclass(frozen=True)
class Span:
    """Where a piece of text sits: 1-based line, 1-based column, and its length (≥ 1)."""

    line: int
    col: int
    length: int = 1
    step: str = ""  # inside a loop: which iteration ('t = 2'), so errors can say it

    def to(self, other: Span) -> Span:
        """From the start of self to the end of other (both on one line)."""
        return Span(self.line, self.col, max(1, other.col + other.length - self.col), self.step)


class Source:
    """The text of one spec file, so that any error can quote its line."""

    def __init__(self, text: str, filename: str = "<spec>"):
        self.filename = filename
        self.lines = split_lines(text)

    def text(self, span: Span) -> str:
        """The source text under a span."""
        return self.lines[span.line - 1][span.col - 1: span.col - 1 + span.length]

    def error(self, span: Span, message: str) -> SpecError:
        """`file:line:col: message`, then the line and a caret under the span."""
        head = f"{self.where(span)}: {printable(message)}"
        if not 1 <= span.line <= len(self.lines):
            return SpecError(head)
        return SpecError(f"{head}\n{quote_line(self.lines[span.line - 1], span)}")

    def where(self, span: Span) -> str:
        """`file:line:col`, and `: at t = 2` for a line of a loop's body."""
        return f"{self.filename}:{span.line}:{span.col}" + (f": at {span.step}" if span.step
                                                            else "")

    def end(self) -> Span:
        """The line after the last, for file-level errors (missing objective)."""
        return Span(len(self.lines) + 1, 1)


QUOTE_WIDTH = 160  # at most this many characters of a line are quoted, around the column


def quote_line(line: str, span: Span) -> str:
    """The line (or a window of it around the span), indented, and a caret under the span.

    Control characters show escaped (\\x1b), with the caret still under the right text;
    tabs stay tabs so the caret lines up in any terminal.
    """
    start, stop = 0, len(line)
    if len(line) > QUOTE_WIDTH:  # a 1 MB line must not become 1 MB of stderr
        start = max(0, min(span.col - 1 - QUOTE_WIDTH // 3, len(line) - QUOTE_WIDTH))
        stop = start + QUOTE_WIDTH
    cells = [c if c == "\t" else escape_char(c) for c in line[start:stop]]
    lead, tail = ("…" if start else ""), ("…" if stop < len(line) else "")
    before = cells[: max(0, span.col - 1 - start)]
    under = cells[len(before): len(before) + span.length] or [" "]
    pad = "".join(c if c == "\t" else " " * len(c) for c in [lead, *before])
    width = max(1, len("".join(under)))
    return f"    {lead}{''.join(cells)}{tail}\n    {pad}{'^' * width}"


def split_lines(text: str) -> list[str]:
    """Lines as the spec format defines them: ending only at \\n, \\r\\n or \\r.

    Unlike str.splitlines, a form feed in a comment or U+2028 in a label stays in its line.

    >>> split_lines("a\\fb\\r\\nc\\u2028d\\n")
    ['a\\x0cb', 'c\\u2028d']
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'relu'?)` or ''."""
    # 0.5 so that one wrong character in a two-letter name (W3 for W2) still finds it.
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Index:
    """An index or loop bound: a sum of integers, dimensions and loop variables (`t-1`, `T`)."""

    terms: tuple[tuple[int, str | int, Span], ...]  # (sign, name or integer, where)
    span: Span


@dataclass(frozen=True)
class IndexRange:
    """`1..T` in `o[1..T]`: every index from lo to hi, both included."""

    lo: Index
    hi: Index
    span: Span


@dataclass(frozen=True)
class Ref:
    """A name used in an expression: a variable, or a constant where an op takes one.

    `x[t]` has index (t,); the loop expansion (spec/loops.py) turns it into the name x2."""

    name: str
    span: Span
    index: tuple[Index | IndexRange, ...] = ()


@dataclass(frozen=True)
class Num:
    """A number literal: only valid where an op takes a constant (scale(x, 0.5))."""

    value: float
    span: Span


@dataclass(frozen=True)
class Call:
    """`op(args)`, or an infix `a @ b` (op='matmul', op_span under '@')."""

    op: str
    op_span: Span
    args: tuple[Expr, ...]
    span: Span  # the whole expression, for shape errors
    infix: str = ""  # '@', '+', '-' or '*' when written infix


Expr = Ref | Num | Call


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Attr:
    value: str
    span: Span
    index: tuple[Index, ...] = ()  # `node mul[t]`


@dataclass
class Size:
    """One axis of a declared shape: a dimension name or an integer."""

    value: str | int
    span: Span


@dataclass(frozen=True)
class Literal:
    """A leaf's value as written: a number, or a bracketed list of literals (`[[1, 2], [3, 4]]`)."""

    value: float | tuple[Literal, ...]
    span: Span


@dataclass
class Decl:
    """`input x : (d)`, `param W1 : (h, d) = [...]`, `label y : class(q)`."""

    kind: str  # input | param | label
    name: Ref
    shape: list[Size]
    classes: Size | None  # label y : class(q)
    attrs: dict[str, Attr]
    doc: str
    span: Span
    value: Literal | None = None  # `= -4`: a fixed value that --seed leaves alone
    loop: Loop | None = None  # the innermost `for` the line is in


@dataclass
class Const:
    """`const lam = 0.1`."""

    name: Ref
    value: float
    value_span: Span
    attrs: dict[str, Attr]
    doc: str
    loop: Loop | None = None


@dataclass
class Dim:
    """One `d = 4` of a `dim` line."""

    name: Ref
    value: int
    value_span: Span


@dataclass
class Equation:
    """`z = W1 @ x` with its attributes (node, symbol, label, batched) and trailing comment."""

    out: Ref
    expr: Expr
    attrs: dict[str, Attr]
    doc: str
    loop: Loop | None = None


@dataclass
class Loop:
    """`for t in 1..T:`: the lines indented under it are written once for each t."""

    var: Ref
    lo: Index
    hi: Index
    span: Span  # the header, from `for` to the `:`
    parent: Loop | None = None
    body: int = 0  # how many statements it holds (an empty loop is an error)


@dataclass
class Spec:
    """A whole file: statements in file order, plus the header comment."""

    source: Source
    header: list[str] = field(default_factory=list)
    name: Ref | None = None
    title: str = ""
    dims: list[Dim] = field(default_factory=list)
    decls: list[Decl | Const] = field(default_factory=list)
    equations: list[Equation] = field(default_factory=list)
    objectives: list[Ref] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    indexed: bool = False  # some name is written with an index (x[t], o[1..T]): expand first

    @property
    def description(self) -> str:
        """The first header comment line: what `calcgraph samples` shows."""
        return self.header[0] if self.header else self.title

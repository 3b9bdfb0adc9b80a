"""Loops in a spec: the `for t in 1..T:` line, and which lines its indentation puts under it."""

from __future__ import annotations

from calcgraph.spec.lexer import Cursor
from calcgraph.spec.syntax import Loop, Source, Span


def parse_for(p: Cursor, parent: Loop | None) -> Loop:
    """`for t in 1..T:`, with `for` not yet read; the bounds are checked when expanded."""
    kw = p.next()
    var = p.name("a loop variable after 'for', as in for t in 1..T:")
    tok = p.next()
    if tok.kind != "name" or tok.text != "in":
        raise p.fail(tok, f"'in' after 'for {var.name}', as in for {var.name} in 1..T:")
    lo = p.index()
    p.expect_op("..", f" between the first and the last {var.name}, as in for {var.name} in "
                "1..T: (both ends included)")
    hi = p.index()
    colon = p.expect_op(":", " at the end of the for line")
    p.end("the end of the line after ':' (the loop's lines go below it, indented)")
    return Loop(var, lo, hi, kw.span.to(colon.span), parent)


def indentation(line: str) -> str:
    """The spaces and tabs a line starts with."""
    return line[: len(line) - len(line.lstrip(" \t"))]


class Blocks:
    """The loops open at the current line: a line indented deeper than a `for` is in it.

    Blank and comment lines never close a loop, as in Python.
    """

    def __init__(self, src: Source):
        self.src = src
        self.stack: list[tuple[Loop, str]] = []  # open loops, outermost first, with indents

    def enter(self, lineno: int, line: str) -> Loop | None:
        """The innermost loop this line is in, after closing those it ends."""
        indent = indentation(line)
        while self.stack:
            loop, at = self.stack[-1]
            if not (indent.startswith(at) or at.startswith(indent)):
                raise self.src.error(Span(lineno, 1, max(1, len(indent))), "inconsistent "
                                     "indentation: tabs and spaces mixed differently from the "
                                     f"'for' on line {loop.span.line} (indent with one of them)")
            if len(indent) > len(at):
                return loop
            self._close()
        return None

    def open(self, loop: Loop, line: str) -> Loop:
        self.stack.append((loop, indentation(line)))
        return loop

    def close_all(self) -> None:
        while self.stack:
            self._close()

    def _close(self) -> None:
        loop, _ = self.stack.pop()
        if not loop.body:
            raise self.src.error(loop.span, f"'{self.src.text(loop.span)}' has no lines under "
                                 "it (indent the lines it repeats below it)")

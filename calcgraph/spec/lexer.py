"""The spec lexer: one line of text into tokens, by hand (no regex, no eval), and a cursor."""

from __future__ import annotations

import math
from typing import NamedTuple

from calcgraph.spec.syntax import Index, IndexRange, Literal, Ref, Size, Source, Span
from calcgraph.text.printable import escape_char

PUNCT = "()[]=,:@+-*/."
MAX_NUMBER = 24  # characters in one number literal
MAX_LIST_DEPTH = 8  # brackets in a leaf value: more than any teaching array has axes
# Characters people paste from the math; each gets a hint instead of a bare "unexpected".
LOOKALIKES = {
    "×": "use '@' for a matrix product and '*' for an elementwise one",
    "⊙": "use '*' for an elementwise product", "·": "use '@' or '*'",
    "−": "use the ASCII '-'", "“": 'use straight quotes "..."', "”": 'use straight quotes "..."',
    "'": 'strings use double quotes "..."',
}


class Token(NamedTuple):
    kind: str  # name | number | string | op | end
    text: str
    span: Span
    value: str = ""  # a string's content after escapes


def describe(tok: Token) -> str:
    return "the end of the line" if tok.kind == "end" else f"'{tok.text}'"


def tokenize(src: Source, lineno: int, text: str) -> tuple[list[Token], str]:
    """The tokens of one line (ending with an 'end' token) and its trailing comment."""
    toks: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch, start = text[i], i
        if ch in " \t\r\f\v":
            i += 1
        elif ch == "#":
            toks.append(Token("end", "", Span(lineno, i + 1)))
            return toks, text[i + 1:].strip()
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            while i < n and text[i].isascii() and (text[i].isalnum() or text[i] == "_"):
                i += 1
            toks.append(Token("name", text[start:i], Span(lineno, start + 1, i - start)))
        elif ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            i = _scan_number(text, i)
            if i - start > MAX_NUMBER:
                raise src.error(Span(lineno, start + 1, i - start), "number too long "
                                f"(at most {MAX_NUMBER} characters)")
            toks.append(Token("number", text[start:i], Span(lineno, start + 1, i - start)))
        elif ch == '"':
            i, value = _scan_string(src, lineno, text, i)
            toks.append(Token("string", text[start:i], Span(lineno, start + 1, i - start), value))
        elif ch in PUNCT:
            width = 2 if text.startswith(("**", ".."), i) else 1  # power, range (1..T)
            toks.append(Token("op", text[i:i + width], Span(lineno, i + 1, width)))
            i += width
        else:
            hint = LOOKALIKES.get(ch) or (
                "a control character; delete it" if escape_char(ch) != ch else
                f'names use ASCII letters, digits and \'_\'; put other symbols in a label, '
                f'e.g. label "{ch}"')
            raise src.error(Span(lineno, i + 1), f"unexpected character {ch!r} ({hint})")
    toks.append(Token("end", "", Span(lineno, n + 1)))
    return toks, ""


def _scan_number(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i].isdigit():
        i += 1
    if i < n and text[i] == "." and not text.startswith("..", i):  # 1..T is a range
        i += 1
        while i < n and text[i].isdigit():
            i += 1
    if i + 1 < n and text[i] in "eE" and (text[i + 1].isdigit() or
                                          (text[i + 1] in "+-" and i + 2 < n and text[i + 2].isdigit())):
        i += 2
        while i < n and text[i].isdigit():
            i += 1
    return i


def _scan_string(src: Source, lineno: int, text: str, i: int) -> tuple[int, str]:
    """A double-quoted string; only \\" and \\\\ are escapes, so label markup keeps its \\_."""
    out, j, n = [], i + 1, len(text)
    while j < n:
        ch = text[j]
        if ch == "\\" and j + 1 < n and text[j + 1] in '"\\':
            out.append(text[j + 1])
            j += 2
        elif ch == '"':
            return j + 1, "".join(out)
        else:
            out.append(ch)
            j += 1
    raise src.error(Span(lineno, i + 1, n - i), 'unterminated string (expected a closing ")')


class Cursor:
    """A cursor over one line's tokens, with the token-level checks every statement uses."""

    def __init__(self, src: Source, toks: list[Token]):
        self.src, self.toks, self.i, self.depth = src, toks, 0, 0
        self.indexed = False  # an index was read: the statement needs the loop expansion

    def peek(self, k: int = 0) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text == text

    def fail(self, tok: Token, expected: str) -> Exception:
        return self.src.error(tok.span, f"expected {expected}, found {describe(tok)}")

    def expect_op(self, text: str, context: str = "") -> Token:
        if not self.at(text):
            raise self.fail(self.peek(), f"'{text}'{context}")
        return self.next()

    def name(self, what: str) -> Ref:
        tok = self.next()
        if tok.kind != "name":
            raise self.fail(tok, what)
        return Ref(tok.text, tok.span)

    def target(self, what: str) -> Ref:
        """A name being defined, with an optional index: `x`, `x[t]`, `h[l, t]`."""
        ref = self.name(what)
        if not self.at("["):
            return ref
        self.indexed = True
        index = self.indices(ranges=False)
        return Ref(ref.name, ref.span.to(self.toks[self.i - 1].span), index)

    # ------------------------------------------------------------ indices (docs/spec.md#loops)

    def indices(self, ranges: bool) -> tuple[Index | IndexRange, ...]:
        """`[t-1]`, `[l, t]`, or (as an op's operand, where `ranges`) `[1..T]`."""
        self.expect_op("[")
        out: list[Index | IndexRange] = []
        while True:
            lo = self.index()
            if self.at(".."):
                dots = self.next()
                if not ranges:
                    raise self.src.error(dots.span, "a range names several arrays, so it can "
                                         "only stand for an op's operands, as in "
                                         "mean_cross_entropy(o[1..T], y[1..T]); to define "
                                         "one per step, write a loop: for t in 1..T:")
                hi = self.index()
                out.append(IndexRange(lo, hi, lo.span.to(hi.span)))
            else:
                out.append(lo)
            if not self.at(","):
                break
            self.next()
        self.expect_op("]", " or ',' to close the index")
        return tuple(out)

    def index(self) -> Index:
        """A sum of loop variables, dimensions and integers: `t`, `t-1`, `T`, `0`."""
        terms: list[tuple[int, str | int, Span]] = []
        sign = 1
        while True:
            tok = self.next()
            if tok.kind == "name":
                terms.append((sign, tok.text, tok.span))
            elif tok.kind == "number" and tok.text.isdigit():
                terms.append((sign, int(tok.text), tok.span))
            else:
                raise self.fail(tok, "an index: a loop variable, a dimension or a whole number "
                                "(t, t-1, T, 0)")
            if not (self.at("+") or self.at("-")):
                break
            sign = 1 if self.next().text == "+" else -1
        return Index(tuple(terms), terms[0][2].to(terms[-1][2]))

    def end(self, what: str) -> None:
        if self.peek().kind != "end":
            raise self.fail(self.peek(), what)

    # ------------------------------------------------------------ numbers

    def number(self, what: str) -> tuple[float, Span, str]:
        first = self.peek()
        sign = -1.0 if self.at("-") else 1.0
        if sign < 0:
            self.next()
        tok = self.next()
        if tok.kind != "number":
            raise self.fail(tok, what)
        value = sign * float(tok.text)
        if not math.isfinite(value):
            raise self.src.error(tok.span, f"number {tok.text} is too large")
        return value, first.span.to(tok.span), ("-" if sign < 0 else "") + tok.text

    def literal(self, depth: int = 0) -> Literal:
        """A number, or `[` literals separated by commas `]` (a trailing comma is allowed)."""
        if not self.at("["):
            value, span, _ = self.number("a number or '[' to start a list of numbers")
            return Literal(value, span)
        if depth >= MAX_LIST_DEPTH:
            raise self.src.error(self.peek().span, f"list nested too deeply (more than "
                                 f"{MAX_LIST_DEPTH} levels)")
        start = self.next()
        items: list[Literal] = []
        while not self.at("]"):
            items.append(self.literal(depth + 1))
            if not self.at(","):
                break
            self.next()
        close = self.expect_op("]", " or ',' in the list")
        return Literal(tuple(items), start.span.to(close.span))

    def size(self, what: str = "") -> Size:
        """A dimension name or a positive integer; `what` names it in errors ('d = ')."""
        tok = self.peek()
        if tok.kind == "name":
            self.next()
            return Size(tok.text, tok.span)
        value, span, text = self.number("a dimension name or a positive integer")
        if value != int(value) or value < 1 or "." in text or "e" in text.lower():
            raise self.src.error(span, f"bad dimension {what}{text} (expected a positive "
                                 "integer)")
        return Size(int(value), span)

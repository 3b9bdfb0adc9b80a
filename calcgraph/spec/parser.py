"""The spec parser: one statement per line, tokenized by hand; never evaluates user text."""

from __future__ import annotations

import math

from calcgraph.spec.blocks import Blocks, parse_for
from calcgraph.spec.expressions import ExprCursor
from calcgraph.spec.lexer import tokenize
from calcgraph.spec.syntax import (
    Attr,
    Const,
    Decl,
    Dim,
    Equation,
    Size,
    Source,
    Span,
    Spec,
    did_you_mean,
)

STATEMENTS = ("graph", "dim", "input", "param", "label", "const", "objective", "for")
OUTSIDE_LOOPS = ("graph", "dim", "objective")  # once per file: never repeated by a loop
# Which attributes each kind of line takes; the value is a string except for `node` and `box`.
ATTRS = {
    "input": ("label", "batched"), "label": ("label", "batched"), "param": ("label", "box"),
    "const": ("label",), "equation": ("label", "batched", "node", "symbol"),
}


class _Line(ExprCursor):
    """One line's tokens, parsed into expressions and attributes."""

    # ------------------------------------------------------------ attributes

    def attrs(self, kind: str) -> dict[str, Attr]:
        allowed = ATTRS[kind]
        found: dict[str, Attr] = {}
        while self.peek().kind != "end":
            tok = self.next()
            if tok.kind != "name" or tok.text not in ("label", "batched", "node", "symbol", "box"):
                more = " an operator (@ * / + - **)," if kind == "equation" else ""
                raise self.fail(tok, f"{more} an attribute ({', '.join(allowed)}) or the end "
                                     "of the line".lstrip())
            if tok.text not in allowed:
                raise self.src.error(tok.span, f"'{tok.text}' does not apply to "
                                     f"{_kind_name(kind)} (it takes: {', '.join(allowed)})")
            if tok.text in found:
                raise self.src.error(tok.span, f"'{tok.text}' given twice")
            val = self.next()
            want = "name" if tok.text in ("node", "box") else "string"
            if val.kind != want:
                what = f"a {tok.text} name" if want == "name" else 'a string in double quotes'
                raise self.fail(val, f"{what} after '{tok.text}'")
            index: tuple = ()
            if tok.text == "node" and self.at("["):  # node mul[t]: one id per step
                self.indexed = True
                index = self.indices(ranges=False)
            found[tok.text] = Attr(val.value if want == "string" else val.text, val.span, index)
        return found


def _kind_name(kind: str) -> str:
    return {"equation": "an equation", "const": "a constant", "input": "an input",
            "label": "a label", "param": "a parameter"}[kind]


# ---------------------------------------------------------------- statements


def parse(text: str, filename: str = "<spec>") -> Spec:
    """Parse a whole spec; the first problem found is a SpecError pointing at it."""
    src = Source(text, filename)
    spec = Spec(src)
    seen: dict[str, Span] = {}  # graph / objective lines, which may appear once
    blocks = Blocks(src)
    in_header = True
    for lineno, line in enumerate(src.lines, 1):
        stripped = line.strip()
        if in_header and stripped.startswith("#"):
            spec.header.append(stripped.lstrip("#").strip())
            continue
        in_header = False
        toks, doc = tokenize(src, lineno, line)
        if toks[0].kind == "end":
            continue
        loop = blocks.enter(lineno, line)
        p = _Line(src, toks)
        if loop is not None and _keyword(p) in OUTSIDE_LOOPS:
            raise src.error(toks[0].span, f"'{toks[0].text}' cannot be inside a loop (it is "
                            f"said once per file; put it before the 'for' on line "
                            f"{loop.span.line})")
        if _keyword(p) == "for":
            spec.loops.append(blocks.open(parse_for(p, loop), line))
        else:
            stmt = _statement(p, spec, doc, seen)
            if stmt is not None:
                stmt.loop = loop
        if loop is not None:
            loop.body += 1
        spec.indexed = spec.indexed or p.indexed
    blocks.close_all()
    spec.header = [h for h in spec.header if h]
    return spec


def _keyword(p: _Line) -> str:
    """The statement keyword the line starts with ('' for an equation, even `for = ...`)."""
    first, second = p.peek(), p.peek(1)
    if first.kind != "name" or first.text not in STATEMENTS:
        return ""
    return "" if second.kind == "op" and second.text == "=" else first.text


def _statement(p: _Line, spec: Spec, doc: str,
               seen: dict[str, Span]) -> Decl | Const | Equation | None:
    """Parse one statement into spec; return it if a loop may repeat it."""
    first = p.peek()
    if first.kind == "name" and _assigns(p):
        if first.text in STATEMENTS:
            raise p.src.error(first.span, f"'{first.text}' is a keyword and cannot name a "
                              "variable (choose another name)")
        return _equation(p, spec, doc)
    elif first.kind == "name" and first.text in STATEMENTS:
        p.next()
        return {"graph": _graph, "dim": _dim, "const": _const, "objective": _objective}.get(
            first.text, _decl)(p, spec, first, doc, seen)
    elif first.kind == "name":
        raise p.src.error(first.span, f"unknown statement '{first.text}'"
                          + (did_you_mean(first.text, STATEMENTS) or
                             " (expected one of: " + ", ".join(STATEMENTS)
                             + ", or an equation such as z = W1 @ x)"))
    else:
        raise p.fail(first, "a statement (" + ", ".join(STATEMENTS)
                     + ") or an equation such as z = W1 @ x")


def _assigns(p: _Line) -> bool:
    """`z = ...` or `h[t] = ...`: the line is an equation."""
    k = 1
    if p.peek(1).kind == "op" and p.peek(1).text == "[":
        while p.peek(k).kind != "end" and not (p.peek(k).kind == "op" and p.peek(k).text == "]"):
            k += 1
        k += 1
    return p.peek(k).kind == "op" and p.peek(k).text == "="


def _once(p: _Line, kw, seen: dict[str, Span]) -> None:
    if kw.text in seen:
        raise p.src.error(kw.span, f"'{kw.text}' given twice (first on line "
                          f"{seen[kw.text].line})")
    seen[kw.text] = kw.span


def _graph(p: _Line, spec: Spec, kw, doc: str, seen: dict[str, Span]) -> None:
    _once(p, kw, seen)
    spec.name = p.name("a graph name after 'graph'")
    if p.peek().kind == "string":
        spec.title = p.next().value
    p.end('an optional title in double quotes, then the end of the line')


def _dim(p: _Line, spec: Spec, kw, doc: str, seen: dict[str, Span]) -> None:
    while True:
        name = p.name("a dimension name")
        p.expect_op("=", f" after '{name.name}'")
        size = p.size(f"{name.name} = ")
        if not isinstance(size.value, int):
            raise p.src.error(size.span, f"bad dimension {name.name} = {size.value} "
                              "(expected a positive integer)")
        spec.dims.append(Dim(name, size.value, size.span))
        if not p.at(","):
            break
        p.next()
    p.end("',' and another dimension, or the end of the line")


def _decl(p: _Line, spec: Spec, kw, doc: str, seen: dict[str, Span]) -> Decl:
    name = p.target(f"a name after '{kw.text}'")
    p.expect_op(":", f" and a shape after '{name.name}', e.g. {kw.text} {name.name} : (d)")
    classes = None
    shape: list[Size] = []
    tok = p.peek()
    if tok.kind == "name" and tok.text == "class":
        if kw.text != "label":
            raise p.src.error(tok.span, "class(q) is only for labels (integer class indices); "
                              f"a {kw.text} needs a shape such as (d)")
        p.next()
        p.expect_op("(", " after 'class'")
        classes = p.size()
        p.expect_op(")", " after the number of classes")
    else:
        p.expect_op("(", " to start a shape such as (d) or (h, d)"
                    + (", or class(q)" if kw.text == "label" else ""))
        while not p.at(")"):
            shape.append(p.size())
            if not p.at(","):
                break
            p.next()
        p.expect_op(")", " or ',' in the shape")
    value = None
    if p.at("[") or p.peek().kind == "number":
        raise p.fail(p.peek(), f"'=' before the value of '{name.name}'")
    if p.at("="):  # a fixed value: `input x : () = -4`, `param w : (2) = [0.5, -1.5]`
        p.next()
        value = p.literal()
    attrs = p.attrs(kw.text)
    spec.decls.append(Decl(kw.text, name, shape, classes, attrs, doc, kw.span.to(name.span),
                           value))
    return spec.decls[-1]


def _const(p: _Line, spec: Spec, kw, doc: str, seen: dict[str, Span]) -> Const:
    name = p.target("a name after 'const'")
    p.expect_op("=", f" after '{name.name}'")
    value, span, _ = p.number("a number")
    if p.at("/"):
        p.next()
        den, den_span, _ = p.number("a number after '/'")
        if den == 0:
            raise p.src.error(den_span, "division by zero")
        value, span = value / den, span.to(den_span)
        if not math.isfinite(value):  # 1e300/1e-300: each number fits, the quotient does not
            raise p.src.error(span, f"constant {name.name} = {p.src.text(span)} is not a "
                              "finite number (its value overflows)")
    attrs = p.attrs("const")
    spec.decls.append(Const(name, value, span, attrs, doc))
    return spec.decls[-1]


def _objective(p: _Line, spec: Spec, kw, doc: str, seen: dict[str, Span]) -> None:
    _once(p, kw, seen)
    spec.objectives.append(p.target("the name of the scalar to differentiate, e.g. "
                                    "objective J"))
    p.end("the end of the line after the objective's name")


def _equation(p: _Line, spec: Spec, doc: str) -> Equation:
    out = p.target("a name")
    p.expect_op("=", f" after '{p.src.text(out.span)}'")
    if p.peek().kind == "end":
        raise p.fail(p.peek(), f"an expression after '{p.src.text(out.span)} ='")
    expr = p.expr()
    attrs = p.attrs("equation")
    spec.equations.append(Equation(out, expr, attrs, doc))
    return spec.equations[-1]

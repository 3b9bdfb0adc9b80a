"""Spec expressions: a recursive-descent parser over one line's tokens, with Python's precedence."""

from __future__ import annotations

from calcgraph.spec.lexer import Cursor, Token
from calcgraph.spec.syntax import Call, Expr, Num, Ref

MAX_DEPTH = 50  # parentheses and calls; deeper input is rejected, not a RecursionError


class ExprCursor(Cursor):
    """A cursor that reads expressions: `W1 @ x + b`, `relu(z)`, `A.T`, `h[t-1]`."""

    # ------------------------------------------------------------ expressions

    # expr  := term (("+" | "-") term)*
    # term  := unary (("@" | "*" | "/") unary)*
    # unary := "-" unary | power              so -x ** 2 is -(x ** 2), as in Python
    # power := postfix ("**" unary)?          right to left: x ** -1, x ** 2 ** 3
    # postfix := atom (".T")*
    # The checker finds each operator's op in the op table from its form ("c * a").

    def expr(self) -> Expr:
        left = self.term()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            left = self.infix(left, self.term)
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.peek().kind == "op" and self.peek().text in ("@", "*", "/"):
            left = self.infix(left, self.unary)
        return left

    def infix(self, left: Expr, operand) -> Call:
        tok = self.next()
        right = operand()
        return Call(tok.text, tok.span, (left, right), left.span.to(right.span), tok.text)

    def unary(self) -> Expr:
        if not self.at("-"):
            return self.power()
        tok = self.next()
        self.nest(tok)
        inner = self.unary()
        self.depth -= 1
        if isinstance(inner, Num):  # -4 is a number
            return Num(-inner.value, tok.span.to(inner.span))
        return Call(tok.text, tok.span, (inner,), tok.span.to(inner.span), tok.text)

    def power(self) -> Expr:
        base = self.postfix()
        if not self.at("**"):
            return base
        tok = self.next()
        self.nest(tok)
        exponent = self.unary()
        self.depth -= 1
        return Call(tok.text, tok.span, (base, exponent), base.span.to(exponent.span), tok.text)

    def postfix(self) -> Expr:
        atom = self.factor()
        while self.at("."):
            dot, t = self.next(), self.peek()
            if t.kind != "name" or t.text != "T":
                raise self.fail(t, "T after '.' (A.T is the transpose of A)")
            self.next()
            atom = Call(".T", dot.span.to(t.span), (atom,), atom.span.to(t.span), ".T")
        return atom

    def factor(self) -> Expr:
        tok = self.peek()
        if tok.kind == "number":
            value, span, _ = self.number("a number")
            return Num(value, span)
        if tok.kind == "name":
            self.next()
            if self.at("["):  # x[t], h[t-1], o[1..T]: named by the loop expansion
                self.indexed = True
                index = self.indices(ranges=True)
                return Ref(tok.text, tok.span.to(self.toks[self.i - 1].span), index)
            if not self.at("("):
                return Ref(tok.text, tok.span)
            return self.call(tok)
        if self.at("("):
            self.nest(tok)
            self.next()
            inner = self.expr()
            self.expect_op(")", " to close the '('")
            self.depth -= 1
            return inner
        raise self.fail(tok, "a name, a number or '('")

    def call(self, name: Token) -> Call:
        self.nest(name)
        self.next()  # the '('
        args: list[Expr] = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.next()
                args.append(self.expr())
        close = self.expect_op(")", f" or ',' in the arguments of {name.text}(...)")
        self.depth -= 1
        return Call(name.text, name.span, tuple(args), name.span.to(close.span))

    def nest(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.src.error(tok.span, f"expression nested too deeply (more than "
                                 f"{MAX_DEPTH} levels)")

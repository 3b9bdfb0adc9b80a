"""Loop expansion: each line of a `for` body written once per step, `x[t]` named x2, `{t}` filled.

It runs after --set has fixed the dimensions (so `--set T=4` gives four steps) and before the
checker, which then sees a spec without loops or indices. Every span of a repeated line
carries its step ('t = 2'), so an error there says which step it is about.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from calcgraph.spec.braces import fill
from calcgraph.spec.syntax import (
    Attr,
    Call,
    Const,
    Decl,
    Equation,
    Expr,
    Index,
    IndexRange,
    Loop,
    Num,
    Ref,
    Span,
    Spec,
    did_you_mean,
)

MAX_STATEMENTS = 20_000  # after expansion: a teaching graph, not a hostile --set T=10000000
STRINGS = ("label", "batched", "symbol")  # attributes where {t} is filled in

Env = dict[str, int]  # the loop variables in scope and their values, outermost first


def expand(spec: Spec, dims: dict[str, int]) -> Spec:
    """The spec with every loop written out and every index turned into a plain name."""
    if not spec.loops and not spec.indexed:
        return spec
    return _Expander(spec, dims).run()


class _Expander:
    def __init__(self, spec: Spec, dims: dict[str, int]):
        self.spec, self.src, self.dims = spec, spec.source, dims
        self.arrays = {d.name.name: "a constant" if isinstance(d, Const) else f"an {d.kind}"
                       if d.kind == "input" else f"a {d.kind}" for d in spec.decls}
        self.arrays.update((e.out.name, "an array") for e in spec.equations)
        self.steps: dict[int, list[Env]] = {}  # id(loop) → its steps' bindings
        self.count = 0

    def run(self) -> Spec:
        out = Spec(self.spec.source, self.spec.header, self.spec.name, self.spec.title,
                   self.spec.dims)
        for stmt in self.spec.decls:
            out.decls.extend(self._each(stmt, self._decl))
        for stmt in self.spec.equations:
            out.equations.extend(self._each(stmt, self._equation))
        out.objectives = [self._name(ref, {}) for ref in self.spec.objectives]
        return out

    # ------------------------------------------------------------ steps

    def _each(self, stmt, make) -> Iterator:
        """The statement once per step of its loops; a name defined twice is an error."""
        defined: dict[str, str] = {}
        for env in self._envs(stmt.loop):
            self.count += stmt.loop is not None
            if self.count > MAX_STATEMENTS:
                raise self.src.error(stmt.loop.span, f"the loops make more than "
                                     f"{MAX_STATEMENTS:,} statements "
                                     "(calcgraph draws small teaching graphs; use a smaller "
                                     "dimension)")
            new = make(stmt, env)
            for ref in _defines(new):
                if ref.name in defined:
                    raise self._again(ref, defined[ref.name], stmt.loop)
                defined[ref.name] = _step(env)
            yield new

    def _again(self, ref: Ref, before: str, loop: Loop | None):
        written = self.src.text(ref.span)
        what = f"'{ref.name}' is" if written == ref.name else f"'{written}' is {ref.name},"
        return self.src.error(ref.span, f"{what} defined again (as at {before}): each step "
                              "needs names of its own (index them with the loop variable, as "
                              f"in {_indexed_hint(ref, loop, self.src)})")

    def _envs(self, loop: Loop | None) -> list[Env]:
        if loop is None:
            return [{}]
        if id(loop) not in self.steps:
            envs: list[Env] = []
            for outer in self._envs(loop.parent):
                self._check_var(loop, outer)
                lo, hi = (self._value(loop.lo, outer, "the loop's range"),
                          self._value(loop.hi, outer, "the loop's range"))
                if hi < lo:
                    sizes = ", ".join(f"{n} = {self.dims[n]}" for ix in (loop.lo, loop.hi)
                                      for _, n, _ in ix.terms if n in self.dims)
                    raise self.src.error(_at(loop.span, outer), f"'{self.src.text(loop.span)}' "
                                         f"makes no steps: {'with ' + sizes + ' ' if sizes else ''}"
                                         f"its range is {lo}..{hi} (expected a last value at "
                                         "least the first)")
                if len(envs) + hi - lo + 1 > MAX_STATEMENTS:
                    raise self.src.error(loop.span, f"'{self.src.text(loop.span)}' makes more "
                                         f"than {MAX_STATEMENTS:,} steps (calcgraph draws small "
                                         "teaching graphs; use a smaller dimension)")
                envs.extend({**outer, loop.var.name: v} for v in range(lo, hi + 1))
            self.steps[id(loop)] = envs
        return self.steps[id(loop)]

    def _check_var(self, loop: Loop, outer: Env) -> None:
        var = loop.var
        if var.name in self.dims:
            raise self.src.error(var.span, f"loop variable '{var.name}' is also a dimension "
                                 f"(a loop variable needs a name of its own, as in for t in "
                                 f"1..{var.name}:)")
        if var.name in outer:
            raise self.src.error(var.span, f"loop variable '{var.name}' is already the "
                                 "variable of an enclosing loop (nested loops need names of "
                                 "their own)")

    # ------------------------------------------------------------ indices

    def _value(self, index: Index, env: Env, where: str = "") -> int:
        total = 0
        for sign, term, span in index.terms:
            if isinstance(term, int):
                total += sign * term
            elif term in env:
                total += sign * env[term]
            elif term in self.dims:
                total += sign * self.dims[term]
            else:
                raise self.src.error(_at(span, env), self._unknown(term, env, where))
        return total

    def _unknown(self, term: str, env: Env, where: str) -> str:
        known = [*env, *self.dims]
        what = self.arrays.get(term)
        if what is not None and where:
            return (f"'{term}' is {what}, not a dimension (a loop runs over whole numbers "
                    f"and dimensions, as in for t in 1..T with dim T = 3)")
        if what is not None:
            return (f"'{term}' is {what}, not a loop variable or a dimension (an index is a "
                    "sum of whole numbers, dimensions and loop variables, as in h[t-1])")
        scope = f"loop variables here: {', '.join(env)}; " if env else ""
        what = f"unknown name '{term}' in {where}" if where else f"unknown index '{term}'"
        return what + (did_you_mean(term, known) or (
            f" ({scope}dimensions: {', '.join(self.dims) or 'none'})"))

    def _names(self, ref: Ref, env: Env) -> list[Ref]:
        """`x[t]` → [x2]; `o[1..T]` → [o1, o2, o3]; `h[l, t]` → [h1_2]."""
        span = _at(ref.span, env)
        if not ref.index:
            return [Ref(ref.name, span)]
        axes: list[range] = []
        for ix in ref.index:
            if isinstance(ix, IndexRange):
                lo, hi = self._value(ix.lo, env), self._value(ix.hi, env)
                if hi < lo or hi - lo >= MAX_STATEMENTS:
                    raise self.src.error(_at(ix.span, env), f"range {self.src.text(ix.span)} is "
                                         f"{lo}..{hi}, " + ("empty (expected its last value "
                                                            "at least its first)" if hi < lo else
                                                            "too long"))
                axes.append(range(lo, hi + 1))
            else:
                value = self._value(ix, env)
                if value < 0:
                    raise self.src.error(_at(ix.span, env), f"index {self.src.text(ix.span)} "
                                         f"is {value} here (an index is 0 or more)")
                axes.append(range(value, value + 1))
        if any(a.start < 0 for a in axes):
            raise self.src.error(span, f"'{self.src.text(ref.span)}' reaches a negative index "
                                 "(an index is 0 or more)")
        return [Ref(ref.name + "_".join(map(str, combo)), span)
                for combo in itertools.product(*axes)]

    def _name(self, ref: Ref, env: Env) -> Ref:
        return self._names(ref, env)[0]

    # ------------------------------------------------------------ statements

    def _decl(self, d: Decl | Const, env: Env) -> Decl | Const:
        attrs = self._attrs(d.attrs, env)
        doc = fill(d.doc, env, self.dims)
        if isinstance(d, Const):
            return Const(self._name(d.name, env), d.value, _at(d.value_span, env), attrs, doc)
        return Decl(d.kind, self._name(d.name, env), d.shape, d.classes, attrs, doc,
                    _at(d.span, env), d.value)

    def _equation(self, eq: Equation, env: Env) -> Equation:
        return Equation(self._name(eq.out, env), self._expr(eq.expr, env),
                        self._attrs(eq.attrs, env), fill(eq.doc, env, self.dims))

    def _attrs(self, attrs: dict[str, Attr], env: Env) -> dict[str, Attr]:
        out = {}
        for key, a in attrs.items():
            value = a.value
            if key in STRINGS:
                value = fill(value, env, self.dims)
            elif a.index:
                value = self._name(Ref(a.value, a.span, a.index), env).name
            out[key] = Attr(value, _at(a.span, env))
        return out

    def _expr(self, root: Expr, env: Env) -> Expr:
        """The expression with names resolved; a range becomes several operands of its call.

        Iterative, as the checker is: `x[t] + x[t] + ...` is as deep as it is long.
        """
        done: dict[int, list[Expr]] = {}
        todo: list[tuple[Expr, bool]] = [(root, False)]
        while todo:
            e, visited = todo.pop()
            if isinstance(e, Ref):
                done[id(e)] = self._names(e, env)
            elif isinstance(e, Num):
                done[id(e)] = [Num(e.value, _at(e.span, env))]
            elif not visited:
                todo.append((e, True))
                todo.extend((a, False) for a in e.args)
            else:
                args: list[Expr] = []
                for a in e.args:
                    if e.infix and _is_range(a):
                        raise self._range_error(a, env)
                    args.extend(done.pop(id(a)))
                done[id(e)] = [Call(e.op, _at(e.op_span, env), tuple(args), _at(e.span, env),
                                    e.infix)]
        if _is_range(root):
            raise self._range_error(root, env)
        return done[id(root)][0]

    def _range_error(self, ref: Expr, env: Env):
        return self.src.error(_at(ref.span, env), f"range '{self.src.text(ref.span)}' stands "
                              "for several operands, so it can only be inside an op's "
                              "parentheses, as in mean_cross_entropy(o[1..T], y[1..T])")


# ---------------------------------------------------------------- helpers


def _at(span: Span, env: Env) -> Span:
    return Span(span.line, span.col, span.length, _step(env)) if env else span


def _step(env: Env) -> str:
    return ", ".join(f"{k} = {v}" for k, v in env.items())


def _is_range(e: Expr) -> bool:
    return isinstance(e, Ref) and any(isinstance(ix, IndexRange) for ix in e.index)


def _ref(stmt: Decl | Const | Equation) -> Ref:
    return stmt.out if isinstance(stmt, Equation) else stmt.name


def _defines(stmt: Decl | Const | Equation) -> list[Ref]:
    """The names a statement defines: its own, and its operator node's if it names one."""
    refs = [_ref(stmt)]
    node = stmt.attrs.get("node")
    if node is not None:
        refs.append(Ref(node.value, node.span))
    return refs


def _indexed_hint(ref: Ref, loop: Loop | None, src) -> str:
    names = []
    while loop is not None:
        names.insert(0, loop.var.name)
        loop = loop.parent
    base = re.match(r"[A-Za-z_]\w*", src.text(ref.span))
    return f"{base.group(0) if base else ref.name}[{', '.join(names)}]"

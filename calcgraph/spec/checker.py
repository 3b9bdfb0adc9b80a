"""Static checks of a parsed spec, in file order, and its equations flattened to one op each."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from calcgraph.core import ops as ops_table
from calcgraph.core.ops import OPS
from calcgraph.spec.hints import arity_text, refusal
from calcgraph.spec.literals import literal_value
from calcgraph.spec.syntax import (
    Call,
    Const,
    Decl,
    Equation,
    Expr,
    Num,
    Ref,
    Span,
    Spec,
    did_you_mean,
)


@dataclass
class Flat:
    """One equation `out = op(args)` of the graph; nested expressions give several."""

    out: str
    op: str
    args: list[str | float]
    node: str
    span: Span  # the expression, for shape errors
    refs: list[tuple[str, Span]] = field(default_factory=list)  # array operands and where
    symbol: str | None = None
    label: tuple[str | None, str | None] = (None, None)  # (label, label with --batch)
    doc: str = ""
    text: str = ""  # the expression's source text


class Checker:
    """Walks the statements in file order, so the first error reported is the earliest."""

    def __init__(self, spec: Spec, sizes: dict[str, int] | None = None):
        self.spec, self.src = spec, spec.source
        self.sizes = sizes or {}  # dimensions as --set left them, for shaping written values
        self.dims: dict[str, int] = {}
        self.values: dict[str, np.ndarray] = {}  # leaves written with `= value`, one sample
        self.kinds: dict[str, str] = {}  # every array or constant: input|param|label|const|var
        self.first: dict[str, Span] = {}  # where each user name (incl. node names) first appears
        for d in spec.decls:
            self.kinds.setdefault(d.name.name, d.kind if isinstance(d, Decl) else "const")
            self.first.setdefault(d.name.name, d.name.span)
        for e in spec.equations:
            self.kinds.setdefault(e.out.name, "var")
            self.first.setdefault(e.out.name, e.out.span)
            if "node" in e.attrs:
                self.first.setdefault(e.attrs["node"].value, e.attrs["node"].span)
        self.seen: dict[str, Span] = {}  # names defined so far, in file order
        self.taken: set[str] = set()  # names calcgraph made up (temporaries, node ids)
        self.temps: dict[str, str] = {}  # made-up result name → the source text it computes
        self.flat: list[Flat] = []

    def run(self) -> list[Flat]:
        """Check every statement; return the equations, flattened, in file order."""
        dim_lines: dict[str, int] = {}
        for d in self.spec.dims:
            if d.name.name in self.dims:
                raise self.src.error(d.name.span, f"duplicate dimension '{d.name.name}' (first "
                                     f"defined on line {dim_lines[d.name.name]})")
            self.dims[d.name.name], dim_lines[d.name.name] = d.value, d.name.span.line
        self.dims.update(self.sizes)
        statements = [*self.spec.decls, *self.spec.equations, *self.spec.objectives]
        for st in sorted(statements, key=_line):
            if isinstance(st, Decl):
                self._define(st.name)
                shape = tuple(self.size(size.value, size.span) for size in st.shape)
                classes = self.size(st.classes.value, st.classes.span) if st.classes else None
                if st.value is not None:
                    changed = {k: n for k, n in self.sizes.items()
                               if any(d.name.name == k and d.value != n for d in self.spec.dims)}
                    self.values[st.name.name] = literal_value(self.src, st, st.value, shape,
                                                              classes, changed)
            elif isinstance(st, Const):
                if st.name.name in self.dims:
                    # --set NAME=... could not tell the two apart.
                    raise self.src.error(st.name.span, f"duplicate definition of "
                                         f"'{st.name.name}' (first defined on line "
                                         f"{dim_lines[st.name.name]} as a dimension; a constant "
                                         "needs a name of its own)")
                self._define(st.name)
            elif isinstance(st, Equation):
                self._define(st.out)
                self._equation(st)
            else:
                self._ref(st)
        return self.flat

    # ------------------------------------------------------------ names

    def _define(self, ref: Ref) -> None:
        # Dimensions live apart from arrays: mlp has both a dimension h and an array h.
        if ref.name in self.seen:
            raise self.src.error(ref.span, f"duplicate definition of '{ref.name}' (first "
                                 f"defined on line {self.seen[ref.name].line})")
        self.seen[ref.name] = ref.span

    def size(self, value: str | int, span: Span) -> int:
        if isinstance(value, int):
            return value
        if value not in self.dims:
            known = ", ".join(self.dims) or "none yet; declare one with dim " + value + " = 4"
            raise self.src.error(span, f"unknown dimension '{value}'"
                                 + (did_you_mean(value, self.dims) or f" (dimensions: {known})"))
        return self.dims[value]

    def _ref(self, ref: Ref) -> str:
        if ref.name in self.kinds:
            return self.kinds[ref.name]
        if ref.name in self.dims:
            raise self.src.error(ref.span, f"'{ref.name}' is a dimension, not an array "
                                 "(dimensions only size shapes)")
        written = self._text(ref.span)
        if written != ref.name:  # h[t-1] at t = 1 is h0
            raise self.src.error(ref.span, f"'{written}' is '{ref.name}' here, which is not "
                                 f"defined (define {ref.name} too, or change the loop's range)")
        hint = did_you_mean(ref.name, self.kinds) or (
            f" (declare it, e.g. param {ref.name} : (d), or define it with {ref.name} = ...)")
        raise self.src.error(ref.span, f"undeclared name '{ref.name}'{hint}")

    # ------------------------------------------------------------ equations

    def _equation(self, eq: Equation) -> None:
        if not isinstance(eq.expr, Call):
            raise self.src.error(eq.expr.span, f"'{eq.out.name} = ...' needs an op on the "
                                 "right, e.g. relu(x) or W @ x (a bare name or number only "
                                 "renames it)")
        node = eq.attrs.get("node")
        if node is not None:
            where = self.seen.get(node.value) or self.first[node.value]
            if where != node.span:
                raise self.src.error(node.span, f"duplicate definition of '{node.value}' "
                                     f"(also defined on line {where.line})")
            self.seen[node.value] = node.span
        label, batched = eq.attrs.get("label"), eq.attrs.get("batched")
        symbol = eq.attrs.get("symbol")
        self._flatten(eq.expr, eq.out.name, node.value if node else None,
                      symbol.value if symbol else None,
                      (label.value if label else None, batched.value if batched else None),
                      eq.doc)

    def _flatten(self, call: Call, out: str | None, node: str | None = None,
                 symbol: str | None = None, label: tuple = (None, None), doc: str = "") -> str:
        """Flatten `call` into one Flat per op, inner calls first, left to right.

        Iterative, not recursive: `x + x + ... + x` is as deep as it is long.
        """
        done: dict[int, str] = {}  # id(Call) → the name of its result
        todo: list[tuple[Call, tuple | None]] = [(call, None)]
        while todo:
            c, checked = todo.pop()
            if checked is None:  # first visit: check this call, then its inner calls in order
                checked = self._signature(c)
                todo.append((c, checked))
                todo.extend((a, None) for a in reversed(checked[1]) if isinstance(a, Call))
                continue
            root = c is call
            done[id(c)] = self._emit(c, *checked, done, out if root else None,
                                     *((node, symbol, label, doc) if root else ()))
        return done[id(call)]

    def _emit(self, call: Call, op: str, args: tuple[Expr, ...], done: dict[int, str],
              out: str | None, node: str | None = None, symbol: str | None = None,
              label: tuple = (None, None), doc: str = "") -> str:
        values: list[str | float] = []
        refs: list[tuple[str, Span]] = []
        for a in args:
            if isinstance(a, Num):
                values.append(a.value)
            elif isinstance(a, Ref):
                values.append(a.name)
                if self.kinds[a.name] != "const":
                    refs.append((a.name, a.span))
            else:
                values.append(done[id(a)])
                refs.append((done[id(a)], a.span))
        text = self._text(call.span)
        if out is None:
            out = self._temp(text)
            label = (f"t_{out[1:]}" if len(out) == 2 else f"t_{{{out[1:]}}}", None)  # t₁₂
        self.flat.append(Flat(out, op, values, node or self._node_id(op, out), call.span, refs,
                              symbol, label, doc, text))
        return out

    def _signature(self, call: Call) -> tuple[str, tuple[Expr, ...]]:
        """The op and its arguments (arrays first, then constants); checks each argument."""
        op, args = call.op, call.args
        if call.infix:
            op, args = self._infix(call)
        if op not in OPS:
            hint = did_you_mean(op, OPS) or f" (known ops: {', '.join(sorted(OPS))})"
            raise self.src.error(call.op_span, f"unknown op '{op}'{hint}")
        spec = OPS[op]
        nparams = len(spec.params)
        arrays = len(args) - nparams
        # l2(W1, W2) has the right count for l2(W1, lam) but forgets its constant.
        no_consts = spec.arity is None and nparams and not any(
            self._is_const(a) for a in args[-nparams:])
        if no_consts or ((arrays != spec.arity) if spec.arity is not None else arrays < 1):
            missing = f" (no constant for {', '.join(spec.params)})" if no_consts else ""
            raise self.src.error(call.span, f"wrong number of arguments: {op} takes "
                                 f"{arity_text(op)}, got {len(args)}{missing}")
        for i, a in enumerate(args):
            is_const = self._is_const(a)
            if i >= arrays and not is_const:
                p = spec.params[i - arrays]
                raise self.src.error(a.span, f"{op} takes a constant for '{p}' (a number or "
                                     f"a name declared with const), found array "
                                     f"'{self._text(a.span)}'")
            if i < arrays and is_const:
                what = "the number" if isinstance(a, Num) else "the constant"
                raise self.src.error(a.span, f"{op} takes an array here, found {what} "
                                     f"'{self._text(a.span)}' (only constant slots such as "
                                     "scale's c take numbers and constants)")
        return op, args

    def _infix(self, call: Call) -> tuple[str, tuple[Expr, ...]]:
        """`c * x` is scale(x, c): the op whose spec form matches which sides are constants."""
        consts = [self._is_const(a) for a in call.args]
        kinds = ["c" if c else "a" for c in consts]
        if len(kinds) == 2:
            form = f"{kinds[0]} {call.infix} {kinds[1]}"
        else:  # prefix -x, postfix A.T
            form = f"{kinds[0]} {call.infix}" if call.infix.startswith(".") else \
                f"{call.infix} {kinds[0]}"
        op = ops_table.by_infix(form)
        if op is None:
            raise self.src.error(call.span, refusal(call, form, self._text))
        den = call.args[-1]
        if call.infix == "/" and isinstance(den, Num) and den.value == 0:
            # caught here, at the text, not as an Inf in a made-up t1 in the forward pass
            raise self.src.error(den.span, f"'{self._text(call.span)}' divides by zero "
                                           f"(expected a nonzero divisor)")
        # Constants go last, as in the call syntax: c * x is scale(x, c).
        order = sorted(range(len(call.args)), key=lambda i: consts[i])
        return op.name, tuple(call.args[i] for i in order)

    def _is_const(self, a: Expr) -> bool:
        if isinstance(a, Num):
            return True
        return isinstance(a, Ref) and self._ref(a) == "const"

    def _temp(self, text: str) -> str:
        # Short on purpose: the figure draws it in a small square; the trace defines it.
        k = len(self.temps)
        while not self._free(f"t{k + 1}"):
            k += 1
        self.temps[f"t{k + 1}"] = text
        return f"t{k + 1}"

    def _node_id(self, op: str, out: str) -> str:
        # Unnamed operator nodes get the builder's default id, made unique if a user name has it.
        base, k = f"{op}_{out}", 1
        name = base
        while not self._free(name):
            k += 1
            name = f"{base}_{k}"
        return name

    def _free(self, name: str) -> bool:
        """Claim a made-up name unless a user name or an earlier made-up name has it."""
        if name in self.first or name in self.taken:
            return False
        self.taken.add(name)
        return True

    def _text(self, span: Span) -> str:
        return self.src.lines[span.line - 1][span.col - 1: span.col - 1 + span.length]


def _line(st: Decl | Const | Equation | Ref) -> int:
    ref = st.name if isinstance(st, (Decl, Const)) else st.out if isinstance(st, Equation) else st
    return ref.span.line

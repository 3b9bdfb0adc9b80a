"""A checked spec into a Graph: --set overrides, batch axes, dependency order, errors at lines."""

from __future__ import annotations

import math
import re

import numpy as np

from calcgraph.core import ops as ops_table
from calcgraph.core.graph import Graph
from calcgraph.core.models import init_values
from calcgraph.core.nodes import Constant, Variable
from calcgraph.core.order import CycleError, dependency_order
from calcgraph.errors import GraphError, ShapeError, UsageError
from calcgraph.options import DEFAULT_SEED
from calcgraph.spec.braces import fill
from calcgraph.spec.checker import Checker, Flat
from calcgraph.spec.loops import expand
from calcgraph.spec.syntax import Const, Source, Span, Spec
from calcgraph.spec.unused import warn_unused

MAX_ELEMENTS = 10_000_000  # per array: calcgraph draws small teaching graphs
_WHERE = re.compile(r"^\w+ '[^']*'(?: \([\w ]+\))?: ")  # the builder's "matmul 'z': " prefix


def build_spec(spec: Spec, *, batch: int | None = None, seed: int | None = DEFAULT_SEED,
               sets: dict[str, str] | None = None, dtype: str = "float64",
               name: str = "spec", graph_type: type[Graph] = Graph) -> Graph:
    """The graph a spec describes, with seeded values (see models.init_values)."""
    src = spec.source
    file_dims = {d.name.name: d.value for d in spec.dims}
    sets = sets or {}
    # Loops run over dimensions, so --set T=4 must be applied before they are written out.
    spec = expand(spec, {k: set_int(k, sets[k]) if k in sets else v for k, v in file_dims.items()})
    dims, consts = _overrides(spec, file_dims, sets, name)
    checker = Checker(spec, dims)
    flat = checker.run()
    graph = graph_type(spec.name.name if spec.name else name, dtype=dtype, batch=batch, dims=dims,
                       title=fill(spec.title, dims, {}) or spec.description)
    batched = batch is not None
    classes: dict[str, int] = {}
    for d in spec.decls:
        label = _label(d.attrs, batched)
        if isinstance(d, Const):
            graph.constant(d.name.name, consts[d.name.name], label=label, doc=d.doc)
            continue
        shape = tuple(dims[s.value] if isinstance(s.value, str) else s.value for s in d.shape)
        if batched and d.kind != "param":
            shape = (batch, *shape)
        _limit(src, d.span, d.name.name, shape)
        if d.kind == "input":
            graph.input(d.name.name, shape, label=label, batched=batched, doc=d.doc)
        elif d.kind == "param":
            box = d.attrs["box"].value if "box" in d.attrs else None
            graph.param(d.name.name, shape, label=label, doc=d.doc, box=box)
        else:
            graph.label_input(d.name.name, shape, label=label, batched=batched,
                              integer=d.classes is not None, doc=d.doc)
            if d.classes is not None:
                c = d.classes.value
                classes[d.name.name] = dims[c] if isinstance(c, str) else c
    for f in _order(src, flat):
        _apply(graph, src, f, batched, checker.temps)
        for logits, y in _class_operands(f):
            if y in classes:
                _check_classes(graph, src, f, logits, y, classes[y])
    _objective(graph, spec)
    warn_unused(graph, spec)
    init_values(graph, seed)
    for leaf, value in checker.values.items():
        # One sample's value; with --batch every row of an input or label repeats it.
        graph.set(leaf, np.broadcast_to(value, graph[leaf].shape).copy())
    return graph


def _label(attrs: dict, batched: bool) -> str | None:
    if batched and "batched" in attrs:
        return attrs["batched"].value
    return attrs["label"].value if "label" in attrs else None


def _overrides(spec: Spec, dims: dict[str, int], sets: dict[str, str],
               name: str) -> tuple[dict[str, int], dict[str, float]]:
    """The file's dimensions and constants, with --set NAME=VALUE applied."""
    dims = dict(dims)
    consts = {d.name.name: d.value for d in spec.decls if isinstance(d, Const)}
    for key, text in sets.items():
        if key in dims:
            dims[key] = set_int(key, text)
        elif key in consts:
            consts[key] = set_float(key, text)
        else:
            known = ", ".join(sorted([*dims, *consts])) or "it has none"
            graph = spec.name.name if spec.name else name
            raise UsageError(f"--set {key}={text}: {graph} has no dimension or constant "
                             f"{key!r} (must be one of: {known})")
    return dims, consts


_INT = re.compile(r"[0-9]+")  # ASCII digits only: int() would also take 1_000 and ٣
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def set_int(key: str, text: str) -> int:
    """The dimension `--set key=text` gives: plain ASCII digits, 1 to MAX_ELEMENTS."""
    value = int(text) if _INT.fullmatch(text) else 0
    if not 1 <= value <= MAX_ELEMENTS:
        raise UsageError(f"--set {key}={text}: bad dimension (expected a positive integer up to "
                         f"{MAX_ELEMENTS} in plain digits, e.g. {key}=8)")
    return value


def set_float(key: str, text: str) -> float:
    """The constant `--set key=text` gives: a finite decimal number in ASCII (0.01, 1e-3)."""
    value = float(text) if _FLOAT.fullmatch(text) else math.nan
    if not math.isfinite(value):
        raise UsageError(f"--set {key}={text}: expected a number (finite, in ASCII, e.g. 0.01 or 1e-3)")
    return value


def _limit(src: Source, span: Span, name: str, shape: tuple[int, ...]) -> None:
    size = math.prod(shape)
    if size > MAX_ELEMENTS:
        raise src.error(span, f"'{name}' would hold {size:,} numbers {shape} (at most "
                        f"{MAX_ELEMENTS:,}: calcgraph is for small teaching graphs)")


def _order(src: Source, flat: list[Flat]) -> list[Flat]:
    """Equations sorted so each comes after what it reads; file order otherwise kept."""
    try:
        return dependency_order(flat, lambda f: f.out, lambda f: f.refs)
    except CycleError as exc:
        raise src.error(exc.ref, f"{exc} (a value cannot depend on itself)") from None


def _apply(graph: Graph, src: Source, f: Flat, batched: bool, temps: dict[str, str]) -> None:
    label = f.label[1] if batched and f.label[1] is not None else f.label[0]
    try:
        out = graph.apply(f.op, *f.args, out=f.out, name=f.node, symbol=f.symbol, label=label,
                          doc=f.doc)
    except GraphError as exc:
        detail = _WHERE.sub("", str(exc))
        for temp, text in temps.items():  # say "W1 @ x", not the made-up name W1x
            detail = re.sub(rf"\b{re.escape(temp)}\b", text, detail)
        kind = "shape mismatch in" if isinstance(exc, ShapeError) else "cannot compute"
        raise src.error(f.span, f"{kind} '{f.text}': {detail}") from None
    _limit(src, f.span, f.text, out.shape)


def _class_operands(f: Flat) -> list[tuple[str, str]]:
    """(logits, labels) operand pairs, as the op's record declares its class-label operands."""
    op, n = ops_table.get(f.op), len(f.args)
    return [(str(f.args[o]), f.args[y]) for y, o in op.class_operands(n)
            if isinstance(f.args[y], str)]


def _check_classes(graph: Graph, src: Source, f: Flat, name: str, y: str, q: int) -> None:
    logits = graph[name]
    if logits.shape and logits.shape[-1] != q:
        raise src.error(f.span, f"class mismatch in '{f.text}': {y} has class({q}) but "
                        f"{logits.name} has {logits.shape[-1]} logits (expected {q})")


def _objective(graph: Graph, spec: Spec) -> None:
    src = spec.source
    if not spec.objectives:
        sinks = [v.name for v in graph.variables
                 if v.producer is not None and not v.consumers and v.shape == ()]
        hint = (f"add the line 'objective {sinks[0]}' to differentiate {sinks[0]}"
                if len(sinks) == 1 else "expected a line such as 'objective J' naming the "
                "scalar to differentiate")
        raise src.error(src.end(), f"missing objective ({hint})")
    ref = spec.objectives[0]
    node = graph[ref.name]
    if not isinstance(node, Variable) or node.producer is None:
        what = "a constant" if isinstance(node, Constant) else {
            "input": "an input", "param": "a parameter", "label": "a label"}[node.role]
        raise src.error(ref.span, f"objective '{ref.name}' is {what} (expected the result of "
                        "an equation, such as a loss)")
    try:
        graph.set_objective(ref.name)
    except GraphError as exc:
        hint = " (a loss, sum(...) or mean(...) gives one)" if "scalar" in str(exc) else ""
        raise src.error(ref.span, f"{exc}{hint}") from None


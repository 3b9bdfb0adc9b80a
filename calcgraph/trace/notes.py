"""What the trace adds beside each step: values, broadcast sums, unrolled formulas, memory."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from calcgraph.core.program import saved_values
from calcgraph.text.formulas import grad_math, step_record, strip_parens, unit_grads
from calcgraph.text.labels import to_unicode
from calcgraph.text.lang import words
from calcgraph.text.summary import ARRAY_LIMIT, fmt_shape, summarize_array

if TYPE_CHECKING:
    import numpy as np

    from calcgraph.core.engine import Step
    from calcgraph.core.graph import Graph

StepView = Any  # trace.build's StepView, which is built from these notes (see trace.format)

def full_value(a: np.ndarray | None, values: bool, limit: int = ARRAY_LIMIT) -> list | None:
    """--values: the array as nested lists when it has at most `limit` numbers (--array-limit)
    and its summary is not already the array."""
    from calcgraph.text.document import array_json

    if not values or a is None or a.ndim == 0 or a.size > limit or summarize_array(a).startswith("["):
        return None
    return array_json(a)


def broadcast_note(step: Step, obj: str, lang: str = "en") -> str:
    """`b (5,) was broadcast to (8, 5) …, so ∂J/∂b adds up ∂J/∂Z over the batch (axis 0)`."""
    node, i = step.via, step.operand
    axes, lead = node.reduce[i]
    if not axes:
        return ""
    w = words(lang)
    v, out = node.inputs[i], node.output
    over = (w["t.over.batch"] if axes == (0,) and lead and out.batched
            else w["t.over.axis"].format(axis=axes[0]) if len(axes) == 1
            else w["t.over.axes"].format(axes=axes))
    return w["t.broadcast"].format(v=to_unicode(v.label), shape=fmt_shape(v.shape),
                                   out=fmt_shape(out.shape), grad=grad_math(v, obj),
                                   gout=grad_math(out, obj), over=over)


def unroll(graph: Graph, views: list[StepView]) -> None:
    """Substitute pass-through gradients into each parameter's final formula, as the d2l chapter
    ends with ∂J/∂W⁽¹⁾ = (W⁽²⁾ᵀ ∂J/∂o) ⊙ ϕ'(z) xᵀ + λW⁽¹⁾: a gradient is replaced by its own
    formula while that formula still names another gradient (so ∂J/∂o stays: it is the loss's).
    """
    final = {v.record["grad"]: v.record["math"] for v in views
             if v.record["final"] and v.record["kind"] != "seed"}
    names = sorted(final, key=len, reverse=True)  # longest first: ∂J/∂h1 before ∂J/∂h
    pattern = re.compile("|".join(re.escape(n) for n in names) + r"(?!(?!ᵀ)[\w⁽₍])")

    def expand(math: str, depth: int) -> str:
        def sub(m: re.Match) -> str:
            inner = final[m.group(0)]
            if depth > len(final) or not pattern.search(inner):
                return m.group(0)
            return expand(inner, depth + 1)

        # wrap a substituted formula in parentheses unless it is already wrapped or atomic
        out = []
        pos = 0
        for m in pattern.finditer(math):
            rep = strip_parens(sub(m))
            wrapped = math[m.start() - 1:m.start()] == "(" and math[m.end():m.end() + 1] == ")"
            out.append(math[pos:m.start()])
            out.append(rep if rep == m.group(0) or wrapped or " " not in rep else f"({rep})")
            pos = m.end()
        return "".join(out) + math[pos:]

    for view in views:
        rec = view.record
        if rec["final"] and rec["kind"] != "seed" and graph[rec["target"]].role == "param":
            text = expand(rec["math"], 0)
            view.unrolled = text if text != rec["math"] else ""


def memory(graph: Graph) -> list[dict]:
    """Forward values (not parameters) that the backward steps' VJPs read, in forward order."""
    read = {v.name for step in graph.steps if step.via is not None
            for v in saved_values(step.via)}
    return [{"name": v.name, "label": to_unicode(v.label), "shape": list(v.shape),
             "bytes": int(v.value.nbytes)}
            for v in graph.variables if v.name in read and v.role not in ("param", "constant")]


def batch_note(graph: Graph, single: Graph | None, views: list[StepView]) -> dict:
    """The batch's rows, and the d2l chapter's point on the first step whose one-sample code
    transposes and the batch code does not: one sample's gradient g is a column in the
    derivation (Wᵀ · g) and a row in code (g · W); with the rows of the batch stacked, numpy
    computes both as one `g @ W`.
    """
    from calcgraph.trace.variants import as_rows

    sample = next(v for v in graph.variables if v.batched and v.producer is None)
    note = {"n": sample.shape[0], "input": to_unicode(sample.label),
            "input_shape": list(sample.shape), "example": None}
    rows = None
    for view in views:
        one, rec = view.one_sample, view.record
        if single is None or not one or ".T" not in one["code"] or ".T" in rec["code"]:
            continue
        rows = rows or as_rows(single)
        row = by_key(rows).get(key(one)) if rows is not None else None
        if row is None or row["math"] == one["math"]:
            continue
        source, obj = single[one["source"]], to_unicode(single.objective.label)
        note["example"] = {"step": rec["step"], "g": grad_math(source, obj),
                           "g_shape": list(source.shape), "grad": one["grad"],
                           "column": one["math"], "row": row["math"], "code": rec["code"]}
        break
    return note


def key(rec: dict) -> tuple:
    return rec["kind"], rec["target"], rec.get("via"), tuple(rec.get("terms", ()))


def by_key(graph: Graph) -> dict[tuple, dict]:
    unit = unit_grads(graph)
    return {key(r): r for r in (step_record(graph, s, unit=unit) for s in graph.steps)}

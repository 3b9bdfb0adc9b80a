"""The derivation of any graph as blocks: title, forward pass, backward pass, closed forms.

Every formula comes from the trace's records (text.formulas, from the op table); this
module only orders them into a teacher's handout and puts them in `book()` form.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from calcgraph.derive.blocks import Display, Document, Heading, Para, Table
from calcgraph.derive.common import objective_label, space
from calcgraph.text.book import book
from calcgraph.text.formulas import label
from calcgraph.text.lang import words
from calcgraph.trace.build import build_trace

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph
    from calcgraph.trace.build import StepView, Trace


def derive_document(graph: Graph, *, batch_graph: Graph | None = None, lang: str = "en",
                    values: bool = False) -> Document:
    """The whole derivation of a single-sample graph; `batch_graph` (the same source built
    with a batch) adds the batch form to the shapes and memory sections."""
    from calcgraph.derive.memory import memory_section
    from calcgraph.derive.shapes import shapes_section

    w = words(lang)
    trace = build_trace(graph, values=values)
    doc = Document(w["d.title"].format(name=graph.name), lang, bold=bold_labels(graph))
    if batch_graph is not None:  # the batch's own labels (X), not what is a scalar per sample
        single = {label(v) for v in graph.variables}
        doc.bold |= bold_labels(batch_graph) - single
    doc.add(Heading(1, doc.title))
    if graph.title:
        doc.add(Para(graph.title))
    dims = ", ".join(f"{k} = {v}" for k, v in graph.dims.items())
    doc.add(Para(w["d.intro"] + (w["d.dims"].format(dims=f"`{dims}`") if dims else "")))
    _forward(doc, graph, trace, w)
    _backward(doc, trace, w)
    _closed_forms(doc, graph, trace, w)
    shapes_section(doc, graph, trace, batch_graph, w)
    memory_section(doc, graph, trace, batch_graph, w)
    if values:
        _values(doc, trace, w)
    return doc


def bold_labels(graph: Graph) -> set[str]:
    """The labels d2l sets in bold: every variable that is a vector or a matrix."""
    return {label(v) for v in graph.variables if len(v.shape) >= 1 and not v.integer}


def _forward(doc: Document, graph: Graph, trace: Trace, w) -> None:
    doc.add(Heading(2, w["d.forward"]), Para(w["d.forward.intro"]))
    rows = []
    for leaf in trace.leaves:
        if leaf["role"] == "constant":
            rows.append([f"${leaf['label']} = {leaf['value']}$", w["role.constant"], ""])
            continue
        integer = graph[leaf["name"]].integer
        rows.append([f"${leaf['label']} ∈ {space(leaf['shape'], integer)}$",
                     w[f"role.{leaf['role']}"], f"`{tuple(leaf['shape'])}`"])
    doc.add(Table([w["col.variable"], w["col.role"], w["col.shape"]], rows))
    doc.add(Para(w["d.forward.eqs"]))
    shapes = {leaf["name"]: dict(leaf, integer=leaf["role"] == "label" and graph[
        leaf["name"]].integer) for leaf in trace.leaves}
    rows = []
    for rec in trace.forward:
        ins = [shapes[n] for n in rec["inputs"] if n in shapes]
        operands = ", ".join(f"{i['label']} ∈ {space(i['shape'], i.get('integer', False))}"
                             for i in ins
                             if i["role"] != "constant")
        out_label = rec["math"].split(" = ", 1)[0]
        rows.append([str(rec["step"]), f"${book(rec['math'])}$",
                     (f"${operands}$ → " if operands else "")
                     + f"${out_label} ∈ {space(rec['shape'])}$", f"`{rec['code']}`"])
        shapes[rec["output"]] = {"label": out_label, "shape": rec["shape"], "role": "value"}
    doc.add(Table([w["col.step"], w["col.equation"], w["col.shapes"], w["col.numpy"]], rows))


def _backward(doc: Document, trace: Trace, w) -> None:
    j = objective_label(trace)
    doc.add(Heading(2, w["d.backward"]), Para(w["d.backward.intro"].format(j=j)),
            Display([f"∂{j}/∂v = prod(∂{j}/∂out, ∂out/∂v)"]), Para(w["d.backward.prod"]))
    sums = {k: v.record["step"] for v in trace.steps for k in v.record.get("terms", ())}
    for view in trace.steps:
        rec = view.record
        if rec["kind"] == "seed":
            continue
        doc.add(Para(_step_head(view, sums, w)), Display(_step_math(trace, view, j)))
        doc.add(Para(w["d.step.check"].format(code=rec["code"], shapes=rec["shapes"])))


def _step_head(view: StepView, sums: dict, w) -> str:
    rec = view.record
    if rec["kind"] == "sum":
        return w["d.step.sum"].format(k=rec["step"], grad=rec["grad"], n=len(rec["terms"]))
    text = w["d.step"].format(k=rec["step"], grad=rec["grad"], eq=book(view.through),
                              via=view.via)
    if rec["step"] in sums:
        text += w["d.step.path"].format(sum=sums[rec["step"]])
    return text


def _step_math(trace: Trace, view: StepView, j: str) -> list[str]:
    rec = view.record
    grad, math = rec["grad"], book(rec["math"])
    if rec["kind"] == "sum":
        by_step = {v.record["step"]: v.record for v in trace.steps}
        parts = sorted((by_step[k] for k in rec["terms"]), key=lambda p: _order(trace, p))
        return [f"{grad} = " + " + ".join(p["prod"] for p in parts) + f" = {math}"]
    if rec["source"] == trace.objective:  # prod(∂J/∂J, ∂J/∂v) is the local derivative itself
        return [f"{grad} = {math}"]
    if not rec["final"]:
        return [f"{rec['prod']} = {math}"]
    return [f"{grad} = {rec['prod']} = {math}"]


def _order(trace: Trace, rec: dict) -> int:
    return next((f["step"] for f in trace.forward if f["op"] == rec.get("via")), 0)


def _closed_forms(doc: Document, graph: Graph, trace: Trace, w) -> None:
    params = [v for v in trace.steps if v.record["final"] and v.record["kind"] != "seed"
              and graph[v.record["target"]].role == "param"]
    if not params:
        return
    doc.add(Heading(3, w["d.closed"]), Para(w["d.closed.intro"]))
    lines = [f"{v.record['grad']} = {book(v.unrolled or v.record['math'])}" for v in params]
    doc.add(Display(lines))
    final = {v.record["grad"]: v.record for v in trace.steps
             if v.record["final"] and v.record["kind"] != "seed"}
    named = sorted({g for line in lines for g in final if g in line.split(" = ", 1)[1]
                    and not re.search(re.escape(g) + r"[\w⁽₍]", line)} - {
        v.record["grad"] for v in params})
    if named:
        doc.add(Para(w["d.closed.where"]),
                Display([f"{g} = {book(final[g]['math'])}" for g in named]))


def _values(doc: Document, trace: Trace, w) -> None:
    from calcgraph.text.summary import array_text

    def show(value: str, array) -> str:
        text = array_text(array, 10_000) if array is not None else value
        return f"`{' '.join(text.split())}`"

    doc.add(Heading(2, w["d.values"]), Para(w["d.values.intro"]))
    rows = [[f"${leaf['label']}$", show(leaf["value"], leaf["array"])] for leaf in trace.leaves]
    rows += [[f"${rec['math'].split(' = ', 1)[0]}$", show(rec["value"], rec["array"])]
             for rec in trace.forward]
    doc.add(Table([w["col.variable"], w["col.value"]], rows))
    rows = [[f"${v.record['grad']}$", show(v.value or "", v.array)] for v in trace.steps
            if v.record["final"]]
    doc.add(Para(w["d.values.grads"]), Table([w["col.gradient"], w["col.value"]], rows))

"""The shapes section: every variable and every step's numpy line in four forms.

One sample as numpy vectors (q,), as columns (q, 1) the way the derivation reads,
as rows (1, q) (a batch of one), and a batch of n rows (n, q). The row and batch forms
are the graph rebuilt that way (trace.variants), so their code is what the engine runs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from calcgraph.derive.blocks import Code, Display, Document, Heading, Para, Table
from calcgraph.derive.common import objective_label
from calcgraph.errors import CalcgraphError
from calcgraph.text.book import book
from calcgraph.trace.build import build_trace

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph
    from calcgraph.trace.build import Trace

_OUTER = re.compile(r"np\.outer\(([^,()]+), ([^()]+)\)")


def column_code(code: str) -> str:
    """The numpy line for (q, 1) columns: an outer product is a column times a row.

    >>> column_code("dJ_dW2 += np.outer(dJ_do, h)")
    'dJ_dW2 += dJ_do @ h.T'
    """
    return _OUTER.sub(r"\1 @ \2.T", code)


def _column(shape: list) -> tuple:
    return tuple(shape) + (1,) if len(shape) == 1 else tuple(shape)


def _shapes(trace: Trace | None) -> dict[str, tuple]:
    if trace is None:
        return {}
    out = {leaf["name"]: tuple(leaf["shape"]) for leaf in trace.leaves
           if leaf["role"] != "constant"}
    out.update({rec["output"]: tuple(rec["shape"]) for rec in trace.forward})
    return out


def _codes(trace: Trace | None) -> dict[tuple, str]:
    if trace is None:
        return {}
    return {(s.record["kind"], s.record["target"], s.record.get("via")): s.record["code"]
            for s in trace.steps}


def _row_trace(graph: Graph) -> Trace | None:
    try:
        return build_trace(graph, vectors="row")
    except CalcgraphError:  # a graph whose inputs cannot be rows: the column is left empty
        return None


def shapes_section(doc: Document, graph: Graph, trace: Trace, batch_graph: Graph | None,
                   w) -> None:
    rows_t = _row_trace(graph)
    batch_t = build_trace(batch_graph) if batch_graph is not None else None
    n = batch_graph.batch if batch_graph is not None else "n"
    doc.add(Heading(2, w["d.shapes"]), Para(w["d.shapes.intro"].format(n=n)))
    flat, row, batch = _shapes(trace), _shapes(rows_t), _shapes(batch_t)
    header = [w["col.variable"], w["col.vector"], w["col.column"], w["col.row"],
              w["col.batch"].format(n=n)]
    labels = {leaf["name"]: leaf["label"] for leaf in trace.leaves}
    labels.update({rec["output"]: rec["math"].split(" = ", 1)[0] for rec in trace.forward})
    grads = {s.record["target"] for s in trace.steps}
    j = objective_label(trace)
    rows = []
    for name, shape in flat.items():
        rows.append([f"${labels[name]}$" + (f", $∂{j}/∂{labels[name]}$" if name in grads else ""),
                     f"`{shape}`", f"`{_column(list(shape))}`", _code(row.get(name)),
                     _code(batch.get(name))])
    doc.add(Table(header, rows), Para(w["d.shapes.same"].format(j=j)))
    doc.add(Para(w["d.shapes.code"].format(n=n)))
    row_codes, batch_codes = _codes(rows_t), _codes(batch_t)
    rows = []
    for s in trace.steps:
        rec = s.record
        if rec["kind"] == "seed":
            continue
        k = (rec["kind"], rec["target"], rec.get("via"))
        rows.append([str(rec["step"]), f"${rec['grad']}$", f"`{rec['code']}`",
                     f"`{column_code(rec['code'])}`", _code(row_codes.get(k)),
                     _code(batch_codes.get(k))])
    doc.add(Table([w["col.step"], w["col.gradient"], w["col.vector"], w["col.column"],
                   w["col.row"], w["col.batch"].format(n=n)], rows))
    _two_forms(doc, batch_t, w)


def _code(value: object) -> str:
    return f"`{value}`" if value is not None else "—"


def _two_forms(doc: Document, batch_t: Trace | None, w) -> None:
    """The seed's point: W⁽²⁾ᵀ ∂J/∂o (columns) and ∂J/∂o W⁽²⁾ (rows) are one numpy line."""
    note = batch_t.batch_note if batch_t is not None else None
    ex = note["example"] if note else None
    if ex is None:
        return
    q = ex["g_shape"][0] if len(ex["g_shape"]) == 1 else "q"
    doc.add(Heading(3, w["d.twoforms"]),
            Para(w["d.twoforms.column"].format(g=ex["g"], q=q)),
            Display([f"{ex['grad']} = {book(ex['column'])}"]),
            Para(w["d.twoforms.row"].format(g=ex["g"], q=q)),
            Display([f"{ex['grad']} = {book(ex['row'])}"]),
            Para(w["d.twoforms.batch"].format(n=note["n"], q=q, x=note["input"],
                                              shape=tuple(note["input_shape"]))),
            Code(ex["code"]))

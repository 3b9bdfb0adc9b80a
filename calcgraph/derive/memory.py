"""The memory section: what backward reads, its bytes, training versus prediction, growth.

Training keeps every forward value a VJP reads until the backward pass is done with it;
prediction runs the same equations (those before the loss) and may free each value after
its last use. Sizes at other batch sizes are exact, not measured: a batched value holds
one row per sample, so its bytes are its per-sample bytes times n.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from calcgraph.core.program import saved_values
from calcgraph.derive.blocks import Document, Heading, Para, Table
from calcgraph.trace.build import build_trace

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph, Operator, Variable
    from calcgraph.trace.build import Trace

BATCHES = (1, 32, 256)
DEPTHS = (1, 2, 4, 8)
DEPTH_BATCH = 32


def nbytes(v: Variable, n: int | None = None) -> int:
    """v's bytes, at batch size n when v is batched (one row per sample)."""
    shape = v.shape[1:] if v.batched and n is not None else v.shape
    rows = n if v.batched and n is not None else 1
    return int(math.prod(shape)) * rows * v.dtype.itemsize


def kept(graph: Graph, trace: Trace) -> list[Variable]:
    """The forward values (not parameters) the backward pass reads, in forward order."""
    names = {m["name"] for m in trace.memory}
    return [v for v in graph.variables if v.name in names]


def _prediction(graph: Graph) -> list[Operator]:
    """The equations prediction runs: those fed by an input and by no label."""
    labels = {v.name for v in graph.variables if v.role == "label"}
    data = {v.name for v in graph.variables if v.role == "input"}
    out = []
    for node in graph.operators:
        names = {v.name for v in node.inputs}
        if names & labels:
            labels.add(node.output.name)
        elif names & data:
            data.add(node.output.name)
            out.append(node)
    return out


def predict_peak(graph: Graph, n: int | None = None) -> int:
    """The most bytes of values alive at once when prediction frees each after its last use."""
    nodes = _prediction(graph)
    last: dict[str, int] = {}
    for k, node in enumerate(nodes):
        for v in node.inputs:
            last[v.name] = k
    live = {v.name: v for node in nodes for v in node.inputs if v.role == "input"}
    peak = 0
    for k, node in enumerate(nodes):
        live[node.output.name] = node.output
        peak = max(peak, sum(nbytes(v, n) for v in live.values()))
        live = {name: v for name, v in live.items() if last.get(name, len(nodes)) > k
                or v is nodes[-1].output}
    return peak


def _hidden_layer(graph: Graph) -> list[Variable] | None:
    """A layer that can be repeated: an elementwise op between two parameterised ops (z, h)."""
    for node in graph.operators:
        if len(node.inputs) != 1 or node.params or node.output.shape != node.inputs[0].shape:
            continue
        before = node.inputs[0].producer
        after = node.output.consumers
        has_param = (lambda op: op is not None and any(v.role == "param" for v in op.inputs))
        if has_param(before) and after and all(has_param(c) for c in after):
            return [node.inputs[0], node.output]
    return None


def memory_section(doc: Document, graph: Graph, trace: Trace, batch_graph: Graph | None,
                   w) -> None:
    doc.add(Heading(2, w["d.memory"]), Para(w["d.memory.intro"]))
    readers: dict[str, list[str]] = {}
    for node in graph.operators:
        for v in saved_values(node):
            readers.setdefault(v.name, []).append(f"${_math(node)}$")
    values = kept(graph, trace)
    rows = [[f"${m['label']}$", f"`{tuple(m['shape'])}`", str(m["bytes"]),
             w["d.list"].join(dict.fromkeys(readers.get(m["name"], [])))] for m in trace.memory]
    total = sum(nbytes(v) for v in values)
    rows.append([w["col.total"], "", str(total), ""])
    doc.add(Table([w["col.value"], w["col.shape"], w["col.bytes"], w["col.readby"]], rows))
    doc.add(Para(w["d.memory.train"].format(kept=total, peak=predict_peak(graph))))
    if batch_graph is None:
        return
    batch_t = build_trace(batch_graph)
    bvalues = kept(batch_graph, batch_t)
    rows = [[str(n), str(sum(nbytes(v, n) for v in bvalues)), str(predict_peak(batch_graph, n))]
            for n in BATCHES]
    doc.add(Para(w["d.memory.batch"]),
            Table([w["col.batchsize"], w["col.train"], w["col.predict"]], rows))
    layer = _hidden_layer(batch_graph)
    if layer is None:
        doc.add(Para(w["d.memory.nodepth"]))
        return
    base = sum(nbytes(v, DEPTH_BATCH) for v in bvalues)
    extra = sum(nbytes(v, DEPTH_BATCH) for v in layer if v in bvalues)
    labels = w["d.list"].join(f"${_label(v)}$" for v in layer)
    rows = [[str(d), str(base + (d - 1) * extra)] for d in DEPTHS]
    doc.add(Para(w["d.memory.depth"].format(values=labels, n=DEPTH_BATCH, extra=extra)),
            Table([w["col.layers"], w["col.train"]], rows), Para(w["d.memory.why"]))


def _label(v: Variable) -> str:
    from calcgraph.text.formulas import label

    return label(v)


def _math(node: Operator) -> str:
    """The equation's operator as the reader knows it: the symbol of its circle."""
    from calcgraph.text.labels import to_unicode

    return to_unicode(node.symbol)

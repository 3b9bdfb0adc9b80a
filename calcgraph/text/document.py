"""The graph as plain JSON data: nodes, edges, values, gradients, shapes and recorded steps.

The schema is documented in docs/json.md; the trace and render code read this same data.
Output is deterministic: keys in a fixed order, floats as Python's shortest repr.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.text.formulas import forward_record, step_record, unit_grads
from calcgraph.text.labels import to_unicode
from calcgraph.version import __version__

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph

SCHEMA_VERSION = 1


def array_json(a: np.ndarray | None) -> Any:
    """Nested lists of numbers; NaN and ±Inf as the strings 'NaN', 'Inf', '-Inf'."""
    if a is None:
        return None
    if a.dtype.kind in "iub":
        return a.tolist()

    def num(x: float) -> Any:
        if math.isfinite(x):
            return x
        return "NaN" if math.isnan(x) else ("Inf" if x > 0 else "-Inf")

    def walk(x: Any) -> Any:
        return [walk(e) for e in x] if isinstance(x, list) else num(float(x))

    return walk(a.astype(np.float64).tolist())


def to_dict(graph: Graph, *, values: bool = True) -> dict:
    """The whole graph as JSON-ready data (see docs/json.md)."""
    nodes: list[dict] = []
    for v in graph.variables:
        rec = {
            "id": v.name, "kind": "variable", "role": v.role, "label": v.label,
            "label_text": to_unicode(v.label), "shape": list(v.shape), "batched": v.batched,
            "dtype": str(v.dtype), "grad_shape": list(v.grad_shape),
            "producer": v.producer.name if v.producer is not None else None,
            "consumers": [c.name for c in v.consumers],
        }
        if v.box is not None:  # only when given: documents without boxes keep their bytes
            rec["box"] = v.box
        if values:
            rec["value"] = array_json(v.value)
            rec["grad"] = array_json(v.grad)
        nodes.append(rec)
    for node in graph.operators:
        nodes.append({
            "id": node.name, "kind": "operator", "op": node.op.name, "mode": node.mode,
            "label": node.symbol, "label_text": to_unicode(node.symbol),
            "inputs": [v.name for v in node.inputs], "output": node.output.name,
            "params": {k: (p if isinstance(p, float) else p.name) for k, p in node.params.items()},
        })
    unit = unit_grads(graph)
    return {
        "calcgraph": SCHEMA_VERSION,
        "version": __version__,
        "name": graph.name,
        "title": graph.title,
        "dtype": str(graph.dtype),
        "batch": graph.batch,
        "seed": graph.seed,
        "dims": dict(graph.dims),
        "objective": graph.objective.name if graph.objective is not None else None,
        "constants": [{"name": c.name, "label": c.label, "label_text": to_unicode(c.label),
                       "value": c.value} for c in graph.constants.values()],
        "nodes": nodes,
        "edges": [{"src": s, "dst": d} for s, d in graph.edges],
        "forward": [forward_record(n) for n in graph.operators],
        "backward": [step_record(graph, s, unit=unit) for s in graph.steps],
    }


def to_json(graph: Graph, *, values: bool = True, indent: int | None = 2) -> str:
    return json.dumps(to_dict(graph, values=values), indent=indent, ensure_ascii=False) + "\n"

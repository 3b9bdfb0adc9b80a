"""The graph as plain JSON data: nodes, edges, values, gradients, shapes and recorded steps.

The schema is documented in docs/json.md; the trace and render code read this same data.
Output is deterministic: keys in a fixed order, floats as Python's shortest repr.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.core.memory import check as check_memory
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


FULL_ARRAYS = 10_000  # numbers; a larger array is written as its summary unless asked


def array_summary(a: np.ndarray) -> dict:
    """A large array as its shape and statistics: what a JSON reader needs to draw it.

    >>> array_summary(np.arange(4.0).reshape(2, 2))
    {'summary': True, 'shape': [2, 2], 'min': 0.0, 'max': 3.0, 'mean': 1.5, 'std': 1.118033988749895}
    """
    with np.errstate(all="ignore"):
        stats = [a.min(), a.max(), a.mean(), a.std()] if a.size else [math.nan] * 4
    nums = array_json(np.asarray(stats, dtype=np.float64))
    return {"summary": True, "shape": list(a.shape), **dict(zip(("min", "max", "mean", "std"),
                                                                nums))}


def _array_field(a: np.ndarray | None, full: bool) -> Any:
    if a is None or full or a.size <= FULL_ARRAYS:
        return array_json(a)
    return array_summary(a)


def to_dict(graph: Graph, *, values: bool = True, full_arrays: bool = False) -> dict:
    """The whole graph as JSON-ready data (see docs/json.md).

    Arrays of more than FULL_ARRAYS numbers are summarized (shape, min, max, mean, std)
    unless `full_arrays`; the memory budget is checked first for what the full text needs.
    """
    if values and full_arrays:
        check_memory(graph, json_numbers=True)
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
            rec["value"] = _array_field(v.value, full_arrays)
            rec["grad"] = _array_field(v.grad, full_arrays)
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
        "backward": [_step(graph, s, unit, values, full_arrays) for s in graph.steps],
    }


def _step(graph: Graph, step: Any, unit: set[str], values: bool, full: bool) -> dict:
    """A backward record; with values, the step's own result (a contribution or the sum)."""
    rec = step_record(graph, step, unit=unit)
    if values:
        rec["value"] = _array_field(step.value, full)
    return rec


def to_json(graph: Graph, *, values: bool = True, indent: int | None = 2,
            full_arrays: bool = False) -> str:
    return json.dumps(to_dict(graph, values=values, full_arrays=full_arrays), indent=indent,
                      ensure_ascii=False) + "\n"

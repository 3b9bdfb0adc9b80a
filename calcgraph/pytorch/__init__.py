"""Import a PyTorch function or module as a calcgraph graph (`calcgraph.from_torch`).

torch is optional: it is imported only when a model is imported, and its absence is a
UsageError that says how to install it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from calcgraph.core import ops
from calcgraph.core.graph import Graph
from calcgraph.errors import GraphError, ModelError, UsageError
from calcgraph.pytorch.capture import Capture, capture
from calcgraph.pytorch.equations import Lowered
from calcgraph.pytorch.lower import lower
from calcgraph.pytorch.opaque import opaque_op

__all__ = ["from_torch"]


def from_torch(fn: Any, *example_inputs: Any, names: dict[str, str] | None = None,
               labels: dict[str, str] | str | None = "d2l", batch: bool | None = None,
               graph_type: type[Graph] = Graph, name: str = "torch") -> Graph:
    """The graph of `fn(*example_inputs)`, a scalar loss, as calcgraph ops.

    Parameters are the trainable parameters of `fn` (a module) or of the modules its code
    names, called by module path (`0.weight`); inputs by fn's argument names. `names` renames
    any node (a leaf, or an intermediate such as `mm1`), `labels` sets how one is drawn
    (`{"0.weight": "W^(1)"}`); the default `labels="d2l"` draws weights W⁽¹⁾, W⁽²⁾ … in
    the order the computation reads them, biases b⁽¹⁾ …, and intermediates u₁, h₁ …, as the
    d2l book does; `labels="names"` draws every node by its name. `batch=None` treats float inputs of two or more axes as
    batched rows (and the integer labels beside them as batched); True/False forces it.
    """
    rec = capture(fn, tuple(example_inputs))
    try:
        low, loss = lower(rec)
    except ValueError as exc:
        raise ModelError(f"cannot import the model: {exc}") from None
    rename = _renamer(names or {})
    if labels in (None, "d2l"):
        labels = {**short_labels(low), **d2l_labels(rec, low)}
    elif labels == "names":
        labels = {}
    elif isinstance(labels, str):
        raise UsageError(f"unknown labels: {labels!r} (must be one of ['d2l', 'names'] or a "
                         f"dict)")
    graph = graph_type(name, dtype="float64", title=f"imported from PyTorch: {_title(fn)}")
    batched = _batched(rec, batch)
    used = {a for eq in low.eqs for a in eq.args}
    _leaves(graph, rec, low, used, rename, labels or {}, batched)
    for eq in low.eqs:
        _apply(graph, eq, rec, rename, labels or {})
    graph.set_objective(rename(loss))
    if batched and graph.batch is None:
        graph.batch = next(int(t.shape[0]) for t in rec.inputs.values() if t.dim() >= 2)
    return graph


def _title(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


def _renamer(names: dict[str, str]):
    return lambda n: names.get(n, n)


def short_labels(low: Lowered) -> dict[str, str]:
    """u1 → u_1: intermediates drawn with their number as a subscript."""
    out = {}
    for eq in low.eqs:
        stem = eq.out.rstrip("0123456789")
        if stem and stem != eq.out:
            out[eq.out] = f"{stem}_{eq.out[len(stem):]}"
    return out


def d2l_labels(rec: Capture, low: Lowered) -> dict[str, str]:
    """Labels as d2l writes them: weights W⁽¹⁾, W⁽²⁾ … and biases b⁽¹⁾ … in the order the
    computation first reads them, the first input x (X when batched), a label y."""
    out: dict[str, str] = {}
    order = [a for eq in low.eqs for a in eq.args if a in rec.params]
    counts = {"W": 0, "b": 0}
    for key in dict.fromkeys(order):
        kind = "b" if rec.params[key].dim() == 1 else "W"
        counts[kind] += 1
        out[key] = f"{kind}^({counts[kind]})"
    for key, t in rec.inputs.items():
        if key in low.roles or not t.is_floating_point():
            out[key] = "y"
        else:
            out[key] = "X" if t.dim() >= 2 else "x"
    return out


def _batched(rec: Capture, batch: bool | None) -> bool:
    if batch is not None:
        return batch
    return any(t.is_floating_point() and t.dim() >= 2 for t in rec.inputs.values())


def _array(t: Any) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.int64 if not t.is_floating_point() else np.float64)


def _leaves(graph: Graph, rec: Capture, low: Lowered, used: set[str], rename, labels: dict,
            batched: bool) -> None:
    for key, t in rec.inputs.items():
        if key not in used:
            continue
        role = low.roles.get(key)
        integer = not t.is_floating_point()
        b = batched and t.dim() >= (1 if integer or role else 2)
        label = labels.get(key)
        if integer or role:
            graph.label_input(rename(key), tuple(t.shape), label=label, batched=b,
                              integer=integer, value=_array(t))
        else:
            graph.input(rename(key), tuple(t.shape), label=label, batched=b, value=_array(t))
    for key, t in rec.params.items():
        if key in used:
            graph.param(rename(key), tuple(t.shape), label=labels.get(key), value=_array(t),
                        doc=f"PyTorch parameter {key}")


def _apply(graph: Graph, eq: Any, rec: Capture, rename, labels: dict) -> None:
    args = [rename(a) for a in eq.args]
    out = rename(eq.out)
    if isinstance(eq.op, ops.Op):
        consts = list(eq.consts)
        if eq.op is ops.L2:  # λ as a named constant, as d2l draws it
            graph.constant(f"lam_{out}" if "lam" in graph else "lam", consts[0], label="λ")
            consts = [graph.constants[f"lam_{out}" if f"lam_{out}" in graph else "lam"]]
        graph.apply(eq.op, *args, *consts, out=out, label=labels.get(eq.out))
        return
    result = eq.op.out[0] if isinstance(eq.op.out, tuple) else eq.op.out
    op = opaque_op(eq.op, eq.out.rstrip("0123456789") or "op", tuple(result.shape), len(args))
    try:
        graph.apply(op, *args, out=out, label=labels.get(eq.out))
    except GraphError as exc:
        raise ModelError(f"cannot import {eq.op.name}: {exc}") from None

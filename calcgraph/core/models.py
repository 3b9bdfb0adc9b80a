"""Built-in graphs: the d2l MLP objective, and the seeded initial values every graph shares."""

from __future__ import annotations

import zlib

import numpy as np

from calcgraph.core import ops
from calcgraph.core.graph import Graph
from calcgraph.core.memory import check as check_memory
from calcgraph.errors import GraphError
from calcgraph.options import DEFAULT_SEED

ACTIVATIONS = ops.choices("activation")  # what mlp(activation=...) accepts, from the op table
LOSSES = ops.choices("loss")


def init_values(graph: Graph, seed: int | None = DEFAULT_SEED) -> Graph:
    """Give every leaf a deterministic value drawn from `seed` and the leaf's own name.

    Each leaf has its own stream (seed, crc32(name)), so the values do not depend on the
    order in which a builder or a spec file declares the leaves.

    Inputs and float labels ~ N(0, 1); matrices ~ N(0, 1/fan_in) (fan_in = last axis);
    vectors and scalars among the parameters ~ N(0, 0.01); integer labels are class indices
    below the number of logits of the cross-entropy that reads them.
    """
    check_memory(graph)  # before the first array: refuse what would not fit
    graph.seed = seed
    base = np.random.SeedSequence(seed).entropy if seed is None else seed
    for v in graph.leaves():
        rng = np.random.default_rng([base, zlib.crc32(v.name.encode())])
        if v.integer:
            graph.set(v.name, rng.integers(0, _classes(v), size=v.shape))
        elif v.role == "param" and v.ndim == 2:
            graph.set(v.name, rng.normal(0.0, 1.0 / np.sqrt(v.shape[-1]), size=v.shape))
        elif v.role == "param":
            graph.set(v.name, rng.normal(0.0, 0.1, size=v.shape))
        else:
            graph.set(v.name, rng.normal(0.0, 1.0, size=v.shape))
    return graph


def _classes(label) -> int:
    """The number of logits of the first op that reads `label` as class indices (else 2)."""
    for node in label.consumers:
        for y, o in node.op.class_operands(len(node.inputs)):
            if node.inputs[y] is label:
                return node.inputs[o].shape[-1]
    return 2


def mlp(d: int = 4, h: int = 5, q: int = 3, lam: float = 0.1, batch: int | None = None,
        activation: str = ops.RELU.name, loss: str = ops.CROSS_ENTROPY.name, seed: int | None = DEFAULT_SEED,
        dtype: str = "float64", graph_type: type[Graph] = Graph) -> Graph:
    """The d2l figure's graph: J = l(W2 ϕ(W1 x), y) + λ/2 (‖W1‖² + ‖W2‖²), 16 nodes, 17 edges.

    `batch=None` is the single-sample form (x of shape (d,)); `batch=n` the code form
    (x of shape (n, d), o of shape (n, q), y of shape (n,)). `graph_type` is the class to
    build (calcgraph.Graph, which adds the views, when called as `calcgraph.mlp`).
    """
    if activation not in ACTIVATIONS:
        raise GraphError(f"unknown activation: {activation!r} (must be one of {list(ACTIVATIONS)})")
    if loss not in LOSSES:
        raise GraphError(f"unknown loss: {loss!r} (must be one of {list(LOSSES)})")
    for key, n in (("d", d), ("h", h), ("q", q)) + ((("batch", batch),) if batch is not None else ()):
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise GraphError(f"bad dimension {key}={n!r} (expected a positive integer)")
    b = batch is not None
    g = graph_type("mlp", dtype=dtype, batch=batch, dims={"d": d, "h": h, "q": q},
              title="d2l MLP objective J = l(W2 ϕ(W1 x), y) + λ/2 (‖W1‖² + ‖W2‖²)")
    row = (batch,) if b else ()
    g.input("x", row + (d,), label="X" if b else "x", batched=b, doc="data input")
    g.param("W1", (h, d), label="W^(1)", doc="hidden-layer weights")
    g.param("W2", (q, h), label="W^(2)", doc="output-layer weights")
    loss_op = ops.get(loss)
    if loss_op.class_labels:
        g.label_input("y", row, label="y", batched=b, integer=True, doc="class label")
    else:
        g.label_input("y", row + (q,), label="Y" if b else "y", batched=b, doc="target")
    g.constant("lam", lam, label="λ", doc="weight-decay strength")
    g.apply(ops.MATMUL, "W1", "x", out="z", name="mul1", label="Z" if b else "z")
    g.apply(ops.get(activation), "z", out="h", name="phi", symbol="ϕ", label="H" if b else "h")
    g.apply(ops.MATMUL, "W2", "h", out="o", name="mul2", label="O" if b else "o")
    g.apply(loss_op, "o", "y", out="L", name="l", symbol="l")
    g.apply(ops.L2, "W1", "W2", "lam", out="s", name="l2")
    g.apply(ops.ADD, "L", "s", out="J", name="plus")
    g.set_objective("J")
    return init_values(g, seed)

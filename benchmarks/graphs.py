"""Graphs the benchmarks build with calcgraph's public builder API: the deep MLP and the op chain."""

from __future__ import annotations

import numpy as np

import calcgraph as cg

from .floors import CHAIN_CYCLE, SCALE


def deep_mlp(depth: int = 32, width: int = 512, q: int = 10, batch: int = 128,
             lam: float = 0.1, seed: int = 0, dtype: str = "float32") -> cg.Graph:
    """`depth` hidden relu layers of `width` (input width too), a q-class output layer, CE + ℓ₂.

    J = l(W_{depth+1} ϕ(… ϕ(W_1 x)), y) + λ/2 Σ‖W_i‖²: the d2l objective, deeper.
    """
    g = cg.Graph("deep_mlp", dtype=dtype, batch=batch,
                 dims={"d": width, "h": width, "q": q, "depth": depth})
    g.input("x", (batch, width), label="X", batched=True)
    g.label_input("y", (batch,), batched=True, integer=True)
    g.constant("lam", lam, label="λ")
    h, weights = "x", []
    for i in range(1, depth + 1):
        weights.append(g.param(f"W{i}", (width, width)))
        g.apply("matmul", f"W{i}", h, out=f"z{i}", name=f"mul{i}")
        h = g.apply("relu", f"z{i}", out=f"h{i}", name=f"phi{i}", symbol="ϕ").name
    weights.append(g.param(f"W{depth + 1}", (q, width)))
    g.apply("matmul", weights[-1], h, out="o", name=f"mul{depth + 1}")
    g.apply("cross_entropy", "o", "y", out="L", name="l", symbol="l")
    g.apply("l2", *weights, "lam", out="s", name="l2")
    g.apply("add", "L", "s", out="J", name="plus")
    g.set_objective("J")
    return cg.init_values(g, seed)


def mlp_graph(size: tuple[int, ...], seed: int = 0, dtype: str = "float32") -> cg.Graph:
    """The d2l MLP (d, h, q, batch) or, for a (depth, width, q, batch) size, the deep one."""
    if len(size) == 5:
        depth, width, q, batch, _ = size
        return deep_mlp(depth, width, q, batch, seed=seed, dtype=dtype)
    d, h, q, batch = size
    return cg.mlp(d=d, h=h, q=q, batch=batch, lam=0.1, seed=seed, dtype=dtype)


def weights_of(g: cg.Graph) -> list[np.ndarray]:
    """The weight matrices in layer order (W1, W2, …)."""
    return [v.value for v in g.leaves("param")]


def chain_graph(n_ops: int = 1000, width: int = 16, seed: int = 0,
                dtype: str = "float32") -> cg.Graph:
    """A chain of n_ops − 1 small elementwise ops cycling tanh, ⊙p, σ, +p, 4· and a final Σ."""
    g = cg.Graph("chain", dtype=dtype)
    g.param("x", (width,))
    v = "x"
    for i in range(n_ops - 1):
        kind, out = CHAIN_CYCLE[i % len(CHAIN_CYCLE)], f"v{i + 1}"
        if kind in ("mul", "add"):
            g.param(f"p{i}", (width,))
            g.apply(kind, v, f"p{i}", out=out)
        elif kind == "scale":
            g.apply("scale", v, SCALE, out=out)
        else:
            g.apply(kind, v, out=out)
        v = out
    g.apply("sum", v, out="J")
    g.set_objective("J")
    cg.init_values(g, seed)
    # Keep values and gradients O(1) along the chain: no overflow, no slow subnormals.
    for i in range(n_ops - 1):
        kind = CHAIN_CYCLE[i % len(CHAIN_CYCLE)]
        if kind in ("mul", "add"):
            centre = 1.0 if kind == "mul" else -0.5
            g.set(f"p{i}", centre + 0.5 * g[f"p{i}"].value)
    return g


def chain_params(g: cg.Graph, n_ops: int) -> list[np.ndarray | None]:
    """The chain's per-op parameters in order (None for ops without one), for the floor."""
    return [g[f"p{i}"].value if f"p{i}" in g else None for i in range(n_ops - 1)]

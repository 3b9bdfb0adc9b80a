"""Central finite differences for the tests: one op at a time, or a whole graph."""

from __future__ import annotations

import numpy as np

import calcgraph as cg
from calcgraph.core.ops import Op


def op_graph(op: Op, example: list, seed: int) -> cg.Graph:
    """A graph J = Σ (op(a0, a1, …) ⊙ R) whose operands are inputs drawn from the op's domain.

    R is a fixed random cotangent, so ∂J/∂aᵢ is exactly the op's VJP applied to R.
    """
    rng = np.random.default_rng(seed)
    g = cg.Graph(f"check_{op.name}", dtype="float64")
    q = next((shape[-1] for shape, _ in example if shape), 3)
    names = []
    for k, (shape, batched) in enumerate(example):
        name = f"a{k}"
        # A loss's non-differentiable operands (cross_entropy's y) are integer class indices.
        integer = not op.is_differentiable(k, len(example))
        if integer:
            g.label_input(name, shape, batched=batched, integer=True,
                          value=rng.integers(0, q, size=shape))
        else:
            domain = op.domain or (lambda r, s, _q: r.normal(size=s))
            g.input(name, shape, batched=batched, value=np.asarray(domain(rng, shape, q)))
        names.append(name)
    params = [float(rng.uniform(0.3, 1.5)) for _ in op.params]
    out = g.apply(op.name, *names, *params, out="out")
    g.input("R", out.shape, batched=out.batched, value=rng.normal(size=out.shape))
    g.apply("mul", "out", "R", out="weighted")
    g.apply("sum", "weighted", out="J")
    g.set_objective("J")
    return g


def numeric_grad(g: cg.Graph, name: str, eps: float = 1e-6) -> np.ndarray:
    """∂J/∂name by central differences, perturbing one entry at a time."""
    base = np.array(g[name].value, dtype=np.float64)
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        for sign in (1, -1):
            x = base.copy()
            x[idx] += sign * eps
            g.set(name, x)
            g.forward(check="none")
            grad[idx] += sign * float(g.objective.value) / (2 * eps)
    g.set(name, base)
    g.forward(check="none")
    return grad


def mismatches(g: cg.Graph, names: list[str], rtol: float = 1e-5,
               atol: float = 1e-7) -> list[str]:
    """Compare analytic and numeric gradients; one readable line per mismatch."""
    g.backward(inputs=True)
    analytic = {n: None if g[n].grad is None else g[n].grad.copy() for n in names}
    out = []
    for n in names:
        num = numeric_grad(g, n)
        ana = analytic[n]
        if ana is None:
            out.append(f"{g.name}: ∂J/∂{n} was not computed")
        elif ana.shape != num.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
            out.append(f"{g.name}: ∂J/∂{n} analytic {np.round(ana, 6).tolist()} "
                       f"!= numeric {np.round(num, 6).tolist()}")
    return out


def differentiable_leaves(g: cg.Graph) -> list[str]:
    return [v.name for v in g.leaves() if not v.integer and v.name != "R"]

"""Gradient checks for the tests: one op at a time (op_graph), or a whole graph."""

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


def mismatches(g: cg.Graph, names: list[str]) -> list[str]:
    """The library's gradient check (calcgraph.check) restricted to `names`; one readable
    line per gradient that disagrees with central differences or was not computed."""
    rows = {r.node: r for r in cg.check(g, inputs=True).rows}
    out = []
    for n in names:
        row = rows.get(n)
        if row is None:
            out.append(f"{g.name}: ∂J/∂{n} was not computed")
        elif not row.ok:
            out.append(f"{g.name}: ∂J/∂{n} analytic {row.analytic:.6g} != numeric "
                       f"{row.numeric:.6g} at {list(row.worst)} (max abs error "
                       f"{row.max_abs:.2g})")
    return out


def differentiable_leaves(g: cg.Graph) -> list[str]:
    return [v.name for v in g.leaves() if not v.integer and v.name != "R"]

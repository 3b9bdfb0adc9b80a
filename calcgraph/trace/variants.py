"""The same graph for one sample, or with each sample as a (1, n) row: the d2l chapter's shape views.

The trace compares a batch step with the same step for one sample (`W⁽²⁾ᵀ · ∂J/∂o` versus
`∂J/∂O · W⁽²⁾`), and shows `--vectors row` as a batch of one. Both views are rebuilt from
the graph's own equations through the public builder, so any graph works, not just the MLP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcgraph.errors import CalcgraphError

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph, Variable


def _lower(label: str) -> str:
    """d2l writes a batch with a capital (X) and one sample in lower case (x)."""
    if label[:1].isupper() and label[:1].isascii() and (len(label) == 1 or label[1] in "^_"):
        return label[0].lower() + label[1:]
    return label


def one_sample(graph: Graph) -> Graph | None:
    """The graph for the first sample of the batch (x: (d,)), or None if it cannot be built."""
    if not any(v.batched for v in graph.variables):
        return None

    def shape(v: Variable) -> tuple[int, ...]:
        return v.shape[1:] if v.batched else v.shape

    def value(v: Variable):
        return v.value[0] if v.batched else v.value

    return _rebuild(graph, shape, value, lambda v: _lower(v.label) if v.batched else v.label,
                    batched=lambda v: False)


def _sample_leaf(v: Variable) -> bool:
    return v.role in ("input", "label") and not v.batched and v.ndim <= 1


def as_rows(graph: Graph) -> Graph | None:
    """The graph with each sample input as a row (1, d): a batch of one, as `--vectors row`."""
    if any(v.batched for v in graph.variables):
        return None

    def shape(v: Variable) -> tuple[int, ...]:
        return (1, *v.shape) if _sample_leaf(v) else v.shape

    def value(v: Variable):
        return v.value[None] if _sample_leaf(v) else v.value

    return _rebuild(graph, shape, value, lambda v: v.label, batched=_sample_leaf)


def _rebuild(graph: Graph, shape, value, label, batched) -> Graph | None:
    from calcgraph.core.nodes import Constant

    new = type(graph)(graph.name, dtype=graph.dtype, seed=graph.seed, dims=graph.dims,
                title=graph.title)
    try:
        for c in graph.constants.values():
            new.constant(c.name, c.value, label=c.label, doc=c.doc)
        for v in graph.leaves():
            if v.value is None:
                return None
            kw = {"label": label(v), "doc": v.doc}
            if v.role == "param":
                new.param(v.name, shape(v), value=value(v), **kw)
            elif v.role == "label":
                new.label_input(v.name, shape(v), batched=batched(v), integer=v.integer,
                                value=value(v), **kw)
            else:
                new.input(v.name, shape(v), batched=batched(v), value=value(v), **kw)
            new[v.name].requires_grad = v.requires_grad
        for node in graph.operators:
            params = [p.name if isinstance(p, Constant) else p for p in node.params.values()]
            new.apply(node.op.name, *[v.name for v in node.inputs], *params,
                      out=node.output.name, name=node.name, symbol=node.symbol,
                      label=label(node.output), doc=node.output.doc)
        if graph.objective is not None:
            new.set_objective(graph.objective.name)
        new.batch = next((v.shape[0] for v in new.variables if v.batched), None)
        new.backward()
    except CalcgraphError:  # a shape rule that only fits the original view: no comparison
        return None
    return new

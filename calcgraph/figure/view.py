"""The graph as the layout reads it: adjacency in equation order, and the main chain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class View:
    """Adjacency read from plain graph data (Graph.to_dict()), in equation order."""

    def __init__(self, data: Mapping[str, Any]):
        nodes = {n["id"]: n for n in data["nodes"]}
        self.node = nodes
        self.preds: dict[str, list[str]] = {k: [] for k in nodes}
        self.succs: dict[str, list[str]] = {k: [] for k in nodes}
        for e in data["edges"]:
            self.preds[e["dst"]].append(e["src"])
            self.succs[e["src"]].append(e["dst"])
        order: list[str] = []
        seen: set[str] = set()
        for n in data["nodes"]:  # operators come in equation order: a topological order
            if n["kind"] == "operator":
                for v in [*n["inputs"], n["id"], n["output"]]:
                    if v not in seen:
                        seen.add(v)
                        order.append(v)
        order += [k for k in nodes if k not in seen]
        self.order = order
        self.index = {k: i for i, k in enumerate(order)}
        self.edges = tuple((e["src"], e["dst"]) for e in data["edges"])
        self.target = data.get("objective") or self._deepest_sink()
        self.downstream = {self.target}  # the target and what it feeds: placed after it
        for v in self.order:
            if any(u in self.downstream for u in self.preds[v]):
                self.downstream.add(v)

    def _deepest_sink(self) -> str | None:
        """Without an objective: the sink with the most ancestors (the last one on ties)."""
        seen: dict[str, set[str]] = {}
        for v in self.order:
            seen[v] = {v}.union(*(seen[u] for u in self.preds[v]))
        sinks = [v for v in self.order if not self.succs[v]]
        return max(reversed(sinks), key=lambda v: len(seen[v]), default=None)

    def is_leaf(self, v: str) -> bool:
        return self.node[v]["kind"] == "variable" and not self.preds[v]

    def is_scalar(self, v: str) -> bool:
        return self.node[v]["kind"] == "variable" and len(self.node[v].get("shape", [])) == 0

    def is_reduction(self, op: str) -> bool:
        """An operator turning an array into a scalar: a loss, a penalty, a sum."""
        out = self.succs[op]
        return bool(out) and self.is_scalar(out[0]) and any(
            not self.is_scalar(v) for v in self.preds[op])

    def sorted(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=self.index.__getitem__)


def main_chain(g: View) -> list[str]:
    """The longest path from an input to the target, ending at the loss.

    The loss is the operator that reads a label; without one, the last reduction (array
    to scalar); without that, the objective's producer.
    """
    if g.target is None:
        return []
    ancestors = {g.target}
    for v in reversed(g.order):
        if v in ancestors:
            ancestors.update(g.preds[v])
    inputs = [v for v in g.order if g.is_leaf(v) and v in ancestors
              and g.node[v].get("role") == "input"]
    starts = set(inputs or [v for v in g.order if g.is_leaf(v) and v in ancestors])
    best: dict[str, tuple[int, str | None]] = {}
    for v in g.order:
        if v not in ancestors:
            continue
        if v in starts:
            best[v] = (1, None)
        for p in g.preds[v]:  # strict '>' keeps the first operand on ties
            if p in best and (v not in best or best[p][0] + 1 > best[v][0]):
                best[v] = (best[p][0] + 1, p)
    path: list[str] = []
    v: str | None = g.target if g.target in best else None
    while v is not None:
        path.append(v)
        v = best[v][1]
    path.reverse()
    ops = [i for i, v in enumerate(path[:-1]) if g.node[v]["kind"] == "operator"]
    losses = [i for i in ops if any(g.node[u].get("role") == "label" for u in g.preds[path[i]])]
    reductions = [i for i in ops if g.is_reduction(path[i])]
    end = (losses or reductions[-1:] or [len(path) - 2])[0]
    return path[: end + 1] if len(path) > 1 else path

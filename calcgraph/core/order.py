"""Dependency order for equations given in any order; iterative, so long chains are fine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from calcgraph.errors import GraphError

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph

T = TypeVar("T")


class CycleError(GraphError):
    """Equations that depend on themselves; `flow` is the cycle, `ref` where it closes."""

    def __init__(self, flow: list[str], ref: Any = None):
        super().__init__(f"cycle: {' → '.join(flow)}")
        self.flow, self.ref = flow, ref


def dependency_order(items: Iterable[T], out: Callable[[T], str],
                     refs: Callable[[T], Iterable[tuple[str, Any]]]) -> list[T]:
    """Items sorted so each comes after the items producing what it reads (`refs` yields
    (name, ref) pairs); given order kept otherwise. Iterative, so a long chain of equations
    cannot hit the recursion limit; a cycle raises CycleError."""
    items = list(items)
    by_out = {out(i): i for i in items}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    order: list[T] = []
    for root in items:
        if out(root) in state:
            continue
        state[out(root)] = 1
        stack = [(root, iter(refs(root)))]
        while stack:
            item, deps = stack[-1]
            for dep, ref in deps:
                if dep not in by_out or state.get(dep) == 2:
                    continue
                if state.get(dep) == 1:
                    path = [out(i) for i, _ in stack]
                    raise CycleError([dep, *reversed(path[path.index(dep):])], ref)
                state[dep] = 1
                stack.append((by_out[dep], iter(refs(by_out[dep]))))
                break
            else:
                state[out(item)] = 2
                order.append(item)
                stack.pop()
    return order


def build(graph: Graph, equations: Iterable[dict]) -> Graph:
    """Append equations given in any order, sorted by dependency; a cycle is a CycleError.

    Each equation is a dict with keys out, op, args and optional name, symbol, label, doc.
    """
    order = dependency_order(equations, lambda eq: eq["out"],
                             lambda eq: [(a, None) for a in eq["args"] if isinstance(a, str)])
    for eq in order:
        graph.apply(eq["op"], *eq["args"], out=eq["out"], name=eq.get("name"),
                    symbol=eq.get("symbol"), label=eq.get("label"), doc=eq.get("doc", ""))
    return graph

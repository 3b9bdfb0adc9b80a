"""The fallback layout: a Sugiyama-style layered drawing, columns left to right.

Used when the d2l rules cannot hold or cross more edges (docs/layout.md, "Fallback").
The phases are those of Graphviz's dot and the layered layouts after it:

1. columns (`ranking.py`): the least total edge length, so the fewest dummies;
2. every edge over several columns becomes a chain of dummy nodes, one per column;
3. ordering (`ordering.py`): barycentre sweeps and transposition, crossings counted exactly;
4. rows (`rows.py`): each node near its neighbours, long edges straight;
5. every edge is drawn through its dummies' cells (`level.py`: level across each column,
   an S-curve between two), so two edges cross only where their orders swap.

The objective takes the top-right corner, alone in the last column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from calcgraph.figure.ordering import order_layers
from calcgraph.figure.ranking import rank
from calcgraph.figure.rows import assign_rows

Cell = tuple[int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Layered:
    """Cells of the real nodes, waypoints of every edge, and the crossings left."""

    cells: dict[str, Cell]
    routes: dict[tuple[str, str], tuple[Point, ...]]
    crossings: int


def layered(order: Sequence[str], preds: Mapping[str, Sequence[str]],
            succs: Mapping[str, Sequence[str]], target: str | None,
            low: Sequence[str] = ()) -> Layered:
    """The layered drawing of the graph given in `order` (a topological order); the
    nodes of `low` (the data inputs) toward the bottom: the drawing is turned upside
    down when they sit above the middle (every crossing stays as it was). A node with
    no edge at all (an unused parameter) waits at the top left."""
    alone = [v for v in order if not preds[v] and not succs[v] and v != target]
    ids = [v for v in order if v not in set(alone)]
    col = _columns(ids, preds, succs, target)
    num = {v: i for i, v in enumerate(ids)}
    up, down, layer_of, chains = _proper(ids, num, col, succs)
    first = min(layer_of, default=1)
    layers: list[list[int]] = [[] for _ in range(max(layer_of, default=0) - first + 1)]
    for n, c in enumerate(layer_of):
        layers[c - first].append(n)
    crossings = order_layers(layers, up, down)
    row = assign_rows(layers, up, down, [n >= len(ids) for n in range(len(up))])
    top = max(row, default=-1)
    if low and 2 * sum(row[num[v]] for v in low if v in num) > top * len(low):
        row = [top - r for r in row]
    cells = {v: (col[v], row[num[v]]) for v in ids}
    cells.update({v: (1, top + 1 + i) for i, v in enumerate(alone)})
    if target is not None and target in num and not succs[target]:
        cells[target] = (col[target], top + len(alone))  # the top-right corner
    routes = {edge: _route(cells[edge[0]], [(layer_of[d], row[d]) for d in chain],
                           cells[edge[1]]) for edge, chain in chains.items()}
    return Layered(cells, routes, crossings)


def _proper(ids: list[str], num: Mapping[str, int], col: Mapping[str, int],
            succs: Mapping[str, Sequence[str]]) -> tuple:
    """Adjacency (up, down) with a dummy node for each column an edge passes, the column
    of every node and dummy, and each edge's chain of dummies."""
    up: list[list[int]] = [[] for _ in ids]
    down: list[list[int]] = [[] for _ in ids]
    layer_of = [col[v] for v in ids]
    chains: dict[tuple[str, str], list[int]] = {}
    for v in ids:
        for w in dict.fromkeys(succs[v]):  # a repeated operand is one line
            chain, prev = [], num[v]
            for c in range(col[v] + 1, col[w]):
                d = len(up)
                up.append([prev])
                down.append([])
                layer_of.append(c)
                down[prev].append(d)
                chain.append(d)
                prev = d
            down[prev].append(num[w])
            up[num[w]].append(prev)
            chains[(v, w)] = chain
    return up, down, layer_of, chains


def _columns(order: Sequence[str], preds: Mapping[str, Sequence[str]],
             succs: Mapping[str, Sequence[str]], target: str | None) -> dict[str, int]:
    """Columns with the least total edge length (`ranking.py`), the objective alone
    in the last one."""
    num = {v: i for i, v in enumerate(order)}
    ranks = rank(len(order), [(num[v], num[w]) for v in order for w in succs[v]])
    col = {v: ranks[num[v]] for v in order}
    if target is not None and target in col and not succs[target]:
        last = max(col.values())
        others = any(c == last and v != target for v, c in col.items())
        col[target] = last + 1 if others else last
    return col


def _route(a: Cell, bends: list[Cell], b: Cell) -> tuple[Point, ...]:
    """Waypoints (grid units) from a's cell through its dummies' to b's."""
    return tuple((float(c), float(r)) for c, r in [a, *bends, b])

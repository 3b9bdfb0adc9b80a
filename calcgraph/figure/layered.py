"""The fallback layout: columns by longest path, rows ordered by barycentres (Sugiyama-style).

Used when the d2l rules cannot hold (docs/layout.md, "Fallback"): a node with so many
neighbours that no free cell is left within reach of where the rules want it. Each
column is one layer; sweeps right and left order every column by the mean row of its
neighbours in the column before (after), which removes most crossings in O(edges) per
sweep. The objective still takes the top-right corner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Cell = tuple[int, int]
SWEEPS = 4  # left-to-right and right-to-left passes of barycentric ordering


def layered(order: Sequence[str], preds: Mapping[str, Sequence[str]],
            succs: Mapping[str, Sequence[str]], target: str | None) -> dict[str, Cell]:
    """Grid cells for every node of `order` (a topological order)."""
    col: dict[str, int] = {}
    for v in order:  # longest path from a source
        col[v] = 1 + max((col[u] for u in preds[v]), default=0)
    for v in reversed(order):  # a source sits just left of its first consumer
        if not preds[v] and succs[v]:
            col[v] = max(1, min(col[u] for u in succs[v]) - 1)
    last = max(col.values(), default=1)
    if target is not None and target in col:
        col[target] = last + (1 if any(c == last and v != target for v, c in col.items()) else 0)
    columns: dict[int, list[str]] = {}
    for v in order:
        columns.setdefault(col[v], []).append(v)
    row = {v: float(i) for c in columns.values() for i, v in enumerate(c)}
    keys = sorted(columns)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        for c in keys if forward else reversed(keys):
            near = preds if forward else succs
            members = columns[c]
            centre = {v: _mean([row[u] for u in near[v]], row[v]) for v in members}
            members.sort(key=lambda v: (centre[v], row[v]))
            for i, v in enumerate(members):
                row[v] = float(i)
    top = max((len(m) for m in columns.values()), default=1) - 1
    cells = {v: (col[v], int(row[v])) for v in order}
    if target is not None and target in cells:
        cells[target] = (cells[target][0], top)
    return cells


def _mean(xs: list[float], default: float) -> float:
    return sum(xs) / len(xs) if xs else default

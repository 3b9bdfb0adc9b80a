"""Edges of the layered drawing: level across each column, an S-curve between two columns.

Each column is a band as wide as its widest node (plus the arrowhead's room on the left).
An edge runs level through every band it meets (at its end nodes' rows, or at its dummies'
rows, where no node is), and between two bands it is a cubic Bézier with level tangents
at both ends. So an edge never enters a node that is not its end, and since every curve
between the same two bands has the same x-profile, two edges cross exactly when their rows
swap order between those bands: once, where the ordering phase counted it
(docs/layout.md, "Fallback").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calcgraph.figure.elements import Node

Point = tuple[float, float]
GAP = 24.0  # pt between two bands at least: room for the S-curves


def min_pitch(nodes: Sequence[Node], arrow: float) -> float:
    """The column pitch that leaves GAP between the bands of the widest nodes."""
    return max((n.width for n in nodes), default=0.0) + arrow + GAP


def level_splines(routes: Mapping[tuple[str, str], Sequence[Point]], nodes: Sequence[Node],
                  pitch: tuple[float, float], arrow: float) -> dict[tuple[str, str], tuple]:
    """{edge: Graphviz-style spline in pt (the arrow's tip first, then Bézier points)}."""
    half: dict[int, float] = {}  # column -> half the widest node's width
    for n in nodes:
        if n.cell is not None:
            half[n.cell[0]] = max(half.get(n.cell[0], 0.0), n.width / 2)
    by_id = {n.id: n for n in nodes}
    out = {}
    for (a, b), pts in routes.items():
        cols = [round(c) for c, _ in pts]
        ys = [r * pitch[1] for _, r in pts]
        xs = [(c - 1) * pitch[0] for c in cols]
        rim = by_id[b].x - by_id[b].width / 2
        # Level runs: (left end, right end, y) per column met; the first starts at a's rim.
        runs = [(xs[0] + by_id[a].width / 2, xs[0] + half.get(cols[0], 0.0), ys[0])]
        for x, c, y in zip(xs[1:-1], cols[1:-1], ys[1:-1]):
            h = half.get(c, 0.0)
            runs.append((x - h - arrow, x + h, y))
        runs.append((xs[-1] - half.get(cols[-1], 0.0) - arrow, rim - arrow, ys[-1]))
        ctrl: list[Point] = [(runs[0][0], runs[0][2])]
        for i, (x0, x1, y) in enumerate(runs):
            if i:  # the S-curve from the last run's end to this run's start
                px, py = ctrl[-1]
                mid = (px + x0) / 2
                ctrl += [(mid, py), (mid, y), (x0, y)]
            if x1 > x0:  # the level run itself, as a straight Bézier
                ctrl += [(x0 + (x1 - x0) / 3, y), (x0 + 2 * (x1 - x0) / 3, y), (x1, y)]
        out[(a, b)] = ((rim, ys[-1]), *ctrl)
    return out

"""Rows for an ordered layered drawing: each node near its neighbours, long edges straight.

Within a layer the order is fixed (it decides the crossings) and rows only grow along it,
one apart at least. Each sweep asks every node for the mean row of its neighbours in the
layer just placed and finds the closest rows that keep the order: a weighted isotonic
regression (pool adjacent violators) on row − index. Dummy nodes weigh more, so the long
edges they carry run straight, as in Brandes–Köpf-style coordinate assignment.
"""

from __future__ import annotations

from collections.abc import Sequence

Adjacency = Sequence[Sequence[int]]
SWEEPS = 8  # down, up, ..., then the last one looks both ways
DUMMY_WEIGHT = 4.0  # a long edge's bend costs this much more than a real node's offset


def assign_rows(layers: list[list[int]], up: Adjacency, down: Adjacency,
                dummy: Sequence[bool]) -> list[int]:
    """A row per node (0 at the bottom), strictly increasing along each layer's order."""
    row = [0] * len(up)
    for layer in layers:
        for i, v in enumerate(layer):
            row[v] = i
    both = [list(a) + list(b) for a, b in zip(up, down)]
    for sweep in range(SWEEPS):
        if sweep == SWEEPS - 1:
            near, span = both, range(len(layers))
        elif sweep % 2 == 0:
            near, span = up, range(1, len(layers))
        else:
            near, span = down, range(len(layers) - 2, -1, -1)
        for i in span:
            _place(layers[i], near, row, dummy)
    # Rows no node or dummy uses (a gap between two parts of the graph) close up; the
    # order along every layer, so every crossing, stays as it was.
    rank = {r: i for i, r in enumerate(sorted(set(row)))}
    return [rank[r] for r in row]


def _place(layer: list[int], near: Adjacency, row: list[int], dummy: Sequence[bool]) -> None:
    want, weight = [], []
    for i, v in enumerate(layer):
        ns = near[v]
        want.append((sum(row[w] for w in ns) / len(ns) if ns else row[v]) - i)
        weight.append((DUMMY_WEIGHT if dummy[v] else 1.0) * (1.0 if ns else 0.01))
    for i, (v, y) in enumerate(zip(layer, _isotonic(want, weight))):
        row[v] = round(y) + i  # rounding keeps y non-decreasing: rows stay one apart


def _isotonic(y: list[float], w: list[float]) -> list[float]:
    """The non-decreasing sequence closest to y in weighted least squares (PAV)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for yi, wi in zip(y, w):
        blocks.append([yi, wi, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for m, _, c in blocks:
        out += [m] * int(c)
    return out

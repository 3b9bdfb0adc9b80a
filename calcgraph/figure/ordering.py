"""Crossing reduction for a layered drawing: barycentre sweeps, transposition, the best kept.

The layers hold proper edges only (a long edge is a chain of dummy nodes, one per layer it
passes), so two edges cross exactly when their ends come in opposite orders in two adjacent
layers, and the count is exact (docs/layout.md, "Fallback"). This is the ordering phase of
Sugiyama-style layouts (Graphviz's dot, ELK, dagre): alternate sweeps sort each layer by the
mean position of its neighbours in the layer just fixed, adjacent swaps that remove crossings
follow, and the best ordering seen is kept.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

Adjacency = Sequence[Sequence[int]]
ITERATIONS = 24  # sweeps at most (dot's default maxiter is 24)
PATIENCE = 4  # sweeps without a better ordering before giving up
START_WORK = 6_000  # edge segments times starts: small graphs get more starts
MAX_STARTS = 12
TRANSPOSE_WORK = 400_000  # pair comparisons per transposition pass at most (big graphs)
SIFT_WORK = 2_000_000  # pair comparisons in all sifting passes at most
SIFT_PASSES = 6


def order_layers(layers: list[list[int]], up: Adjacency, down: Adjacency) -> int:
    """Reorder `layers` in place to few crossings; the number of crossings left.

    Where the sweeps end depends much on where they start, so several starts are tried,
    as many as the graph's size allows (START_WORK): the layers as given, as a depth-first
    walk meets the nodes, both reversed, then seeded shuffles; the best result is kept."""
    segments = sum(len(d) for d in down) or 1
    tries = max(2, min(MAX_STARTS, START_WORK // segments))
    best, kept = -1, layers
    for start in itertools.islice(_starts(layers, down), tries):
        found = _improve(start, up, down)
        if best < 0 or found < best:
            best, kept = found, start
        if best == 0:
            break
    layers[:] = kept
    return _sifted(layers, up, down, best) if best else best


def _sifted(layers: list[list[int]], up: Adjacency, down: Adjacency, best: int) -> int:
    """Sifting passes over the best ordering while they remove crossings."""
    pos = [0] * len(up)
    _index(layers, pos)
    budget = [SIFT_WORK]
    for _ in range(SIFT_PASSES):
        _sift(layers, up, down, pos, budget)
        now = total(layers, down, pos)  # sifting never adds a crossing
        if now >= best or budget[0] < 0:
            return min(best, now)
        best = now
    return best


def _starts(layers: list[list[int]], down: Adjacency) -> Iterator[list[list[int]]]:
    walk = _depth_first(layers, down)
    yield [list(layer) for layer in layers]
    yield walk
    yield [layer[::-1] for layer in layers]
    yield [layer[::-1] for layer in walk]
    for seed in itertools.count(1):  # deterministic: the same seeds every run
        rng = random.Random(seed)
        shuffled = [list(layer) for layer in layers]
        for layer in shuffled:
            rng.shuffle(layer)
        yield shuffled


def _depth_first(layers: list[list[int]], down: Adjacency) -> list[list[int]]:
    """Each layer in the order a depth-first walk along the edges first reaches its nodes."""
    layer_of = {v: i for i, layer in enumerate(layers) for v in layer}
    out: list[list[int]] = [[] for _ in layers]
    seen: set[int] = set()
    for root in (v for layer in layers for v in layer):
        stack = [root]
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            out[layer_of[v]].append(v)
            stack.extend(reversed(down[v]))
    return out


def _improve(layers: list[list[int]], up: Adjacency, down: Adjacency) -> int:
    pos = [0] * len(up)
    _index(layers, pos)
    best, kept, stale = total(layers, down, pos), [list(layer) for layer in layers], 0
    for it in range(ITERATIONS):
        if best == 0:
            break
        forward = it % 2 == 0
        span = range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1)
        for i in span:
            _sort(layers[i], up if forward else down, pos)
        _transpose(layers, up, down, pos, ties=it % 4 >= 2)
        now = total(layers, down, pos)
        if now < best:
            best, kept, stale = now, [list(layer) for layer in layers], 0
        else:
            stale += 1
            if stale >= PATIENCE:
                break
    layers[:] = kept
    return best


def total(layers: list[list[int]], down: Adjacency, pos: list[int]) -> int:
    """Crossings between every pair of adjacent layers."""
    return sum(between(layers[i], len(layers[i + 1]), down, pos) for i in range(len(layers) - 1))


def between(top: list[int], width: int, down: Adjacency, pos: list[int]) -> int:
    """Crossings of the edges from `top` to the next layer (`width` nodes): the inversions
    of their lower ends read in upper order, counted with a Fenwick tree (O(E log V))."""
    tree, seen, out = [0] * (width + 1), 0, 0
    for u in top:
        for p in sorted(pos[w] for w in down[u]):
            i, before = p + 1, 0  # edges seen so far ending at or left of p
            while i > 0:
                before += tree[i]
                i -= i & -i
            out += seen - before
            seen += 1
            i = p + 1
            while i <= width:
                tree[i] += 1
                i += i & -i
    return out


def _index(layers: list[list[int]], pos: list[int]) -> None:
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i


def _sort(layer: list[int], near: Adjacency, pos: list[int]) -> None:
    """Sort by the mean position of neighbours in the fixed layer; a node without any keeps
    its place (its key is its own position)."""
    def key(v: int) -> tuple[float, int]:
        ns = near[v]
        return (_median(sorted(pos[w] for w in ns)) if ns else float(pos[v])), pos[v]
    layer.sort(key=key)
    for i, v in enumerate(layer):
        pos[v] = i


def _median(ps: list[int]) -> float:
    """dot's weighted median: the middle position, or for an even count the two middle
    ones weighted toward the side where the neighbours lie closer together."""
    n = len(ps)
    m = n // 2
    if n % 2 or n == 0:
        return float(ps[m])
    if n == 2:
        return (ps[0] + ps[1]) / 2
    left, right = ps[m - 1] - ps[0], ps[-1] - ps[m]
    if left + right == 0:
        return (ps[m - 1] + ps[m]) / 2
    return (ps[m - 1] * right + ps[m] * left) / (left + right)


def _transpose(layers: list[list[int]], up: Adjacency, down: Adjacency, pos: list[int],
               ties: bool) -> None:
    """Swap neighbours in a layer while that removes crossings (dot's transpose step);
    with `ties`, a swap that keeps the count is made too, to leave a plateau."""
    budget = TRANSPOSE_WORK
    gain = 1
    while gain > 0 and budget > 0:
        gain = 0
        for layer in layers:
            for i in range(len(layer) - 1):
                u, v = layer[i], layer[i + 1]
                budget -= (len(up[u]) + len(down[u])) * (len(up[v]) + len(down[v]))
                now, swapped = _pairs(u, v, up, down, pos)
                if swapped < now or (ties and now > 0 and swapped == now):
                    layer[i], layer[i + 1] = v, u
                    pos[u], pos[v] = i + 1, i
                    gain += now - swapped


def _sift(layers: list[list[int]], up: Adjacency, down: Adjacency, pos: list[int],
          budget: list[int]) -> None:
    """Sifting: each node in turn tries every place in its layer and takes the one with
    the fewest crossings (the others keep their order); never adds a crossing."""
    for layer in layers:
        for v in list(layer):
            i = pos[v]
            cost = 0  # crossings gained by moving v to place j, relative to staying at i
            best, where = 0, i
            gains = []
            for w in layer:
                if w == v:
                    continue
                budget[0] -= (len(up[v]) + len(down[v])) * (len(up[w]) + len(down[w]))
                left, right = _pairs(v, w, up, down, pos)
                gains.append(left - right)
            # Moving v to the far left puts it left of everything that was left of it.
            cost = sum(gains[:i])
            if cost < best:
                best, where = cost, 0
            for j in range(len(gains)):  # v now right of layer-without-v[j]
                cost -= gains[j]
                if cost < best:
                    best, where = cost, j + 1
            if where != i:
                layer.pop(i)
                layer.insert(where, v)
                for k in range(min(i, where), max(i, where) + 1):
                    pos[layer[k]] = k
            if budget[0] < 0:
                return


def _pairs(u: int, v: int, up: Adjacency, down: Adjacency, pos: list[int]) -> tuple[int, int]:
    """Crossings between u's and v's edges (both sides) with u left of v, and with v left
    of u. Most nodes are dummies with one edge a side: that case is a comparison."""
    left = right = 0
    for near in (up, down):
        nu, nv = near[u], near[v]
        if len(nu) == 1 and len(nv) == 1:
            a, b = pos[nu[0]], pos[nv[0]]
            left += a > b
            right += a < b
            continue
        for x in nu:
            a = pos[x]
            for y in nv:
                b = pos[y]
                left += a > b
                right += a < b
    return left, right

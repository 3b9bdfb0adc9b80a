"""The layered fallback's phases: least-length columns, exact crossing counts, level edges."""

from __future__ import annotations

import itertools
import random
import shutil
import subprocess

import pytest

from benchmarks import layout_graphs as lg
from calcgraph.figure.boxes import merge_boxes
from calcgraph.figure.layered import layered
from calcgraph.figure.layout import layout
from calcgraph.figure.ordering import between, order_layers, total
from calcgraph.figure.ranking import rank
from calcgraph.figure.view import View


def _random_dag(n: int, m: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    return sorted(rng.sample(pairs, min(m, len(pairs))))


def _length(r: list[int], edges: list[tuple[int, int]]) -> int:
    return sum(r[b] - r[a] for a, b in edges)


@pytest.mark.parametrize("seed", range(12))
def test_ranking_is_feasible_and_as_short_as_the_best_by_brute_force(seed):
    n = 5 + seed % 2
    edges = _random_dag(n, 4 + seed % 5, seed)
    r = rank(n, edges)
    assert all(r[b] >= r[a] + 1 for a, b in edges)
    best = min(_length(list(c), edges) for c in itertools.product(range(n), repeat=n)
               if all(c[b] >= c[a] + 1 for a, b in edges))
    assert _length(r, edges) == best


def _view(graph) -> View:
    return View(merge_boxes(graph.to_dict(values=False)))


def _dot_length(g: View) -> int:
    """Total edge length of dot's own ranking (x positions with rankdir=LR)."""
    edges = sorted(set(g.edges))  # one order every run (dot's ties depend on it)
    src = "digraph{rankdir=LR;" + "".join(f'"{a}"->"{b}";' for a, b in edges) + "}"
    out = subprocess.run(["dot", "-Tplain"], input=src, capture_output=True, text=True,
                         check=True).stdout
    xs = {p[1].strip('"'): float(p[2]) for p in (line.split() for line in out.splitlines())
          if p[0] == "node"}
    ranks = sorted({round(x, 2) for x in xs.values()})
    col = {v: ranks.index(round(x, 2)) for v, x in xs.items()}
    return sum(col[b] - col[a] for a, b in edges)


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs system Graphviz (dot)")
@pytest.mark.parametrize("n,seed", [(100, 0), (300, 0), (150, 5)])
def test_ranking_matches_dots_network_simplex(n, seed):
    g = _view(lg.random_dag(n, seed))
    num = {v: i for i, v in enumerate(g.order)}
    edges = sorted({(num[a], num[b]) for a, b in g.edges})
    # dot's network simplex is optimal too: the same total (never less than ours)
    assert _length(rank(len(g.order), edges), edges) <= _dot_length(g)


def _brute(layers, down):
    """Pairs of edges between adjacent layers whose ends come in opposite orders."""
    count = 0
    for top, low in itertools.pairwise(layers):
        pos = {v: i for i, v in enumerate(low)}
        at = {v: i for i, v in enumerate(top)}
        es = [(at[u], pos[w]) for u in top for w in down[u]]
        count += sum(1 for (a, b), (c, d) in itertools.combinations(es, 2)
                     if (a - c) * (b - d) < 0)
    return count


@pytest.mark.parametrize("seed", range(8))
def test_crossings_are_counted_exactly_and_ordering_never_adds_any(seed):
    rng = random.Random(seed)
    widths = [rng.randint(2, 7) for _ in range(4)]
    layers, n = [], 0
    for w in widths:
        layers.append(list(range(n, n + w)))
        n += w
    up, down = [[] for _ in range(n)], [[] for _ in range(n)]
    for top, low in itertools.pairwise(layers):
        for u in top:
            for w in rng.sample(low, rng.randint(1, min(3, len(low)))):
                down[u].append(w)
                up[w].append(u)
    pos = [0] * n
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    before = _brute(layers, down)
    assert total(layers, down, pos) == before
    assert between(layers[0], len(layers[1]), down, pos) == _brute(layers[:2], down)
    left = order_layers(layers, up, down)
    assert left == _brute(layers, down) <= before
    assert sorted(v for layer in layers for v in layer) == list(range(n))


def test_long_edges_pass_one_column_at_a_time_through_free_cells():
    g = _view(lg.random_dag(100))
    drawing = layered(g.order, g.preds, g.succs, g.target)
    taken = set(drawing.cells.values())
    assert len(taken) == len(drawing.cells)
    bends = [p for pts in drawing.routes.values() for p in pts[1:-1]]
    assert len(set(bends)) == len(bends) and not set(bends) & taken  # a cell each
    for (a, b), pts in drawing.routes.items():
        assert [x for x, _ in pts] == list(range(drawing.cells[a][0], drawing.cells[b][0] + 1))


def test_a_random_dag_falls_back_to_fewer_crossings_than_the_d2l_rules():
    lay = layout(lg.random_dag(100).to_dict(values=False))
    assert lay.method == "layered" and lay.spine == ()
    assert lay.cells["J"] == (lay.ncols, lay.nrows - 1)

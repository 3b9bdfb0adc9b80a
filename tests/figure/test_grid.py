"""Tests for the layout's geometry index and its fallback: big fan-outs lay out, never crash."""

from __future__ import annotations

import random

import pytest

from calcgraph import Graph
from calcgraph.figure.draw import to_dot
from calcgraph.figure.grid import EdgeIndex, cover, cross, through
from calcgraph.figure.layered import layered
from calcgraph.figure.layout import layout


def fan_out(k: int) -> Graph:
    """One input feeding k operators, their outputs summed into the objective by one l2."""
    g = Graph(f"fan{k}")
    g.input("x", (3,))
    outs = [g.apply("tanh", "x", out=f"t{i}").name for i in range(k)]
    g.constant("lam", 0.1)
    g.apply("l2", *outs, "lam", out="J")
    g.set_objective("J")
    return g


def test_cover_finds_every_node_an_edge_passes_and_every_crossing():
    rng = random.Random(1)
    for _ in range(2000):
        a, b, c, r, s = ((rng.randint(0, 9), rng.randint(0, 9)) for _ in range(5))
        if a == b or r == s:
            continue
        cells = set(cover(a, b))
        assert a in cells and b in cells
        if through(a, b, c):
            assert c in cells, (a, b, c)
        if cross(a, b, r, s):
            assert cells & set(cover(r, s)), (a, b, r, s)


def test_edge_index_answers_like_a_full_scan():
    rng = random.Random(2)
    index, edges = EdgeIndex(), []
    for _ in range(60):
        a, b = (rng.randint(0, 12), rng.randint(0, 6)), (rng.randint(0, 12), rng.randint(0, 6))
        if a != b:
            index.add(a, b, False)
            edges.append((a, b))
    for col in range(13):
        for row in range(7):
            full = sorted((a, b) for a, b in edges if through(a, b, (col, row)))
            near = sorted((a, b) for a, b, _ in index.at((col, row)) if through(a, b, (col, row)))
            assert near == full
    p, q = (0, 0), (12, 6)
    assert sum(cross(p, q, a, b) for a, b in edges) == sum(
        cross(p, q, a, b) for a, b, _ in index.along(p, q))


@pytest.mark.parametrize("k", [12, 84, 85, 200])
def test_a_wide_fan_out_lays_out(k):
    data = fan_out(k).to_dict(values=False)
    lay = layout(data)
    assert len(set(lay.cells.values())) == len(lay.cells) == len(data["nodes"])
    assert lay.cells["J"] == (lay.ncols, lay.nrows - 1)
    # The d2l rules pile a fan-out around x with many crossings: the layered fallback wins
    # (past 84, the rings around x are full and it is the only way).
    assert lay.method == "layered"


def test_a_fan_out_of_200_gets_a_figure():
    text = to_dot(fan_out(200))
    assert text.count(" -> ") == 200 + 200 + 201
    assert text.count('class="note"') >= 200


def test_layered_orders_by_barycentre_and_keeps_the_objective_top_right():
    # Two crossing pairs in input order: a->d, b->c; barycentres uncross them.
    order = ["a", "b", "c", "d", "J"]
    preds = {"a": [], "b": [], "c": ["b"], "d": ["a"], "J": ["c", "d"]}
    succs = {"a": ["d"], "b": ["c"], "c": ["J"], "d": ["J"], "J": []}
    drawing = layered(order, preds, succs, "J")
    cells = drawing.cells
    assert (cells["a"][1] < cells["b"][1]) == (cells["d"][1] < cells["c"][1])
    assert drawing.crossings == 0
    assert cells["J"] == (3, max(r for _, r in cells.values()))
    assert len(set(cells.values())) == 5
    # every edge is routed from its source's cell to its target's, one column a step
    for (a, b), pts in drawing.routes.items():
        assert pts[0] == cells[a] and pts[-1] == cells[b]
        assert [x for x, _ in pts] == list(range(cells[a][0], cells[b][0] + 1))


def test_untangle_moves_a_node_off_a_crossing_and_never_onto_a_node():
    from calcgraph.figure.grid import flaws
    from calcgraph.figure.untangle import untangle

    # a(1,0)->d(3,3) crosses b(1,3)->c(3,0); only c may move.
    cells = {"a": (1, 0), "b": (1, 3), "c": (3, 0), "d": (3, 3), "e": (2, 1)}
    edges = (("a", "d"), ("b", "c"))
    assert flaws(cells, edges)[1] == 1
    out = untangle(cells, edges, fixed={"a", "b", "d", "e"})
    assert flaws(out, edges)[1] == 0  # c stepped off the crossing, onto no node
    assert flaws(out, edges)[0] <= flaws(cells, edges)[0]  # and no edge newly through one
    assert len(set(out.values())) == len(out) and out["c"] != (3, 0)

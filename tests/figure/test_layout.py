"""Tests for calcgraph.figure.layout: the d2l grid node for node, and clean layouts for other graphs."""

from __future__ import annotations

import csv
import json
import math

import pytest
from graphs import (
    ALL,
    DATA,
    REFERENCE,
    connected_graph,
    graph_for,
    mlp_bias,
    random_graph,
    reference_cells,
    rnn,
    softmax_regression,
    two_layer,
)

import calcgraph
from calcgraph import Graph
from calcgraph.figure.boxes import merge_boxes
from calcgraph.figure.grid import PITCH
from calcgraph.figure.grid import through as _through
from calcgraph.figure.layout import layout, main_chain

# ---------------------------------------------------------------- graphs built with the builder


# ---------------------------------------------------------------- the d2l figure


@pytest.mark.parametrize("variant", [{}, {"batch": 8}, {"activation": "sigmoid"},
                                     {"loss": "squared_loss", "batch": 3}])
def test_mlp_reproduces_the_reference_grid(variant):
    cells = layout(calcgraph.mlp(**variant).to_dict(values=False)).cells
    assert cells == reference_cells()


def test_reference_copy_matches_the_original():
    if not (REFERENCE / "d2l-forward-nodes.csv").exists():
        pytest.skip("../shared/reference is not beside this checkout")
    for name in ("d2l-forward-nodes.csv", "d2l-forward-edges.csv"):
        assert (DATA / name).read_bytes() == (REFERENCE / name).read_bytes()


def direction(src: tuple[int, int], dst: tuple[int, int]) -> str:
    dx, dy = dst[0] - src[0], dst[1] - src[1]
    vertical = "up" if dy > 0 else "down" if dy < 0 else ""
    horizontal = "right" if dx > 0 else "left" if dx < 0 else ""
    return "-".join(p for p in (vertical, horizontal) if p)


def test_mlp_edges_point_as_in_the_reference():
    cells = layout(calcgraph.mlp().to_dict(values=False)).cells
    with open(DATA / "d2l-forward-edges.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 17
    for r in rows:
        want = r["screen_direction"].split(" ")[0]
        assert direction(cells[r["src"]], cells[r["dst"]]) == want, (r["src"], r["dst"])


def test_main_chain_is_the_bottom_row_up_to_the_loss():
    from calcgraph.figure.view import View as _View

    chain = main_chain(_View(calcgraph.mlp().to_dict(values=False)))
    assert chain == ["x", "mul1", "z", "phi", "h", "mul2", "o", "l"]


# ---------------------------------------------------------------- every graph: clean layouts


def problems(g: Graph) -> list[str]:
    """What breaks the layout rules: overlaps, edges through nodes, objective not top-right."""
    data = merge_boxes(g.to_dict(values=False))
    lay = layout(data)
    cells, out = lay.cells, []
    if len(set(cells.values())) != len(cells):
        out.append("two nodes share a cell")
    if set(cells) != {n["id"] for n in data["nodes"]}:
        out.append("nodes missing from the layout")
    shared = {n["id"] for n in data["nodes"] if n["kind"] == "variable" and not n.get("producer")
              and len(n["consumers"]) > 1}
    for a, b in lay.edges:
        if a in shared and cells[b] != (cells[a][0], cells[a][1] - 1):
            continue  # a shared parameter's later edges are routed around nodes by Graphviz
        for v, c in cells.items():
            if v not in (a, b) and _through(cells[a], cells[b], c):
                out.append(f"edge {a}->{b} passes through {v}")
    obj = cells[data["objective"]]
    if lay.method == "recurrent":  # d2l's BPTT figure: the objective in the top row
        if obj[1] != lay.nrows - 1:
            out.append(f"objective at {obj}, not in the top row {lay.nrows - 1}")
    elif obj != (lay.ncols, lay.nrows - 1):
        out.append(f"objective at {obj}, not top-right {(lay.ncols, lay.nrows - 1)}")
    # (a layered drawing's lowest row may hold only a long edge's bend)
    rows = [r for _, r in cells.values()] + [r for pts in lay.routes.values() for _, r in pts]
    if min(c for c, _ in cells.values()) != 1 or min(rows) != 0:
        out.append("grid does not start at col 1, row 0")
    return out


@pytest.mark.parametrize("key", ALL)
def test_layout_rules_hold(key):
    assert problems(graph_for(key)) == []


@pytest.mark.parametrize("key", ALL)
def test_most_edges_point_right_or_up(key):
    data = graph_for(key).to_dict(values=False)
    lay = layout(data)
    dirs = [direction(lay.cells[a], lay.cells[b]) for a, b in lay.edges]
    forward = sum("right" in d or d == "up" for d in dirs)
    down = sum(d == "down" for d in dirs)  # a parameter or label into its operator
    assert forward + down >= 0.75 * len(dirs), dirs


@pytest.mark.parametrize("key", ALL)
def test_main_chain_starts_bottom_left(key):
    data = graph_for(key).to_dict(values=False)
    lay = layout(data)
    if lay.method == "recurrent":  # time upward: the first step's input at the left
        assert lay.spine == ()
        assert lay.cells["x1"] == min(c for c in lay.cells.values() if c[0] == 1)
        return
    if lay.method == "layered":  # fewer crossings than the d2l rules (micrograd_sanity):
        # no main chain; every edge runs right and the objective is alone at the top right
        assert lay.spine == ()
        assert all(lay.cells[a][0] < lay.cells[b][0] for a, b in lay.edges)
        assert lay.cells[data["objective"]] == (lay.ncols, lay.nrows - 1)
        return
    assert [lay.cells[v] for v in lay.spine] == [(i + 1, 0) for i in range(len(lay.spine))]
    first = next(n for n in data["nodes"] if n["id"] == lay.spine[0])
    inputs = any(n.get("role") == "input" for n in data["nodes"])
    # a graph of parameters alone (CS231n's circuits) starts from one of them
    assert first["role"] == ("input" if inputs else "param")


def test_parameters_sit_above_their_operator():
    for g in (mlp_bias(), two_layer(), softmax_regression()):
        cells = layout(g.to_dict(values=False)).cells
        for v in g.leaves("param") + g.leaves("label"):
            col, row = cells[v.name]
            below = [cells[op.name] for op in v.consumers]
            assert (col, row - 1) in below, v.name


def test_layout_reads_plain_json_data():
    g = mlp_bias()
    assert layout(json.loads(g.to_json())).cells == layout(g.to_dict()).cells


def test_layout_is_deterministic():
    data = rnn().to_dict(values=False)
    assert layout(data) == layout(data)


def test_small_and_odd_graphs():
    g = Graph("tiny")
    g.input("x", (3,))
    g.apply("sum", "x", out="S")
    g.set_objective("S")
    assert layout(g.to_dict(values=False)).cells == {"x": (1, 0), "sum_S": (2, 0), "S": (3, 0)}
    # No objective: the deepest sink plays its part, still top-right of a loose node.
    g = Graph("loose")
    g.input("x", (3,))
    g.input("unused", (2,))
    g.apply("exp", "x", out="e")
    cells = layout(g.to_dict(values=False)).cells
    assert cells == {"x": (1, 0), "exp_e": (2, 0), "unused": (1, 1), "e": (3, 1)}


def test_grid_pitch_keeps_the_edge_test_in_points():
    # The edge-through-node test works in points on the d2l pitch: a diagonal between
    # neighbouring rows clears the node beside it, a straight line through it does not.
    assert PITCH == (41.0, 39.0)
    assert not _through((1, 0), (2, 1), (2, 0))
    assert _through((1, 0), (3, 0), (2, 0))
    assert math.isclose(PITCH[0] / PITCH[1], 41 / 39)


# ---------------------------------------------------------------- any graph


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_get_a_clean_grid(seed):
    g = random_graph(seed, leaves=2 + seed % 4, ops=3 + seed % 9)
    data = g.to_dict(values=False)
    lay = layout(data)
    assert len(set(lay.cells.values())) == len(lay.cells) == len(data["nodes"])
    assert lay.cells["J"] == (lay.ncols, lay.nrows - 1)


@pytest.mark.parametrize("seed", range(40))
def test_random_connected_graphs(seed):
    g = connected_graph(seed, leaves=1 + seed % 4, ops=3 + seed % 10)
    data = g.to_dict(values=False)
    lay = layout(data)
    assert len(set(lay.cells.values())) == len(lay.cells) == len(data["nodes"])
    assert lay.cells[data["objective"]] == (lay.ncols, lay.nrows - 1)
    if lay.method == "layered":  # fewer crossings than the d2l rules: no main chain
        assert lay.spine == ()
        return
    first = lay.cells[lay.spine[0]][0]  # a branch may hang left of the chain's start
    assert [lay.cells[v] for v in lay.spine] == [(first + i, 0) for i in range(len(lay.spine))]

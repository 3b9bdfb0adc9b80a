"""Recurrent graphs on d2l's BPTT grid: time upward, one column per role, parameters below."""

from __future__ import annotations

import csv

import pytest
from graphs import DATA, REFERENCE, rnn, rnn_tanh
from svgs import grid_from_svg

import calcgraph as cg
from calcgraph.figure.boxes import merge_boxes
from calcgraph.figure.draw import to_dot
from calcgraph.figure.layout import layout
from calcgraph.graphviz import run as render


def bptt_reference() -> dict[str, tuple[int, int]]:
    """{node id: (col, row)} of d2l's BPTT figure, row 0 at the bottom (the parameter row).

    'op:h1' names the operator computing h1; calcgraph's id for it is looked up by output.
    """
    data = cg.load("rnn_bptt").to_dict(values=False)
    producer = {n["output"]: n["id"] for n in data["nodes"] if n["kind"] == "operator"}
    with open(DATA / "d2l-rnn-bptt-nodes.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {(producer[r["id"][3:]] if r["id"].startswith("op:") else r["id"]):
            (int(r["col"]), 4 - int(r["row"])) for r in rows}


def test_reference_copy_matches_the_original():
    if not (REFERENCE / "d2l-rnn-bptt-nodes.csv").exists():
        pytest.skip("../shared/reference is not beside this checkout")
    name = "d2l-rnn-bptt-nodes.csv"
    assert (DATA / name).read_bytes() == (REFERENCE / name).read_bytes()


def test_rnn_bptt_layout_is_the_d2l_grid():
    lay = layout(merge_boxes(cg.load("rnn_bptt").to_dict(values=False)))
    assert lay.method == "recurrent"
    assert lay.cells == bptt_reference()


@pytest.mark.parametrize("renderer", ["embedded", "system"])
def test_rnn_bptt_figure_puts_every_node_where_d2l_does(renderer):
    if renderer == "system" and render.find_system_dot() is None:
        pytest.skip("no system Graphviz (dot) on PATH; the embedded case runs without it")
    ref = bptt_reference()
    svg = render.render(to_dot(cg.load("rnn_bptt"), annotate="none"), "svg", renderer=renderer)
    assert grid_from_svg(svg, set(ref)) == ref


def test_the_box_attribute_draws_one_box_and_keeps_two_gradients():
    g = cg.load("rnn_bptt")
    g.backward()
    assert g["Whx"].grad.shape == (5, 4) and g["Whh"].grad.shape == (5, 5)
    text = to_dot(g)
    assert '"Whx+Whh"' in text and "Whx ->" not in text and "Whh ->" not in text
    assert "(5, 4), (5, 5)" in text  # the box's note: both shapes


def test_box_applies_to_parameters_only():
    with pytest.raises(cg.errors.SpecError, match="'box' does not apply to an input"):
        cg.loads_spec("input x : (3) box B\nJ = sum(x)\nobjective J\n")


def cells_by_role(g: cg.Graph, roles: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
    """For each role, the cells of its nodes t = 1, 2, ... ({role: 'x{t}'} patterns)."""
    lay = layout(g.to_dict(values=False))
    assert lay.method == "recurrent"
    steps = sum(1 for n in g.variables if n.name.startswith("x"))
    return {role: [lay.cells[pat.format(t=t)] for t in range(1, steps + 1)]
            for role, pat in roles.items()}


@pytest.mark.parametrize("graph", [rnn(3), rnn(4), rnn(10), rnn_tanh(4, bias=False),
                                   rnn_tanh(4), rnn_tanh(10), rnn_tanh(3, layers=2)],
                         ids=["rnn3", "rnn4", "rnn10", "tanh4", "tanh_bias4", "tanh_bias10",
                              "stacked2x3"])
def test_every_step_is_a_row_with_the_same_columns(graph):
    roles = {"x": "x{t}", "y": "y{t}", "l": "l{t}"}
    roles.update({"h": "h{t}", "o": "o{t}"} if graph.name == "rnn" else {"h": "h1_{t}"})
    if "x2" in graph.name:
        roles["h2"] = "h2_{t}"
    got = cells_by_role(graph, roles)
    for role, cells in got.items():
        assert len({c for c, _ in cells}) == 1, (role, cells)  # one column per role
        rows = [r for _, r in cells]
        assert rows == sorted(rows) and len(set(rows)) == len(rows), (role, cells)  # time upward
    assert len({cells[0][1] - got["x"][0][1] for cells in got.values()}) <= 2  # step rows
    data = graph.to_dict(values=False)
    lay = layout(data)
    for n in data["nodes"]:  # shared parameters and the first initial state: the bottom row
        if n["kind"] == "variable" and (n["role"] == "param" or n["id"] in ("h0", "h1_0")):
            assert lay.cells[n["id"]][1] == 0, n["id"]


def test_steps_are_found_from_structure_not_names():
    data = rnn_tanh(4).to_dict(values=False)
    ids = sorted(n["id"] for n in data["nodes"])
    new = {old: f"n{i:03d}" for i, old in enumerate(reversed(ids))}  # meaningless names
    renamed = {**data, "objective": new[data["objective"]], "edges": [
        {"src": new[e["src"]], "dst": new[e["dst"]]} for e in data["edges"]], "nodes": [
        {**n, "id": new[n["id"]], **({"inputs": [new[u] for u in n["inputs"]],
                                       "output": new[n["output"]]}
                                      if n["kind"] == "operator" else {})}
        for n in data["nodes"]]}
    before, after = layout(data), layout(renamed)
    assert after.method == "recurrent"
    assert {new[k]: c for k, c in before.cells.items()} == after.cells


def test_two_like_steps_are_not_called_a_recurrence():
    assert layout(rnn(2).to_dict(values=False)).method == "d2l"

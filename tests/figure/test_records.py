"""Scalars drawn as micrograd draws them (data | grad), and constants beside their operator."""

from __future__ import annotations

import pytest

import calcgraph
from calcgraph.figure import dot
from calcgraph.figure.draw import graph_data
from calcgraph.figure.scene import build_scene
from calcgraph.graph import loads_spec

SPEC = """\
const lam = 0.5  label "λ"
param x : () = -4
param w : (2) = [1, 2]
y = 2 * x
u = lam * w
J = y * sum(u)
objective J
"""


def notes(graph, annotate: str) -> dict:
    scene = build_scene(graph_data(graph, annotate), annotate=annotate)
    return {n.node: n for n in scene.notes}


@pytest.mark.parametrize("annotate", ["values", "all"])
def test_a_scalar_gets_a_framed_data_grad_record(annotate):
    found = notes(loads_spec(SPEC), annotate)
    # J = 2x · (0.5 + 1) = 3x: ∂J/∂x = 3, ∂J/∂y = 1.5
    assert found["x"].lines == ("data −4 | grad 3",) and found["x"].framed
    assert found["y"].lines == ("data −8 | grad 1.5",)
    assert found["J"].lines == ("data −12 | grad 1",)
    assert not found["w"].framed and found["w"].lines[0] == "(2,)"  # arrays keep their lines


def test_the_record_is_drawn_as_a_frame_around_its_text():
    g = loads_spec(SPEC)
    scene = build_scene(graph_data(g, "all"), annotate="all")
    text = dot.to_dot(scene)
    i = next(k for k, n in enumerate(scene.notes) if n.node == "x")
    frame = next(s for s in text.splitlines() if s.startswith(f"_note{i}f "))
    assert 'class="note frame"' in frame and "shape=box" in frame
    assert 'label="data −4 | grad 3"' in text


@pytest.mark.parametrize("annotate", ["none", "shapes", "grads"])
def test_no_record_unless_values_are_asked_for(annotate):
    assert not any(n.framed for n in notes(loads_spec(SPEC), annotate).values())


def test_constants_are_written_beside_their_operator():
    found = notes(loads_spec(SPEC), "values")
    assert found["scale_y"].lines == ("c = 2",)
    assert found["scale_u"].lines == ("λ = 0.5",)
    assert "scale_y" not in notes(loads_spec(SPEC), "shapes")


def test_values_without_an_objective_still_draw():
    g = calcgraph.Graph("t")
    g.param("x", (), value=2.5)
    g.apply("relu", "x", out="y")
    found = notes(g, "values")
    assert found["x"].lines == ("data 2.5",) and found["y"].lines == ("data 2.5",)

"""The figure at backward step K: checked on the SVG, node by node and edge by edge."""

from __future__ import annotations

import re

import pytest

import calcgraph as cg
from calcgraph.figure.draw import to_dot
from calcgraph.graphviz import run as render
from calcgraph.text.summary import summarize

_G = re.compile(r'<g id="(?:node|edge)\d+" class="([^"]*)">\s*<title>([^<]*)</title>')


def marks(svg: str) -> dict[str, set[str]]:
    """Node and edge titles (edges as 'a->b') by the classes the stepped figure gave them."""
    out: dict[str, set[str]] = {}
    for cls, title in _G.findall(svg):
        title = title.replace("&#45;&gt;", "->")
        for c in cls.split()[1:]:
            out.setdefault(c, set()).add(title)
    return out


def svg_at(graph, k: int, **options) -> str:
    pinned = options.get("layout", "d2l") == "d2l"
    return render.render(to_dot(graph, step=k, **options), "svg", renderer="embedded",
                         pinned=pinned, engine="neato" if pinned else "dot").decode("utf-8")


@pytest.mark.parametrize("batch", [None, 8])
@pytest.mark.parametrize("layout", ["d2l", "dot"])
def test_the_highlighted_node_is_the_steps_target_at_every_step(batch, layout):
    g = cg.mlp(batch=batch).backward()
    for s in g.steps:
        m = marks(svg_at(g, s.index, layout=layout))
        assert m["step"] - {f"{s.target.name}"} <= {e for e in m["step"] if "->" in e}
        assert s.target.name in m["step"], s.index
        back = {e for e in m["step"] if "->" in e}
        if s.kind == "vjp":
            assert back == {f"{s.target.name}->{s.via.name}", f"{s.via.name}->{s.source.name}"}
            assert m["path"] == {s.via.name}


@pytest.mark.parametrize(("k", "target", "ops"), [(8, "W2", ("mul2", "l2")),
                                                  (12, "W1", ("mul1", "l2"))])
def test_sum_steps_highlight_both_incoming_contributions(k, target, ops):
    m = marks(svg_at(cg.mlp(), k))
    assert m["step"] == {target, *(f"{target}->{op}" for op in ops)}


def test_known_and_partial_gradients_are_marked():
    m = marks(svg_at(cg.mlp(), 5))  # after ∂J/∂W⁽²⁾ via ℓ₂: W1 and W2 have one path each
    assert m["known"] == {"J", "L", "s"}
    assert m["partial"] == {"W1"} and "W2" in m["step"]
    m = marks(svg_at(cg.mlp(), 12))
    assert {"J", "L", "s", "o", "W2", "h", "z"} <= m["known"] and "partial" not in m


def test_step_zero_is_the_forward_state_with_a_caption():
    svg = svg_at(cg.mlp(), 0)
    m = marks(svg)
    assert "step" not in m and "known" not in m
    assert "forward pass: every value computed and kept" in svg


def test_the_caption_gives_the_formula_in_math_form():
    svg = svg_at(cg.mlp(), 8)
    assert "step 8 of 12: ∂J/∂W⁽²⁾, 2 paths meet" in svg
    assert "∂J/∂W⁽²⁾ = ∂J/∂o · hᵀ + λ W⁽²⁾" in svg


def test_the_steps_note_shows_its_gradient_shape_and_value_with_annotate():
    dot = to_dot(cg.mlp(), step=9, annotate="grads")
    accent = re.findall(r'label="([^"]*)", pos="[^"]*", class="note"', dot)
    assert "∂J: (5,)" in accent  # h's gradient shape
    dot7 = to_dot(cg.mlp(), step=7, annotate="all")
    g = cg.mlp().backward()
    part, total = summarize(g.steps[6].value.tolist()), summarize(g.steps[7].value.tolist())
    assert part != total
    assert f'label="{part}"' in dot7  # a partial step shows its own contribution, not the sum
    assert f'label="{total}"' not in dot7


def test_nothing_moves_between_steps():
    g = cg.mlp().backward()
    pos = [re.findall(r'pos="([^"]*)"', to_dot(g, step=k)) for k in (0, 6, 12)]
    assert pos[0] == pos[1] == pos[2]


def test_a_step_out_of_range_names_the_range():
    with pytest.raises(cg.UsageError, match=r"--step 13: out of range .* steps 1 to 12; 0 is"):
        to_dot(cg.mlp(), step=13)


def test_a_scalars_record_shows_its_grad_only_once_the_sweep_reaches_it():
    g = cg.load("cs231n_circuit")
    dot = to_dot(g, step=3, annotate="values")  # ∂f/∂z: f and q are known, x and y not yet
    assert 'label="data −4 | grad 3"' in dot and 'fontcolor="#D1495B"' in dot
    assert 'label="data 3 | grad −4"' in dot  # q: known since step 2
    assert 'label="data −2 | grad ?"' in dot and 'label="data 5 | grad ?"' in dot

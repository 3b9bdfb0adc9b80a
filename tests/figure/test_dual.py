"""The backward (dual) graph: what it contains, and that it mirrors the forward figure."""

from __future__ import annotations

import re

import pytest
from svgs import centres

import calcgraph as cg
from calcgraph.figure.draw import to_dot
from calcgraph.figure.dual import dual_data, dual_scene
from calcgraph.graphviz import run as render
from calcgraph.sources import load_source, sample_names


@pytest.fixture(scope="module")
def doc():
    return cg.mlp().backward().to_dict()


def test_one_square_per_gradient_one_circle_per_transposed_op_and_a_sum_where_paths_meet(doc):
    dd = dual_data(doc)
    roles = {}
    for n in dd["nodes"]:
        roles.setdefault(n["role"], set()).add(n["of"])
    assert roles["gradient"] == {r["target"] for r in doc["backward"]}
    assert roles["vjp"] == {r["via"] for r in doc["backward"] if r["kind"] == "vjp"}
    assert roles["sum"] == {"W1", "W2"}
    assert roles["read"] == {"x", "y", "z", "h", "o", "W1", "W2"}  # what memory keeps


def test_edges_run_from_a_gradient_through_its_transposed_op(doc):
    edges = {(e["src"], e["dst"]) for e in dual_data(doc)["edges"]}
    assert ("∂o", "∂mul2") in edges and ("∂mul2", "∂h") in edges  # ∂J/∂h = W⁽²⁾ᵀ ∂J/∂o
    assert ("W2", "∂mul2") in edges and ("h", "∂mul2") in edges  # the values it reads
    assert {("∂mul2", "∂+W2"), ("∂l2", "∂+W2"), ("∂+W2", "∂W2")} <= edges


def test_the_labels_say_transpose_and_elementwise_derivative(doc):
    text = to_dot(doc, backward="only")
    assert "×<SUP><FONT POINT-SIZE=\"6.5\">T</FONT></SUP>" in text
    assert "⊙<I>ϕ</I>′" in text
    assert "∂<I>J</I>/∂<B>W</B>" in text


def test_it_is_the_forward_figure_mirrored_gradient_flowing_down_left(doc):
    svg = render.render(to_dot(doc, backward="only"), "svg", renderer="embedded")
    c = centres(svg)
    fwd = centres(render.render(to_dot(doc), "svg", renderer="embedded"))
    # ∂J/∂J top-right, as J is; ∂J/∂W1 left of ∂J/∂W2, as W1 is left of W2
    assert c["∂J"][0] == max(x for x, _ in c.values())
    assert c["∂J"][1] == min(y for _, y in c.values())
    for a, b in [("W1", "W2"), ("z", "h"), ("h", "o")]:
        assert (c["∂" + a][0] < c["∂" + b][0]) == (fwd[a][0] < fwd[b][0])
    # every arrow of the main chain points left: the gradient travels back
    for src, dst in [("∂o", "∂mul2"), ("∂mul2", "∂h"), ("∂h", "∂phi"), ("∂z", "∂mul1")]:
        assert c[dst][0] < c[src][0]


def test_both_draws_the_forward_graph_below_with_read_edges(doc):
    scene = dual_scene(doc, "both")
    ids = {n.id for n in scene.nodes}
    assert {"x", "W1", "mul1", "J", "∂J", "∂mul1", "∂W1"} <= ids
    assert not any(n.role == "read" for n in scene.nodes)  # the forward nodes are read instead
    reads = {(e.src, e.dst) for e in scene.edges if e.dashed}
    assert ("x", "∂mul1") in reads and ("z", "∂phi") in reads
    by_id = {n.id: n for n in scene.nodes}
    assert min(by_id[i].y for i in ids if i.startswith("∂")) > max(
        by_id[i].y for i in ids if not i.startswith("∂"))


@pytest.mark.parametrize("name", sample_names())
@pytest.mark.parametrize("mode", ["only", "both"])
def test_every_sample_has_a_backward_graph(name, mode):
    doc = load_source(name).backward().to_dict()
    text = to_dot(doc, backward=mode)
    grads = {r["target"] for r in doc["backward"]}
    assert all(re.search(rf'^"∂{re.escape(v)}" \[', text, re.MULTILINE) for v in grads)
    render.render(text, "svg", renderer="embedded")  # Graphviz accepts it


def test_the_backward_graph_at_each_step_marks_what_the_step_computes(doc):
    from test_stepped import marks

    for rec in doc["backward"]:
        svg = render.render(to_dot(doc, backward="only", step=rec["step"]), "svg",
                            renderer="embedded").decode("utf-8")
        m = marks(svg)
        nodes = {x for x in m.get("step", ()) if "->" not in x}
        assert nodes == ({"∂" + rec["target"]} if rec["final"] else set()), rec["step"]
        if rec["kind"] == "vjp":
            assert m["path"] == {"∂" + rec["via"]}
            assert {f"∂{rec['source']}->∂{rec['via']}"} | {
                f"{r}->∂{rec['via']}" for r in rec["touches"]["reads"]} <= m["step"]
        if rec["kind"] == "sum":  # both contributions flow into the + circle, then on
            v = rec["target"]
            vias = [doc["backward"][t - 1]["via"] for t in rec["terms"]]
            assert {f"∂{op}->∂+{v}" for op in vias} | {f"∂+{v}->∂{v}"} <= m["step"]
    assert "step 8 of 12" in to_dot(doc, backward="only", step=8)


@pytest.mark.parametrize("mode", ["only", "both"])
def test_legend_names_the_backward_graphs_squares_and_circles(doc, mode):
    plain = to_dot(doc, backward=mode)
    text = to_dot(doc, backward=mode, legend=True)
    labels = re.findall(r'label="([^"]*)"[^\n]*class="legend"', text)
    assert 'class="legend"' not in plain
    assert "gradient ∂J/∂v" in labels and any("backward operation" in t for t in labels)
    assert ("parameter" in labels) == (mode == "both")
    grad_fill = re.search(r'"∂J" \[[^\]]*fillcolor="([^"]+)"', text)[1]
    assert text.count(grad_fill) == plain.count(grad_fill) + 1  # the gradient swatch

"""Tests for calcgraph.figure.scene: the d2l theme, label typography, annotations and their placement."""

from __future__ import annotations

import doctest
import json

import pytest
from graphs import ALL, graph_for, mlp_bias, reference_cells, rnn

import calcgraph
from calcgraph.errors import UsageError
from calcgraph.figure import notes as scene_annotations
from calcgraph.figure.buckets import cuts, overlap
from calcgraph.figure.draw import graph_data
from calcgraph.figure.notes import box, segments
from calcgraph.figure.scene import D2L, Run, build_scene, label_runs, text_width
from calcgraph.sources import load_source
from calcgraph.text.summary import summarize


def scene_of(g, annotate="shapes", **kw):
    return build_scene(graph_data(g, annotate), annotate=annotate, **kw)


def by_id(scene):
    return {n.id: n for n in scene.nodes}


def test_d2l_theme_shapes_sizes_and_colours():
    nodes = by_id(scene_of(calcgraph.mlp(), "none"))
    for vid in ("x", "z", "h", "o", "y", "L", "s", "J"):
        n = nodes[vid]
        assert (n.shape, n.width, n.height, n.fill) == ("square", 21, 21, "white")
    for pid in ("W1", "W2"):
        assert (nodes[pid].shape, nodes[pid].fill) == ("square", "#66BFFF")
    for op in ("mul1", "phi", "mul2", "l", "l2", "plus"):
        assert (nodes[op].shape, nodes[op].width, nodes[op].fill) == ("circle", 23, "#B2D9FF")
    assert D2L.penwidth == 1.0 and D2L.stroke == "black"


def test_label_typography():
    nodes = by_id(scene_of(calcgraph.mlp(), "none"))
    assert nodes["x"].label == (Run("x", bold=True),)
    assert nodes["W1"].label == (Run("W", bold=True), Run("(1)", script="sup"))
    assert nodes["y"].label == (Run("y", italic=True),)  # a class index: a scalar
    assert nodes["J"].label == (Run("J", italic=True),)
    assert nodes["phi"].label == (Run("ϕ", italic=True),)
    assert nodes["l2"].label == (Run("ℓ", italic=True), Run("2", script="sub"))
    assert nodes["mul1"].label == (Run("×"),) and nodes["mul1"].fontsize > D2L.fontsize
    assert label_runs("W_{hx}", kind="variable", ndim=2) == (
        Run("W", bold=True), Run("hx", italic=True, script="sub"))
    assert by_id(scene_of(calcgraph.mlp(batch=8), "none"))["x"].label == (Run("X", bold=True),)


def test_no_annotations_gives_the_reference_pitch_and_positions():
    scene = scene_of(calcgraph.mlp(), "none")
    assert scene.pitch == (41.0, 39.0) and scene.notes == ()
    ref = reference_cells()
    for n in scene.nodes:
        col, row = ref[n.id]
        assert (n.x, n.y, n.cell) == ((col - 1) * 41.0, row * 39.0, (col, row))


def test_shape_annotations():
    notes = {n.node: n.lines for n in scene_of(calcgraph.mlp()).notes}
    assert notes["W1"] == ("(5, 4)", "∂J: (5, 4)")
    assert notes["z"] == ("(5,)", "∂J: (5,)")
    assert notes["x"] == ("(4,)", "∂J: (4,)")  # an input's gradient: known shape, faint
    assert "y" not in notes and "L" not in notes and "J" not in notes  # scalars: italic says it
    batch = {n.node: n.lines for n in scene_of(calcgraph.mlp(batch=8)).notes}
    assert batch["x"] == ("(8, 4)", "∂J: (8, 4)") and batch["o"] == ("(8, 3)", "∂J: (8, 3)")
    assert batch["y"] == ("(8,)",)  # class indices: integers have no gradient at all


def test_gradients_backward_does_not_compute_are_faint():
    faint = {n.node: n.faint for n in scene_of(calcgraph.mlp(batch=8), "all").notes}
    assert faint["x"] == (2,)  # under its shape and value
    assert faint["W1"] == faint["z"] == faint["y"] == ()
    grads = {n.node: (n.lines, n.faint) for n in scene_of(calcgraph.mlp(), "grads").notes}
    assert grads["x"] == (("∂J: (4,)",), (0,))  # its shape, but no numbers: none computed
    linreg = {n.node: (n.lines, n.faint) for n in scene_of(load_source("linreg"), "all").notes}
    assert linreg["x"][1] == (2,) and len(linreg["y"][0]) == 1 and not linreg["y"][1]  # scalar: no shape
    values = scene_of(calcgraph.mlp(), "values")
    assert not any(n.faint for n in values.notes)
    legend = scene_of(calcgraph.mlp(), legend=True).legend[-1].text
    assert "light grey ∂J: a gradient that backward does not compute" in legend


def test_value_and_gradient_annotations_run_the_passes():
    g = calcgraph.mlp()
    notes = {n.node: n.lines for n in scene_of(g, "all").notes}
    assert notes["W1"][0] == "(5, 4)" and notes["W1"][1].startswith("μ ")
    assert notes["W1"][2] == "∂J: (5, 4)" and notes["W1"][3].startswith("μ ")
    # scalars get micrograd's record: value and gradient on one framed line
    assert notes["J"] == (f"data {float(g['J'].value):.5g} | grad 1",)
    assert notes["L"] == (f"data {float(g['L'].value):.5g} | grad 1",)
    grads = {n.node: n.lines for n in scene_of(calcgraph.mlp(), "grads").notes}
    assert grads["o"][0] == "∂J: (3,)" and grads["o"][1].startswith("[")
    values = {n.node: n.lines for n in scene_of(calcgraph.mlp(), "values").notes}
    assert values["o"][0] == "(3,)" and not any("∂" in t for t in values["o"])


def test_summaries():
    assert summarize(2.0) == "2"
    assert summarize([0.5, -1.0]) == "[0.5, −1]"
    assert summarize([[1.0, 1.0], [1.0, 1.0]]) == "μ 1 σ 0"
    assert summarize([1e-19, -1e-19, 2.0, -2.0]) == "μ 0 σ 1.41"  # round-off prints as 0
    assert summarize(["NaN", 1.0]) == "[nan, 1]"


GRAPHS = [*ALL, "mlp_batch8"]


def figure_graph(key):
    return calcgraph.mlp(batch=8) if key == "mlp_batch8" else graph_for(key)


def scene_data(key):
    return figure_graph(key).to_dict(values=False)["nodes"]


@pytest.mark.parametrize("annotate", ["shapes", "values", "grads", "all"])
@pytest.mark.parametrize("key", GRAPHS)
def test_annotations_clear_nodes_edges_and_each_other(key, annotate):
    # In the scene's geometry: no annotation box meets a node box, another annotation or
    # the straight segment of any edge (the SVG itself: test_figure.py).
    scene = scene_of(figure_graph(key), annotate, legend=True)
    boxes = [box(n.x, n.y, n.width, n.height, 0) for n in scene.nodes]
    segs = segments(scene)
    placed = []
    scalars = all(not n["shape"] for n in scene_data(key) if n["kind"] == "variable")
    assert scene.notes or (annotate == "shapes" and scalars)  # a scalar's () is not written
    for note in scene.notes:
        b = box(note.x, note.y, note.width, note.height, 0)
        assert not any(overlap(b, o) for o in boxes + placed), note
        assert not any(cuts(b, s) for s in segs), note
        placed.append(b)
    # The grid is kept: every node sits on a multiple of the (possibly widened) pitch.
    for n in scene.nodes:
        assert n.x == (n.cell[0] - 1) * scene.pitch[0] and n.y == n.cell[1] * scene.pitch[1]
    assert scene.pitch[0] >= 41 and scene.pitch[1] >= 39


def test_annotations_go_beside_a_vertical_edge():
    # W⁽¹⁾, W⁽²⁾ and y have an edge straight down into their operator: their annotations
    # go under them to one side, text aligned toward the edge, clear of it by 4 pt.
    for g in (calcgraph.mlp(), calcgraph.mlp(batch=8)):
        for annotate in ("shapes", "values", "grads", "all"):
            scene = scene_of(g, annotate)
            nodes, notes = by_id(scene), {n.node: n for n in scene.notes}
            for v in ("W1", "W2", "y"):
                if v not in notes:
                    continue
                note, node = notes[v], nodes[v]
                side = note.x - node.x
                assert abs(side) >= note.width / 2 + 4 - 1e-9, (annotate, v)
                assert note.align == ("left" if side > 0 else "right")
                assert note.y < node.y - node.height / 2


def test_legend_sits_under_everything():
    scene = scene_of(calcgraph.mlp(batch=8), legend=True)
    kinds = [k.kind for k in scene.legend]
    assert kinds == ["variable", "param", "operator", "text"]
    lowest = min([n.y - n.height / 2 for n in scene.nodes]
                 + [n.y - n.height / 2 for n in scene.notes])
    assert all(k.y < lowest for k in scene.legend)
    assert "∂J: (5, 4): gradient shape" in scene.legend[-1].text
    assert scene_of(calcgraph.mlp()).legend == ()


def test_scene_reads_plain_data():
    g = mlp_bias()
    from_graph = scene_of(g, "all")
    from_json = build_scene(json.loads(g.to_json()), annotate="all")
    assert from_graph == from_json


def test_dot_layout_has_no_positions():
    scene = scene_of(rnn(), layout_name="dot")
    assert all(n.x is None for n in scene.nodes) and scene.notes


def test_bad_options_list_the_choices():
    data = graph_data(calcgraph.mlp())
    with pytest.raises(UsageError, match=r"unknown annotate: 'some' \(must be one of \['none'"):
        build_scene(data, annotate="some")
    with pytest.raises(UsageError, match=r"unknown layout: 'neato'.*'d2l', 'dot'"):
        build_scene(data, layout_name="neato")


def test_text_width_grows_with_text():
    assert text_width("(5, 4)", 6.5) < text_width("∂J: (5, 4)", 6.5)
    assert text_width("中文", 10) == 20
    # Every wide character is a full em, whatever its block (issue 17): Hangul Jamo,
    # fullwidth Latin, ideographic space and kana among them.
    assert text_width("ᄀＷ　カ", 10) == 40


def test_text_width_is_the_bundled_fonts():
    # Annotations are placed by text_width(): it must be what the PNG (resvg with the
    # bundled Liberation Serif, DejaVu Serif for what that lacks) and browsers draw.
    ttlib = pytest.importorskip("fontTools.ttLib")
    from calcgraph.graphviz.run import FONT_DIR

    fonts = [ttlib.TTFont(FONT_DIR / f) for f in ("LiberationSerif-Regular.ttf",
                                                 "DejaVuSerif.ttf")]

    def real(text, size):
        total = 0.0
        for c in text:
            font = next(f for f in fonts if ord(c) in f.getBestCmap())
            glyph = font.getBestCmap()[ord(c)]
            total += font["hmtx"][glyph][0] / font["head"].unitsPerEm
        return total * size

    alphabet = "".join(chr(c) for c in range(32, 127)) + "μσ∂−×·–—…′"
    assert text_width(alphabet, 6.5) == pytest.approx(real(alphabet, 6.5), rel=1e-3)
    for text in ("αβγδεζηθικλνξοπρστυφχψω", "ϕℓ⁽¹⁾₂ΔΣΩ"):  # read from the font that draws it
        assert text_width(text, 6.5) == pytest.approx(real(text, 6.5), rel=1e-4)


def test_doctests():
    assert doctest.testmod(scene_annotations).failed == 0

"""Tests for calcgraph.figure.draw: files of every format, the grid in the SVG, failures, the gallery."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from graphs import connected_graph, mlp_bias, reference_cells, rnn, two_layer
from svgs import SVG, centres, grid_from_svg

import calcgraph
from calcgraph.errors import RenderError, UsageError
from calcgraph.figure import draw as figure
from calcgraph.figure.buckets import cuts, overlap
from calcgraph.figure.metrics import text_width
from calcgraph.graphviz import run as render
from calcgraph.sources import load_source, sample_names

DOCS = Path(__file__).resolve().parents[2] / "docs"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz not installed")
BOTH = pytest.mark.parametrize("renderer", ["embedded", pytest.param("system", marks=needs_dot)])


@pytest.mark.parametrize("annotate", ["none", "shapes", "all"])
@BOTH
def test_svg_has_the_reference_grid(renderer, annotate):
    ref = reference_cells()
    svg = render.render(figure.to_dot(calcgraph.mlp(), annotate=annotate), "svg",
                        renderer=renderer)
    assert grid_from_svg(svg, ref) == ref


@BOTH
def test_reference_pitch_in_the_svg(renderer):
    pos = centres(render.render(figure.to_dot(calcgraph.mlp(), annotate="none"), "svg",
                                renderer=renderer))
    assert pos["mul1"][0] - pos["x"][0] == pytest.approx(41, abs=0.6)
    assert pos["x"][1] - pos["W1"][1] == pytest.approx(39, abs=0.6)


@BOTH
def test_svg_is_byte_identical_on_rerun(renderer):
    def make() -> bytes:
        source = figure.to_dot(calcgraph.mlp(batch=8), annotate="all", legend=True)
        return render.render(source, "svg", renderer=renderer)

    assert make() == make()


def bezier_points(d: str) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    pts = list(zip(nums[::2], nums[1::2]))
    out = []
    for i in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[i:i + 4]
        for k in range(11):
            t = k / 10
            out.append(tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c
                             + t ** 3 * e for a, b, c, e in zip(p0, p1, p2, p3)))
    return out


RANDOM = [lambda s=s: connected_graph(s, 1 + s % 4, 3 + s % 10) for s in range(0, 60, 6)]


@pytest.mark.parametrize("make", [mlp_bias, two_layer, rnn, *RANDOM])
@BOTH
def test_rendered_edges_go_around_nodes(renderer, make):
    # Edges the grid cannot keep straight (a shared parameter's, a skip over the main
    # chain) are routed around the nodes by Graphviz: none crosses a node in the SVG.
    g = make()
    svg = render.render(figure.to_dot(g), "svg", renderer=renderer)
    pos = centres(svg)
    for group in ET.fromstring(svg).iter(SVG + "g"):
        if group.get("class") != "edge":
            continue
        src, dst = group.find(SVG + "title").text.split("->")
        for x, y in bezier_points(group.find(SVG + "path").get("d")):
            for v, (cx, cy) in pos.items():
                if v not in (src, dst) and v in g:
                    assert max(abs(x - cx), abs(y - cy)) > 9, (src, dst, v)


def drawn(svg: bytes) -> tuple[list, list, list]:
    """What the SVG draws, in its coordinates: text lines of annotations and the legend as
    (text, glyph box), node and swatch boxes, and every edge as a polyline (arrowhead too).

    A text box is where the viewer draws the glyphs: from its anchor, text_width() wide,
    from 0.7 em above the baseline (digits, brackets) to 0.25 em under it (brackets, μ).
    """
    texts, boxes, lines = [], [], []
    for g in ET.fromstring(svg).iter(SVG + "g"):
        cls = g.get("class", "")
        shapes = [[tuple(map(float, p.split(","))) for p in el.get("points").split()]
                  for el in g.iter(SVG + "polygon")]
        shapes += [[(float(e.get("cx")) + sx * float(e.get("rx")),
                     float(e.get("cy")) + sy * float(e.get("ry"))) for sx, sy in ((-1, -1), (1, 1))]
                   for e in g.iter(SVG + "ellipse")]
        if cls == "edge":
            lines += [bezier_points(g.find(SVG + "path").get("d")), *shapes]
            continue
        if not cls.startswith("node"):
            continue
        bounds = [(min(x for x, _ in s), min(y for _, y in s), max(x for x, _ in s),
                   max(y for _, y in s)) for s in shapes]
        if cls == "node note frame":  # a scalar's record: its frame is text, for this test
            texts += [("frame", b) for b in bounds]
            continue
        boxes += bounds
        if cls in ("node note", "node legend"):
            for t in g.iter(SVG + "text"):
                x, y, size = (float(t.get(k)) for k in ("x", "y", "font-size"))
                text = "".join(t.itertext())
                w = text_width(text, size)
                x0 = {"start": x, "end": x - w}.get(t.get("text-anchor"), x - w / 2)
                texts.append((text, (x0, y - 0.7 * size, x0 + w, y + 0.25 * size)))
    return texts, boxes, lines


FIGURES = {"mlp_batch8": lambda: calcgraph.mlp(batch=8),
           **{n: (lambda n=n: load_source(n)) for n in sample_names()}}


@pytest.mark.parametrize("annotate", ["shapes", "values", "grads", "all"])
@pytest.mark.parametrize("name", sorted(FIGURES))
@BOTH
def test_rendered_annotations_clear_edges_nodes_and_each_other(renderer, name, annotate):
    # In the SVG itself: every line of every annotation (and of the legend) is clear of
    # every edge as Graphviz drew it (routed curves and arrowheads too), of every node and
    # of every other line of text.
    source = figure.to_dot(FIGURES[name](), annotate=annotate, legend=True)
    texts, boxes, lines = drawn(render.render(source, "svg", renderer=renderer))
    assert texts
    for i, (text, box) in enumerate(texts):
        for line in lines:
            assert not any(cuts(box, (*p, *q)) for p, q in itertools.pairwise(line)), text
        assert not any(overlap(box, b) for b in boxes), text
        # a record's line sits inside its own frame, which comes right before it
        others = texts[:i - 1] if i and texts[i - 1][0] == "frame" else texts[:i]
        assert not any(overlap(box, b) for _, b in others), (text, others)


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("ext", ["svg", "png", "dot", "json"])
def test_render_graph_writes_each_format(tmp_path, ext, no_system_dot):
    path, used = figure.render_graph(calcgraph.mlp(), str(tmp_path / f"f.{ext}"))
    data = Path(path).read_bytes()
    assert used == ("embedded" if ext in ("svg", "png") else None)
    assert data.startswith({"svg": b"<?xml", "png": b"\x89PNG", "dot": b"digraph mlp",
                            "json": b"{"}[ext])


def test_json_file_has_values_and_gradients(tmp_path):
    path, _ = figure.render_graph(calcgraph.mlp(), str(tmp_path / "g.json"))
    nodes = {n["id"]: n for n in json.loads(Path(path).read_text())["nodes"]}
    assert nodes["W1"]["grad"] is not None and nodes["J"]["value"] is not None


def test_default_path_is_the_graph_name_in_cwd(tmp_path, monkeypatch, no_system_dot):
    monkeypatch.chdir(tmp_path)
    assert figure.render_graph(calcgraph.mlp()) == ("mlp.svg", "embedded")
    assert (tmp_path / "mlp.svg").exists()
    assert figure.render_graph(calcgraph.mlp(), fmt="dot") == ("mlp.dot", None)
    odd = calcgraph.Graph("my graph/../x")
    assert figure.default_path(odd) == "my_graph_.._x.svg"


def test_unknown_format_lists_the_valid_ones(tmp_path):
    with pytest.raises(UsageError, match=r"unknown format: 'jpg2' \(must be one of \['svg', "
                                         r"'png', 'pdf', 'dot', 'json'\]\)"):
        figure.render_graph(calcgraph.mlp(), str(tmp_path / "x.jpg2"))
    with pytest.raises(UsageError, match="unknown layout"):
        figure.render_graph(calcgraph.mlp(), str(tmp_path / "x.svg"), layout="circo")
    assert not list(tmp_path.iterdir())


def test_failed_render_leaves_no_file_and_keeps_the_dot(tmp_path, monkeypatch):
    monkeypatch.setattr(figure, "_dot", lambda *a, **k: ("digraph { x -> ; }", True))
    out = tmp_path / "broken.svg"
    with pytest.raises(RenderError, match="DOT kept at") as err:
        figure.render_graph(calcgraph.mlp(), str(out), renderer="embedded")
    assert "\n" not in str(err.value)
    assert not out.exists()
    assert (tmp_path / "broken.svg.failed.dot").read_text() == "digraph { x -> ; }"


def test_graph_methods(tmp_path, no_system_dot):
    g = calcgraph.mlp()
    assert g.to_dot() == figure.to_dot(calcgraph.mlp())
    assert g.render(str(tmp_path / "m.svg")) == str(tmp_path / "m.svg")
    svg = g._repr_svg_()
    assert svg.startswith("<?xml") and grid_from_svg(svg.encode(), reference_cells()) == \
        reference_cells()
    assert g._repr_mimebundle_()["image/svg+xml"] == svg


def test_graphviz_own_layout(tmp_path, no_system_dot):
    path, used = figure.render_graph(calcgraph.mlp(), str(tmp_path / "lr.svg"), layout="dot",
                                     legend=True)
    pos = centres(Path(path).read_bytes())
    assert used == "embedded" and pos["x"][0] < pos["J"][0]  # left to right


# ---------------------------------------------------------------- the gallery


def test_gallery_is_fresh(tmp_path):
    spec = importlib.util.spec_from_file_location("make_gallery", DOCS / "make_gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")
                   if p.suffix in (".svg", ".dot", ".md"))
    assert fresh, "the gallery script wrote nothing"
    stale = [str(p) for p in fresh
             if not (DOCS / p).exists() or (DOCS / p).read_bytes() != (tmp_path / p).read_bytes()]
    assert not stale, f"stale gallery files {stale}: run python docs/make_gallery.py"
    assert (tmp_path / "gallery" / "mlp.png").read_bytes().startswith(b"\x89PNG")

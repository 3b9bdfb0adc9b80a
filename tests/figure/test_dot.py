"""Tests for calcgraph.figure.dot: golden DOT, stable bytes, and quoting of every user string."""

from __future__ import annotations

import doctest
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from goldens import check_golden

import calcgraph
from calcgraph import Graph
from calcgraph.figure import dot
from calcgraph.figure.draw import graph_data, to_dot
from calcgraph.figure.scene import build_scene, text_width
from calcgraph.graphviz import run as render

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz not installed")
BOTH = pytest.mark.parametrize("renderer", ["embedded", pytest.param("system", marks=needs_dot)])

CASES = {
    "mlp.dot": lambda: to_dot(calcgraph.mlp()),
    "mlp_none.dot": lambda: to_dot(calcgraph.mlp(), annotate="none"),
    "mlp_batch8_all_legend.dot": lambda: to_dot(calcgraph.mlp(batch=8), annotate="all",
                                                legend=True),
    "mlp_layout_dot.dot": lambda: to_dot(calcgraph.mlp(), layout="dot", legend=True),
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CALCGRAPH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "wasm-cache"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    check_golden(name, CASES[name]())


def test_dot_is_byte_identical_on_rerun():
    for make in CASES.values():
        assert make().encode() == make().encode()


def test_doctests():
    assert doctest.testmod(dot).failed == 0


def test_pinned_positions_are_points():
    text = to_dot(calcgraph.mlp(), annotate="none")
    assert 'x [shape=box, width=0.2917, height=0.2917' in text
    assert re.search(r'\bx \[.*pos="0,0!"', text)
    assert re.search(r'\bJ \[.*pos="287,78!"', text)  # col 8, row 2 at 41 x 39 pt
    assert re.search(r'W1 \[.*label=<<B>W</B><SUP><FONT POINT-SIZE="6.5">\(1\)</FONT></SUP>>',
                     text)
    assert "arrowhead=vee, arrowsize=0.5" in text and "splines=true" in text


def test_graphviz_layout_is_read_back_with_notes_beside_the_nodes():
    # dot places the nodes left to right and routes the edges; the DOT pins both and adds
    # the notes as for the d2l layout (faint lines too), not as Graphviz's xlabels.
    text = to_dot(calcgraph.mlp(), layout="dot", legend=True)
    x = [float(v) for v in re.search(r'\bx \[.*pos="([\d.]+),([\d.]+)!"', text).groups()]
    j = [float(v) for v in re.search(r'\bJ \[.*pos="([\d.]+),([\d.]+)!"', text).groups()]
    assert x[0] < j[0] and "rankdir" not in text and "xlabel" not in text
    assert re.search(r'x -> mul1 \[pos="e,', text)  # dot's own curve
    assert 'label="∂J: (4,)"' in text and 'fontcolor="#999999"' in text  # a faint line
    assert 'fillcolor="#66BFFF"' in text.split("_key1s")[1].split(";")[0]  # legend swatch


@pytest.mark.parametrize(("raw", "want"), [
    ('a"b', '"a&quot;b"'),
    ("back\\slash\\", '"back\\\\slash\\\\"'),
    ("<b>&amp;</b>", '"&lt;b&gt;&amp;amp;&lt;/b&gt;"'),
    ("line\nbreak\r", '"line\\nbreak"'),
    ("bell\x07\x00\ufffe", '"bell"'),
    ("中文 ℓ₂", '"中文 ℓ₂"'),
])
def test_quote(raw, want):
    assert dot.quote(raw) == want


def test_dot_ids_are_bare_only_when_safe():
    assert [dot.dot_id(s) for s in ("x", "W_1", "1x", "graph", "a-b")] == [
        "x", "W_1", '"1x"', '"graph"', '"a-b"']


NASTY = ['q"uote', "a<b>c&d", "</text><script>alert(1)</script>", "back\\slash\\", "new\nline",
         "中文节点", "&foo;", "tab\tand\x01ctl", "\\N\\G", "]]>--"]


def literal(text: str) -> str:
    """Label markup that shows `text` as it is (a backslash escapes markup characters)."""
    return "".join("\\" + c if c in "\\^_{}" else c for c in text)


def nasty_graph() -> Graph:
    g = Graph('evil "graph" <name>')
    prev = g.input(NASTY[0], (2,), label=NASTY[0])
    for i, name in enumerate(NASTY[1:]):
        prev = g.apply("relu" if i % 2 else "exp", prev, out=name, name=f"op{i}{name}",
                       label=literal(name), symbol=literal(name[:3]))
    g.apply("sum", prev, out="S")
    g.set_objective("S")
    return g


@pytest.mark.parametrize("layout", ["d2l", "dot"])
@BOTH
def test_nasty_names_and_labels_give_well_formed_svg(renderer, layout):
    text = to_dot(nasty_graph(), annotate="shapes", layout=layout)
    svg = render.render(text, "svg", renderer=renderer, pinned=layout == "d2l",
                        engine="neato" if layout == "d2l" else "dot")
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert not list(root.iter(SVG + "script"))
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= {"svg", "g", "title", "text", "tspan", "polygon", "ellipse", "path", "a"}
    titles = {el.text for el in root.iter(SVG + "title")}
    assert "中文节点" in titles and "a<b>c&d" in titles and 'q"uote' in titles
    shown = " ".join("".join(t.itertext()) for t in root.iter(SVG + "text"))
    assert "</text><script>alert(1)</script>" in shown and "&foo;" in shown
    assert "back\\slash\\" in shown and "\\N\\G" in shown  # not Graphviz's \\N escape
    nodes = [g for g in root.iter(SVG + "g") if g.get("class", "").startswith("node variable")]
    assert len(nodes) == len(NASTY) + 1


def test_annotation_lines_are_placed_by_calcgraph_not_graphviz():
    # One plaintext node per line, centred on a point computed from the measured width and
    # exactly that wide (fixedsize=shape): Graphviz's width estimate, which differs between
    # renderers, can neither move the text (as `\l` justification did) nor bend an edge.
    scene = build_scene(graph_data(calcgraph.mlp(batch=8), "all"), annotate="all", legend=True)
    text = dot.to_dot(scene)
    assert "\\l" not in text and "\\r" not in text
    aligned = set()
    for i, note in enumerate(scene.notes):
        stmts = [s for s in text.splitlines() if s.startswith(f"_note{i}_")]
        assert len(stmts) == len(note.lines)
        edges = set()
        for j, (line, stmt) in enumerate(zip(note.lines, stmts)):
            x, y = map(float, re.search(r'pos="([-\d.]+),([-\d.]+)!"', stmt).groups())
            w = float(re.search(r"width=([\d.]+)", stmt).group(1)) * 72
            assert "fixedsize=shape" in stmt and f'label="{line}"' in stmt
            assert w == pytest.approx(text_width(line, 6.5), abs=0.01)
            assert note.x - note.width / 2 - 0.01 <= x - w / 2 <= x + w / 2 <= \
                note.x + note.width / 2 + 0.01
            pad = scene.theme.frame_pad if note.framed else 0.0  # a record's text sits inside
            assert y == pytest.approx(note.y + note.height / 2 - pad - (j + 0.5) * 7.8,
                                      abs=0.01)
            grey = "#999999" if j in note.faint else "#555555"
            assert f'fontcolor="{grey}"' in stmt
            edges.add(round({"left": x - w / 2, "right": x + w / 2}.get(note.align, x), 1))
        assert len(edges) == 1  # lines share their left edge, right edge or centre
        aligned.add(note.align)
    assert aligned == {"left", "right", "center"}


def _chain(n_ops: int) -> Graph:
    g = Graph("chain")
    g.param("a0", (3,))
    for i in range(n_ops):
        g.apply("tanh", f"a{i}", out=f"a{i + 1}")
    g.apply("sum", f"a{n_ops}", out="J")
    g.set_objective("J")
    return calcgraph.init_values(g)


def test_edges_curve_around_nodes_in_small_graphs_and_go_straight_in_big_ones():
    small, big = _chain(10), _chain(dot.SPLINE_LIMIT)  # 2 nodes per op: past the limit
    assert len(small.nodes) <= dot.SPLINE_LIMIT < len(big.nodes)
    assert "splines=true" in to_dot(small) and "splines=line" in to_dot(big)
    assert "splines=true" in to_dot(big, layout="dot")  # Graphviz's own layout routes fast


def test_many_html_labels_keep_their_attribute_names():
    from calcgraph.graphviz import htmllabels as _htmllabels

    source = to_dot(_chain(300))
    plain, labels, unsupported = _htmllabels.extract(source)
    assert len(labels) >= 300 and not unsupported and "<B>" not in plain

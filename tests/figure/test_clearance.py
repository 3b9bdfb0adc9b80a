"""Big graphs drawn clean: no edge through a node, no note touching anything (the drawn
curves tightened or bent round nodes: figure/curves.py; notes set off with a leader line
when no spot beside their node is free: figure/leaders.py)."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest

from benchmarks import layout_graphs as lg
from calcgraph.figure import curves, dot
from calcgraph.figure.draw import _dot
from calcgraph.figure.elements import D2L, Edge, Node, Note, Run, Scene
from calcgraph.figure.metrics import LINE, text_width
from calcgraph.figure.notes import place_notes, segments
from calcgraph.figure.quality import measure_svg
from calcgraph.graphviz import run as render


def _svg(data) -> bytes:
    source, pinned = _dot(data, "shapes", "d2l", False)
    assert pinned
    return render.render(source, "svg", renderer="embedded", pinned=True)


def _node(name: str, x: float, y: float, circle: bool = False) -> Node:
    size = 23.0 if circle else 21.0
    return Node(name, "operator" if circle else "variable", "intermediate",
                "circle" if circle else "square", size, size, "white", (Run(name),), name,
                x=x, y=y)


# Past 80 nodes Graphviz draws straight lines and calcgraph its own curves (docs/layout.md,
# "Long edges"); a 300-node render takes seconds, so one such graph, and a few seeds around
# the limit, where the layout may also change method.
@pytest.mark.parametrize("nodes, seed", [(300, 0), (100, 0), (60, 1), (120, 4), (150, 5)],
                         ids=lambda v: str(v))
def test_random_dags_have_no_edge_through_a_node_and_no_note_collision(nodes, seed):
    q = measure_svg(_svg(lg.random_dag(nodes, seed).to_dict(values=False)))
    assert (q.through, q.collisions) == (0, 0)


# Past 80 nodes the d2l and recurrent layouts route the edges a straight line would pass a
# node with (channels, lanes): before curves.py, a 10-step RNN had 59 edges through nodes
# and 53 note collisions, 12 residual blocks 12 collisions.
@pytest.mark.parametrize("graph", [lg.recurrent(10), lg.residual(12)], ids=lambda g: g.name)
def test_big_routed_d2l_and_recurrent_figures_are_clean(graph):
    q = measure_svg(_svg(graph.to_dict(values=False)))
    assert (q.through, q.collisions) == (0, 0)


@pytest.mark.parametrize("x, tension", [(-20, 1 / 6), (-17, 1 / 10), (-16, 1 / 16), (-14, 0)])
def test_a_curve_that_would_graze_a_node_is_tightened_as_little_as_needed(x, tension):
    # A route round a corner, a circle outside it 14-20 pt from the polyline: the
    # Catmull-Rom curve bows out toward it; the drawn curve is the roundest that keeps
    # 1.5 pt off its outline (the polyline itself, tension 0, when nothing rounder does).
    src, dst, block = _node("a", 0, 0), _node("b", 100, 80), _node("c", x, 66, circle=True)
    route = ((0.0, 0.0), (0.0, 80.0), (100.0, 80.0))
    drawn = curves.clear_curve(route, src, dst, 5.0, curves.NodeIndex([src, dst, block]))
    assert drawn == curves.spline(route, src, dst, 5.0, tension)
    assert min(curves.distance((x, 66), a, b) for a, b in _pieces(drawn)) >= 11.5 + 1.5
    if tension < 1 / 6:  # Catmull-Rom's own would have come too close
        smooth = curves.spline(route, src, dst, 5.0)
        assert min(curves.distance((x, 66), a, b) for a, b in _pieces(smooth)) < 11.5 + 1.5


def test_a_straight_edge_through_a_node_is_bent_round_it():
    src, dst, block = _node("a", 0, 0), _node("b", 200, 0), _node("c", 100, 4)
    index = curves.NodeIndex([src, dst, block])
    drawn = curves.straight_curve(src, dst, 5.0, index)
    assert drawn is not None
    for a, b in _pieces(drawn):  # clear of c's box by the margin
        assert not curves._near(a, b, block, 1.5)
    assert curves.straight_curve(src, _node("d", 0, 100), 5.0, index) is None  # clear


def _pieces(curve):
    """The drawn path (tip first, then Bézier control points) as short chords."""
    ctrl = curve[1:]
    pts = [ctrl[0]]
    for i in range(0, len(ctrl) - 3, 3):
        pts += curves._piece(*ctrl[i:i + 4])[1:]
    return list(itertools.pairwise(pts))


def _star() -> Scene:
    """A hub with 16 spokes and a note on every square: no spot beside the hub is free."""
    hub = _node("h", 0.0, 0.0)
    ring = [_node(f"n{k}", 70 * math.cos(math.pi * k / 8), 70 * math.sin(math.pi * k / 8),
                  k % 2 == 0) for k in range(16)]
    text = "(3, 4)"
    notes = tuple(Note(n.id, (text,), width=text_width(text, D2L.note_size),
                       height=D2L.note_size * LINE) for n in [hub, *ring] if n.shape == "square")
    return Scene("star", "d2l", D2L, (hub, *ring), tuple(Edge("h", n.id) for n in ring), notes)


def test_a_note_with_no_free_spot_goes_farther_out_with_a_leader_line():
    scene = _star()
    notes = place_notes(scene, scene.nodes)
    hub = notes[0]
    assert hub.leader is not None and all(n.leader is None for n in notes[1:])
    x0, y0, x1, y1 = hub.leader
    assert math.hypot(x0, y0) > 10.5 and math.hypot(x1 - x0, y1 - y0) >= 5  # off the node
    # The leader runs between two spokes, clear of every edge.
    for seg in segments(scene):
        assert curves.distance((x0, y0), seg[:2], seg[2:]) > 1.9
        assert curves.distance((x1, y1), seg[:2], seg[2:]) > 1.9
    svg = render.render(dot.to_dot(_with(scene, notes)), "svg", renderer="embedded",
                        pinned=True)
    assert svg.count(b'class="edge leader"') == 1
    q = measure_svg(svg)
    assert (q.through, q.collisions, q.crossings) == (0, 0, 0)


def test_the_measure_counts_a_leader_that_touches_an_edge():
    scene = _star()
    notes = list(place_notes(scene, scene.nodes))
    # the hub's leader turned onto the spoke to n0 (straight right, along y = 0)
    notes[0] = _moved(notes[0], (12.0, 0.0, 40.0, 0.0))
    svg = render.render(dot.to_dot(_with(scene, tuple(notes))), "svg", renderer="embedded",
                        pinned=True)
    assert measure_svg(svg).collisions >= 1


def _with(scene: Scene, notes: tuple[Note, ...]) -> Scene:
    return replace(scene, notes=notes)


def _moved(note: Note, leader: tuple[float, float, float, float]) -> Note:
    return replace(note, leader=leader)


def test_a_routed_edge_pointing_back_keeps_its_curve_with_the_arrow_at_the_source():
    # A stepped figure highlights the edges a gradient travels along with the arrowhead at
    # the source (dir=back): the routed curve, not a straight line through the column.
    src, dst = _node("a", 0, 0), _node("b", 0, 200)
    route = ((0.0, 0.0), (20.0, 20.0), (20.0, 180.0), (0.0, 200.0))
    forward = curves.spline(route, src, dst, 5.0)
    back = curves.backward(forward, 3.5)
    assert back[0] == forward[1]  # the tip on the source's outline
    assert math.dist(back[1], back[0]) == pytest.approx(3.5)  # the arrowhead's room
    assert back[-1] == forward[0] and back[3:-1] == forward[3:-1]  # on to the target's outline
    scene = Scene("s", "d2l", D2L, (src, dst), (Edge("a", "b", spline=forward, back=True),))
    assert 'pos="s,' in dot.to_dot(scene)

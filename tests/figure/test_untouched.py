"""No two pinned nodes touch: Graphviz would give up routing and draw every edge straight.

Graphviz's spline router, given esep margins (0.5 pt), falls back to straight lines for the
whole figure when two node boxes come closer than the margins ("some nodes with margin
touch"); edges then run through circles. Step figures used to do that (the caption's
spacer node 0.55 pt under its last line), and backward graphs too (two gradients of one
shared box on one cell; a gradient's square against its + circle at the doubled pitch).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from calcgraph.figure.draw import to_dot
from calcgraph.sources import load_source, sample_names

MARGIN = 0.5  # pt: esep="+0.5", on each node

NODE = re.compile(r'^\s*"?([^"\s\[]+)"? \[(.*)\];$', re.MULTILINE)


def _boxes(text: str) -> list[tuple[str, float, float, float, float]]:
    out = []
    for name, attrs in NODE.findall(text):
        pos = re.search(r'pos="([-\d.]+),([-\d.]+)!"', attrs)
        w, h = re.search(r"width=([\d.]+)", attrs), re.search(r"height=([\d.]+)", attrs)
        if pos and w and h:
            out.append((name, float(pos[1]), float(pos[2]), float(w[1]) * 72,
                        float(h[1]) * 72))
    return out


def _touching(text: str) -> list[tuple[str, str]]:
    boxes = _boxes(text)
    assert len(boxes) > 5  # the parse found the pinned nodes
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if abs(a[1] - b[1]) < (a[3] + b[3]) / 2 + 2 * MARGIN
            and abs(a[2] - b[2]) < (a[4] + b[4]) / 2 + 2 * MARGIN]


FIGURES = [(name, kind) for name in sample_names() for kind in ("step", "only", "both")]


def _figure(name: str, kind: str) -> str:
    doc = load_source(name).backward().to_dict()
    if kind == "step":
        return to_dot(doc, step=3)
    return to_dot(doc, backward=kind)


@pytest.mark.parametrize("name,kind", FIGURES, ids=[f"{n}-{k}" for n, k in FIGURES])
def test_no_two_nodes_touch(name, kind):
    assert _touching(_figure(name, kind)) == []


@pytest.mark.skipif(shutil.which("neato") is None, reason="needs system Graphviz (neato)")
@pytest.mark.parametrize("name,kind", [("mlp", "step"), ("rnn_bptt", "only"),
                                       ("rnn_bptt", "both")])
def test_graphviz_routes_the_edges(name, kind):
    run = subprocess.run(["neato", "-n2", "-Tsvg"], input=_figure(name, kind),
                         capture_output=True, text=True, check=True)
    assert "falling back to straight line edges" not in run.stderr

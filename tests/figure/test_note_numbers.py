"""What the figure's notes say (issue 10 item 24): numbers keep 5 significant digits, class
labels show as integers, and the legend's example shape is one the figure has."""

from __future__ import annotations

import re

import calcgraph as cg
from calcgraph.text.summary import summarize


def labels(dot: str) -> list[str]:
    return re.findall(r'label="([^"]*)"', dot)


def test_scalars_keep_five_significant_digits():
    g = cg.loads_spec("dim d = 3\ninput x : (d)\nparam w : (d)\nL = sum(x * w)\n"
                      "J = scale(L, 1.0025137)\nobjective J\n")
    shown = labels(g.to_dot(annotate="grads"))
    assert "∂J: 1.0025" in shown, shown  # ∂J/∂L, once "1"
    assert summarize(1.40381) == "1.4038" and summarize(-0.0012345) == "−0.0012345"


def test_class_labels_in_a_batch_are_integers():
    g = cg.mlp(batch=8)
    y = " ".join(str(int(c)) for c in g["y"].value)
    shown = labels(g.to_dot(annotate="values"))
    assert f"[{y}]" in shown
    assert not any("μ" in t and "σ" in t and len(t) < 12 and t.startswith("μ 1") for t in shown)


def test_the_legend_shows_a_shape_the_graph_has():
    for source, batch in (("mlp", None), ("linreg", None), ("mlp", 8)):
        g = cg.load(source, batch=batch)
        dot = g.to_dot(annotate="shapes", legend=True)
        line = next(t for t in labels(dot) if "value shape" in t)
        example = line.split(":", 1)[0]
        shapes = {str(tuple(v.shape)) for v in g.variables if v.shape}
        assert example in shapes, (source, batch, example, shapes)

"""What the figure's notes say (issue 10 item 24): numbers keep 5 significant digits, class
labels show as integers, and the legend's example shape is one the figure has."""

from __future__ import annotations

import re

import calcgraph as cg


def labels(dot: str) -> list[str]:
    return re.findall(r'label="([^"]*)"', dot)


def test_scalars_keep_five_significant_digits():
    g = cg.mlp()
    shown = labels(g.to_dot(annotate="all"))
    for name in ("J", "L"):
        value = float(g[name].value)
        assert f"{value:.5g}".replace("-", "−") in shown, (name, value, shown)
        assert len(f"{value:.5g}".replace(".", "").lstrip("0")) >= 4  # not "1" or "1.4"


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

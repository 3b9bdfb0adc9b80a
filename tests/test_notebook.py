"""Notebook use (issue 10 item 25): short reprs, the trace as HTML and pretty text, and an
inline figure object with render's options."""

from __future__ import annotations

import html
import re

import pytest

import calcgraph as cg
from calcgraph.core.ops import OPS


def test_the_trace_repr_is_short_and_its_displays_hold_the_terminal_text():
    t = cg.mlp().trace()
    assert len(repr(t)) < 120 and repr(t).startswith("<Trace 'mlp': 6 equations, 12 backward")
    shown = []

    class Printer:
        def text(self, s):
            shown.append(s)

    t._repr_pretty_(Printer(), False)
    assert shown == [t.text()]
    page = t._repr_html_()
    assert page.startswith("<pre") and "color:" in page
    plain = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert [ln.rstrip() for ln in plain.splitlines()] == t.text().splitlines()


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_records_print_short(name):
    op = OPS[name]
    assert len(repr(op)) < 200 and repr(op).startswith(f"<Op {name} (")
    for impl in op.impls.values():
        assert len(repr(impl)) < 120 and "lambda" not in repr(impl)


def test_graph_records_print_short():
    g = cg.mlp(batch=8).backward()
    for rec in [*g.variables, *g.operators, *g.steps, g["mul1"].op]:
        assert len(repr(rec)) < 200 and "array(" not in repr(rec) and "lambda" not in repr(rec)
    assert repr(g.steps[3]) == "<Step 4 vjp ∂/∂W1 via l2 shape=(5, 4)>"


def test_a_figure_object_shows_itself_inline(tmp_path):
    g = cg.mlp()
    fig = g.figure(annotate="all", legend=True)
    svg = fig._repr_mimebundle_()["image/svg+xml"]
    assert svg.startswith("<?xml") and fig._repr_svg_() == svg
    assert "value shape" in svg and "μ" in svg  # annotated, with the legend
    assert "μ" not in g._repr_svg_()  # the plain repr stays shapes only
    assert fig.to_dot() == g.to_dot(annotate="all", legend=True)
    assert fig.save(str(tmp_path / "f.svg")) == str(tmp_path / "f.svg")
    assert repr(fig) == "<Figure of 'mlp': annotate='all', legend=True>"
    with pytest.raises(cg.UsageError, match="unknown annotate"):
        g.figure(annotate="everything")

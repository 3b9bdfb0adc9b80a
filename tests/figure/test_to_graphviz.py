"""Graph.to_graphviz() (issue 10 item 27): a graphviz.Source of calcgraph's DOT, from the
optional `graphviz` package (calcgraph[graphviz]), with a clear error when it is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import calcgraph as cg


def graphviz_package():
    """The `graphviz` package, or a skip. Not importorskip alone: without the package,
    `import graphviz` finds the folder tests/graphviz (a namespace package) instead."""
    module = pytest.importorskip("graphviz", reason="the graphviz package is not installed")
    if not hasattr(module, "Source"):
        pytest.skip("the graphviz package is not installed")
    return module


needs_dot = pytest.mark.skipif(shutil.which("neato") is None, reason="system Graphviz not installed")


def test_without_the_package_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    monkeypatch.delitem(sys.modules, "calcgraph.figure.pysource", raising=False)
    with pytest.raises(cg.MissingDependency, match=r"pip install 'calcgraph\[graphviz\]'"):
        cg.mlp().to_graphviz()


def test_the_extra_is_declared():
    text = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'graphviz = ["graphviz>=0.20"]' in text


def test_a_source_of_calcgraphs_dot():
    graphviz = graphviz_package()
    g = cg.mlp()
    src = g.to_graphviz(annotate="all")
    assert isinstance(src, graphviz.Source)
    assert src.source == g.to_dot(annotate="all") and src.engine == "neato"
    assert g.to_graphviz(layout="dot").engine == "dot"


@needs_dot
def test_its_pipe_and_display_draw_the_pinned_layout(tmp_path):
    graphviz_package()
    src = cg.mlp().to_graphviz()
    svg = src.pipe(format="svg", encoding="utf-8")
    want = subprocess.run(["neato", "-n2", "-Tsvg"], input=src.source, capture_output=True,
                          text=True, check=True).stdout
    assert svg == want  # neato -n2, as calcgraph's own renderer runs it
    assert src._repr_mimebundle_()["image/svg+xml"] == svg
    out = src.render(directory=tmp_path, format="svg")
    assert Path(out).read_text(encoding="utf-8") == want

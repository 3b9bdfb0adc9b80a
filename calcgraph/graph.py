"""The public Graph: the core graph plus its passes and views (figure, trace, JSON, Jupyter).

Assembled here, at the top, so that no lower layer imports the modules that display it:
the core graph knows nothing of figures, and the figure and trace read what this module
hands them. `import calcgraph as cg; cg.mlp().render("mlp.svg")` reaches everything.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from calcgraph.core import engine, models
from calcgraph.core import graph as core_graph
from calcgraph.core.nodes import Constant, Operator, Variable
from calcgraph.core.order import CycleError, build, dependency_order
from calcgraph.errors import MissingDependency

__all__ = ["Constant", "CycleError", "Graph", "Operator", "Variable", "build", "check",
           "dependency_order", "from_torch", "load_spec", "loads_spec", "mlp"]


class Graph(core_graph.Graph):
    """A computation graph as an ordered list of equations, with its passes and its views."""

    # ------------------------------------------------------------ passes (core.engine)

    def forward(self, *, check: str | bool = "auto", keep: str = "all") -> Graph:
        """Evaluate every node from the current inputs; returns the graph for chaining.

        check: "auto" (objective and parameter gradients, then locate), "all", "none".
        keep: "all" keeps every node's value; "needed" only what backward reads, and
        the next backward keeps only the leaves' gradients (docs/library.md, "Memory").
        """
        engine.forward(self, check=check, keep=keep)
        return self

    def backward(self, *, inputs: bool = False, check: str | bool = "auto",
                 keep: str | None = None) -> Graph:
        """Run forward if needed, then the reverse sweep; records one step per gradient.

        `inputs=True` also computes ∂J/∂x for data inputs and float labels.
        """
        engine.backward(self, inputs=inputs, check=check, keep=keep)
        return self

    def check(self, *, torch: bool = False, inputs: bool = False, **options: Any) -> Any:
        """Every gradient against central finite differences (and torch); see calcgraph.check."""
        return check(self, torch=torch, inputs=inputs, **options)

    def _full_record(self) -> None:
        """The views show every value, gradient and step: after lean passes
        (keep="needed"), run them again with keep="all"."""
        state = self.engine_state
        if state is not None and state.keep == "needed" and self.objective is not None:
            engine.backward(self, keep="all")

    # ------------------------------------------------------------ data (calcgraph.text)

    def to_json(self, *, values: bool = True, indent: int | None = 2,
                full_arrays: bool = False) -> str:
        """Nodes, edges, values, grads, shapes and backward steps (schema: docs/json.md).

        Arrays of more than 10,000 numbers are summarized unless `full_arrays=True`.
        """
        from calcgraph.text.document import to_json

        self._full_record()
        return to_json(self, values=values, indent=indent, full_arrays=full_arrays)

    def to_dict(self, *, values: bool = True, full_arrays: bool = False) -> dict:
        """The same document as to_json, as Python data."""
        from calcgraph.text.document import to_dict

        self._full_record()
        return to_dict(self, values=values, full_arrays=full_arrays)

    # ------------------------------------------------------------ views (figure, trace)

    def to_dot(self, **options: Any) -> str:
        """The figure as DOT text (options as for render: annotate, layout, legend)."""
        from calcgraph.figure.draw import to_dot

        self._full_record()
        return to_dot(self, **options)

    def to_graphviz(self, **options: Any) -> Any:
        """The figure as a `graphviz.Source` of calcgraph's DOT (options as for to_dot), for
        code that expects one: `.pipe()`, `.render()` and Jupyter's display work as usual
        (with the system Graphviz, as the graphviz package always needs). Needs the
        `graphviz` package: pip install 'calcgraph[graphviz]'."""
        try:
            from calcgraph.figure.pysource import source
        except ImportError:
            raise MissingDependency("to_graphviz() needs the graphviz Python package: pip "
                                   "install 'calcgraph[graphviz]' (or use g.to_dot(), "
                                   "g.render(), g.figure(), which do not)") from None
        pinned = options.get("layout", "d2l") == "d2l"
        return source(self.to_dot(**options), self.name, pinned)

    def render(self, path: str | None = None, fmt: str | None = None, **options: Any) -> str:
        """Write the figure (format from the extension or `fmt`); returns the path written."""
        from calcgraph.figure.draw import render_graph

        self._full_record()
        return render_graph(self, path, fmt, **options)[0]

    def figure(self, **options: Any) -> Any:
        """The figure as an object a notebook shows inline (SVG), with render's options:
        `g.figure(annotate="all", legend=True)`; `.svg`, `.to_dot()`, `.save("f.png")`."""
        from calcgraph.figure.draw import Figure

        self._full_record()
        return Figure(self, **options)

    def _repr_svg_(self) -> str:
        from calcgraph.figure.draw import svg_text

        self._full_record()
        return svg_text(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return {"image/svg+xml": self._repr_svg_()}

    def stepper(self, **options: Any) -> Any:
        """The HTML stepper (as `calcgraph html` writes it): shows inline in Jupyter,
        `.save(path)` writes the page, `.html` is its text. Options: layout, renderer, lang."""
        from calcgraph.html.page import Stepper, build_page

        self._full_record()
        return Stepper(build_page(self, **options))

    def trace(self, **options: Any) -> Any:
        """The backward sweep as data and as a rich renderable (see calcgraph.trace)."""
        from calcgraph.trace.build import build_trace

        return build_trace(self, **options)

    def derivation(self, fmt: str = "md", *, lang: str = "en", values: bool = False,
                   batch_graph: Graph | None = None) -> str:
        """The derivation as a document: fmt md, tex, html or txt (see docs/derive.md)."""
        from calcgraph.derive import derivation

        return derivation(self, fmt=fmt, lang=lang, values=values, batch_graph=batch_graph)


def check(graph: core_graph.Graph, *, torch: bool = False, inputs: bool = False,
          **options: Any) -> Any:
    """Run backward and check each gradient it computes against central finite differences
    in float64 (options: step, rtol, atol; see docs/check.md). `torch=True` also rebuilds the
    graph in PyTorch and compares every value and gradient. Returns a CheckResult: truthy
    when all agree, `.failures` the rows that do not."""
    from calcgraph.core.gradcheck import check_gradients

    result = check_gradients(graph, inputs=inputs, **options)
    if torch:
        from calcgraph.core.torchcheck import compare_with_torch

        result.torch = compare_with_torch(graph, inputs=inputs)
    return result


@functools.wraps(models.mlp)
def mlp(*args: Any, **kwargs: Any) -> Graph:
    return models.mlp(*args, graph_type=Graph, **kwargs)


def loads_spec(text: str, **kwargs: Any) -> Graph:
    """The graph a spec text describes (see calcgraph.spec.loads_spec), as a public Graph."""
    from calcgraph.spec import loads_spec as load_text

    return load_text(text, graph_type=Graph, **kwargs)


def load_spec(path: str | os.PathLike, **kwargs: Any) -> Graph:
    """The graph a spec file describes (see calcgraph.spec.load_spec), as a public Graph."""
    from calcgraph.spec import load_spec as load_file

    return load_file(path, graph_type=Graph, **kwargs)


def from_torch(fn: Any, *example_inputs: Any, **options: Any) -> Graph:
    """A PyTorch function or module as a calcgraph Graph (see calcgraph.pytorch.from_torch)."""
    from calcgraph.pytorch import from_torch as import_model

    return import_model(fn, *example_inputs, graph_type=Graph, **options)

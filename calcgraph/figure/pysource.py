"""calcgraph's DOT as a `graphviz.Source` (the graphviz PyPI package, calcgraph[graphviz])."""

from __future__ import annotations

from typing import Any

import graphviz

if not hasattr(graphviz, "Source"):  # a folder named graphviz on sys.path, not the package
    raise ImportError("the graphviz package is not installed", name="graphviz")


class PinnedSource(graphviz.Source):
    """A graphviz.Source whose pipe() and render() run neato -n2 unless told otherwise.

    The d2l layout pins every node (`pos="x,y!"`, in points), which only `neato -n2` reads
    as calcgraph means it; Jupyter's inline display goes through pipe(), so it does too.
    """

    def pipe(self, *args: Any, neato_no_op: bool | int | None = 2, **kwargs: Any) -> Any:
        return super().pipe(*args, neato_no_op=neato_no_op, **kwargs)

    def render(self, *args: Any, neato_no_op: bool | int | None = 2, **kwargs: Any) -> Any:
        return super().render(*args, neato_no_op=neato_no_op, **kwargs)


def source(dot: str, name: str, pinned: bool) -> graphviz.Source:
    """The Source of `dot`: neato -n2 for a pinned (d2l) layout, else dot's own layout."""
    if pinned:
        return PinnedSource(dot, filename=f"{name}.gv", engine="neato")
    return graphviz.Source(dot, filename=f"{name}.gv", engine="dot")

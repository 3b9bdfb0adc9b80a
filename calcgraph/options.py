"""Every choice list a user can name, defined once, and the one function that validates them.

The CLI builds its click.Choice lists from these tuples, and the library checks the same
tuples with `choose`, so a new choice is added in one place and every message lists it.
"""

from __future__ import annotations

from calcgraph.errors import CalcgraphError, UsageError

ANNOTATE = ("none", "shapes", "values", "grads", "all")  # what the figure writes beside a node
# The --annotate choices that write shapes, values and gradients ("all" writes all three).
WITH_SHAPES = ("shapes", "all")
WITH_VALUES = ("values", "all")
WITH_GRADS = ("grads", "all")
WITH_NUMBERS = ("values", "grads", "all")  # choices that need the graph's values in the data
LAYOUTS = ("d2l", "dot")  # calcgraph's grid, or Graphviz's own layout
RENDERERS = ("auto", "system", "embedded")  # which Graphviz draws
FORMATS = ("svg", "png", "pdf", "dot", "json")  # what `calcgraph render` writes
RENDER_FORMATS = ("svg", "png", "pdf")  # what Graphviz (and resvg) make
BINARY_FORMATS = ("png", "pdf")  # never written to a terminal (-o - refuses them there)
ENGINES = ("circo", "dot", "fdp", "neato", "nop", "nop2", "osage", "patchwork", "sfdp", "twopi")
DERIVE_FORMATS = ("md", "tex", "html", "txt")  # what `calcgraph derive` writes
VECTORS = ("flat", "column", "row")  # single-sample vectors as (q,), (q, 1) or (1, q)
KEEPS = ("all", "needed")  # every node's value, or only what backward reads
CHECKS = ("auto", "all", "none")  # NaN/Inf checks after each pass
# The default seed of every graph's values. 5, not 0: with it the d2l MLP's z = W1 x has
# negative entries (2 of 5), so h = relu(z) differs from z and ϕ'(z) has zeros, and the
# default figure and trace show what ReLU does (seed 0 makes every entry positive).
DEFAULT_SEED = 5
BACKWARD = ("only", "both")  # render --backward: the backward graph alone, or beside the forward
ANIMATIONS = ("gif", "webp", "png")  # render --steps -o sweep.gif: animated image formats


def choose(value: object, choices: tuple[str, ...], what: str,
           error: type[CalcgraphError] = UsageError) -> str:
    """`value` if it is one of `choices`, else `error` naming what and every valid choice.

    >>> choose("svg", FORMATS, "format")
    'svg'
    >>> choose("jpg2", FORMATS, "format")
    Traceback (most recent call last):
    calcgraph.errors.UsageError: unknown format: 'jpg2' (must be one of ['svg', 'png', 'pdf', 'dot', 'json'])
    """
    if value.__class__ is str and value in choices:
        return value  # type: ignore[return-value]
    raise error(f"unknown {what}: {value!r} (must be one of {list(choices)})")

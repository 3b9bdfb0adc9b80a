"""Small helpers every section uses: the ℝ-space of a shape, the objective's label."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calcgraph.trace.build import Trace

_SUP = dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def space(shape: list | tuple, integer: bool = False) -> str:
    """ℝ⁵ˣ⁴ for (5, 4), ℝ for a scalar, ℕ for class indices.

    >>> space((5, 4)), space(()), space((8,), integer=True)
    ('ℝ⁵ˣ⁴', 'ℝ', 'ℕ⁸')
    """
    return ("ℕ" if integer else "ℝ") + "ˣ".join(
        "".join(_SUP[c] for c in str(n)) for n in shape)


def objective_label(trace: Trace) -> str:
    """The objective as the formulas print it: J in ∂J/∂J."""
    if not trace.steps:
        return "J"
    return trace.steps[0].record["grad"].split("/∂", 1)[-1]

"""NaN/Inf checks of the passes: one fused pass per array, small arrays checked together."""

from __future__ import annotations

import math

import numpy as np

from calcgraph.core.program import SMALL_ARRAY


def bad(a: np.ndarray) -> str | None:
    """'NaN' / 'Inf' when the array holds one, else None."""
    kind = a.dtype.kind
    if kind not in "fc":
        return None
    if kind == "f":  # one pass, no temporary; an overflow falls through to the exact test
        if a.ndim == 0:
            if math.isfinite(a):
                return None
        else:
            flat = a.reshape(-1)
            if math.isfinite(flat.dot(flat)):
                return None
    if np.isfinite(a).all():
        return None
    return "NaN" if np.isnan(a).any() else "Inf"


def any_bad(arrays: list[np.ndarray | None]) -> bool:
    """Whether any array holds a NaN or Inf; many small ones are checked in one call."""
    arrays = [a for a in arrays if a is not None]
    small = [a for a in arrays if a.size <= SMALL_ARRAY]
    if len(small) > 4:
        if bad(np.concatenate(small, axis=None)):
            return True
        arrays = [a for a in arrays if a.size > SMALL_ARRAY]
    return any(bad(a) for a in arrays)

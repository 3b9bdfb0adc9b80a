"""A leaf's written value (`= [[1, 2], [3, 4]]`) checked against its shape, as a numpy array."""

from __future__ import annotations

import numpy as np

from calcgraph.spec.syntax import Decl, Literal, Source
from calcgraph.text.summary import fmt_shape


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


def literal_value(src: Source, decl: Decl, lit: Literal, shape: tuple[int, ...],
                  classes: int | None = None, changed: dict[str, int] | None = None) -> np.ndarray:
    """The value of `decl` for one sample, of `shape`; a single number fills the whole shape.

    `changed` are dimensions that --set gave a new size, named in a mismatch so that the
    user sees why the file's own list no longer fits.
    """
    if isinstance(lit.value, float) and shape:
        out = np.full(shape, lit.value)
    else:
        out = np.array(_walk(src, decl, lit, shape, (), changed or {}), dtype=float)
    if classes is not None:
        _check_classes(src, decl, lit, classes)
    return out


def _walk(src: Source, decl: Decl, lit: Literal, shape: tuple[int, ...],
          path: tuple[int, ...], changed: dict[str, int]):
    name, where, axis = decl.name.name, fmt_shape(shape), len(path)
    if axis == len(shape):
        if not isinstance(lit.value, float):
            what = (f"'{name}' is a scalar, so its value is one number" if not shape else
                    f"'{name}' has shape {where}, so this list holds numbers")
            raise src.error(lit.span, f"wrong nesting: {what}, found a list")
        return lit.value
    want = shape[axis]
    if isinstance(lit.value, float):
        raise src.error(lit.span, f"wrong nesting: '{name}' has shape {where}, so this should "
                        f"be a list of {_entries(want)}, found the number {lit.value:g}")
    if len(lit.value) != want:
        which = "its value" if not path else name + "".join(f"[{i}]" for i in path)
        why = "".join(f" ({d} = {n} from --set)" for d, n in changed.items()
                      if any(s.value == d for s in decl.shape))
        raise src.error(lit.span, f"wrong number of entries: '{name}' has shape {where}"
                        f"{why} but {which} has {_entries(len(lit.value))} "
                        f"(expected {want}{_rows_hint(lit, shape, path)})")
    return [_walk(src, decl, item, shape, (*path, i), changed)
            for i, item in enumerate(lit.value)]


def _check_classes(src: Source, decl: Decl, lit: Literal, q: int) -> None:
    if isinstance(lit.value, tuple):
        for item in lit.value:
            _check_classes(src, decl, item, q)
        return
    if lit.value != int(lit.value) or not 0 <= lit.value < q:
        raise src.error(lit.span, f"bad class index {lit.value:g} for '{decl.name.name}' "
                        f"(expected an integer from 0 to {q - 1}, as it is class({q}))")


def _rows_hint(lit: Literal, shape: tuple[int, ...], path: tuple[int, ...]) -> str:
    """The hint for a matrix written flat: the right count of numbers, without the rows."""
    items = lit.value
    if path or len(shape) < 2 or not isinstance(items, tuple) or len(items) != np.prod(shape):
        return ""
    return f"; write it as {shape[0]} lists, one per row: [[1, 2], [3, 4]] for shape (2, 2)"

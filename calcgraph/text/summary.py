"""Numbers and arrays as short text: the one shape formatter and the summarizer of each view.

Each view needs its own style, and they are all here, side by side:

- `summarize`: a figure note (from the JSON document): a scalar to 5 digits, μ and σ of an
  array, class labels as integers; minus signs as − (U+2212), as typeset.
- `summarize_array`: a trace cell (from a numpy array): tiny arrays and class labels in
  full, else min, max and norm.
- `array_text`: numpy's own printing, wrapped to a width (trace rows, derive's tables).
- `page_text`: the HTML page's value panel: small arrays in full, else corners and stats.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from calcgraph.core.rules import fmt_shape

__all__ = [
    "ARRAY_LIMIT",
    "PAGE_ARRAY_LIMIT",
    "array_text",
    "fmt_shape",
    "from_json",
    "number",
    "page_text",
    "summarize",
    "summarize_array",
    "vector_shape",
]

NUMBER_DIGITS = 5  # significant digits of a scalar (J = 1.0025), in figures and the trace
CLASS_LABELS = 8  # class indices a figure note shows one by one, then "…"
TINY = 4  # arrays this small are printed in the trace even without --values
ARRAY_LIMIT = 20  # trace --values prints arrays of at most this many numbers (--array-limit)
PAGE_ARRAY_LIMIT = 40  # the HTML page shows arrays of at most this many numbers in full


def vector_shape(vectors: str) -> Callable[[Any], str]:
    """The shape formatter for a --vectors choice: "column" writes a vector (q,) as (q, 1);
    "row" is shown on a batch-of-one graph, whose shapes are real, so it needs no rewriting.

    >>> vector_shape("column")((3,)), vector_shape("flat")([3])
    ('(3, 1)', '(3,)')
    """
    if vectors == "column":
        return lambda s: fmt_shape(tuple(s) + (1,) if len(s) == 1 else s)
    return fmt_shape


def number(x: Any, digits: int = NUMBER_DIGITS, scale: float = 1.0) -> str:
    """`x` to `digits` significant digits, with a typeset minus; round-off noise (a mean of
    1e-19 where the exact answer is 0, relative to `scale`) prints as 0.

    >>> number(1.00251), number(-4.0), number(3e-17)
    ('1.0025', '−4', '0')
    """
    x = float(x)
    return ("0" if abs(x) < 1e-12 * max(scale, 1.0) else f"{x:.{digits}g}").replace("-", "−")


def from_json(value: Any) -> np.ndarray:
    """An array of the JSON document back as floats ('NaN', 'Inf', '-Inf' as numpy parses)."""
    return np.asarray(value, dtype=float)


def _ints(value: Any) -> list[int] | None:
    """The numbers of a JSON array when every one is an integer (class labels), else None."""
    out: list[int] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(reversed(v))
        elif isinstance(v, int) and not isinstance(v, bool):
            out.append(v)
        else:
            return None
    return out


def summarize(value: Any) -> str:
    """A figure note's text for a JSON value: a scalar to 5 significant digits, an array's
    numbers (3 digits) when there are at most 3, class indices one by one, else mean and std.

    >>> summarize(1.00251), summarize([1, -2.25]), summarize([[1.0, 2.0], [3.0, 4.0]])
    ('1.0025', '[1, −2.25]', 'μ 2.5 σ 1.12')
    >>> summarize([1, 0, 2, 2, 1]), summarize(list(range(3)) * 4)
    ('[1 0 2 2 1]', '[0 1 2 0 1 2 0 1 …]')
    """
    if isinstance(value, Mapping):  # a large array, summarized in the JSON document
        mean, std = float(value["mean"]), float(value["std"])
        return f"μ {number(mean, 3, std)} σ {number(std, 3)}"
    ints = _ints(value)
    if ints is not None and len(ints) > 3:  # class labels: the integers, not μ and σ
        more = " …" if len(ints) > CLASS_LABELS else ""
        return "[" + " ".join(map(str, ints[:CLASS_LABELS])) + more + "]"
    xs = from_json(value).ravel().tolist()
    if not isinstance(value, list):
        return number(xs[0])
    if len(xs) <= 3:
        return "[" + ", ".join(number(x, 3) for x in xs) + "]"  # 3 digits: notes stay narrow
    mean = sum(xs) / len(xs)
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))
    return f"μ {number(mean, 3, std)} σ {number(std, 3)}"


def summarize_array(a: np.ndarray | None) -> str:
    """A trace cell: `1.2083`; tiny arrays and class labels in full; else
    `min -0.8, max 1.2, norm 2.1`."""
    if a is None:
        return ""
    if a.ndim == 0:
        return f"{a.item():.{NUMBER_DIGITS}g}" if a.dtype.kind == "f" else str(a.item())
    if a.size <= TINY or a.dtype.kind in "iu" and a.size <= ARRAY_LIMIT:
        return array_text(a, 60)
    return f"min {a.min():.3g}, max {a.max():.3g}, norm {np.linalg.norm(a):.3g}"


def array_text(a: Any, width: int) -> str:
    """numpy's own printing, rows wrapped by numpy itself to `width` so they never break."""
    return np.array2string(np.asarray(a), precision=4, suppress_small=True,
                           max_line_width=max(width, 20))


def page_text(value: Any) -> str | None:
    """The HTML page's text for a JSON value: small arrays in full; large ones as their
    corners, then mean, std, min and max."""
    if value is None:
        return None
    if isinstance(value, dict) and value.get("summary"):  # the JSON's summary of a big array
        n = int(np.prod(value["shape"]))
        return (f"{n} numbers, shape {fmt_shape(value['shape'])}: mean {value['mean']:.4g}, "
                f"std {value['std']:.4g}, min {value['min']:.4g}, max {value['max']:.4g}")
    a = from_json(value)
    with np.printoptions(precision=4, suppress=True, threshold=PAGE_ARRAY_LIMIT, edgeitems=2,
                         linewidth=72):
        text = np.array2string(a) if a.ndim else f"{float(a):.6g}"
    if a.size > PAGE_ARRAY_LIMIT:
        text += (f"\n{a.size} numbers: mean {a.mean():.4g}, std {a.std():.4g}, "
                 f"min {a.min():.4g}, max {a.max():.4g}")
    return text

"""The one summarizer module: each view's style, and the digits of a figure's scalar record."""

from __future__ import annotations

import numpy as np

from calcgraph.figure.notetext import record
from calcgraph.text.summary import (
    ARRAY_LIMIT,
    PAGE_ARRAY_LIMIT,
    fmt_shape,
    number,
    page_text,
    summarize,
    summarize_array,
    vector_shape,
)


def test_a_framed_scalar_record_has_five_significant_digits():
    # J = 1.0025 was "1.002" (4 digits) in the record while every other note showed 1.0025.
    assert record({"shape": [], "value": 1.00251, "grad": 1.0}, "values") == "data 1.0025 | grad 1"
    assert number(-0.196612) == "−0.19661"


def test_one_shape_formatter_for_lists_tuples_and_numpy_ints():
    assert fmt_shape([5, 4]) == fmt_shape((np.int64(5), 4)) == "(5, 4)"
    assert fmt_shape(()) == "()" and vector_shape("column")([3]) == "(3, 1)"


def test_each_view_keeps_its_own_style():
    a = np.linspace(-1.0, 1.0, ARRAY_LIMIT + 1)
    assert summarize_array(a).startswith("min −1".replace("−", "-"))
    assert summarize_array(np.arange(ARRAY_LIMIT)).startswith("[")  # class labels in full
    assert summarize(a.tolist()).startswith("μ ")
    assert summarize(["NaN", 1.0]) == "[nan, 1]"
    full, cut = page_text(list(range(PAGE_ARRAY_LIMIT))), page_text(list(range(PAGE_ARRAY_LIMIT + 1)))
    assert "numbers:" not in full and f"{PAGE_ARRAY_LIMIT + 1} numbers: mean" in cut

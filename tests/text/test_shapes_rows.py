"""The trace's shapes rows (issue 10 item 21): every name becomes its shape, none is left."""

from __future__ import annotations

import re

import pytest

import calcgraph as cg
from calcgraph.sources import sample_names

CODE_WORDS = {"T", "axis", "keepdims", "np", "outer", "sum", "reshape"}
CASES = [(name, batch, {}) for name in sample_names() for batch in (None, 3)] + [
    ("mlp", batch, {"activation": act}) for batch in (None, 3) for act in ("sigmoid", "tanh")
] + [("mlp", batch, {"loss": "squared_loss"}) for batch in (None, 3)]


@pytest.mark.parametrize("name, batch, sets", CASES,
                         ids=[f"{n}-{b}-{'-'.join(s.values())}" for n, b, s in CASES])
def test_every_name_in_a_shapes_row_is_a_shape(name, batch, sets):
    trace = cg.load(name, batch=batch, sets=sets).trace()
    rows = [s.record["shapes"] for s in trace.steps] + [r["shapes"] for r in trace.forward]
    for row in rows:
        if "←" in row:  # a call: its operands listed by name and shape
            continue
        rhs = re.sub(r"\([\d, ]*\)", "", row.split("=", 1)[-1])
        left = set(re.findall(r"[A-Za-z_]\w*", rhs)) - CODE_WORDS
        assert not left, f"{row!r} leaves {sorted(left)}"


def test_sigmoid_tanh_and_batch_mean_rows():
    rows = {act: [s.record["shapes"] for s in cg.mlp(activation=act).trace().steps]
            for act in ("sigmoid", "tanh")}
    assert "(5,) = (5,) * (5,) * (1 - (5,))" in rows["sigmoid"]
    assert "(5,) = (5,) * (1 - (5,)**2)" in rows["tanh"]
    linreg = [s.record["shapes"] for s in cg.load("linreg", batch=4).trace().steps]
    assert "(4,) = () * ((4,) - (4,)) / ()" in linreg

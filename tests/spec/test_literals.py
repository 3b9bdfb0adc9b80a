"""Leaf values written in a spec (`input x : () = -4`): shapes, --seed, --batch and --set."""

from __future__ import annotations

import numpy as np
import pytest

from calcgraph.errors import SpecError, SpecWarning
from calcgraph.graph import loads_spec

SPEC = """\
dim d = 2
input x : () = -4
param w : (d) = [0.5, -1.5]
param W : (d, d) = [[1, 2], [3, 4],]
param b : (d) = 0.25
param v : (d)
label y : class(3) = 2
t = W @ w
L = sum(x * (t + b + v))
objective L
"""


def load_spec_text(text, **kw):
    """SPEC declares y for its value alone: the checker says so, every time."""
    with pytest.warns(SpecWarning, match="label 'y' is declared but never used"):
        return loads_spec(text, **kw)


def test_written_values_are_the_leaf_values():
    g = load_spec_text(SPEC)
    assert g["x"].value.shape == () and g["x"].value == -4.0
    assert g["w"].value.tolist() == [0.5, -1.5]
    assert g["W"].value.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert g["b"].value.tolist() == [0.25, 0.25]  # one number fills the shape
    assert g["y"].value == 2 and g["y"].value.dtype.kind == "i"


def test_seed_leaves_written_values_alone_and_draws_the_others():
    a, b = load_spec_text(SPEC, seed=0), load_spec_text(SPEC, seed=1)
    for name in "xwWby":
        assert np.array_equal(a[name].value, b[name].value), name
    assert not np.array_equal(a["v"].value, b["v"].value)


def test_batch_repeats_one_samples_value_on_every_row():
    g = load_spec_text(SPEC.replace("input x : ()", "input x : (d)").replace("= -4", "= [-4, 5]"),
                       batch=3)
    assert g["x"].value.tolist() == [[-4.0, 5.0]] * 3
    assert g["y"].value.tolist() == [2, 2, 2]
    assert g["W"].value.shape == (2, 2)  # parameters are never batched
    g.backward()
    assert g["w"].grad.shape == (2,)


def test_set_that_no_longer_fits_the_written_value_is_named():
    with pytest.raises(SpecError, match=r"'w' has shape \(3,\) \(d = 3 from --set\) but its "
                                        r"value has 2 entries \(expected 3\)"):
        loads_spec(SPEC, sets={"d": "3"})


def test_set_that_fits_a_filled_value_still_loads():
    text = SPEC.replace("= [0.5, -1.5]", "= 1").replace("= [[1, 2], [3, 4],]", "= 0")
    g = load_spec_text(text, sets={"d": "5"})
    assert g["w"].value.tolist() == [1.0] * 5 and g["b"].value.shape == (5,)


def test_value_errors_come_in_file_order():
    # the value on line 2 is wrong, and so is the op on line 3: line 2 is reported
    text = "param w : (2) = [1]\nL = sumx(w)\nobjective L\n"
    with pytest.raises(SpecError, match=r"^<spec>:1:17: wrong number of entries"):
        loads_spec(text)


@pytest.mark.parametrize("value, message", [
    ("1e400", "too large"),
    ("[1, 2,, 3]", "expected a number or '['"),
    ("[]", "has 0 entries (expected 2)"),
    ("[1 2]", "expected ']' or ','"),
    ("- [1, 2]", "expected a number"),
])
def test_malformed_values(value, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        loads_spec(f"param w : (2) = {value}\nL = sum(w)\nobjective L\n")

"""Values set from Python and the passes' keep modes (issue 10 items 6, 18)."""

from __future__ import annotations

import numpy as np
import pytest

import calcgraph as cg


@pytest.mark.parametrize("value, words", [
    (3, "class index 3 is out of range (expected 0 to 2, one of 3 classes)"),
    (-1, "class index -1 is out of range"),
    (1.5, "class labels must be integers, got 1.5"),
    (True, "class labels must be integers, got dtype bool"),
    ("a", "class labels must be integers"),
])
def test_class_labels_are_checked_at_set_time(value, words):
    g = cg.mlp()
    with pytest.raises(cg.GraphError, match="^set 'y': ") as err:
        g.set("y", value)
    assert words in str(err.value)


def test_class_labels_in_a_batch_and_whole_floats():
    g = cg.mlp(batch=4)
    with pytest.raises(cg.GraphError, match="class index 3"):
        g.set("y", [0, 1, 2, 3])
    g.set("y", [0.0, 1.0, 2.0, 2.0])  # whole numbers are fine, stored as int64
    assert g["y"].value.dtype == np.int64 and g["y"].value.tolist() == [0, 1, 2, 2]
    g.backward()


def test_paired_labels_are_checked_against_their_own_logits():
    g = cg.load("rnn_bptt")
    label = g.leaves("label")[0]
    q = g[label.name].consumers[0].inputs[0].shape[-1]
    with pytest.raises(cg.GraphError, match=f"expected 0 to {q - 1}"):
        g.set(label.name, q)


@pytest.mark.parametrize("keep", ["needed", "all"])
def test_the_objective_keeps_its_value_when_it_feeds_another_node(keep):
    g = cg.mlp()
    g.set_objective("L")  # L feeds J = L + s
    g.forward(keep=keep)
    assert g["L"].value is not None
    g.backward(keep=keep)
    assert g["L"].value is not None and g["L"].value > 0

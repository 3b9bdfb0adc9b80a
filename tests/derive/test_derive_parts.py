"""The derive building blocks: markup runs, Chinese wrapping, ℝ-spaces, memory arithmetic."""

from __future__ import annotations

import doctest

import pytest
from rich.cells import cell_len

from calcgraph.derive import blocks, common, plain, shapes
from calcgraph.derive.memory import _hidden_layer, nbytes, predict_peak
from calcgraph.sources import load_source


@pytest.mark.parametrize("module", [blocks, common, plain, shapes])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_wrap_never_passes_the_width_and_keeps_every_character():
    text = "反向传播按与前向相反的顺序应用链式法则，从 ∂J/∂J = 1 出发。" * 4
    lines = plain.wrap(text, 30)
    assert all(cell_len(line) <= 30 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.startswith(("，", "。")) for line in lines)


def test_prediction_frees_values_and_training_keeps_them():
    g = load_source("mlp", batch=4)
    # prediction at batch 4: z = W1 x needs x (4×4) and z (4×5); then z and h (4×5 each);
    # then h and o (4×3). Eight bytes a number.
    assert predict_peak(g, 4) == 8 * max(16 + 20, 20 + 20, 20 + 12)
    assert nbytes(g["x"], 32) == 32 * 4 * 8 and nbytes(g["W1"], 32) == 5 * 4 * 8


def test_the_repeatable_layer_is_found_by_structure():
    layer = _hidden_layer(load_source("mlp", batch=4))
    assert [v.name for v in layer] == ["z", "h"]
    assert _hidden_layer(load_source("linreg", batch=4)) is None

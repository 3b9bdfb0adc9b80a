"""CS231n's two worked examples, from the CLI alone: the numbers in their header comments."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli
from calcgraph.sources import sample_text


def traced(name: str) -> dict[str, tuple[float, float | None]]:
    """(value, gradient) of every variable, from `calcgraph trace NAME --json --values`."""
    result = CliRunner().invoke(cli, ["trace", name, "--json", "--values"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.output)
    return {n["id"]: (n["value"], n["grad"]) for n in doc["nodes"] if n["kind"] == "variable"}


def test_circuit_values_and_gradients():
    v = traced("cs231n_circuit")
    assert v["f"] == (-12.0, 1.0) and v["q"] == (3.0, -4.0)
    assert (v["x"][1], v["y"][1], v["z"][1]) == (-4.0, -4.0, 3.0)
    header = sample_text("cs231n_circuit").split("\n\n")[0]
    assert "f = −12" in header and "∂f/∂x = −4, ∂f/∂y = −4, ∂f/∂z = 3" in header


def test_neuron_values_and_gradients():
    v = traced("cs231n_neuron")
    s = 1 / (1 + 2.718281828459045 ** -1)  # σ(w·x + b) with w·x + b = 1
    assert v["f"][0] == pytest.approx(s, abs=1e-15) and round(v["f"][0], 4) == 0.7311
    dw = [v[n][1] for n in ("w0", "w1", "w2")]
    dx = [v[n][1] for n in ("x0", "x1")]
    assert dw == pytest.approx([-s * (1 - s), -2 * s * (1 - s), s * (1 - s)], abs=1e-15)
    assert dx == pytest.approx([2 * s * (1 - s), -3 * s * (1 - s)], abs=1e-15)
    # the course's rounded numbers, as the header states them
    assert [round(g, 2) for g in dw] == [-0.2, -0.39, 0.2]
    assert [round(g, 2) for g in dx] == [0.39, -0.59]
    header = sample_text("cs231n_neuron").split("\n\n")[0]
    assert "f ≈ 0.7311" in header
    assert "∂f/∂w ≈ [−0.2, −0.39, 0.2] and ∂f/∂x ≈ [0.39, −0.59]" in re.sub(r"\s*\n#\s*", " ",
                                                                             header)


@pytest.mark.parametrize("name", ["cs231n_circuit", "cs231n_neuron"])
def test_seed_does_not_move_the_written_numbers(name):
    a = CliRunner().invoke(cli, ["trace", name, "--json", "--values", "--seed", "7"])
    b = CliRunner().invoke(cli, ["trace", name, "--json", "--values"])
    nodes = [json.loads(r.output)["nodes"] for r in (a, b)]
    assert nodes[0] == nodes[1]

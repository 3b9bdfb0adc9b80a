"""micrograd's sanity check and softmax by hand, from the CLI alone: the numbers in their
header comments (the CS231n samples have theirs in tests/test_cs231n_samples.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.sources import sample_text


def traced(name: str, *args: str) -> dict[str, tuple]:
    """(value, gradient) of every variable, from `calcgraph trace NAME --json --values`."""
    result = CliRunner().invoke(cli, ["trace", name, "--json", "--values", *args])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.output)
    return {n["id"]: (n["value"], n["grad"]) for n in doc["nodes"] if n["kind"] == "variable"}


def test_micrograd_sanity_from_the_cli():
    v = traced("micrograd_sanity")
    assert v["y"][0] == -20.0 and v["x"] == (-4.0, 46.0)
    assert v["z"][0] == -10.0 and v["q"][0] == 40.0 and v["h"][0] == 100.0
    header = sample_text("micrograd_sanity").splitlines()[0]
    assert "x = −4, y = −20 and dy/dx = 46" in header


def test_micrograd_sanity_ignores_the_seed():
    assert traced("micrograd_sanity", "--seed", "3") == traced("micrograd_sanity")


def test_softmax_by_hand_matches_the_fused_cross_entropy():
    v = traced("softmax_by_hand")
    fused = cg.loads_spec("dim q = 3\nparam o : (q) = [1, 2, 3]\nlabel y : class(q) = 2\n"
                          "L = cross_entropy(o, y)\nobjective L\n")
    fused.backward()
    assert v["L"][0] == pytest.approx(float(fused["L"].value), abs=1e-15)
    assert np.allclose(v["o"][1], fused["o"].grad, atol=1e-15, rtol=0)
    header = " ".join(line[2:] for line in sample_text("softmax_by_hand").splitlines()
                      if line.startswith("# "))
    assert f"L ≈ {v['L'][0]:.4f}" in header
    grads = ", ".join(f"{g:.4g}".replace("-", "−") for g in v["o"][1])
    assert f"∂L/∂o = p − Y ≈ [{grads}]" in header

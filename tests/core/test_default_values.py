"""The default values (issue 10 item 23): with the default seed, the d2l MLP's z has negative
entries, so the default figure and trace show what ReLU does."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.options import DEFAULT_SEED


def test_the_default_mlp_shows_relu_at_work():
    g = cg.mlp().backward()
    z, h = g["z"].value, g["h"].value
    assert g.seed == DEFAULT_SEED
    assert 0 < (z < 0).sum() < z.size  # some negative, not all
    assert not np.array_equal(z, h) and (h[z < 0] == 0).all()
    assert (g["z"].grad[z < 0] == 0).all() and g["z"].grad[z > 0].any()


def test_every_default_path_uses_the_same_seed():
    spec = cg.load("mlp")  # the sample file, through the spec builder
    assert spec.seed == DEFAULT_SEED
    assert np.array_equal(spec["W1"].value, cg.mlp()["W1"].value)
    help_text = CliRunner().invoke(cli, ["render", "--help"], terminal_width=100).output
    assert f"[default: {DEFAULT_SEED}]" in help_text


def test_batched_default_still_mixes_signs():
    z = cg.mlp(batch=8).forward()["z"].value
    assert 0.2 < (z < 0).mean() < 0.8

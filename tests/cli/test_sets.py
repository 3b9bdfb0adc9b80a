"""`--set NAME=VALUE`: plain ASCII numbers only; every bad value is a usage error (exit 2)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli


@pytest.mark.parametrize("item", ["d=1_000", "d=٣", "d=+3", "d=3.0", "d=0", "lam=1_0",
                                  "lam=٣", "lam=inf", "lam=nan", "activation=gelu",
                                  "loss=hinge", "d=1_000 activation=tanh"])
def test_bad_set_values_are_usage_errors(item, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [a for part in item.split() for a in ("--set", part)]
    result = CliRunner().invoke(cli, ["render", "-o", "x.dot", *args])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("calcgraph: error: ") and "Traceback" not in result.output
    assert not (tmp_path / "x.dot").exists()


@pytest.mark.parametrize("item", ["d=8", "lam=.5", "lam=1e-3", "lam=-0.1", "activation=tanh"])
def test_plain_set_values_work(item, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "-o", "x.dot", "--set", item])
    assert result.exit_code == 0, result.output

"""`calcgraph render model.py:make`: the user's file is run, its function's model imported."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli


@pytest.fixture(autouse=True)
def needs_torch():
    pytest.importorskip("torch", reason="torch not installed; `pip install torch==2.13.0`")

MODEL = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


def make(n="8"):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 5, bias=False), nn.ReLU(), nn.Linear(5, 3, bias=False))
    net = net.double()

    def objective(x, y):
        penalty = net[0].weight.pow(2).sum() + net[2].weight.pow(2).sum()
        return F.cross_entropy(net(x), y) + 0.1 / 2 * penalty

    n = int(n)
    return objective, (torch.randn(n, 4, dtype=torch.float64), torch.randint(0, 3, (n,)))


def broken():
    raise RuntimeError("no data")


def wrong():
    return 42
'''


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    return path


def test_render_and_trace_a_model_file(model, tmp_path):
    out = tmp_path / "mlp.svg"
    result = CliRunner().invoke(cli, ["render", f"{model}:make", "-o", str(out), "--renderer",
                                      "embedded"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("<title>") >= 16 + 17
    result = CliRunner().invoke(cli, ["trace", f"{model}:make", "--json", "--set", "n=3"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["backward"]) == 12
    shapes = {n["id"]: n["shape"] for n in doc["nodes"] if "shape" in n}
    assert shapes["x"] == [3, 4] and shapes["0.weight"] == [5, 4]


@pytest.mark.parametrize("target, code, message", [
    ("missing.py:make", 1, "no such Python file"),
    ("{model}:nope", 1, "no function 'nope'"),
    ("{model}:broken", 1, "calling it raised RuntimeError: no data"),
    ("{model}:wrong", 1, "returned int (expected (fn_or_module, example_inputs)"),
])
def test_model_file_errors_are_one_line(model, target, code, message):
    result = CliRunner().invoke(cli, ["trace", target.format(model=model)])
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.output
    assert result.stderr.count("\n") == 1


def test_batch_does_not_apply_to_a_model(model):
    result = CliRunner().invoke(cli, ["trace", f"{model}:make", "--batch", "4"])
    assert result.exit_code == 2 and "--batch does not apply" in result.stderr

"""Without torch, importing a model says how to install it (runs whether torch is here or not)."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.sources import is_python_source


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(cg.ModelError, match=r"pip install 'calcgraph\[torch\]'"):
        cg.from_torch(lambda x: x, 1.0)


def test_cli_says_how_to_install_torch(tmp_path, monkeypatch):
    model = tmp_path / "model.py"
    model.write_text("def make():\n    import torch\n    return (lambda x: x.sum(), "
                     "(torch.ones(2),))\n")
    monkeypatch.setitem(sys.modules, "torch", None)
    result = CliRunner().invoke(cli, ["trace", f"{model}:make"])
    assert result.exit_code == 1
    assert "ModuleNotFoundError" in result.stderr or "calcgraph[torch]" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("source, python", [("model.py:make", True), ("a/b.py:build_2", True),
                                            ("mlp", False), ("x.cg", False),
                                            ("model.py:", False), ("model.py:1x", False)])
def test_python_sources_are_told_apart(source, python):
    assert is_python_source(source) is python

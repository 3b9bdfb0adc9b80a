"""`calcgraph derive`: the format from the extension or --format, plain text on stdout,
--lang, and bad input as one line with exit code 2 and no file written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["derive", *args], catch_exceptions=False, env=env)


@pytest.mark.parametrize("name,start", [
    ("mlp.md", "# Forward and backward propagation of mlp\n"),
    ("mlp.tex", "\\documentclass{article}\n"),
    ("mlp.html", "<!DOCTYPE html>\n"),
    ("mlp.txt", "Forward and backward propagation of mlp\n"),
])
def test_the_extension_picks_the_format(tmp_path, name, start):
    out = tmp_path / name
    result = run("-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8").startswith(start)


def test_format_overrides_the_extension(tmp_path):
    out = tmp_path / "notes.txt"
    assert run("--format", "md", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# ")


def test_plain_text_on_stdout_and_every_sample_in_chinese():
    result = run("linreg", "--lang", "zh")
    assert result.exit_code == 0
    assert result.output.startswith("linreg 的前向传播与反向传播\n")
    assert "二、反向传播" in result.output


def test_language_from_the_locale(tmp_path):
    out = tmp_path / "mlp.md"
    result = run("-o", str(out), env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# mlp 的前向传播与反向传播")


@pytest.mark.parametrize("args,message", [
    (["-o", "mlp.docx"], "cannot tell the format of 'mlp.docx'"),
    (["--format", "pdf"], "unknown derive format: 'pdf' (must be one of ['md', 'tex', 'html'"),
    (["nosuch"], "unknown source: 'nosuch'"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("calcgraph: error: ") and message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_unknown_language_is_a_usage_error():
    result = run("--lang", "fr")
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'zh'" in result.output


def test_a_graph_without_a_batch_form_still_derives(tmp_path):
    spec = tmp_path / "tiny.cg"
    spec.write_text("graph tiny\nparam w : (3)\nJ = sum(w)\nobjective J\n", encoding="utf-8")
    result = run(str(spec))
    assert result.exit_code == 0, result.output
    assert "∂J/∂w" in result.output

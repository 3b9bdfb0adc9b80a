"""Tests for `calcgraph render`: formats, defaults, renderers, and errors as one line with an exit code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from graphs import reference_cells
from svgs import grid_from_svg

from calcgraph.cli import cli

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz not installed")




def run(*args: str):
    return CliRunner().invoke(cli, ["render", *args], catch_exceptions=False)


@pytest.mark.parametrize("name", ["mlp.svg", "mlp.png"])
def test_svg_and_png_without_system_graphviz(tmp_path, name, no_system_dot):
    out = tmp_path / name
    result = run("-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (embedded Graphviz)\n"
    assert out.read_bytes()[:5] in (b"<?xml", b"\x89PNG\r")


@needs_dot
def test_system_graphviz_is_used_when_present(tmp_path):
    result = run("-o", str(tmp_path / "mlp.svg"))
    assert result.exit_code == 0 and "(system Graphviz)" in result.output
    svg = (tmp_path / "mlp.svg").read_bytes()
    assert grid_from_svg(svg, reference_cells()) == reference_cells()


def test_default_output_is_source_name_svg(tmp_path, monkeypatch, no_system_dot):
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 0 and result.output == "wrote mlp.svg (embedded Graphviz)\n"
    assert (tmp_path / "mlp.svg").exists()


@pytest.mark.parametrize("args", [
    ("--batch", "8", "--annotate", "all", "--legend"),
    ("--layout", "dot", "--renderer", "embedded"),
    ("--annotate", "none", "--scale", "1"),
    ("--set", "d=8", "--seed", "3", "--annotate", "values"),
])
def test_options(tmp_path, args, no_system_dot):
    result = run(*args, "-o", str(tmp_path / "f.svg"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "f.svg").read_bytes().startswith(b"<?xml")


def test_dot_and_json_need_no_renderer(tmp_path, no_system_dot):
    assert run("-o", str(tmp_path / "g.dot")).output == f"wrote {tmp_path / 'g.dot'}\n"
    assert (tmp_path / "g.dot").read_text().startswith("digraph mlp {")
    result = run("--format", "json", "-o", str(tmp_path / "g.out"))
    assert result.exit_code == 0 and (tmp_path / "g.out").read_text().startswith("{")


def test_a_sample_by_name(tmp_path, no_system_dot):
    result = run("rnn_bptt", "-o", str(tmp_path / "rnn.svg"))
    assert result.exit_code == 0, result.output


def test_unknown_format_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["render", "-o", str(tmp_path / "x.jpg2")])
    assert result.exit_code == 2
    assert result.output == ("calcgraph: error: unknown format: 'jpg2' (must be one of "
                             "['svg', 'png', 'pdf', 'dot', 'json'])\n")


def test_bad_choices_list_the_valid_ones():
    result = CliRunner().invoke(cli, ["render", "--annotate", "everything"])
    assert result.exit_code == 2 and "'none', 'shapes', 'values', 'grads', 'all'" in result.output


@pytest.mark.parametrize("where", ["missing-dir/out.svg", "missing-dir/out.dot"])
def test_unwritable_path_is_one_line_exit_1(tmp_path, where, no_system_dot):
    result = CliRunner().invoke(cli, ["render", "-o", str(tmp_path / where)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("calcgraph: error: cannot write")
    assert "Traceback" not in result.output


def test_pdf_without_system_graphviz_names_the_fix(tmp_path, no_system_dot, monkeypatch):
    from calcgraph.graphviz import run as render

    monkeypatch.setattr(render, "svg2pdf_available", lambda: False)
    result = CliRunner().invoke(cli, ["render", "-o", str(tmp_path / "f.pdf")])
    assert result.exit_code == 1 and "install Graphviz" in result.output
    assert not (tmp_path / "f.pdf").exists()


def test_real_process(tmp_path):
    (tmp_path / "bin").mkdir()
    env = {**os.environ, "PATH": str(tmp_path / "bin")}  # no dot on it
    env.pop("CALCGRAPH_DOT", None)
    proc = subprocess.run([sys.executable, "-m", "calcgraph", "render", "-o", "mlp.png"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "wrote mlp.png (embedded Graphviz)\n"
    assert (tmp_path / "mlp.png").read_bytes().startswith(b"\x89PNG")

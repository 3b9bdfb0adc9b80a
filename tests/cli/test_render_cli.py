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
    assert proc.stdout == "" and proc.stderr == "wrote mlp.png (embedded Graphviz)\n"
    assert (tmp_path / "mlp.png").read_bytes().startswith(b"\x89PNG")


# --- issue 10: output files ----------------------------------------------------------

@pytest.mark.parametrize("fmt, start", [("svg", b"<?xml"), ("dot", b"digraph"), ("png", b"\x89PNG"),
                                        ("json", b"{")])
def test_dash_writes_to_stdout(tmp_path, monkeypatch, fmt, start, no_system_dot):
    # 10.12: `-o -` is stdout (binary formats too when stdout is not a terminal).
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "-o", "-", "--format", fmt])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(start)
    assert result.stderr.startswith("wrote stdout") and os.listdir(tmp_path) == []


def test_dash_without_format_is_svg(tmp_path, monkeypatch, no_system_dot):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("<?xml")


def test_binary_to_a_terminal_is_refused(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    import importlib

    cli_render = importlib.import_module("calcgraph.cli.render")  # the module, not the command

    class Tty:
        @staticmethod
        def isatty() -> bool:
            return True

    monkeypatch.setattr(cli_render, "sys", type("S", (), {"stdout": Tty}))
    result = CliRunner().invoke(cli, ["render", "-o", "-", "--format", "png"])
    assert result.exit_code == 2 and "refusing to write PNG to a terminal" in result.stderr
    assert os.listdir(tmp_path) == []


def test_format_contradicting_the_extension_is_a_usage_error(tmp_path):
    # 10.13: `-o x.svg --format png` used to write PNG bytes into x.svg.
    result = CliRunner().invoke(cli, ["render", "-o", str(tmp_path / "x.svg"), "--format", "png"])
    assert result.exit_code == 2
    assert result.stderr == (f"calcgraph: error: format 'png' contradicts the extension of "
                             f"'{tmp_path / 'x.svg'}' (svg): drop the format or name the file "
                             f".png\n")
    assert not (tmp_path / "x.svg").exists()


def test_default_output_is_named_after_the_spec_file(tmp_path, monkeypatch, no_system_dot):
    # 10.14: `samples mlp > net.cg; render net.cg` wrote mlp.svg over any existing one.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.cg").write_text(CliRunner().invoke(cli, ["samples", "mlp"]).stdout)
    (tmp_path / "mlp.svg").write_text("mine")
    result = CliRunner().invoke(cli, ["render", "net.cg"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == "wrote net.svg (embedded Graphviz)\n"
    assert (tmp_path / "net.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "mlp.svg").read_text() == "mine"
    result = CliRunner().invoke(cli, ["render", "net.cg", "--format", "dot"])
    assert result.stderr == "wrote net.dot\n" and (tmp_path / "net.dot").exists()


@pytest.mark.parametrize("args, written", [
    (["html", "net.cg", "--renderer", "embedded"], "net.html"),
    (["render", "net.cg", "--steps", "--renderer", "embedded"], "net_steps"),
    (["render", "net.cg", "--steps", "--backward", "only", "--renderer", "embedded"],
     "net_backward_steps"),
])
def test_every_default_output_is_named_after_the_spec_file(args, written, tmp_path,
                                                            monkeypatch):
    # 10.14 holds for every command that writes a file by default, not only render's figure.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.cg").write_text(CliRunner().invoke(cli, ["samples", "mlp"]).stdout)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / written).exists()
    assert not any(p.name.startswith("mlp") for p in tmp_path.iterdir())


# --- issue 10.20: PNG resolution ----------------------------------------------------------

def png_info(data: bytes) -> tuple[int, int, int | None]:
    """Width, height and the pHYs density in dots per inch (None without pHYs)."""
    import struct

    width, height = struct.unpack(">II", data[16:24])
    at = data.find(b"pHYs")
    dpi = None
    if at > 0:
        ppm_x, ppm_y, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
        assert unit == 1 and ppm_x == ppm_y
        dpi = round(ppm_x * 0.0254)
    return width, height, dpi


@pytest.mark.parametrize("args, dpi", [((), 300), (("--dpi", "150"), 150),
                                       (("--scale", "1"), 72)])
def test_png_dpi_is_stated_and_written(tmp_path, args, dpi, no_system_dot):
    svg_out, png_out = tmp_path / "m.svg", tmp_path / "m.png"
    assert run("-o", str(svg_out)).exit_code == 0
    result = run(*args, "-o", str(png_out))
    assert result.exit_code == 0, result.output
    import re

    width_pt = float(re.search(rb'<svg width="([\d.]+)pt"', svg_out.read_bytes()).group(1))
    width, _, stated = png_info(png_out.read_bytes())
    assert stated == dpi and width == round(width_pt * dpi / 72)


def test_dpi_and_scale_together_is_a_usage_error(tmp_path):
    result = run("--dpi", "300", "--scale", "2", "-o", str(tmp_path / "m.png"))
    assert result.exit_code == 2 and "not both" in result.stderr


@pytest.mark.parametrize("args", [
    ["render", "net.cg", "-o", "net.cg", "--format", "svg"],
    ["render", "net.cg", "-o", "./net.cg", "--format", "dot"],
    ["render", "net.cg", "--steps", "-o", "net.cg"],
    ["derive", "net.cg", "-o", "net.cg", "--format", "md"],
    ["html", "net.cg", "-o", "net.cg"],
    ["render", "net.svg"],  # a spec named net.svg: the default output is net.svg
])
def test_the_source_file_is_never_written_over(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    spec = "param x : () = 2\nf = x * 3\nobjective f\n"
    source = tmp_path / args[1]
    source.write_text(spec, encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("calcgraph: error: -o ")
    assert "is the SOURCE file itself" in result.output and len(result.output.splitlines()) == 1
    assert source.read_text(encoding="utf-8") == spec
    assert [p.name for p in tmp_path.iterdir()] == [source.name]

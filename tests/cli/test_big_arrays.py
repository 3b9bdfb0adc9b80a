"""Arrays past the JSON summary size (10,000 numbers) reach every command as summaries:
each one still works, with no traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli

BIG = ["--set", "d=200", "--set", "h=100"]  # W1 is (100, 200): 20,000 numbers


@pytest.mark.parametrize("args", [
    ["render", "--annotate", "all", "-o", "{tmp}/f.svg", "--renderer", "embedded"],
    ["render", "--step", "12", "--annotate", "all", "-o", "{tmp}/s.svg", "--renderer",
     "embedded"],
    ["render", "-o", "{tmp}/g.json"],
    ["html", "-o", "{tmp}/p.html", "--renderer", "embedded"],
    ["trace", "--values"],
    ["derive", "--values"],
])
def test_every_command_takes_big_arrays(args, tmp_path):
    result = CliRunner().invoke(cli, [a.format(tmp=tmp_path) for a in args] + BIG)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_the_page_summarizes_a_big_array(tmp_path):
    out = tmp_path / "p.html"
    result = CliRunner().invoke(cli, ["html", "-o", str(out), "--renderer", "embedded", *BIG])
    assert result.exit_code == 0, result.output
    assert "20000 numbers, shape (100, 200)" in out.read_text(encoding="utf-8")

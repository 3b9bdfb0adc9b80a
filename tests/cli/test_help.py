"""--help of each command (issue 10 item 26): what SOURCE is, examples, the sample names."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli
from calcgraph.sources import sample_names


def help_text(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", ["render", "trace"])
def test_render_and_trace_explain_source_and_give_examples(command):
    text = help_text(command)
    assert "SOURCE is a built-in sample name (default: mlp" in text and "spec file" in text
    examples = text.split("Examples:", 1)[1].split("Options:", 1)[0]
    lines = [ln for ln in examples.splitlines() if ln.strip()]
    assert len(lines) >= 4 and all(ln.strip().startswith("calcgraph ") for ln in lines)
    assert max(len(ln) for ln in text.splitlines()) <= 80


def test_samples_help_lists_every_sample():
    text = help_text("samples")
    listed = text.split("Samples:", 1)[1]
    names = [ln.split()[0] for ln in listed.splitlines() if ln.startswith("  ") and
             not ln.startswith("   ")]
    assert names == sample_names()
    assert "calcgraph samples mlp > net.cg" in text


@pytest.mark.parametrize("args,message", [
    (["render", "--step", "-1"], ("invalid value for '--step': -1 is not in the range x>=0 "
                                  "(see calcgraph render --help)")),
    (["render", "--bogus"], "no such option '--bogus' (see calcgraph render --help)"),
    (["bogus"], "no such command 'bogus' (see calcgraph --help)"),
    (["derive", "--lang", "fr"], "invalid value for '--lang': 'fr' is not one of 'en', 'zh'"),
    (["render", "a", "b"], "got unexpected extra argument (b)"),
])
def test_click_usage_errors_are_one_calcgraph_line(args, message):
    result = CliRunner().invoke(cli, args, prog_name="calcgraph")
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("calcgraph: error: ") and message in result.stderr

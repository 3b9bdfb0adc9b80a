"""Hostile spec input (issue 10): long flat chains, control characters, odd line breaks, huge
lines. Error messages themselves are pinned by the corpus in tests/spec_errors (80-84)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import calcgraph as cg
from calcgraph.spec.syntax import split_lines

HEAD = "dim d = 3\ninput x : (d)\n"


@pytest.mark.parametrize("terms", [2, 999, 3000])
def test_a_long_flat_sum_parses_without_recursion(terms):
    g = cg.loads_spec(HEAD + "L = sum(" + " + ".join(["x"] * terms) + ")\nobjective L\n")
    g.backward()
    assert len(g.operators) == terms  # terms - 1 additions and the sum
    assert g["L"].value == pytest.approx(terms * g["x"].value.sum())


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calcgraph", *args], capture_output=True,
                          text=True, check=False)


def test_a_long_flat_chain_from_the_cli_has_no_traceback(tmp_path):
    spec = tmp_path / "long.cg"
    spec.write_text(HEAD + "L = sum(" + " + ".join(["x"] * 999) + ")\nobjective L\n")
    run = cli("render", str(spec), "-o", str(tmp_path / "long.dot"))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr


@pytest.mark.parametrize("sep", ["\f", "\v", "\x1c", "\x85", "\u2028", "\u2029"])
def test_only_newlines_end_a_line(sep):
    # splitlines() would break at each of these: a comment's tail became a statement, and a
    # label's tail an "unterminated string".
    g = cg.loads_spec(HEAD + f'L = sum(x)   label "L{sep}1"   # loss {sep} more words\n'
                      "objective L\n")
    assert g["L"].label == f"L{sep}1"
    assert g["L"].doc == f"loss {sep} more words"


def test_lines_end_at_lf_crlf_and_cr():
    assert split_lines("a\nb\r\nc\rd") == ["a", "b", "c", "d"]
    g = cg.loads_spec(HEAD.replace("\n", "\r") + "L = sum(x)\r\nobjective L")
    assert g.objective.name == "L"


def test_an_error_on_a_megabyte_line_quotes_a_window(tmp_path):
    spec = tmp_path / "wide.cg"
    spec.write_text(HEAD + "L = sum(x)   " + "label " * 200_000 + "\nobjective L\n")
    run = cli("render", str(spec), "-o", str(tmp_path / "wide.svg"))
    assert run.returncode == 1 and run.stderr.startswith("calcgraph: error: ")
    assert len(run.stderr) < 600, len(run.stderr)
    assert not (tmp_path / "wide.svg").exists()


def test_control_characters_in_errors_are_escaped(tmp_path):
    spec = tmp_path / "ctl.cg"
    spec.write_text(HEAD + 'L = sum(x) label "L\x00" \x1b[2J\x07\nobjective L\n')
    run = cli("trace", str(spec))
    assert run.returncode == 1
    assert not any(c in run.stderr for c in "\x00\x1b\x07"), run.stderr
    assert "\\x1b[2J\\x07" in run.stderr and 'label "L\\x00"' in run.stderr


def test_a_labels_control_characters_reach_the_trace_escaped():
    g = cg.loads_spec(HEAD + 'param w : (d)   label "w\x00\x1b[2J\x07"\nL = sum(x * w)\n'
                      "objective L\n")
    assert g["w"].label == "w\x00\x1b[2J\x07"
    for text in (g.trace().text(), g.trace(ascii_only=True).text()):
        assert not any(c in text for c in "\x00\x1b\x07")
        assert "w\\x00\\x1b[2J\\x07" in text

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


# ---------------------------------------------------------------- --set T: the steps of a loop


@pytest.mark.parametrize("args, out, present, absent", [
    (["render", "-o", "t4.svg", "--renderer", "embedded"], "t4.svg", "<title>h4</title>",
     "<title>h5</title>"),
    (["render", "-o", "t4.json"], "t4.json", '"id": "h4"', '"id": "h5"'),
    (["derive", "-o", "t4.md"], "t4.md", r"\mathbf{h}_{4}", r"\mathbf{h}_{5}"),
    (["html", "-o", "t4.html", "--renderer", "embedded"], "t4.html", "h₄", "h₅"),
])
def test_set_T_unrolls_rnn_bptt_in_every_command(args, out, present, absent, tmp_path,
                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [args[0], "rnn_bptt", "--set", "T=4", *args[1:]])
    assert result.exit_code == 0, result.output
    text = (tmp_path / out).read_text(encoding="utf-8")
    assert present in text and absent not in text


def test_set_T_in_trace_and_check():
    trace = CliRunner().invoke(cli, ["trace", "rnn_bptt", "--set", "T=4"])
    assert trace.exit_code == 0 and "RNN over 4 steps" in trace.output
    assert "x₄" in trace.output and "x₅" not in trace.output
    check = CliRunner().invoke(cli, ["check", "rnn_bptt", "--set", "T=4"])
    assert check.exit_code == 0 and "ok: all 11 gradients match" in check.output


@pytest.mark.parametrize("item, code, message", [
    ("T=0", 2, "--set T=0: bad dimension"),
    ("T=9999999", 1, "samples/rnn_bptt.cg:12:1: 'for t in 1..T:' makes more than 20,000 steps"),
])
def test_bad_step_counts_are_one_line_errors(item, code, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "rnn_bptt", "--set", item, "-o", "x.svg"])
    assert result.exit_code == code and result.output.startswith(f"calcgraph: error: {message}")
    assert "Traceback" not in result.output and not (tmp_path / "x.svg").exists()

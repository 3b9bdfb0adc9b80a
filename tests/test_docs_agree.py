"""Docs that disagreed with the code (issue 10 item 28): each claim checked against the code."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.trace.build import make_console

ROOT = Path(__file__).resolve().parents[1]


def doc(name: str) -> str:
    return " ".join((ROOT / name).read_text(encoding="utf-8").split())


def test_sum_terms_are_in_step_order_as_json_md_says():
    steps = cg.mlp().backward().to_dict()["backward"]
    sums = [s for s in steps if s["kind"] == "sum"]
    assert sums and all(s["terms"] == sorted(s["terms"]) for s in sums)
    assert "in step order" in doc("docs/json.md") and "main path first" not in doc("docs/json.md")


def test_forward_and_backward_take_keep_as_performance_md_says():
    g = cg.mlp()
    g.forward(keep="needed")
    g.backward(keep="needed")
    assert "do not take `keep=` yet" not in doc("docs/performance.md")
    assert "`Graph.backward(keep=...)` take the same option" in doc("docs/performance.md")


def test_piped_width_is_100_as_trace_md_says(tmp_path):
    with (tmp_path / "out.txt").open("w") as pipe:
        assert make_console(file=pipe).width == 100
    assert "or 100 when piped" in doc("docs/trace.md")


def test_the_array_limit_is_an_option_and_the_readme_says_20():
    g = cg.mlp()
    assert g.trace(values=True).forward[0]["array"] is not None  # z: 5 numbers
    w1 = next(r for r in g.trace(values=True).leaves if r["name"] == "W1")
    assert w1["array"] is not None  # 20 numbers: in full by default
    assert next(r for r in g.trace(values=True, array_limit=19).leaves
            if r["name"] == "W1")["array"] is None
    out = CliRunner().invoke(cli, ["trace", "--values", "--array-limit", "5"]).output
    assert "the arrays above with at most 5 numbers" in " ".join(out.split())
    assert "arrays of ≤ 20 numbers in full" in doc("README.md")
    assert "--array-limit N" in doc("docs/trace.md")


def test_the_graph_name_defaults_to_the_file_name_as_spec_md_says(tmp_path):
    text = "dim d = 3\ninput x : (d)\nL = sum(x)\nobjective L\n"
    assert cg.loads_spec(text, filename="my.cg").name == "my"
    assert cg.loads_spec(text).name == "spec"
    (tmp_path / "net.cg").write_text(text)
    assert cg.load_spec(tmp_path / "net.cg").name == "net"
    assert "default: the file name's stem" in doc("docs/spec.md")

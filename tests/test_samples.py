"""Every built-in sample: loads, passes the gradient check, renders, traces; and the CLI on them."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from gradcheck import differentiable_leaves

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.sources import load_source, sample_names, sample_text, samples
from calcgraph.text.labels import to_unicode

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["cs231n_circuit", "cs231n_neuron", "linreg", "micrograd_sanity", "mlp", "mlp_bias",
         "rnn_bptt", "softmax_by_hand", "softmax_regression", "two_layer"]


def test_the_built_in_samples():
    assert sample_names() == NAMES
    assert sorted(p.stem for p in (ROOT / "samples").glob("*.cg")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_sample_has_a_header_saying_what_it_shows(name):
    text = sample_text(name)
    assert text.startswith("# ")
    description = dict(samples())[name]
    assert description == text.splitlines()[0][2:] and len(description) > 20


@pytest.mark.parametrize("batch", [None, 3])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", NAMES)
def test_sample_gradients_match_finite_differences(name, batch, seed):
    g = load_source(name, batch=batch, seed=seed)
    result = cg.check(g, inputs=True)
    checked = {r.node for r in result.rows}
    assert {v.name for v in g.leaves("param")} <= set(differentiable_leaves(g)) <= checked
    assert result.ok, [(r.node, r.analytic, r.numeric) for r in result.failures]


@pytest.mark.parametrize("name", NAMES)
def test_sample_shapes_single_and_batched(name):
    single, batched = load_source(name), load_source(name, batch=5)
    for v in single.leaves():
        b = batched[v.name]
        if v.role == "param":
            assert b.shape == v.shape and not b.batched
        else:
            assert b.shape == (5, *v.shape) and b.batched
    assert batched.objective.shape == ()


@pytest.mark.parametrize("name", NAMES)
def test_sample_renders_to_svg(name, tmp_path):
    from calcgraph.figure import draw as figure

    g = load_source(name, batch=2)
    path, used = figure.render_graph(g, str(tmp_path / f"{name}.svg"), renderer="embedded")
    svg = Path(path).read_text(encoding="utf-8")
    assert used == "embedded" and svg.lstrip().startswith(("<?xml", "<svg"))
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    drawn = {part: t for t in titles for part in t.split("+")}  # a box: 'Whx+Whh'
    for node in g.nodes:
        assert node.name in drawn
    for src, dst in g.edges:
        assert f"{drawn[src]}&#45;&gt;{dst}" in titles


@pytest.mark.parametrize("name", NAMES)
def test_sample_traces(name):
    from calcgraph.trace import build as trace

    g = load_source(name)
    out = io.StringIO()
    trace.print_trace(g, console=trace.make_console(120, out))
    text = out.getvalue()
    objective = to_unicode(g.objective.label)
    for p in g.leaves("param"):
        assert f"∂{objective}/∂{to_unicode(p.label)}" in text, p.name
    assert len(g.steps) > len(g.operators)


def test_rnn_shares_its_weights_over_three_steps():
    g = load_source("rnn_bptt").backward()
    assert [len(g[w].consumers) for w in ("Whx", "Whh", "Wqh")] == [3, 3, 3]
    assert sum(1 for s in g.steps if s.kind == "sum" and s.target.name == "Whh") == 1
    # d2l's figure: one circle per h_t, one per o_t and one for the whole loss.
    assert [n.op.name for n in g.operators] == ["rnn_cell"] * 3 + ["matmul"] * 3 + [
        "mean_cross_entropy"]
    assert [v.name for v in g["L"].producer.inputs] == ["o1", "o2", "o3", "y1", "y2", "y3"]


# ---------------------------------------------------------------- CLI


def test_cli_samples_lists_one_line_each():
    result = CliRunner().invoke(cli, ["samples"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [ln.split()[0] for ln in lines] == NAMES
    assert all(re.match(r"^\w+ +\S", ln) for ln in lines)


def test_cli_samples_prints_one_to_copy():
    result = CliRunner().invoke(cli, ["samples", "mlp"])
    assert result.exit_code == 0 and result.stdout == sample_text("mlp")
    result = CliRunner().invoke(cli, ["samples", "nope"])
    assert result.exit_code == 2 and "unknown sample: 'nope'" in result.stderr


def test_cli_trace_a_spec_file(tmp_path):
    path = tmp_path / "mine.cg"
    path.write_text(sample_text("linreg"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["trace", str(path), "--batch", "4", "--set", "d=3",
                                      "--width", "100"])
    assert result.exit_code == 0, result.output
    assert "∂J/∂w" in result.stdout and "(4, 3)" in result.stdout


def test_cli_bad_spec_file_exits_1_with_the_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.cg").write_text("input x : (2)\nh = relu2(x)\nobjective h\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["trace", "bad.cg"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("calcgraph: error: bad.cg:2:5: unknown op 'relu2' (did you mean "
                             "'relu'?)\n    h = relu2(x)\n        ^^^^^\n")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, code, message", [
    (["trace", "mlp", "--set", "k=1"], 2, "mlp has no dimension or constant 'k'"),
    (["trace", "mpl"], 2, "unknown source: 'mpl' (did you mean 'mlp'?"),
    (["trace", "missing.cg"], 2, "no such spec file: 'missing.cg'"),
])
def test_cli_bad_sources(args, code, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code and message in result.stderr
    assert "Traceback" not in result.output


def test_cli_render_a_sample(tmp_path):
    out = tmp_path / "rnn.svg"
    result = CliRunner().invoke(cli, ["render", "rnn_bptt", "-o", str(out), "--renderer",
                                      "embedded"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("<title>") > 40


# ---------------------------------------------------------------- packaging


def test_wheel_ships_the_samples(tmp_path, monkeypatch):
    """Build a wheel from a copy of the project (no network, no pip) and look inside."""
    build_meta = pytest.importorskip("setuptools.build_meta")
    pytest.importorskip("wheel")
    src = tmp_path / "src"
    shutil.copytree(ROOT / "calcgraph", src / "calcgraph",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "samples", src / "samples")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    monkeypatch.chdir(src)
    wheel = build_meta.build_wheel(str(tmp_path))
    names = zipfile.ZipFile(tmp_path / wheel).namelist()
    assert {f"calcgraph/samples/{n}.cg" for n in NAMES} <= set(names)
    assert "calcgraph/samples/__init__.py" in names
    # Every subpackage and module of the source tree is in the wheel: an editable install or a
    # test run from the checkout would hide one that pyproject's package list forgot.
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "calcgraph").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert modules <= set(names), sorted(modules - set(names))
    assert {"calcgraph/html/page.css", "calcgraph/html/page.js"} <= set(names)  # the stepper's


def test_library_load_spelling():
    assert cg.load("softmax_regression").objective.name == "L"

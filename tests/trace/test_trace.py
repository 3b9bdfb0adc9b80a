"""The trace: golden text at a fixed width, JSON, options, and terminal manners."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys

import pytest
from goldens import check_golden
from rich.console import Console

import calcgraph as cg
from calcgraph.text.labels import ascii_text
from calcgraph.trace.build import Trace, build_trace, print_trace

ANSI = re.compile(r"\x1b\[")


def mlp_bias(batch: int = 8) -> cg.Graph:
    """The MLP with a hidden bias b (5,) broadcast over the batch: ∂J/∂b sums the rows."""
    g = cg.Graph("mlp_bias", batch=batch, dims={"d": 4, "h": 5, "q": 3},
                 title="MLP with a hidden bias: J = l(W2 ϕ(W1 x + b), y) + λ/2 (‖W1‖² + ‖W2‖²)")
    g.input("x", (batch, 4), label="X", batched=True)
    g.param("W1", (5, 4), label="W^(1)")
    g.param("b", (5,), label="b")
    g.param("W2", (3, 5), label="W^(2)")
    g.label_input("y", (batch,), batched=True, integer=True)
    g.constant("lam", 0.1, label="λ")
    g.apply("matmul", "W1", "x", out="a", name="mul1", label="A")
    g.apply("add", "a", "b", out="z", name="bias", label="Z")
    g.apply("relu", "z", out="h", name="phi", symbol="ϕ", label="H")
    g.apply("matmul", "W2", "h", out="o", name="mul2", label="O")
    g.apply("cross_entropy", "o", "y", out="L", name="l", symbol="l")
    g.apply("l2", "W1", "W2", "lam", out="s", name="l2")
    g.apply("add", "L", "s", out="J", name="plus")
    g.set_objective("J")
    return cg.init_values(g, 0)


def render(graph: cg.Graph, width: int = 100, **options) -> str:
    """The trace as `calcgraph trace | cat` prints it, at a fixed width."""
    buf = io.StringIO()
    print_trace(graph, console=Console(file=buf, width=width, color_system=None), **options)
    return buf.getvalue()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """`calcgraph trace ARGS` with stdout on a pipe, as in `calcgraph trace | cat`."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "calcgraph", "trace", *args], check=False,
                          capture_output=True, text=True, env={**env, "COLUMNS": "100"},
                          timeout=120)


# ---------------------------------------------------------------- golden files


GOLDENS = {
    "trace_mlp.txt": lambda: render(cg.mlp()),
    "trace_mlp_batch8.txt": lambda: render(cg.mlp(batch=8)),
    "trace_mlp_ascii.txt": lambda: render(cg.mlp(), ascii_only=True),
    "trace_mlp_bias_batch8.txt": lambda: render(mlp_bias(8)),
}


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden(name):
    """Regenerate with CALCGRAPH_UPDATE_GOLDEN=1, then read the diff line by line."""
    check_golden(name, GOLDENS[name]())


# ---------------------------------------------------------------- the d2l chapter's content


def test_single_sample_has_every_formula_of_the_seed():
    text = render(cg.mlp())
    for line in [
        "∂J/∂J = 1: the sweep starts at the objective",
        "∂J/∂L = 1", "∂J/∂s = 1",
        "∂J/∂o = prod(∂J/∂L, ∂L/∂o) = softmax(o) − onehot(y)",
        "∂J/∂h = prod(∂J/∂o, ∂o/∂h) = W⁽²⁾ᵀ · ∂J/∂o",
        "dJ_dh = W2.T @ dJ_do",
        "(5,) = (3, 5).T @ (3,)  ✓ same shape as h",
        "∂J/∂z = prod(∂J/∂h, ∂h/∂z) = ∂J/∂h ⊙ ϕ'(z)",
        "∂J/∂W⁽²⁾ = ∂J/∂o · hᵀ + λ W⁽²⁾",
        "∂J/∂W⁽¹⁾ = ∂J/∂z · xᵀ + λ W⁽¹⁾",
        "∂J/∂W⁽¹⁾ = ((W⁽²⁾ᵀ · ∂J/∂o) ⊙ ϕ'(z)) · xᵀ + λ W⁽¹⁾",
    ]:
        assert line in text, line


def test_two_paths_each_on_its_own_line_then_the_sum():
    text = render(cg.mlp())
    block = text[text.index("\n12 ∂J/∂W⁽¹⁾"):]
    assert "via ×     prod(∂J/∂z, ∂z/∂W⁽¹⁾) = ∂J/∂z · xᵀ  (step 11)" in block
    assert "via ℓ₂    prod(∂J/∂s, ∂s/∂W⁽¹⁾) = λ W⁽¹⁾  (step 4)" in block
    assert "dJ_dW1 = np.outer(dJ_dz, x) + dJ_ds * lam * W1" in block
    assert "∂J/∂W⁽¹⁾ via ℓ₂, path 1 of 2 (added up in step 12)" in text


def test_batch_shows_both_forms_becoming_one_numpy_line():
    text = render(cg.mlp(batch=8))
    assert "one sample, ∂J/∂o as a column (3, 1)  ∂J/∂h = W⁽²⁾ᵀ · ∂J/∂o" in text
    assert "one sample, ∂J/∂o as a row (1, 3)     ∂J/∂h = ∂J/∂o · W⁽²⁾" in text
    assert "all 8 rows at once, numpy (step 9)    dJ_dh = dJ_do @ W2" in text
    assert "(8, 5) = (8, 3) @ (3, 5)  ✓ same shape as H" in text
    assert "1 sample  ∂J/∂h = W⁽²⁾ᵀ · ∂J/∂o" in text


def test_bias_gradient_sums_over_the_batch():
    trace = build_trace(mlp_bias(8))
    (view,) = [v for v in trace.steps if v.record["target"] == "b"]
    assert view.record["math"] == "Σₙ ∂J/∂Z"
    assert view.record["code"] == "dJ_db = dJ_dz.sum(axis=0)"
    assert view.record["shapes"] == "(5,) = (8, 5).sum(axis=0)"
    assert "b (5,) was broadcast to (8, 5)" in view.note and "over the batch (axis 0)" in view.note
    assert view.one_sample["math"] == "∂J/∂z"  # one sample: no sum


def test_memory_lists_the_stored_forward_values_and_grows_with_the_batch():
    one, eight = build_trace(cg.mlp()).memory, build_trace(cg.mlp(batch=8)).memory
    assert [m["name"] for m in one] == ["x", "y", "z", "h", "o"]
    assert sum(m["bytes"] for m in eight) == 8 * sum(m["bytes"] for m in one)


# ---------------------------------------------------------------- options


def test_json_matches_the_core_schema_one_record_per_step():
    g = cg.mlp(batch=8)
    proc = run_cli("--batch", "8", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    g.backward()
    assert doc["backward"] == g.to_dict(values=False)["backward"]
    assert len(doc["backward"]) == len(g.steps) == 12
    for rec in doc["backward"]:
        assert {"step", "kind", "grad", "math", "code", "operands", "result_shape",
                "shapes"} <= rec.keys()
        assert all("shape" in op for op in rec["operands"])
    assert [m["name"] for m in doc["trace"]["memory"]] == ["x", "y", "z", "h", "o"]


def test_json_one_step_and_ascii():
    doc = build_trace(cg.mlp(), step=9, ascii_only=True).to_json()
    assert doc.isascii()
    (rec,) = json.loads(doc)["backward"]
    assert rec["code"] == "dJ_dh = W2.T @ dJ_do" and rec["operands"][1]["shape"] == [3, 5]


def test_step_shows_only_that_step():
    text = render(cg.mlp(), step=9)
    assert text.startswith("Backward step 9 of 12 (mlp)")
    assert "dJ_dh = W2.T @ dJ_do" in text
    assert "dJ_dz" not in text and "Forward pass" not in text


@pytest.mark.parametrize("k", [0, 13, 99])
def test_step_out_of_range_names_the_valid_range(k):
    with pytest.raises(cg.UsageError, match=r"--step .*: out of range .* steps 1 to 12"):
        build_trace(cg.mlp(), step=k)


def test_step_out_of_range_on_the_command_line():
    proc = run_cli("--step", "13")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("calcgraph: error: --step 13: out of range (the backward "
                                   "sweep of 'mlp' has steps 1 to 12)")


def test_vectors_column_and_row():
    column = render(cg.mlp(), vectors="column")
    assert "(5, 1) = (3, 5).T @ (3, 1)  ✓ same shape as h" in column
    row = render(cg.mlp(), vectors="row")  # a batch of one: the row form of the d2l chapter
    assert "∂J/∂h = prod(∂J/∂o, ∂o/∂h) = ∂J/∂o · W⁽²⁾" in row
    assert "(1, 5) = (1, 3) @ (3, 5)  ✓ same shape as h" in row
    with pytest.raises(cg.UsageError, match="only for single-sample graphs"):
        build_trace(cg.mlp(batch=8), vectors="column")
    with pytest.raises(cg.UsageError, match=r"must be one of \['flat', 'column', 'row'\]"):
        build_trace(cg.mlp(), vectors="diagonal")


def test_values_prints_small_arrays_and_summarizes_large_ones():
    text = render(cg.mlp(batch=8), values=True)
    assert re.search(r"value     min -?\d.*, max .*, norm ", text)  # ∂J/∂H is (8, 5): summary
    assert "In full: the arrays above with at most 20 numbers" in text
    assert re.search(r"  W⁽¹⁾ = \[\[ ?-?\d\.\d+", text)  # the (5, 4) leaf, in full
    trace = build_trace(cg.mlp(), values=True)
    assert len(trace.steps[-1].array) == 5  # ∂J/∂W⁽¹⁾ (5, 4): 20 numbers, printed whole
    assert render(cg.mlp(), values=True).count("value     [[") == 6  # 2 paths + sum, per W
    assert not re.search(r"^ +value ", render(cg.mlp()), re.MULTILINE)  # only with --values


@pytest.mark.parametrize("batch", [None, 2])
def test_every_built_in_sample_traces_in_plain_ascii(batch):
    """Formulas come from the op table, so any graph traces; ASCII never falls back to '?'."""
    from calcgraph.sources import load_source, sample_names

    for name in sample_names():
        text = render(load_source(name, batch=batch), width=80, ascii_only=True, values=True)
        assert text.isascii() and "?" not in text, name
        assert max(len(line) for line in text.splitlines()) <= 80, name


# ---------------------------------------------------------------- terminal manners


@pytest.mark.parametrize("graph", [cg.mlp, lambda: cg.mlp(batch=8), mlp_bias])
@pytest.mark.parametrize("width", [40, 60, 80])
def test_narrow_widths_wrap_and_never_garble(graph, width):
    text = render(graph(), width=width, values=True)
    assert max(len(line) for line in text.splitlines()) <= width
    squashed = re.sub(r"\s+", "", text)
    for code in ("dJ_dh=", "dJ_dW1=", "+dJ_ds*lam*W1"):
        assert code in squashed


def test_ascii_output_is_ascii():
    text = render(cg.mlp(batch=8), ascii_only=True)
    assert text.isascii()
    ascii_mlp = render(cg.mlp(), ascii_only=True)
    assert "dJ/dh = prod(dJ/do, do/dh) = W^(2).T @ dJ/do" in ascii_mlp  # · is @, as numpy
    assert "dJ/dz = prod(dJ/dh, dh/dz) = dJ/dh * phi'(z)" in ascii_mlp  # ⊙ is *
    assert ascii_text("λ/2 (‖W⁽¹⁾‖² + ‖W⁽²⁾‖²), ℓ₂") == "lam/2 (||W^(1)||^2 + ||W^(2)||^2), l_2"


def test_piped_output_has_no_escape_codes():
    proc = run_cli()
    assert proc.returncode == 0, proc.stderr
    assert not ANSI.search(proc.stdout)
    assert "∂J/∂h = prod(∂J/∂o, ∂o/∂h) = W⁽²⁾ᵀ · ∂J/∂o" in proc.stdout
    assert all(line == line.rstrip() for line in proc.stdout.splitlines())


def test_width_option_on_the_command_line():
    proc = run_cli("--batch", "8", "--width", "60", "--ascii")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.isascii() and max(map(len, proc.stdout.splitlines())) <= 60


def _in_a_terminal(env: dict) -> str:
    """Run `calcgraph trace` with its stdout on a pseudo-terminal; return what it wrote."""
    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(TERM="xterm-256color", COLUMNS="100", **env)
    proc = subprocess.Popen([sys.executable, "-m", "calcgraph", "trace", "--step", "9"],
                            stdout=follower, stderr=subprocess.PIPE, env=full_env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process is done writing
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_terminal_gets_colour_and_no_color_turns_it_off():
    assert ANSI.search(_in_a_terminal({}))
    plain = _in_a_terminal({"NO_COLOR": "1"})
    assert "dJ_dh = W2.T @ dJ_do" in plain and not ANSI.search(plain)


# ---------------------------------------------------------------- library


def test_graph_trace_is_data_and_a_rich_renderable():
    g = cg.mlp()
    trace = g.trace()
    assert isinstance(trace, Trace) and g.steps  # backward ran on demand
    assert [r["step"] for r in trace.backward] == list(range(1, 13))
    assert trace.forward[0]["math"] == "z = W⁽¹⁾ x"
    buf = io.StringIO()
    Console(file=buf, width=100, color_system=None).print(trace)
    assert "∂J/∂W⁽²⁾: 2 paths meet" in buf.getvalue()
    assert str(trace) == trace.text(100) and not ANSI.search(str(trace))


def test_trace_reruns_backward_after_a_value_changes():
    g = cg.mlp()
    before = build_trace(g, values=True).steps[-1].value
    g.set("x", g["x"].value * 2)
    assert build_trace(g, values=True).steps[-1].value != before


# --- issue 10.16: an output encoding without the math symbols ------------------------------

ZH = ('dim d = 3\ninput x : (d) label "输入"\nparam w : (d) label "权重"\nlabel y : ()\n'
      'L = squared_loss(x @ w, y) symbol "损失"\nobjective L\n')


def run_trace(encoding: str, *args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding,
           "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.dirname(__file__)))}
    return subprocess.run([sys.executable, "-m", "calcgraph", "trace", *args], env=env,
                          cwd=cwd, capture_output=True, check=False, timeout=120)


@pytest.mark.parametrize("encoding, lang", [("cp1252", "en"), ("ascii", "en"), ("cp1252", "zh")])
def test_a_narrow_encoding_falls_back_to_the_ascii_forms(encoding, lang):
    proc = run_trace(encoding, "--lang", lang)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    text = proc.stdout.decode(encoding)
    assert "dJ/dW^(1)" in text and "∂" not in text
    assert proc.stdout == run_trace("utf-8", "--ascii").stdout  # exactly the --ascii trace


def test_json_to_an_ascii_stdout_is_escaped():
    proc = run_trace("ascii", "--json")
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout.decode("ascii"))
    assert doc == json.loads(run_trace("utf-8", "--json").stdout.decode("utf-8"))


def test_labels_the_encoding_lacks_are_not_a_traceback(tmp_path):
    (tmp_path / "zh.cg").write_text(ZH, encoding="utf-8")
    proc = run_trace("cp1252", "zh.cg", cwd=tmp_path)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    assert "L = " in proc.stdout.decode("cp1252")
    proc = run_trace("cp1252", "zh.cg", "--json", cwd=tmp_path)
    assert json.loads(proc.stdout.decode("cp1252"))["nodes"][0]["label"] == "输入"

"""Spec files: the format's features, the mlp sample against calcgraph.mlp(), and the error corpus."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import calcgraph as cg
from calcgraph.errors import CalcgraphError, SpecError, SpecWarning, UsageError
from calcgraph.graph import load_spec, loads_spec
from calcgraph.sources import load_source, sample_text
from calcgraph.spec import describe, parse_spec
from calcgraph.spec.syntax import QUOTE_WIDTH, Span, quote_line, split_lines

CORPUS = Path(__file__).resolve().parents[1] / "spec_errors"
CASES = sorted(CORPUS.glob("*.cg"))

TINY = """\
# A tiny regression: L = ½(xᵀw − y)².
dim d = 3
input x : (d)      label "x" batched "X"   # features
param w : (d)
label y : ()
L = squared_loss(x @ w, y)
objective L
"""


def node_facts(g: cg.Graph) -> list[tuple]:
    """Everything the figure and the trace read from a node, values aside."""
    out = []
    for n in g.nodes:
        facts = (type(n).__name__, n.name, n.label)
        if isinstance(n, cg.Variable):
            facts += (n.role, n.shape, n.batched, str(n.dtype), n.integer, n.doc)
        else:
            facts += (n.op.name, n.mode, n.symbol, [v.name for v in n.inputs],
                      sorted(n.params))
        out.append(facts)
    return out


# ---------------------------------------------------------------- samples/mlp.cg == mlp()


@pytest.mark.parametrize("batch", [None, 1, 8])
@pytest.mark.parametrize("seed", [0, 7])
def test_mlp_sample_is_calcgraph_mlp(batch, seed):
    spec = load_source("mlp", batch=batch, seed=seed).backward()
    ref = cg.mlp(batch=batch, seed=seed).backward()
    assert node_facts(spec) == node_facts(ref)
    assert spec.edges == ref.edges
    assert (spec.name, spec.title, spec.dims, spec.batch, spec.seed) == \
        (ref.name, ref.title, ref.dims, ref.batch, ref.seed)
    assert spec.to_json() == ref.to_json()  # every value, gradient and recorded step


def test_mlp_sample_set_overrides_match_mlp_arguments():
    sets = {"d": "6", "h": "7", "q": "2", "lam": "0.01"}
    spec = load_source("mlp", batch=4, sets=sets).backward()
    ref = cg.mlp(d=6, h=7, q=2, lam=0.01, batch=4).backward()
    assert spec.to_json() == ref.to_json()


def test_mlp_variants_the_sample_cannot_express_still_load():
    g = load_source("mlp", sets={"activation": "tanh", "loss": "squared_loss"})
    assert g["phi"].op.name == "tanh" and g["l"].op.name == "squared_loss"


# ---------------------------------------------------------------- --set


def test_set_unknown_name_lists_the_valid_ones():
    with pytest.raises(UsageError, match=r"--set k=3: mlp has no dimension or constant 'k' "
                                         r"\(must be one of: d, h, lam, q\)"):
        load_source("mlp", sets={"k": "3"})


@pytest.mark.parametrize("item, message", [
    ({"d": "0"}, "--set d=0: bad dimension"), ({"d": "2.5"}, "--set d=2.5: bad dimension"),
    ({"lam": "x"}, "--set lam=x: expected a number"), ({"lam": "inf"}, "expected a number"),
])
def test_set_bad_values(item, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        load_source("mlp_bias", sets=item)


def test_set_changes_shapes_and_constants():
    with pytest.warns(SpecWarning, match="constant 'c' is declared but never used"):
        g = loads_spec(TINY.replace("label y", "const c = 2\nlabel y"),
                       sets={"d": "5", "c": "4"})
    assert g["x"].shape == (5,) and g.constants["c"].value == 4.0 and g.dims == {"d": 5}


# ---------------------------------------------------------------- format features


def test_header_title_name_and_docs():
    spec = parse_spec(TINY)
    assert spec.description == "A tiny regression: L = ½(xᵀw − y)²."
    g = loads_spec(TINY, name="tiny")
    assert (g.name, g.title) == ("tiny", spec.description)
    assert g["x"].doc == "features" and g["w"].doc == ""
    g = loads_spec('graph reg "my title"\n' + TINY)
    assert (g.name, g.title) == ("reg", "my title")
    assert describe("dim d = 2\n") == ""


def test_batch_applies_to_inputs_and_labels_only():
    g = loads_spec(TINY, batch=6)
    assert (g["x"].shape, g["x"].batched, g["x"].label) == ((6, 3), True, "X")
    assert (g["y"].shape, g["y"].batched) == ((6,), True)
    assert (g["w"].shape, g["w"].batched) == ((3,), False)
    assert loads_spec(TINY)["x"].label == "x"


def test_class_labels_are_integer_indices():
    text = "dim q = 4\ninput o0 : (q)\nlabel y : class(q)\nL = cross_entropy(o0 * o0, y)\n" \
           "objective L\n"
    g = loads_spec(text, batch=50, seed=3)
    y = g["y"]
    assert y.integer and y.shape == (50,) and y.value.dtype.kind == "i"
    assert 0 <= y.value.min() and y.value.max() < 4


def test_equations_in_any_order_give_the_same_graph():
    text = sample_text("mlp")
    lines = text.splitlines()
    eqs = [i for i, ln in enumerate(lines) if re.match(r"^\w+ = ", ln)]
    shuffled = list(lines)
    for i, j in zip(eqs, reversed(eqs)):
        shuffled[i] = lines[j]
    a = loads_spec(text).backward()
    b = loads_spec("\n".join(shuffled)).backward()
    assert [o.name for o in a.operators] == [o.name for o in b.operators]
    assert a.to_json() == b.to_json()


def test_nested_expressions_get_short_made_up_names():
    g = loads_spec(sample_text("mlp_bias"), batch=2)
    t1 = g["t1"]
    assert (t1.label, t1.producer.op.name, t1.shape) == ("t_1", "matmul", (2, 5))
    assert [v.name for v in g["z"].producer.inputs] == ["t1", "b1"]
    g = loads_spec(TINY.replace("L = squared_loss(x @ w, y)",
                                "L = 0.5 * (squared_loss(x @ w, y) + squared_loss(x @ w, y))"))
    assert [v.name for v in g["L"].producer.inputs] == ["t5"]
    assert [v.label for v in g["t5"].producer.inputs] == ["t_2", "t_4"]
    text = "input x : ()\n" + "".join(f"a{i} = x + x * x\n" for i in range(6)) + \
        "J = a0 + a1\nobjective J\n"
    with pytest.warns(SpecWarning, match=r"'a[2-5]' does not reach the objective") as seen:
        assert loads_spec(text)["t6"].label == "t_6"
    assert len(seen) == 4  # a2 to a5
    text = text.replace("J = a0 + a1", "J = a0 + a1 + a2 + a3 + a4 + a5")
    assert loads_spec(text)["t10"].label == "t_{10}"


def test_made_up_names_avoid_user_names():
    text = TINY.replace("param w : (d)", "param w : (d)\nparam t2 : (d)\ninput t1 : ()") \
        .replace("objective L", "M = L + sum(t2 * t1 + x)  node t3\nobjective M")
    g = loads_spec(text)
    assert g["t2"].role == "param" and g["t1"].role == "input" and g["t3"].kind == "operator"
    made_up = [v.name for v in g.variables if v.producer is not None and v.name not in "LM"]
    assert made_up == ["t4", "t5", "t6", "t7"]


@pytest.mark.parametrize("expr, op", [("c * x", "scale"), ("x * c", "scale"),
                                      ("2 * x", "scale"), ("x * -0.5", "scale"),
                                      ("x * x", "mul"), ("x + x", "add"), ("x - x", "sub"),
                                      ("scale(x, c)", "scale"), ("scale(x, 1e-3)", "scale")])
def test_operator_spellings(expr, op):
    text = f"input x : (2)\nconst c = 3\nz = {expr}\nJ = sum(z)\nobjective J\n"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        g = loads_spec(text)
    assert g["z"].producer.op.name == op
    # only a spelling that leaves c out is told c is unused
    assert [str(w.message) for w in seen] == (
        [] if "c" in expr.replace("scale", "") else
        ["<spec>:2:7: constant 'c' is declared but never used"])


def test_constants_numbers_and_fractions():
    g = loads_spec("const a = 1/3\nconst b = -2.5e-1\ninput x : ()\nz = a * x\nJ = b * z\n"
                   "objective J\n")
    assert g.constants["a"].value == pytest.approx(1 / 3) and g.constants["b"].value == -0.25


def test_labels_symbols_and_node_ids():
    g = load_source("mlp")
    assert g["W1"].label == "W^(1)" and g["phi"].symbol == "ϕ" and g["l2"].symbol == "ℓ_2"
    g = loads_spec(TINY.replace("L = squared_loss(x @ w, y)",
                                'L = squared_loss(x @ w, y) node loss symbol "ℓ" label "\\"L\\""'))
    assert g["loss"].symbol == "ℓ" and g["L"].label == '"L"'


def test_crlf_tabs_and_byte_order_mark(tmp_path):
    path = tmp_path / "win.cg"
    path.write_bytes(b"\xef\xbb\xbf" + TINY.replace("\n", "\r\n").replace("  ", "\t")
                     .encode())
    assert load_spec(path)["w"].shape == (3,)
    with pytest.raises(SpecError) as err:
        loads_spec("dim d = 2\n\tinput\tx : (k)\n", filename="t.cg")
    # Tabs stay tabs under the text, so the caret lines up whatever the tab width.
    assert str(err.value).splitlines()[1:] == ["    \tinput\tx : (k)", "    \t     \t     ^"]


def test_long_chains_do_not_recurse():
    lines = ["input a0 : (2)"] + [f"a{i + 1} = relu(a{i})" for i in range(3000)]
    g = loads_spec("\n".join(reversed(lines)) + "\nJ = sum(a3000)\nobjective J\n")
    assert len(g.operators) == 3001


def test_text_is_never_evaluated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = ['z = __import__("os")', "z = exec(x)", 'graph g "{__import__(\'os\')}"',
            "z = x.__class__", "z = eval(x)"]
    for line in evil:
        with pytest.raises(CalcgraphError):
            g = loads_spec(f"input x : (2)\n{line}\nobjective z\n")
            raise AssertionError(f"{line!r} built {g}")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- files and sources


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(SpecError, match=r"missing\.cg: cannot read the file"):
        load_spec(tmp_path / "missing.cg")
    bad = tmp_path / "latin1.cg"
    bad.write_bytes(b"# caf\xe9\n")
    with pytest.raises(SpecError, match=r"latin1\.cg: not UTF-8 text \(bad byte at offset 5\)"):
        load_spec(bad)


def test_sources_resolve_samples_then_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("tiny.cg").write_text(TINY, encoding="utf-8")
    assert load_source("tiny.cg").name == "tiny"
    assert load_source(None).name == "mlp"
    Path("sub").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        load_source("sub")
    with pytest.raises(UsageError, match=r"unknown source: 'mpl' \(did you mean 'mlp'\?"):
        load_source("mpl")
    assert cg.load("linreg", batch=2)["x"].shape == (2, 2)


# ---------------------------------------------------------------- the error corpus


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert all(case.with_suffix(".expected").exists() for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_malformed_spec_gives_exact_message(case, monkeypatch):
    monkeypatch.chdir(CORPUS)
    expected = case.with_suffix(".expected").read_text(encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(case.name)
    assert str(err.value) + "\n" == expected
    first = str(err.value).splitlines()[0]
    assert re.match(rf"^{re.escape(case.name)}:\d+:\d+: \S", first)


def test_corpus_messages_have_a_caret_under_the_quoted_line():
    for case in CASES:
        lines = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
        if len(lines) == 1:  # file-level: the missing objective sits past the last line
            assert "missing objective" in lines[0]
            continue
        line, col = map(int, lines[0].split(":")[1:3])
        source = split_lines(case.read_text(encoding="utf-8"))[line - 1]
        if not source.isprintable() or len(source) > QUOTE_WIDTH:  # escaped or windowed
            quoted, caret = quote_line(source, Span(line, col)).splitlines()
            assert lines[1] == quoted and lines[2].startswith(caret), case.name
            assert lines[1].isprintable() and len(lines[1]) < QUOTE_WIDTH + 20
            continue
        assert lines[1] == "    " + source
        assert lines[2].startswith("    " + " " * (col - 1) + "^"), case.name


def test_array_values_are_order_independent():
    a = loads_spec(TINY, seed=4)
    b = loads_spec(TINY.replace("param w : (d)\n", "").replace("label y", "param w : (d)\n"
                                                                "label y"), seed=4)
    assert np.array_equal(a["w"].value, b["w"].value)

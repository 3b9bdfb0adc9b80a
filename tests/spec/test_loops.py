"""Loops in spec files: `for t in 1..T:` written out per step, with --set T changing the steps."""

from __future__ import annotations

import re

import pytest

import calcgraph as cg
from calcgraph.errors import SpecError, UsageError
from calcgraph.figure.boxes import merge_boxes
from calcgraph.figure.layout import layout
from calcgraph.graph import loads_spec
from calcgraph.sources import load_source, sample_text
from calcgraph.spec.braces import fill
from calcgraph.spec.loops import MAX_STATEMENTS

HEAD = """\
graph rnn_bptt "RNN over {T} steps: h_t = W_hx x_t + W_hh h_(t-1), o_t = W_qh h_t, L = (1/T) Σ l(o_t, y_t)"
dim d = 4, h = 5, q = 3, T = %d
"""


def written_out(steps: int) -> str:
    """rnn_bptt as it was written before loops: every step by hand, in the sample's order."""
    lines = [HEAD % steps]
    lines += [f'input  x{t} : (d)  label "x_{_sub(t)}"  batched "X_{_sub(t)}"'
              for t in range(1, steps + 1)]
    lines += ['input  h0 : (h)  label "h_0"  batched "H_0"   # the initial hidden state',
              ('param  Whx : (h, d)  label "W_{hx}"  box Wh    # drawn as one box with Whh, as '
               'd2l does'),
              'param  Whh : (h, h)  label "W_{hh}"  box Wh', 'param  Wqh : (q, h)  label "W_{qh}"']
    lines += [f'label  y{t} : class(q)  label "y_{_sub(t)}"' for t in range(1, steps + 1)]
    lines += [f'h{t} = rnn_cell(Whx, x{t}, Whh, h{t - 1})  label "h_{_sub(t)}"  batched '
              f'"H_{_sub(t)}"' for t in range(1, steps + 1)]
    lines += [f'o{t} = Wqh @ h{t}  label "o_{_sub(t)}"  batched "O_{_sub(t)}"'
              for t in range(1, steps + 1)]
    os_ = ", ".join(f"o{t}" for t in range(1, steps + 1))
    ys = ", ".join(f"y{t}" for t in range(1, steps + 1))
    lines += [f"L = mean_cross_entropy({os_}, {ys})   # (1/T) Σ_t l(o_t, y_t), one circle",
              "objective L"]
    return "\n".join(lines) + "\n"


def _sub(t: int) -> str:
    return str(t) if t < 10 else f"{{{t}}}"


def loop_rnn(steps: int, **kwargs) -> cg.Graph:
    return load_source("rnn_bptt", sets={"T": str(steps)}, **kwargs)


# ---------------------------------------------------------------- the sample


@pytest.mark.parametrize("steps", [1, 2, 3, 4, 10])
@pytest.mark.parametrize("batch", [None, 3])
def test_the_loop_is_the_graph_written_out_by_hand(steps, batch):
    by_hand = loads_spec(written_out(steps), name="rnn_bptt", batch=batch).backward()
    looped = loop_rnn(steps, batch=batch).backward()
    assert looped.to_dict() == by_hand.to_dict()  # ids, labels, order, values, gradients


@pytest.mark.parametrize("steps", [4, 10])
def test_set_T_gives_that_many_steps_with_correct_gradients(steps):
    g = loop_rnn(steps)
    cells = [n for n in g.operators if n.op.name == "rnn_cell"]
    assert [n.output.name for n in cells] == [f"h{t}" for t in range(1, steps + 1)]
    assert [v.name for v in g["mean_cross_entropy_L"].inputs] == \
        [f"o{t}" for t in range(1, steps + 1)] + [f"y{t}" for t in range(1, steps + 1)]
    assert g[f"h{steps}"].label == f"h_{_sub(steps)}" and g.dims["T"] == steps
    assert g.title.startswith(f"RNN over {steps} steps:")
    result = cg.check(g, inputs=True)
    assert result.ok and {r.node for r in result.rows} >= {"Whx", "Whh", "Wqh", f"x{steps}"}


@pytest.mark.parametrize("steps", [4, 10])
def test_set_T_draws_the_d2l_grid_with_one_row_per_step(steps):
    lay = layout(merge_boxes(loop_rnn(steps).to_dict(values=False)))
    assert lay.method == "recurrent"
    for role in ("x", "rnn_cell_h", "h", "matmul_o", "o", "y"):
        cells = [lay.cells[f"{role}{t}"] for t in range(1, steps + 1)]
        assert len({col for col, _ in cells}) == 1, role  # one column per role
        assert [row for _, row in cells] == [lay.cells[f"x{t}"][1]
                                             for t in range(1, steps + 1)], role
    rows = [lay.cells[f"x{t}"][1] for t in range(1, steps + 1)]
    assert rows == sorted(set(rows)) and rows[0] > 0  # time upward, above the parameters
    assert lay.cells["Wqh"][1] == lay.cells["Whx+Whh"][1] == lay.cells["h0"][1] == 0


def test_sample_at_its_default_has_three_steps_and_t_in_its_dims():
    g = cg.load("rnn_bptt")
    assert g.dims == {"d": 4, "h": 5, "q": 3, "T": 3}
    assert sum(1 for n in g.operators if n.op.name == "rnn_cell") == 3


def test_the_sample_is_written_with_loops():
    text = sample_text("rnn_bptt")
    assert "for t in 1..T:" in text and "x3" not in text and "h[t-1]" in text


# ---------------------------------------------------------------- the language

NESTED = """\
dim d = 2, L = 2, T = 3
param W[1] : (d, d)
param W[2] : (d, d)
param U : (d, d)
for l in 1..L:
    input h[l, 0] : (d)   label "h^({l})_0"
for t in 1..T:
    input h[0, t] : (d)   label "x_{t}"
for l in 1..L:
    for t in 1..T:
        h[l, t] = tanh(W[l] @ h[l-1, t] + U @ h[l, t-1])   label "h^({l})_{t}"
J = l2(h[L, 1..T], 0.5)
objective J
"""


def test_nested_loops_name_two_indices_with_an_underscore():
    g = loads_spec(NESTED)
    assert g["h2_3"].label == "h^(2)_3" and g["h0_2"].label == "x_2"
    assert [v.name for v in g["l2_J"].inputs] == ["h2_1", "h2_2", "h2_3"]
    tanh = [n.output.name for n in g.operators if n.op.name == "tanh"]
    assert tanh == ["h1_1", "h1_2", "h1_3", "h2_1", "h2_2", "h2_3"]  # line by line, l then t
    assert [v.name for v in g["h2_2"].producer.inputs] != []
    assert cg.check(g).ok


def test_each_line_of_a_body_is_written_out_in_place_in_order_of_t():
    text = ("dim T = 2\nfor t in 1..T:\n    input x[t] : ()\n    input y[t] : ()\n"
            "    z[t] = x[t] * y[t]\nL = sum(z[2])\nobjective L\n")
    with pytest.warns(cg.SpecWarning) as caught:
        g = loads_spec(text)
    assert str(caught[0].message).startswith("<spec>:3:11: at t = 1: input 'x1' does not reach")
    assert [v.name for v in g.variables][:4] == ["x1", "x2", "y1", "y2"]


def test_indices_outside_loops_and_index_arithmetic():
    text = ("dim T = 3\ninput x[0] : (2)\nfor t in 1..T:\n    x[t] = 2 * x[t-1]  label "
            '"x_{t} = 2 x_{t-1}"\nL = sum(x[T])\nobjective L\n')
    g = loads_spec(text)
    assert g["x3"].label == "x_3 = 2 x_2" and g["x0"].role == "input"
    assert loads_spec(text, sets={"T": "5"})["x5"].label == "x_5 = 2 x_4"


def test_node_names_and_bounds_with_arithmetic():
    text = ("dim T = 4\ninput x[1] : (2)\nfor t in 2..T-1:\n    x[t] = relu(x[t-1]) node "
            'act[t] symbol "ϕ_{t}"\nL = sum(x[T-1])\nobjective L\n')
    g = loads_spec(text)
    assert [n.name for n in g.operators][:2] == ["act2", "act3"] and g["act3"].symbol == "ϕ_3"


def test_fill_keeps_markup_braces_and_groups_long_numbers():
    assert fill("x_{t}", {"t": 1}, {}) == "x_1" and fill("x_{t}", {"t": 12}, {}) == "x_{12}"
    assert fill("W_{hx} h_{t+1} {T-t}", {"t": 2}, {"T": 5}) == "W_{hx} h_3 3"
    assert fill("h_{T}", {"t": 2}, {"T": 5}) == "h_{T}"  # no loop variable: markup, kept
    assert fill("h_{l,t}", {"l": 1, "t": 2}, {}) == "h_{1,2}"
    assert fill("a {t", {"t": 2}, {}) == "a {t" and fill("{t}", {}, {}) == "{t}"


def test_title_names_dimensions_in_braces():
    g = loads_spec('graph g "{d} inputs, W_{hx}"\ndim d = 3\ninput x : (d)\nL = sum(x)\n'
                   "objective L\n", sets={"d": "7"})
    assert g.title == "7 inputs, W_{hx}"


def test_for_is_a_keyword_and_old_files_still_parse():
    with pytest.raises(SpecError, match="'for' is a keyword"):
        loads_spec("input x : ()\nfor = 2 * x\nobjective for\n")
    g = loads_spec("input x : (2)\n    y = 2 * x\nL = sum(y)\nobjective L\n")  # indented
    assert g["y"].shape == (2,)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("body, message", [
    ("for t in 1..T:\n    dim k = 2\n", r":3:5: 'dim' cannot be inside a loop"),
    ("for t in 1..T:\n    input x[t] : ()\n    objective x[1]\n",
     r":4:5: 'objective' cannot be inside a loop"),
    ("input x[1..T] : ()\n", r":2:10: a range names several arrays"),
    ("for T in 1..3:\n    input x[T] : ()\n", r":2:5: loop variable 'T' is also a dimension"),
    ("for t in 1..T:\n    for t in 1..2:\n        input x[t] : ()\n",
     r":3:9: loop variable 't' is already the variable of an enclosing loop"),
    ("for t in 0..T:\n    input x[t-1] : ()\n", r":3:13: at t = 0: index t-1 is -1 here"),
    ("for t in 1..T:\n    input x[t] : ()\n    z[1] = 2 * x[t]\n",
     r":4:5: at t = 2: 'z\[1\]' is z1, defined again \(as at t = 1\)"),
    ("for t in 1..T:\n    input x[t] : ()\nL = x[1..T] * 2\n", r":4:5: range 'x\[1..T\]'"),
    ("\tfor t in 1..T:\n  input x[t] : ()\n", r":3:1: inconsistent indentation"),
    ("for t in 1..T\n    input x[t] : ()\n", r":2:14: expected ':' at the end of the for"),
    ("for t in 1.5..T:\n    input x[t] : ()\n", r":2:10: expected an index"),
])
def test_loop_errors_point_at_the_text(body, message):
    with pytest.raises(SpecError, match=r"^<spec>" + message):
        loads_spec("dim T = 2\n" + body + "L = sum(x[1])\nobjective L\n")


def test_a_huge_T_is_refused_before_anything_is_built():
    with pytest.raises(SpecError, match=f"more than {MAX_STATEMENTS:,} steps"):
        loop_rnn(10_000_000)
    with pytest.raises(SpecError, match=f"more than {MAX_STATEMENTS:,} statements"):
        loop_rnn(MAX_STATEMENTS // 4 + 1)


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "x"])
def test_T_below_one_is_a_usage_error(value):
    with pytest.raises(UsageError, match=re.escape(f"--set T={value}: bad dimension")):
        loop_rnn(value)


def test_a_set_that_empties_a_loop_says_which_dimension():
    text = "dim T = 3\ninput x[1] : ()\nfor t in 2..T:\n    x[t] = 2 * x[t-1]\nL = sum(x[T])\n" \
           "objective L\n"
    with pytest.raises(SpecError, match=re.escape("<spec>:3:1: 'for t in 2..T:' makes no steps: "
                                                  "with T = 1 its range is 2..1")):
        loads_spec(text, sets={"T": "1"})


def test_deeply_nested_loops_are_refused_by_their_step_count():
    lines = ["dim T = 3", "input x : ()"]
    lines += [" " * i + f"for v{i} in 1..T:" for i in range(30)]  # 3**30 steps
    lines += [" " * 30 + "y[" + ", ".join(f"v{i}" for i in range(30)) + "] = 2 * x",
              "L = sum(x)", "objective L"]
    with pytest.raises(SpecError, match=r"^<spec>:12:10: 'for v9 in 1..T:' makes more than"):
        loads_spec("\n".join(lines) + "\n")

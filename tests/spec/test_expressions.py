"""The spec language's operators: precedence, constants as operands, and the classic scalar
examples (micrograd's sanity check and test_more_ops) written in it."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from click.testing import CliRunner

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.errors import SpecError


def build(body: str, **values) -> cg.Graph:
    g = cg.loads_spec(body)
    for name, value in values.items():
        g.set(name, value)
    g.backward()
    return g


def ops_of(g: cg.Graph) -> list[str]:
    return [n.op.name for n in g.operators]


# ---------------------------------------------------------------- precedence


def test_unary_minus_binds_looser_than_power():
    g = build("param x : ()\ny = -x ** 2\nobjective y\n", x=3.0)
    assert ops_of(g) == ["pow", "neg"]
    assert float(g["y"].value) == -9.0 and float(g["x"].grad) == -6.0


def test_power_is_right_associative_and_takes_a_negative_exponent():
    g = build("param x : ()\ny = x ** -1\nobjective y\n", x=4.0)
    assert float(g["y"].value) == 0.25 and float(g["x"].grad) == -1 / 16


def test_a_negative_number_is_a_constant():
    g = build("param x : (3)\ny = sum(x * -2)\nobjective y\n", x=[1.0, 2.0, 3.0])
    assert ops_of(g) == ["scale", "sum"] and float(g["y"].value) == -12.0


@pytest.mark.parametrize("expr,ops,value,grad", [
    ("z + 1", ["add_const"], 4.0, 1.0),
    ("1 + z", ["add_const"], 4.0, 1.0),
    ("z - 1", ["sub_const"], 2.0, 1.0),
    ("2 - z", ["rsub_const"], -1.0, -1.0),
    ("2 * z", ["scale"], 6.0, 2.0),
    ("z / 2", ["div_const"], 1.5, 0.5),
    ("10 / z", ["rdiv_const"], 10 / 3, -10 / 9),
    ("z ** 3", ["pow"], 27.0, 27.0),
    ("z / z", ["div"], 1.0, 0.0),
    ("-z", ["neg"], -3.0, -1.0),
    ("sqrt(z)", ["sqrt"], math.sqrt(3), 0.5 / math.sqrt(3)),
    ("abs(-z)", ["neg", "abs"], 3.0, 1.0),
    ("leaky_relu(-z, 0.1)", ["neg", "leaky_relu"], -0.3, -0.1),
])
def test_each_operator_form_on_a_scalar(expr, ops, value, grad):
    g = build(f"param z : ()\ny = {expr}\nobjective y\n", z=3.0)
    assert ops_of(g) == ops
    assert float(g["y"].value) == pytest.approx(value)
    assert float(g["z"].grad) == pytest.approx(grad)


def test_transpose_by_attribute_and_by_name():
    body = "param A : (2, 3)\nparam B : (2, 3)\nJ = sum(A.T @ B) + sum(transpose(B))\nobjective J\n"
    g = build(body)
    assert ops_of(g).count("transpose") == 2
    A, B = g["A"].value, g["B"].value
    assert float(g["J"].value) == pytest.approx((A.T @ B).sum() + B.sum())


def test_vector_times_batched_rows_is_one_dot_product_per_sample():
    g = cg.loads_spec("dim d = 3\ninput x : (d)\nparam w : (d)\nJ = sum(w @ x)\nobjective J\n",
                      batch=4)
    g.backward()
    x, w = g["x"].value, g["w"].value
    assert g["t1"].shape == (4,) and g["t1"].batched
    assert np.allclose(g["t1"].value, x @ w) and np.allclose(g["w"].grad, x.sum(axis=0))


# ---------------------------------------------------------------- refusals and their hints


def refusal(body: str) -> str:
    with pytest.raises(SpecError) as err:
        cg.loads_spec(body)
    return str(err.value).splitlines()[0]


def test_constant_base_hint_computes_the_same_power():
    msg = refusal("param x : (3)\nJ = sum(2 ** x)\nobjective J\n")
    hint = re.search(r"write (exp\(.*\))\)$", msg).group(1)
    g = build(f"param x : (3)\nJ = sum({hint})\nobjective J\n", x=[0.5, 1.0, 3.0])
    assert float(g["J"].value) == pytest.approx(2 ** 0.5 + 2 + 8)


def test_array_exponent_hint_computes_the_same_power():
    msg = refusal("param x : (3)\nparam y : (3)\nJ = sum(x ** y)\nobjective J\n")
    hint = re.search(r"write (exp\(.*\))$", msg).group(1)
    g = build(f"param x : (3)\nparam y : (3)\nJ = sum({hint})\nobjective J\n",
              x=[0.5, 2.0, 3.0], y=[2.0, 0.5, -1.0])
    assert float(g["J"].value) == pytest.approx(0.25 + 2 ** 0.5 + 1 / 3)


def test_matmul_with_a_constant_suggests_the_scaling_it_means():
    msg = refusal("const c = 2\nparam x : (3)\nJ = sum(c @ x)\nobjective J\n")
    assert msg.endswith("(to multiply by a constant write c * x)")
    build("const c = 2\nparam x : (3)\nJ = sum(c * x)\nobjective J\n")


def test_a_negated_constant_says_where_to_move_the_minus():
    msg = refusal("const c = 2\nparam x : (3)\nJ = sum(-c * x)\nobjective J\n")
    assert "-(c * x) rather than -c * x" in msg
    g = build("const c = 2\nparam x : (3)\nJ = sum(-(c * x))\nobjective J\n", x=[1.0, 1, 1])
    assert float(g["J"].value) == -6.0


def test_two_constants_are_refused_with_a_grouping_that_works():
    msg = refusal("const c = 2\nparam x : (3)\nJ = sum(3 * c * x)\nobjective J\n")
    assert "as in 3 * (c * x)" in msg
    g = build("const c = 2\nparam x : (3)\nJ = sum(3 * (c * x))\nobjective J\n", x=[1.0, 1, 1])
    assert float(g["J"].value) == 18.0


# ---------------------------------------------------------------- the classic scalar examples

MICROGRAD_SANITY = """\
param x : ()
z = 2 * x + 2 + x
q = relu(z) + z * x
h = relu(z * z)
y = h + q + q * x
objective y
"""

MICROGRAD_MORE_OPS = """\
param a : () = -4
param b : () = 2
c = a + b
d = a * b + b ** 3
c2 = c + c + 1
c3 = c2 + 1 + c2 + -a
d2 = d + d * 2 + relu(b + a)
d3 = d2 + 3 * d2 + relu(b - a)
e = c3 - d3
f = e ** 2
h = f / 2.0
g = h + 10.0 / f
objective g
"""


def test_micrograd_sanity_check():
    g = build(MICROGRAD_SANITY, x=-4.0)
    assert float(g["y"].value) == -20.0 and float(g["x"].grad) == 46.0


def test_micrograd_more_ops_from_the_cli(tmp_path):
    """micrograd's test_more_ops in spec syntax, its numbers from `calcgraph trace --json`."""
    path = tmp_path / "more_ops.cg"
    path.write_text(MICROGRAD_MORE_OPS, encoding="utf-8")
    result = CliRunner().invoke(cli, ["trace", str(path), "--json", "--values"])
    assert result.exit_code == 0, result.stderr
    v = {n["id"]: (n["value"], n["grad"]) for n in json.loads(result.output)["nodes"]
         if n["kind"] == "variable"}
    assert abs(v["g"][0] - 24.70408163265306) < 1e-12
    assert abs(v["a"][1] - 138.83381924198252) < 1e-12
    assert abs(v["b"][1] - 645.5772594752186) < 1e-12


SOFTMAX_BY_HAND = """\
dim d = 4, q = 3
input x : (d)
param W : (q, d)
label Y : (q)
o = W @ x
e = exp(o)
p = e / sum(e)
L = -sum(Y * log(p))
objective L
"""

FUSED = """\
dim d = 4, q = 3
input x : (d)
param W : (q, d)
label y : class(q)
o = W @ x
L = cross_entropy(o, y)
objective L
"""


def test_softmax_by_hand_has_the_fused_cross_entropy_gradient():
    rng = np.random.default_rng(5)
    x, W = rng.normal(size=4), rng.normal(size=(3, 4))
    by_hand = build(SOFTMAX_BY_HAND, x=x, W=W, Y=[0.0, 0.0, 1.0])
    fused = build(FUSED, x=x, W=W, y=2)
    assert float(by_hand["L"].value) == pytest.approx(float(fused["L"].value), abs=1e-12)
    assert np.allclose(by_hand["W"].grad, fused["W"].grad, atol=1e-12)
    assert ops_of(by_hand) == ["matmul", "exp", "sum", "div", "log", "mul", "sum", "neg"]

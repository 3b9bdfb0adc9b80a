"""Building graphs: validation errors that say what, where and what was expected."""

from __future__ import annotations

import json

import numpy as np
import pytest

import calcgraph as cg


def small() -> cg.Graph:
    g = cg.Graph("t")
    g.input("x", (4,))
    g.param("W1", (5, 4), label="W^(1)")
    g.param("W2", (3, 5))
    return g


def test_shape_mismatch_names_op_nodes_and_both_shapes():
    g = small()
    g.param("h", (4,))
    with pytest.raises(cg.ShapeError) as err:
        g.apply("matmul", "W2", "h", out="o")
    assert str(err.value).startswith("matmul 'o': W2 has shape (3, 5) but h has shape (4,)")
    assert isinstance(err.value, ValueError) and isinstance(err.value, cg.CalcgraphError)


def test_broadcast_mismatch():
    g = small()
    g.param("b", (3,))
    g.apply("matmul", "W1", "x", out="z")
    with pytest.raises(cg.ShapeError, match=r"add 'u': z has shape \(5,\) but b has shape \(3,\)"):
        g.apply("add", "z", "b", out="u")


def test_duplicate_name():
    g = small()
    with pytest.raises(cg.GraphError, match="duplicate name 'x'"):
        g.apply("relu", "W1", out="x")
    with pytest.raises(cg.GraphError, match="duplicate name 'W1'"):
        g.param("W1", (2,))


def test_undefined_input():
    g = small()
    with pytest.raises(cg.GraphError, match="undefined input 'q'"):
        g.apply("matmul", "W1", "q", out="z")


def test_wrong_number_of_arguments():
    g = small()
    with pytest.raises(cg.GraphError, match=r"got 1 argument\(s\) \(expected 2 operand"):
        g.apply("matmul", "W1", out="z")


def test_cycle_is_reported_with_its_path():
    g = small()
    eqs = [{"out": "a", "op": "relu", "args": ["b"]}, {"out": "b", "op": "relu", "args": ["a"]}]
    with pytest.raises(cg.GraphError, match="cycle: a → b → a"):
        cg.build(g, eqs)


def test_build_sorts_equations_given_out_of_order():
    g = small()
    cg.build(g, [{"out": "h", "op": "relu", "args": ["z"]},
                 {"out": "z", "op": "matmul", "args": ["W1", "x"]}])
    assert [n.output.name for n in g.operators] == ["z", "h"]


def test_objective_must_be_scalar_and_computed():
    g = small()
    g.apply("matmul", "W1", "x", out="z")
    with pytest.raises(cg.GraphError, match=r"objective 'z' has shape \(5,\)"):
        g.set_objective("z")
    with pytest.raises(cg.GraphError, match="no objective"):
        g.backward()


def test_missing_value_is_reported_before_forward():
    g = small()
    g.apply("matmul", "W1", "x", out="z")
    with pytest.raises(cg.GraphError, match=r"input 'x' has no value \(expected an array of shape"):
        g.forward()


def test_set_checks_shape_and_refuses_computed_nodes():
    g = cg.mlp()
    with pytest.raises(cg.GraphError, match=r"set 'x': got shape \(3,\) \(expected \(4,\)\)"):
        g.set("x", [1.0, 2.0, 3.0])
    with pytest.raises(cg.GraphError, match="computed by 'mul1'"):
        g.set("z", np.zeros(5))


def test_float_label_for_cross_entropy_is_refused():
    g = cg.Graph()
    g.input("o", (3,))
    g.label_input("y", ())
    with pytest.raises(cg.ShapeError, match="expected integer class indices"):
        g.apply("cross_entropy", "o", "y", out="L")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_forward_value_is_reported_with_node_and_pass(bad):
    g = cg.mlp()
    x = g["x"].value.copy()
    x[0] = bad
    g.set("x", x)
    with pytest.raises(cg.NumericError, match=r"forward pass: (NaN|Inf) in 'z' = matmul\(W1, x\)"):
        g.forward()


def test_non_finite_backward_value_is_reported():
    g = cg.Graph("logs")
    g.param("a", (3,), value=[1.0, 1e-320, 2.0])  # log is finite there, 1/a is not
    g.apply("log", "a", out="la")
    g.apply("sum", "la", out="J")
    g.set_objective("J")
    assert np.isfinite(g.forward()["J"].value)
    with pytest.raises(cg.NumericError, match=r"backward pass: Inf in ∂J/∂a via 'log_la' \(step 3\)"):
        g.backward()
    g.backward(check="none")  # the check can be turned off, and then the Inf is there to see
    assert np.isinf(g["a"].grad[1])


def test_json_schema_top_level():
    g = cg.mlp(batch=2).backward()
    d = json.loads(g.to_json())
    assert d["calcgraph"] == 1 and d["objective"] == "J" and d["batch"] == 2
    assert len(d["nodes"]) == 16 and len(d["edges"]) == 17
    w1 = next(n for n in d["nodes"] if n["id"] == "W1")
    assert w1["shape"] == w1["grad_shape"] == [5, 4] and len(w1["grad"]) == 5
    rec = next(r for r in d["backward"] if r["target"] == "h")
    assert rec["code"] == "dJ_dh = dJ_do @ W2" and rec["shapes"] == "(2, 5) = (2, 3) @ (3, 5)"
    assert rec["operands"] == [{"name": "dJ_do", "shape": [2, 3]},
                               {"name": "W2", "shape": [3, 5]}]
    assert d["constants"] == [{"name": "lam", "label": "λ", "label_text": "λ", "value": 0.1}]


def test_json_is_byte_identical_on_rerun():
    assert cg.mlp(batch=3).backward().to_json() == cg.mlp(batch=3).backward().to_json()


def test_nan_in_json_is_a_string():
    g = cg.mlp()
    x = g["x"].value.copy()
    x[1] = np.nan
    g.set("x", x)
    g.forward(check="none")
    d = json.loads(g.to_json())
    assert next(n for n in d["nodes"] if n["id"] == "x")["value"][1] == "NaN"

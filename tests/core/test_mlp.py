"""The d2l MLP: structure as in the figure, gradients as the d2l chapter's closed forms and torch's."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import mismatches

import calcgraph as cg

FIGURE_VARIABLES = {"x", "W1", "z", "h", "W2", "o", "y", "L", "s", "J"}
FIGURE_OPERATORS = {"mul1": "×", "phi": "ϕ", "mul2": "×", "l": "l", "l2": "ℓ_2", "plus": "+"}
FIGURE_EDGES = {
    ("x", "mul1"), ("W1", "mul1"), ("mul1", "z"), ("z", "phi"), ("phi", "h"), ("h", "mul2"),
    ("W2", "mul2"), ("mul2", "o"), ("o", "l"), ("y", "l"), ("l", "L"), ("W1", "l2"),
    ("W2", "l2"), ("l2", "s"), ("s", "plus"), ("L", "plus"), ("plus", "J"),
}


def relu_prime(z):
    return (z > 0).astype(z.dtype)


def softmax(o):
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("batch", [None, 8])
def test_structure_is_the_figure(batch):
    g = cg.mlp(batch=batch)
    assert {v.name for v in g.variables} == FIGURE_VARIABLES
    assert {n.name: n.symbol for n in g.operators} == FIGURE_OPERATORS
    assert len(g.nodes) == 16 and len(g.edges) == 17
    assert set(g.edges) == FIGURE_EDGES
    roles = {v.name: v.role for v in g.variables}
    assert roles == {"x": "input", "W1": "param", "W2": "param", "y": "label", "z": "intermediate",
                     "h": "intermediate", "o": "intermediate", "L": "intermediate",
                     "s": "intermediate", "J": "objective"}
    assert [n.kind for n in g.variables] == ["variable"] * 10
    assert g["W1"].label == "W^(1)" and g.constants["lam"].label == "λ"


def test_shapes_single_and_batch():
    g = cg.mlp(d=4, h=5, q=3)
    assert (g["x"].shape, g["z"].shape, g["o"].shape, g["y"].shape) == ((4,), (5,), (3,), ())
    gb = cg.mlp(d=4, h=5, q=3, batch=8)
    assert (gb["x"].shape, gb["z"].shape, gb["o"].shape, gb["y"].shape) == \
        ((8, 4), (8, 5), (8, 3), (8,))
    assert gb["o"].batched and not gb["W1"].batched


def test_library_surface_from_the_issue():
    g = cg.mlp(d=4, h=5, q=3, lam=0.1, seed=0)
    g.forward()
    g.backward()
    assert g["W1"].value.shape == g["W1"].grad.shape == (5, 4)
    assert g["o"].shape == (3,)
    assert [v.name for v in g.variables][:4] == ["x", "W1", "W2", "y"]
    assert all(n.kind == "operator" and n.op for n in g.operators)
    assert '"backward"' in g.to_json()


def test_values_are_deterministic_from_the_seed():
    a, b, c = cg.mlp(seed=3), cg.mlp(seed=3), cg.mlp(seed=4)
    assert np.array_equal(a["W1"].value, b["W1"].value)
    assert not np.array_equal(a["W1"].value, c["W1"].value)
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("batch", [None, 6])
def test_gradients_equal_the_seed_closed_forms(batch, activation):
    lam = 0.1
    g = cg.mlp(d=4, h=5, q=3, lam=lam, batch=batch, activation=activation, seed=2).backward()
    x, W1, W2, y = (g[n].value for n in ("x", "W1", "W2", "y"))
    z = x @ W1.T if batch else W1 @ x
    phi = {"relu": lambda t: np.maximum(t, 0), "tanh": np.tanh,
           "sigmoid": lambda t: 1 / (1 + np.exp(-t))}[activation]
    dphi = {"relu": relu_prime, "tanh": lambda t: 1 - np.tanh(t) ** 2,
            "sigmoid": lambda t: phi(t) * (1 - phi(t))}[activation]
    h = phi(z)
    o = h @ W2.T if batch else W2 @ h
    n = batch or 1
    onehot = np.eye(3)[y]
    dJ_do = (softmax(o) - onehot) / n  # ∂J/∂o = ∂L/∂o since ∂J/∂L = 1
    if batch:  # the code form: rows are samples, sums over rows
        dJ_dh = dJ_do @ W2
        dJ_dz = dJ_dh * dphi(z)
        dJ_dW2 = dJ_do.T @ h + lam * W2
        dJ_dW1 = dJ_dz.T @ x + lam * W1
    else:  # the d2l chapter's math form
        dJ_dh = W2.T @ dJ_do
        dJ_dz = dJ_dh * dphi(z)
        dJ_dW2 = np.outer(dJ_do, h) + lam * W2
        dJ_dW1 = np.outer(dJ_dz, x) + lam * W1
    for name, want in {"o": dJ_do, "h": dJ_dh, "z": dJ_dz, "W2": dJ_dW2, "W1": dJ_dW1}.items():
        assert np.allclose(g[name].grad, want, rtol=1e-10, atol=1e-12), name
        assert g[name].grad.shape == g[name].shape
    assert g["L"].grad == 1 and g["s"].grad == 1 and g["J"].grad == 1
    assert g["x"].grad is None  # nobody needs ∂J/∂x by default...
    assert g["x"].grad_shape == g["x"].shape  # ...but its shape is known


def test_input_gradient_on_request():
    g = cg.mlp(batch=3, seed=1).backward(inputs=True)
    assert g["x"].grad.shape == (3, 4)
    assert np.allclose(g["x"].grad, g["z"].grad @ g["W1"].value)


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_loss"])
@pytest.mark.parametrize("batch", [None, 4])
def test_whole_graph_finite_differences(batch, loss):
    g = cg.mlp(d=3, h=4, q=2, batch=batch, loss=loss, activation="tanh", seed=5)
    names = ["W1", "W2", "x"] + (["y"] if loss == "squared_loss" else [])
    assert mismatches(g, names) == []


def test_two_paths_are_recorded_then_summed():
    g = cg.mlp().backward()
    w1 = [s for s in g.steps if s.target.name == "W1"]
    assert [s.kind for s in w1] == ["vjp", "vjp", "sum"]
    assert {s.via.name for s in w1[:2]} == {"l2", "mul1"}
    assert np.allclose(w1[0].value + w1[1].value, w1[2].value)
    assert w1[2].terms == (w1[0].index, w1[1].index)
    assert g.steps[0].kind == "seed" and g.steps[0].target.name == "J"


def test_float32_stays_float32():
    g = cg.mlp(batch=4, dtype="float32").backward()
    assert all(v.value.dtype == np.float32 for v in g.variables if not v.integer)
    assert all(v.grad.dtype == np.float32 for v in g.variables if v.grad is not None)


def test_changing_an_input_reruns_forward_on_backward():
    g = cg.mlp().backward()
    before = g["W1"].grad.copy()
    g["x"].value = g["x"].value * 2
    g.backward()
    assert not np.allclose(before, g["W1"].grad)


@pytest.mark.parametrize("batch", [None, 8])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_loss"])
def test_gradients_equal_pytorch_autograd(batch, loss):
    # Imported here, not at module level: a module-level skip would hide every other test.
    torch = pytest.importorskip("torch", reason="torch not installed; "
                                "`pip install torch==2.13.0` enables the autograd oracle")
    g = cg.mlp(d=6, h=7, q=4, lam=0.05, batch=batch, loss=loss, activation="sigmoid",
               seed=11).backward()
    t = {n: torch.tensor(g[n].value, requires_grad=n in ("W1", "W2")) for n in ("x", "W1", "W2")}
    x, W1, W2 = t["x"], t["W1"], t["W2"]
    z = x @ W1.T if batch else W1 @ x
    o = torch.sigmoid(z) @ W2.T if batch else W2 @ torch.sigmoid(z)
    y = torch.tensor(g["y"].value)
    if loss == "cross_entropy":
        L = torch.nn.functional.cross_entropy(o if batch else o[None], y if batch else y[None])
    else:
        L = 0.5 * ((o - y) ** 2).sum() / (batch or 1)
    J = L + 0.05 / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    J.backward()
    assert np.isclose(g["J"].value, J.item(), rtol=1e-12)
    assert np.allclose(g["W1"].grad, W1.grad.numpy(), rtol=1e-10, atol=1e-13)
    assert np.allclose(g["W2"].grad, W2.grad.numpy(), rtol=1e-10, atol=1e-13)

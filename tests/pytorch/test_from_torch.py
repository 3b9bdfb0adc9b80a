"""calcgraph.from_torch: PyTorch code imported as calcgraph ops, checked against autograd."""

from __future__ import annotations

import numpy as np
import pytest
from graphs import reference_cells

import calcgraph as cg
from calcgraph.figure.layout import layout

try:
    import torch
except ImportError:  # each test skips with the reason below (tests/pytorch/test_no_torch.py
    torch = None     # checks what a user without torch sees)
nn, F = (torch.nn, torch.nn.functional) if torch is not None else (None, None)


@pytest.fixture(autouse=True)
def needs_torch():
    if torch is None:
        pytest.skip("torch not installed; `pip install torch==2.13.0` enables the PyTorch "
                    "importer's tests")

# d2l's names for the nodes the importer calls u1, h1, … (the figure's CSV uses these ids).
D2L = {"0.weight": "W1", "2.weight": "W2", "u1": "z", "h1": "h", "u2": "o", "L1": "L",
       "s1": "s"}


def d2l_mlp(lam: float = 0.1, bias: bool = False, act: str = "ReLU"):
    torch.manual_seed(0)
    act = getattr(nn, act)
    net = nn.Sequential(nn.Linear(4, 5, bias=bias), act(), nn.Linear(5, 3, bias=bias)).double()

    def objective(x, y):
        penalty = net[0].weight.pow(2).sum() + net[2].weight.pow(2).sum()
        return F.cross_entropy(net(x), y) + lam / 2 * penalty

    return net, objective


def data(batch: int | None, d: int = 4, q: int = 3):
    g = torch.Generator().manual_seed(1)
    if batch is None:
        return torch.randn(d, dtype=torch.float64, generator=g), torch.tensor(1)
    return (torch.randn(batch, d, dtype=torch.float64, generator=g),
            torch.randint(0, q, (batch,), generator=g))


def autograd(fn, params: dict, *inputs):
    for p in params.values():
        p.grad = None
    loss = fn(*inputs)
    loss.backward()
    return loss.item(), {k: p.grad.numpy() for k, p in params.items()}


def assert_same_as_torch(g, fn, params: dict, *inputs, names: dict | None = None):
    value, grads = autograd(fn, params, *inputs)
    g.backward()
    assert g.objective.value == pytest.approx(value, rel=1e-12, abs=1e-14)
    for key, grad in grads.items():
        node = g[(names or {}).get(key, key)]
        np.testing.assert_allclose(node.grad, grad, rtol=1e-10, atol=1e-13, err_msg=key)


@pytest.mark.parametrize("batch", [None, 8])
def test_d2l_mlp_is_the_figure_node_for_node(batch):
    net, objective = d2l_mlp()
    g = cg.from_torch(objective, *data(batch), names={**D2L, "J": "J"})
    ref = cg.mlp(batch=batch)
    assert (len(g.variables), len(g.operators), len(g.edges)) == (10, 6, 17)
    ops = [(n.op.name, [v.name for v in n.inputs], n.output.name) for n in g.operators]
    assert ops == [(n.op.name, [v.name for v in n.inputs], n.output.name) for n in ref.operators]
    # The same grid as calcgraph's own MLP: operators are named after their outputs here.
    by_output = {n.name: n.output.name for n in ref.operators}
    mine = {n.output.name: n.name for n in g.operators}
    cells = layout(g.to_dict(values=False)).cells
    want = reference_cells()
    got = {k: cells[mine[by_output[k]]] if k in by_output else cells[k] for k in want}
    assert got == want
    assert_same_as_torch(g, objective, dict(net.named_parameters()), *data(batch), names=D2L)
    assert g["W1"].label == "W^(1)" and g["W2"].label == "W^(2)"


def test_d2l_mlp_traces_the_same_twelve_steps():
    _, objective = d2l_mlp()
    g = cg.from_torch(objective, *data(8), names=D2L).backward()
    ref = cg.mlp(batch=8).backward()
    assert len(g.steps) == len(ref.steps) == 12
    assert [(s.kind, s.target.name) for s in g.steps] == [(s.kind, s.target.name)
                                                           for s in ref.steps]


@pytest.mark.parametrize("batch", [None, 6])
@pytest.mark.parametrize("act", ["Sigmoid", "Tanh"])
def test_two_layer_mlp_with_biases(batch, act):
    torch.manual_seed(2)
    act = getattr(nn, act)
    net = nn.Sequential(nn.Linear(4, 6), act(), nn.Linear(6, 3)).double()

    def objective(x, y):
        return F.cross_entropy(net(x), y)

    g = cg.from_torch(objective, *data(batch))
    assert {n.op.name for n in g.operators} >= {"matmul", "add", "cross_entropy"}
    assert not any(n.op.name not in cg.OPS for n in g.operators), "everything maps to the table"
    assert_same_as_torch(g, objective, dict(net.named_parameters()), *data(batch))


def test_softmax_regression_module_and_mse():
    torch.manual_seed(3)
    lin = nn.Linear(4, 3).double()
    x, y = data(5)
    g = cg.from_torch(lambda x, y: F.cross_entropy(lin(x), y), x, y)
    assert_same_as_torch(g, lambda x, y: F.cross_entropy(lin(x), y), dict(lin.named_parameters()),
                         x, y)
    target = torch.randn(5, 3, dtype=torch.float64)
    g = cg.from_torch(lambda x, t: F.mse_loss(lin(x), t), x, target)
    assert g["t"].role == "label"
    assert_same_as_torch(g, lambda x, t: F.mse_loss(lin(x), t), dict(lin.named_parameters()),
                         x, target)


def micrograd_more_ops(a, b):
    """micrograd's test_more_ops, as written there."""
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g


def test_micrograd_scalar_code():
    a = torch.tensor(-4.0, dtype=torch.float64)
    b = torch.tensor(2.0, dtype=torch.float64)
    g = cg.from_torch(micrograd_more_ops, a, b).backward(inputs=True)
    assert g.objective.value == pytest.approx(24.70408163265306, abs=1e-12)
    assert g["a"].grad == pytest.approx(138.83381924198252, abs=1e-12)
    assert g["b"].grad == pytest.approx(645.5772594752186, abs=1e-12)


def test_unknown_op_is_an_opaque_node_and_the_rest_still_works(tmp_path):
    torch.manual_seed(4)
    net = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Linear(6, 3)).double()

    def objective(x, t):
        return F.mse_loss(torch.erf(net(x)), t)

    x, t = data(5)[0], torch.randn(5, 3, dtype=torch.float64)
    g = cg.from_torch(objective, x, t)
    opaque = [n for n in g.operators if n.op.name not in cg.OPS]
    assert {n.op.name for n in opaque} >= {"erf", "nat"}  # erf and native_layer_norm
    assert_same_as_torch(g, objective, dict(net.named_parameters()), x, t)
    dot = g.to_dot()
    assert ">erf<" in dot or '"erf"' in dot or "erf" in dot
    text = g.trace().text(width=100)
    assert "PyTorch autograd" in text
    path = g.render(str(tmp_path / "opaque.svg"))
    with open(path, encoding="utf-8") as fh:
        assert "erf" in fh.read()


def test_parameters_named_by_module_path_and_labelled_like_d2l():
    _, objective = d2l_mlp(bias=True)
    g = cg.from_torch(objective, *data(4))
    assert {v.name for v in g.leaves("param")} == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert [g[k].label for k in ("0.weight", "0.bias", "2.weight", "2.bias")] == [
        "W^(1)", "b^(1)", "W^(2)", "b^(2)"]
    plain = cg.from_torch(objective, *data(4), labels="names")
    assert plain["0.weight"].label == "0.weight"
    with pytest.raises(cg.UsageError, match="unknown labels"):
        cg.from_torch(objective, *data(4), labels="fancy")


def test_a_function_that_returns_no_scalar_is_refused():
    with pytest.raises(cg.ModelError, match="expected a scalar loss"):
        cg.from_torch(lambda x: x * 2, torch.randn(3, dtype=torch.float64))
    with pytest.raises(cg.ModelError, match="expected a tensor"):
        cg.from_torch(lambda x: x.sum(), [1.0, 2.0])


def test_numpy_lines_use_identifiers_for_module_paths():
    _, objective = d2l_mlp()
    g = cg.from_torch(objective, *data(4)).backward()
    text = g.trace().text(width=120)
    assert "dJ_d_0_weight = dJ_ds1 * lam * _0_weight" in text
    assert "0.weight.T" not in text and "dJ_d0.weight" not in text


def test_torch_check_covers_opaque_nodes():
    torch.manual_seed(5)
    lin = nn.Linear(3, 2).double()
    g = cg.from_torch(lambda x: torch.erf(lin(x)).sum(), torch.randn(4, 3, dtype=torch.float64))
    result = g.check(torch=True)
    assert result.ok, result


def _closure_models():
    """d2l's from-scratch style: bare tensors with requires_grad in the closure."""
    g = torch.Generator().manual_seed(7)
    W = torch.randn(3, 4, dtype=torch.float64, generator=g, requires_grad=True)
    w = torch.randn(3, dtype=torch.float64, generator=g, requires_grad=True)
    return {
        "transpose": (lambda x: (x @ W.T).sum(), torch.randn(2, 4, dtype=torch.float64)),
        "reshape": (lambda x: (W.reshape(12) * x).sum(), torch.randn(12, dtype=torch.float64)),
        "slice": (lambda x: (W[:, :2] @ x).sum(), torch.randn(2, dtype=torch.float64)),
        "erf": (lambda x: torch.erf(w * x).sum(), torch.randn(3, dtype=torch.float64)),
    }, {"W": W, "w": w}


@pytest.mark.parametrize("case", ["transpose", "reshape", "slice", "erf"])
def test_bare_tensors_with_requires_grad_are_parameters(case):
    models, leaves = _closure_models()
    fn, x = models[case]
    g = cg.from_torch(fn, x)
    params = {v.name for v in g.leaves("param")}
    assert params and params <= set(leaves)
    assert_same_as_torch(g, fn, {k: leaves[k] for k in params}, x)
    assert g.check(torch=True).ok


def test_an_opaque_call_keeps_a_constant_tensor_in_its_place():
    # c is read before the operand x: the opaque node must put x in x's slot (it used to
    # put x in c's and compute x * x)
    c = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)
    x = torch.tensor([0.3, 0.1, -0.7], dtype=torch.float64)
    g = cg.from_torch(lambda x: torch.erf(torch.atan2(c, x)).sum(), x)
    g.forward()
    assert g.objective.value == pytest.approx(torch.erf(torch.atan2(c, x)).sum().item())
    g.backward(inputs=True)
    xg = x.clone().requires_grad_(True)
    torch.erf(torch.atan2(c, xg)).sum().backward()
    np.testing.assert_allclose(g["x"].grad, xg.grad.numpy(), rtol=1e-12)
    assert g.check(torch=True, inputs=True).ok


def test_a_list_of_tensors_is_refused_by_name():
    w = torch.randn(3, dtype=torch.float64, requires_grad=True)
    with pytest.raises(cg.ModelError, match="cat reads a list of tensors"):
        cg.from_torch(lambda x: torch.cat([w, x]).pow(2).sum(), torch.randn(2).double())


def test_torch_check_of_a_graph_without_parameters():
    g = cg.from_torch(lambda x: x.exp().sum(), torch.randn(3, dtype=torch.float64))
    assert g.check(torch=True).ok


def test_integer_data_is_refused_as_a_model_error_naming_the_tensors():
    a, b = torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])
    with pytest.raises(cg.ModelError, match=r"reads the integer tensor\(s\) a, b as numbers "
                                            r"\(expected float tensors, e\.g\. x\.double\(\)"):
        cg.from_torch(lambda a, b: (a * b).sum(), a, b)

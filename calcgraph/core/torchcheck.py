"""The graph rebuilt in PyTorch (float64) from its equations: values and gradients compared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.core import engine
from calcgraph.errors import MissingDependency, UnknownOpError

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph

RTOL = 1e-7  # both sides compute in float64, only in a different order
ATOL = 1e-9
INSTALL = "pip install 'calcgraph[torch]' or pip install torch; CPU wheels: pip install " \
          "torch --index-url https://download.pytorch.org/whl/cpu"


@dataclass(frozen=True)
class TorchCheck:
    """One variable: calcgraph's value and gradient against torch autograd's."""

    node: str
    shape: tuple[int, ...]
    value_error: float  # max |calcgraph − torch| of the value
    grad_error: float | None  # of the gradient; None where calcgraph computes none
    ok: bool

    def to_dict(self) -> dict:
        return {"node": self.node, "shape": list(self.shape), "value_error": self.value_error,
                "grad_error": self.grad_error, "ok": self.ok}


def _ce(torch: Any, o: Any, y: Any) -> Any:
    if o.ndim == 1:
        return torch.logsumexp(o, 0) - o[y]
    return torch.nn.functional.cross_entropy(o, y)


def _mean_ce(torch: Any, *args: Any) -> Any:
    t = len(args) // 2
    return sum(_ce(torch, o, y) for o, y in zip(args[:t], args[t:])) / t


def _rows(a: Any, b: Any) -> Any:
    return b @ a.T


# One torch form per op of the table, keyed by its name; each gets (torch, mode, *operands,
# *constants). The proposal in docs/check.md: a `torch` field on the op record instead.
FORMS: dict[str, Callable[..., Any]] = {
    "matmul": lambda t, m, a, b: _rows(a, b) if m == "rows" else a @ b,
    "add": lambda t, m, a, b: a + b,
    "sub": lambda t, m, a, b: a - b,
    "mul": lambda t, m, a, b: a * b,
    "scale": lambda t, m, x, c: c * x,
    "relu": lambda t, m, x: t.relu(x),
    "sigmoid": lambda t, m, x: t.sigmoid(x),
    "tanh": lambda t, m, x: t.tanh(x),
    "exp": lambda t, m, x: t.exp(x),
    "log": lambda t, m, x: t.log(x),
    "sum": lambda t, m, x: x.sum(),
    "mean": lambda t, m, x: x.mean(),
    "cross_entropy": lambda t, m, o, y: _ce(t, o, y),
    "rnn_cell": lambda t, m, whx, x, whh, h: (x @ whx.T + h @ whh.T if m == "rows"
                                               else whx @ x + whh @ h),
    "mean_cross_entropy": lambda t, m, *args: _mean_ce(t, *args),
    "squared_loss": lambda t, m, o, y: 0.5 * ((o - y) ** 2).sum() / (o.shape[0] if
                                                                      m == "batch" else 1),
    "l2": lambda t, m, *args: args[-1] / 2 * sum((w ** 2).sum() for w in args[:-1]),
}


def _form(op: Any) -> Callable[..., Any] | None:
    """The op record's own torch form when it has one (the proposed field), else the table's."""
    return getattr(op, "torch", None) or FORMS.get(op.name)


def import_torch() -> Any:
    """torch, or a MissingDependency saying how to install it."""
    try:
        import torch
    except ImportError:
        raise MissingDependency(f"--torch needs PyTorch, which is not installed ({INSTALL})"
                                ) from None
    return torch


def compare_with_torch(graph: Graph, *, inputs: bool = False, rtol: float = RTOL,
                       atol: float = ATOL) -> list[TorchCheck]:
    """Rebuild graph in torch from its equations, run autograd, compare every variable."""
    torch = import_torch()
    missing = sorted({n.op.name for n in graph.operators if _form(n.op) is None})
    if missing:
        raise UnknownOpError(f"--torch: no torch form for op(s) {missing} yet (known: "
                             f"{sorted(FORMS)})")
    engine.backward(graph, inputs=inputs, keep="all")  # every gradient, every step
    env: dict[str, Any] = {}
    for v in graph.leaves():
        dtype = torch.long if v.integer else torch.float64
        env[v.name] = torch.tensor(np.asarray(v.value), dtype=dtype,
                                   requires_grad=v.grad is not None)
    for node in graph.operators:
        args = [env[u.name] for u in node.inputs]
        out = _form(node.op)(torch, node.mode, *args, *node.param_values())
        if out.requires_grad:
            out.retain_grad()
        env[node.output.name] = out
    env[graph.objective.name].backward()
    return [_row(v, env[v.name], rtol, atol) for v in graph.variables if not v.integer]


def _row(v: Any, t: Any, rtol: float, atol: float) -> TorchCheck:
    ours = np.asarray(v.value, np.float64)
    theirs = t.detach().numpy()
    value_error = float(np.max(np.abs(ours - theirs), initial=0.0))
    ok = ours.shape == theirs.shape and np.allclose(ours, theirs, rtol=rtol, atol=atol)
    grad_error = None
    if v.grad is not None:
        tg = t.grad.numpy() if t.grad is not None else np.zeros(v.shape)
        g = np.asarray(v.grad, np.float64)
        grad_error = float(np.max(np.abs(g - tg), initial=0.0))
        ok = ok and g.shape == tg.shape and np.allclose(g, tg, rtol=rtol, atol=atol)
    return TorchCheck(v.name, v.shape, value_error, grad_error, bool(ok))

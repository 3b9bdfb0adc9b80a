"""The graph rebuilt in PyTorch (float64) from its equations: values and gradients compared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.core import engine
from calcgraph.core.ops import OPS
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
    # Each op record carries its torch form (core/record.py); an importer's one-off
    # record (from_torch's opaque nodes) may lack one.
    missing = sorted({n.op.name for n in graph.operators if n.op.torch is None})
    if missing:
        raise UnknownOpError(f"--torch: no torch form for op(s) {missing} yet (known: "
                             f"{sorted(name for name, op in OPS.items() if op.torch)})")
    engine.backward(graph, inputs=inputs, keep="all")  # every gradient, every step
    env: dict[str, Any] = {}
    for v in graph.leaves():
        dtype = torch.long if v.integer else torch.float64
        env[v.name] = torch.tensor(np.asarray(v.value), dtype=dtype,
                                   requires_grad=v.grad is not None)
    for node in graph.operators:
        args = [env[u.name] for u in node.inputs]
        out = node.op.torch(torch, node.mode, *args, *node.param_values())
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

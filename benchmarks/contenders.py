"""Optional contenders, PyTorch CPU and JAX, each used only when it is installed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def torch_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return str(torch.__version__)


def jax_version() -> str | None:
    try:
        import jax
    except ImportError:
        return None
    return str(jax.__version__)


def torch_mlp(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray],
              lam: float) -> Callable[[], list]:
    """Forward + backward of the same objective in PyTorch eager mode on the CPU."""
    import torch

    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    ws = [torch.from_numpy(w.copy()).requires_grad_() for w in weights]

    def run() -> list:
        h = tx
        for w in ws[:-1]:
            h = torch.relu(h @ w.T)
        loss = torch.nn.functional.cross_entropy(h @ ws[-1].T, ty)
        J = loss + 0.5 * lam * sum((w * w).sum() for w in ws)
        return list(torch.autograd.grad(J, ws))

    return run


def jax_mlp(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray],
            lam: float) -> Callable[[], list]:
    """The same objective under jax.jit(jax.grad), compiled before timing."""
    import jax
    import jax.numpy as jnp

    def objective(ws, x, y):
        h = x
        for w in ws[:-1]:
            h = jnp.maximum(h @ w.T, 0)
        o = h @ ws[-1].T
        lse = jax.nn.logsumexp(o, axis=1)
        loss = jnp.mean(lse - jnp.take_along_axis(o, y[:, None], axis=1)[:, 0])
        return loss + 0.5 * lam * sum(jnp.vdot(w, w) for w in ws)

    grad = jax.jit(jax.grad(objective))
    jws, jx, jy = [jnp.asarray(w) for w in weights], jnp.asarray(x), jnp.asarray(y)

    def run() -> list:
        return jax.block_until_ready(grad(jws, jx, jy))

    return run


def torch_chain(x: np.ndarray, params: list[np.ndarray | None], cycle: tuple[str, ...],
                scale: float) -> Callable[[], object]:
    """The op chain in PyTorch eager mode, all parameters requiring gradients."""
    import torch

    tx = torch.from_numpy(x.copy()).requires_grad_()
    tps = [None if p is None else torch.from_numpy(p.copy()).requires_grad_() for p in params]
    leaves = [tx, *(p for p in tps if p is not None)]

    def run() -> object:
        v = tx
        for i, p in enumerate(tps):
            kind = cycle[i % len(cycle)]
            if kind == "tanh":
                v = torch.tanh(v)
            elif kind == "sigmoid":
                v = torch.sigmoid(v)
            elif kind == "mul":
                v = v * p
            elif kind == "add":
                v = v + p
            else:
                v = scale * v
        return torch.autograd.grad(v.sum(), leaves)

    return run

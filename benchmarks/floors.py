"""The floors: plain numpy forward + backward of the MLP objective, the same math with no waste."""

from __future__ import annotations

import numpy as np


def mlp_floor(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray],
              lam: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """J = CE(W_L relu(… relu(W_1 x)), y) + λ/2 Σ‖W_i‖², and ∂J/∂W_i, for batched rows x.

    Any depth: two weights is the d2l MLP. Softmax is kept from forward for backward,
    updates are in place, and nothing that backward does not read is computed.
    """
    n = x.shape[0]
    hs, zs = [x], []
    for w in weights[:-1]:
        z = hs[-1] @ w.T
        zs.append(z)
        hs.append(np.maximum(z, 0))
    o = hs[-1] @ weights[-1].T
    m = o.max(axis=1, keepdims=True)
    e = np.exp(o - m)
    se = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = (np.log(se[:, 0]) + m[:, 0] - o[rows, y]).mean()
    J = loss + 0.5 * lam * sum(np.vdot(w, w) for w in weights)
    g = e  # ∂J/∂o = (softmax(o) − onehot(y)) / n, built in place in the forward's exp
    g /= se
    g[rows, y] -= 1
    g *= 1.0 / n
    grads: list[np.ndarray] = [g] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        w = weights[i]
        dw = g.T @ hs[i]
        dw += lam * w
        grads[i] = dw
        if i:
            g = g @ w
            g *= zs[i - 1] > 0
    return J, grads


CHAIN_CYCLE = ("tanh", "mul", "sigmoid", "add", "scale")
SCALE = 4.0


def chain_floor(x: np.ndarray, params: list[np.ndarray | None]) -> tuple[float, np.ndarray]:
    """J = Σ v_k for the op chain v_{i+1} = op_i(v_i[, p_i]); returns J and ∂J/∂x.

    The hand-written loop an engineer would write: one forward loop keeping what each
    derivative reads, then one reversed loop. Parameter gradients are computed too.
    """
    saved = []
    v = x
    for i, p in enumerate(params):
        kind = CHAIN_CYCLE[i % len(CHAIN_CYCLE)]
        if kind == "tanh":
            v = np.tanh(v)
            saved.append(v)
        elif kind == "sigmoid":
            v = 0.5 * (np.tanh(0.5 * v) + 1.0)
            saved.append(v)
        elif kind == "mul":
            saved.append(v)
            v = v * p
        elif kind == "add":
            saved.append(None)
            v = v + p
        else:
            saved.append(None)
            v = SCALE * v
    J = v.sum()
    g = np.ones_like(v)
    pgrads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        kind, s, p = CHAIN_CYCLE[i % len(CHAIN_CYCLE)], saved[i], params[i]
        if kind == "tanh":
            g = g * (1 - s * s)
        elif kind == "sigmoid":
            g = g * s * (1 - s)
        elif kind == "mul":
            pgrads[i] = g * s
            g = g * p
        elif kind == "add":
            pgrads[i] = g
        else:
            g = SCALE * g
    return J, g

"""Kernels of the op table (forwards and VJPs that need more than one line) and the input
domains its gradient tests draw from. VJPs take (g, ans, *operands, *constants)."""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------- log-sum-exp and softmax

# numpy reduces along a short last axis slowly (40 µs for the max over 10 classes of 256
# rows, 1.5 µs on the transposed copy); past this many classes the copy costs more.
_FEW_CLASSES = 32


def lse_single(o):
    m = o.max()
    return np.log(np.exp(o - m).sum()) + m


def lse_batch(o):
    if o.shape[1] <= _FEW_CLASSES:  # reduce the transposed copy: vectorized across samples
        t = o.T.copy()
        m = t.max(axis=0)
        t -= m
        np.exp(t, out=t)
        lse = np.log(t.sum(axis=0))
    else:
        m = o.max(axis=1)
        lse = np.log(np.exp(o - m[:, None]).sum(axis=1))
    lse += m
    return lse


# ---------------------------------------------------------------- cross-entropy


def ce_single(o, y):
    """(loss, log-sum-exp): the residual spares the VJP the max, exp-sum and log."""
    lse = lse_single(o)
    return lse - o[y], lse


def ce_batch(o, y):
    lse = lse_batch(o)
    return (lse - o[np.arange(o.shape[0]), y]).sum() / o.shape[0], lse


def ce_forward_single(o, y):
    return ce_single(o, y)[0]


def ce_forward_batch(o, y):
    return ce_batch(o, y)[0]


def ce_vjp_single(g, ans, o, y, res=None):
    p = np.exp(o - (lse_single(o) if res is None else res))  # softmax(o)
    p[y] -= 1
    p *= g
    return p


def ce_vjp_batch(g, ans, o, y, res=None):
    p = np.exp(o - (lse_batch(o) if res is None else res)[:, None])  # softmax(o), row-wise
    p[np.arange(o.shape[0]), y] -= 1
    p *= g / o.shape[0]
    return p


def mce_forward(*args):
    t = len(args) // 2
    ce = ce_forward_batch if args[0].ndim == 2 else ce_forward_single
    return np.asarray(sum(ce(o, y) for o, y in zip(args[:t], args[t:])) / t)


def mce_vjp(i: int):
    def vjp(g, ans, *args):
        t = len(args) // 2
        o, y = args[i], args[i + t]
        ce = ce_vjp_batch if o.ndim == 2 else ce_vjp_single
        return ce(g / t, ans, o, y)

    return vjp


def mce_torch(t, mode, *args):
    """The same mean in PyTorch (calcgraph check --torch), t being the torch module."""
    n = len(args) // 2
    ce = ((lambda o, y: t.logsumexp(o, 0) - o[y]) if mode == "single"
          else t.nn.functional.cross_entropy)
    return sum(ce(o, y) for o, y in zip(args[:n], args[n:])) / n


def mce_math(c: dict) -> str:
    t = len(c["args"]) // 2
    pairs = zip(c["args"][:t], c["args"][t:])
    return "1/T (" + " + ".join(f"{c['sym']}({o}, {y})" for o, y in pairs) + ")"


def mce_code(c: dict) -> str:
    t = len(c["args"]) // 2
    pairs = zip(c["args"][:t], c["args"][t:])
    return "(" + " + ".join(f"cross_entropy({o}, {y})" for o, y in pairs) + f") / {t}"


# ---------------------------------------------------------------- elementwise


def relu_vjp(g, ans, x):
    d = (x > 0).astype(g.dtype)  # a float mask then an in-place product: faster than g * bool
    d *= g
    return d


def sigmoid(x):
    s = np.tanh(0.5 * x)  # overflow-free form of 1 / (1 + exp(-x)): 0.5 (tanh(x/2) + 1)
    s += 1.0
    s *= 0.5
    return s


# ---------------------------------------------------------------- reductions and weight decay


def total(x):
    return np.asarray(x.sum())


def mean(x):
    return np.asarray(x.sum() / max(x.size, 1))


def l2_forward(*args):
    *ws, lam = args
    return np.asarray(0.5 * lam * sum(np.vdot(w, w) for w in ws), dtype=ws[0].dtype)


def l2_vjp(i: int):
    def vjp(g, ans, *args):
        return (g * args[-1]) * args[i]

    return vjp


def l2_math(c: dict) -> str:
    return f"{c['lam']}/2 (" + " + ".join(f"‖{w}‖²" for w in c["args"]) + ")"


def l2_code(c: dict) -> str:
    return f"{c['lam']} / 2 * (" + " + ".join(f"np.sum({w}**2)" for w in c["args"]) + ")"


# ---------------------------------------------------------------- domains for the tests
# (rng, shape, q) -> array; q is the number of classes where an operand holds labels.


def normal(rng, shape, q):
    return rng.normal(size=shape)


def away_from_zero(rng, shape, q):
    """Kinks at 0 (relu, abs) would spoil finite differences."""
    x = rng.uniform(0.2, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def positive(rng, shape, q):
    return rng.uniform(0.5, 3.0, size=shape)


def classes(rng, shape, q):
    return rng.integers(0, q, size=shape)

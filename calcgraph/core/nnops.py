"""Rows of the op table for networks: matmul, the RNN cell, the losses and weight decay."""

from __future__ import annotations

import numpy as np

from calcgraph.core import kernels as k
from calcgraph.core import rules
from calcgraph.core.record import TWO, B, Impl, Op


def _mm(fwd, vjp0, vjp1, fmath, fcode, math, code) -> Impl:
    return Impl(forward=fwd, vjps=(vjp0, vjp1), fmath=fmath, fcode=fcode, math=math, code=code,
                saves=TWO)


MATMUL = Op(
    name="matmul", symbol="×", ascii="x", infix=("a @ a",), shape_calls=("np.outer",),
    torch=lambda t, m, a, b: b @ a.T if m == "rows" else b @ a if m == "vecrows" else a @ b,
    doc="matrix product (d2l's prod): matrix·vector, matrix·matrix, batched rows",
    rule=rules.matmul, arity=2, impls={
        "matvec": _mm(np.matmul, lambda g, ans, a, b: np.outer(g, b), lambda g, ans, a, b: a.T @ g,
                      "{0} {1}", "{0} @ {1}", ("{g} · {1}ᵀ", "{0}ᵀ · {g}"),
                      ("np.outer({g}, {1})", "{0}.T @ {g}")),
        "matmat": _mm(np.matmul, lambda g, ans, a, b: g @ b.T, lambda g, ans, a, b: a.T @ g,
                      "{0} {1}", "{0} @ {1}", ("{g} · {1}ᵀ", "{0}ᵀ · {g}"),
                      ("{g} @ {1}.T", "{0}.T @ {g}")),
        "rows": _mm(lambda a, b: b @ a.T, lambda g, ans, a, b: g.T @ b, lambda g, ans, a, b: g @ a,
                    "{1} {0}ᵀ", "{1} @ {0}.T", ("({g})ᵀ · {1}", "{g} · {0}"),
                    ("{g}.T @ {1}", "{g} @ {0}")),
        "vecrows": _mm(lambda a, b: b @ a, lambda g, ans, a, b: g @ b,
                       lambda g, ans, a, b: np.outer(g, a), "{1} {0}", "{1} @ {0}",
                       ("({g})ᵀ · {1}", "{g} · {0}ᵀ"), ("{g} @ {1}", "np.outer({g}, {0})")),
        "vecmat": _mm(np.matmul, lambda g, ans, a, b: b @ g, lambda g, ans, a, b: np.outer(a, g),
                      "{0}ᵀ {1}", "{0} @ {1}", ("{1} · {g}", "{0} · {g}ᵀ"),
                      ("{1} @ {g}", "np.outer({0}, {g})")),
        "dot": _mm(np.matmul, lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a,
                   "{0}ᵀ {1}", "{0} @ {1}", ("{g} {1}", "{g} {0}"), ("{g} * {1}", "{g} * {0}")),
    },
    examples=([((3, 4), False), ((4,), False)], [((3, 4), False), ((4, 2), False)],
              [((3, 4), False), ((5, 4), B)], [((5, 4), B), ((4, 3), False)],
              [((4,), False), ((4, 3), False)], [((4,), False), ((4,), False)],
              [((4,), False), ((5, 4), B)]))
CROSS_ENTROPY = Op(
    name="cross_entropy", symbol="l", role="loss", class_labels="second",
    torch=lambda t, m, o, y: (t.logsumexp(o, 0) - o[y] if m == "single"
                              else t.nn.functional.cross_entropy(o, y)),
    doc="softmax cross-entropy of logits and class indices, mean over the batch",
    rule=rules.cross_entropy, arity=2, differentiable=(True, False),
    helpers=("logsumexp", "softmax", "onehot"), impls={
        "single": Impl(forward=k.ce_forward_single, vjps=(k.ce_vjp_single, None),
                       fmath="{sym}({0}, {1})", fcode="logsumexp({0}) - {0}[{1}]",
                       math=("{g} (softmax({0}) − onehot({1}))", ""),
                       code=("{g} * (softmax({0}) - onehot({1}))", ""), saves=TWO,
                       residual=k.ce_single),
        "batch": Impl(forward=k.ce_forward_batch, vjps=(k.ce_vjp_batch, None),
                      fmath="{sym}({0}, {1})",
                      fcode="(logsumexp({0}, axis=1) - {0}[range(n), {1}]).mean()",
                      math=("{g} (softmax({0}) − onehot({1})) / n", ""),
                      code=("{g} * (softmax({0}) - onehot({1})) / n", ""), saves=TWO,
                      residual=k.ce_batch)},
    examples=([((3,), False), ((), False)], [((6, 3), B), ((6,), B)]))
_RNN = frozenset({0, 1, 2, 3})
RNN_CELL = Op(
    name="rnn_cell", symbol="⊕", ascii="(+)", shape_calls=("np.outer",),
    torch=lambda t, m, whx, x, whh, h: (x @ whx.T + h @ whh.T if m == "rows"
                                        else whx @ x + whh @ h),
    doc="RNN step without activation: W_hx x + W_hh h (d2l's h_t before ϕ)",
    rule=rules.rnn_cell, arity=4, impls={
        "single": Impl(forward=lambda whx, x, whh, h: whx @ x + whh @ h,
                       vjps=(lambda g, ans, whx, x, whh, h: np.outer(g, x),
                             lambda g, ans, whx, x, whh, h: whx.T @ g,
                             lambda g, ans, whx, x, whh, h: np.outer(g, h),
                             lambda g, ans, whx, x, whh, h: whh.T @ g),
                       fmath="{0} {1} + {2} {3}", fcode="{0} @ {1} + {2} @ {3}",
                       math=("{g} · {1}ᵀ", "{0}ᵀ · {g}", "{g} · {3}ᵀ", "{2}ᵀ · {g}"),
                       code=("np.outer({g}, {1})", "{0}.T @ {g}", "np.outer({g}, {3})",
                             "{2}.T @ {g}"), saves=_RNN),
        "rows": Impl(forward=lambda whx, x, whh, h: x @ whx.T + h @ whh.T,
                     vjps=(lambda g, ans, whx, x, whh, h: g.T @ x,
                           lambda g, ans, whx, x, whh, h: g @ whx,
                           lambda g, ans, whx, x, whh, h: g.T @ h,
                           lambda g, ans, whx, x, whh, h: g @ whh),
                     fmath="{1} {0}ᵀ + {3} {2}ᵀ", fcode="{1} @ {0}.T + {3} @ {2}.T",
                     math=("({g})ᵀ · {1}", "{g} · {0}", "({g})ᵀ · {3}", "{g} · {2}"),
                     code=("{g}.T @ {1}", "{g} @ {0}", "{g}.T @ {3}", "{g} @ {2}"), saves=_RNN)},
    examples=([((3, 4), False), ((4,), False), ((3, 3), False), ((3,), False)],
              [((3, 4), False), ((5, 4), B), ((3, 3), False), ((5, 3), B)]))
_ALL = frozenset({"all"})
MEAN_CROSS_ENTROPY = Op(
    name="mean_cross_entropy", symbol="l", class_labels="pairs", paired=True,
    torch=k.mce_torch,
    doc="cross-entropy averaged over T steps: (1/T) Σₜ l(oₜ, yₜ) of logits o₁ … o_T, "
        "labels y₁ … y_T", rule=rules.mean_cross_entropy,
    differentiable=lambda i, n: i < n // 2, helpers=("softmax", "onehot", "cross_entropy"),
    impls={
        "single": Impl(forward=k.mce_forward, vjps=k.mce_vjp, fmath=k.mce_math,
                       fcode=k.mce_code, math="{g} (softmax({x}) − onehot({pair})) / T",
                       code="{g} * (softmax({x}) - onehot({pair})) / {pairs}", saves=_ALL),
        "batch": Impl(forward=k.mce_forward, vjps=k.mce_vjp, fmath=k.mce_math, fcode=k.mce_code,
                      math="{g} (softmax({x}) − onehot({pair})) / (T n)",
                      code="{g} * (softmax({x}) - onehot({pair})) / ({pairs} * n)", saves=_ALL)},
    examples=([((3,), False), ((), False)],
              [((3,), False), ((3,), False), ((3,), False), ((), False), ((), False), ((), False)],
              [((6, 3), B), ((6, 3), B), ((6,), B), ((6,), B)]))
SQUARED_LOSS = Op(
    name="squared_loss", symbol="l", doc="½‖o − y‖², mean over the batch", role="loss",
    torch=lambda t, m, o, y: 0.5 * ((o - y) ** 2).sum() / (o.shape[0] if m == "batch" else 1),
    rule=rules.equal_shapes, arity=2, impls={
        "single": Impl(forward=lambda o, y: np.asarray(0.5 * np.vdot(o - y, o - y)),
                       vjps=(lambda g, ans, o, y: g * (o - y), lambda g, ans, o, y: g * (y - o)),
                       fmath="{sym}({0}, {1})", fcode="0.5 * ((({0}) - {1})**2).sum()",
                       math=("{g} ({0} − {1})", "−{g} ({0} − {1})"),
                       code=("{g} * ({0} - {1})", "-{g} * ({0} - {1})"), saves=TWO),
        "batch": Impl(forward=lambda o, y: np.asarray(0.5 * np.vdot(o - y, o - y) / o.shape[0]),
                      vjps=(lambda g, ans, o, y: (g / o.shape[0]) * (o - y),
                            lambda g, ans, o, y: (g / o.shape[0]) * (y - o)),
                      fmath="{sym}({0}, {1})", fcode="0.5 * (({0} - {1})**2).sum() / n",
                      math=("{g} ({0} − {1}) / n", "−{g} ({0} − {1}) / n"),
                      code=("{g} * ({0} - {1}) / n", "-{g} * ({0} - {1}) / n"), saves=TWO)},
    examples=([((3,), False), ((3,), False)], [((6, 3), B), ((6, 3), B)],
              [((), False), ((), False)]))
L2 = Op(
    name="l2", symbol="ℓ_2", ascii="l_2", rule=rules.scalar, arity=None, params=("lam",),
    torch=lambda t, m, *args: args[-1] / 2 * sum((w ** 2).sum() for w in args[:-1]),
    doc="weight decay λ/2 Σᵢ ‖Wᵢ‖²_F over any number of operands",
    impls={"": Impl(forward=k.l2_forward, vjps=k.l2_vjp, fmath=k.l2_math, fcode=k.l2_code,
                    math="{g} {lam} {x}", code="{g} * {lam} * {x}", saves=_ALL,
                    recompute=True)},
    examples=([((3, 4), False)], [((3, 4), False), ((2, 3), False)],
              [((3,), False), ((2, 2), False), ((4, 1), False)]))


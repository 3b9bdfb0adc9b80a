"""Straight-line Python for a verified program: one statement per kernel call, no loop.

After a pass has run once through the engine's checked loops (every output's shape and
dtype checked), the same pass is generated as a function of plain statements, with each
kernel, variable and constant bound by name (`f3`, `v4`, `c5`). The shapes and dtypes it
no longer checks cannot change: they follow from the leaves' shapes, which `Graph.set`
checks, and from kernels that do not look at values. Which outputs need converting to an
array of the graph's dtype is learnt from that first pass too. No user text enters the
code: only generated names, indices, shapes and axes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from calcgraph.core import sweep
from calcgraph.core.program import Equation, Plan, Reverse

if TYPE_CHECKING:
    from calcgraph.core.nodes import Variable


class _Names:
    """The generated function's globals: each object bound once under a short name."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {"asarray": np.asarray}
        self._ids: dict[int, str] = {}

    def __call__(self, obj: Any, prefix: str) -> str:
        key = id(obj)
        if key not in self._ids:
            self._ids[key] = name = f"{prefix}{len(self._ids)}"
            self.ns[name] = obj
        return self._ids[key]


def _call_args(names: _Names, inputs: tuple, params: tuple) -> list[str]:
    args = [f"{names(v, 'v')}._value" for v in inputs]
    for p in params:  # a float is fixed; a Constant is read at call time (set_constant)
        args.append(names(p, "c") if p.__class__ is float else f"{names(p, 'c')}.value")
    return args


def forward(eqs: list[Equation], drop: list[tuple] | None,
            convert: set[int]) -> Callable[[dict], None]:
    """The forward pass of `eqs`; `convert`: equations whose output needs np.asarray."""
    names, lines = _Names(), ["def run(stash):"]
    for eq in eqs:
        args = ", ".join(_call_args(names, eq.inputs, eq.params))
        call = f"{names(eq.residual or eq.fwd, 'f')}({args})"
        out = names(eq.out, "v")
        if eq.residual is not None:
            lines.append(f"    r, stash[{eq.index}] = {call}")
        else:
            lines.append(f"    r = {call}")
        if eq.index in convert:
            lines.append(f"    r = asarray(r, dtype={names(eq.dtype, 'd')})")
        lines.append(f"    {out}._value = r")
        for v in drop[eq.index] if drop is not None else ():
            lines.append(f"    {names(v, 'v')}._value = None")
    lines.append("    return None")
    return _build(lines, names)["run"]


def lean(plan: Plan) -> Callable[[dict], None]:
    """The lean reverse sweep of `plan` (see sweep.lean), as straight-line code.

    One reordering: a large target's contribution from an op marked `recompute` (ℓ₂'s λW,
    which only scales an operand) is computed right after the target's last other
    contribution, not where the sweep meets it, so that it is added while both arrays are
    in cache, as a hand-written `dw += lam * w` does, instead of being held, cold, through
    the whole sweep. What it reads (a scalar gradient, the weight) is kept until then.
    """
    names, lines = _Names(), ["def run(stash):"]
    names.ns["owns"] = sweep.owns
    anchor = _anchors(plan)
    owned: set[str] = set()  # targets whose first contribution is written: their flag
    later: dict[int, list[tuple]] = {}  # anchor position: the postponed contributions
    pos = 0
    for rev in plan.sweep:
        out = names(rev.out, "v")
        args = _call_args(names, rev.inputs, rev.params)
        lines += [f"    g = {out}.grad", f"    ans = {out}._value"]
        lines += [f"    a{k} = {a}" for k, a in enumerate(args)]
        here = ["g", "ans", *(f"a{k}" for k in range(len(args)))]  # what the VJPs read
        if rev.residual is not None:
            lines.append(f"    res = stash.get({rev.node.index})")
            here.append("res")
        for c in rev.todo:
            pos += 1
            at = anchor.get(c.target.name, 0)
            if c.defer and rev.node.impl.recompute and pos < at:  # postponed to `at`
                lines.append(f"    p{pos} = ({', '.join(here)},)")
                kept = [f"p{pos}[{k}]" for k in range(len(here))]
                later.setdefault(at, []).append((c, kept, rev.residual is not None))
                continue
            lines += _contribution(names, c, here, rev.residual is not None, owned)
            for c_later, kept, residual in later.pop(pos, []):
                lines += _contribution(names, c_later, kept, residual, owned)
        if rev.free_grad:
            lines.append(f"    {out}.grad = None")
    lines.append("    return None")
    return _build(lines, names)["run"]


def _anchors(plan: Plan) -> dict[str, int]:
    """For each target: the position (in sweep order, from 1) of its last contribution
    that is not a postponable one (see lean)."""
    anchor, pos = {}, 0
    for rev in plan.sweep:
        for c in rev.todo:
            pos += 1
            if not (c.defer and rev.node.impl.recompute):
                anchor[c.target.name] = pos
    return anchor


def _contribution(names: _Names, c: Any, read: list[str], residual: bool,
                  owned: set[str]) -> list[str]:
    """Compute one contribution and add it into its target's gradient.

    `read`: the expressions of g, ans, the arguments and (with a residual) res."""
    target = names(c.target, "v")
    flag = f"own_{target}"
    g, ans, *args = read
    res = args.pop() if residual else "None"
    call = ", ".join([g, ans, *args]) + (f", res={res}" if residual else "")
    lines = [f"    ct = {names(c.vjp, 'f')}({call})"]
    if c.axes:
        lines.append(f"    ct = ct.sum(axis={c.axes!r}).reshape({c.shape!r})")
    if c.total == 1:
        return [*lines, f"    {target}.grad = ct"]
    if flag not in owned:  # the first of several: keep it, and whether it may be added into
        owned.add(flag)
        owns = f"owns(ct, {g}, {ans}, ({''.join(a + ', ' for a in args)}), {res})"
        return [*lines, f"    {target}.grad = ct", f"    {flag} = {owns}"]
    return [*lines, f"    if {flag}:", f"        acc = {target}.grad", "        acc += ct",
            "    else:", f"        {target}.grad = {target}.grad + ct", f"        {flag} = True"]


def recorded(plan: Plan, objective: Variable) -> Callable[[dict, list, bool], tuple]:
    """The recorded reverse sweep of `plan` (see sweep.recorded), as straight-line code.

    Every step's index, and the terms of every sum, are known when the plan is made, so
    they are written into the code; only the arrays are computed.
    """
    names = _Names()
    names.ns.update(Step=sweep.Step, defer=sweep.defer_one, bad=sweep.bad)
    lines = ["def run(stash, spent, check):",
             f"    steps = [Step(1, 'seed', {names(objective, 'v')}, {names(plan.seed, 's')})]",
             "    append = steps.append", "    found = False"]
    n, dropped, seen = 1, 0, {}
    for rev in plan.sweep:
        lines += _head(names, rev)
        if n - dropped >= 4:  # drop the stale steps this sweep has replaced, as sweep.recorded
            lines.append(f"    del spent[:{n - dropped}]")
            dropped = n
        for c in rev.todo:
            n += 1
            terms = seen.setdefault(c.target.name, [])
            terms.append(n)
            lines += _record(names, rev, c, n, terms)
            if len(terms) == c.total and c.total > 1:
                n += 1
    lines.append("    return steps, found")
    return _build(lines, names)["run"]


def _head(names: _Names, rev: Reverse) -> list[str]:
    """g, ans, a0 … and res for one reverse step."""
    out = names(rev.out, "v")
    args = _call_args(names, rev.inputs, rev.params)
    lines = [f"    g = {out}.grad", f"    ans = {out}._value"]
    lines += [f"    a{k} = {a}" for k, a in enumerate(args)]
    lines.append(f"    args = ({', '.join(f'a{k}' for k in range(len(args)))},)")
    if rev.residual is not None:
        lines.append(f"    res = stash.get({rev.node.index})")
    else:
        lines.append("    res = None")
    return lines


def _record(names: _Names, rev: Reverse, c: Any, n: int, terms: list[int]) -> list[str]:
    """One contribution of the recorded sweep: step n, and the sum when it is the last."""
    t, node = names(c.target, "v"), names(rev.node, "n")
    last = len(terms) == c.total
    if c.defer:
        wait = f"w_{t}"
        lines = [f"    {wait} = []"] if len(terms) == 1 else []
        call = f"({node}, {names(c.vjp, 'f')}, g, ans, args, res, {c.axes!r}, {c.shape!r})"
        lines.append(f"    defer(steps, {n}, {wait}, {t}, {c.operand}, {c.total}, {call})")
        if last and c.target.producer is None:
            lines.append(f"    if check and bad({t}.grad) is not None:")
            lines.append("        found = True")
        return lines
    res = ", res=res" if rev.residual is not None else ""
    lines = [f"    ct = {names(c.vjp, 'f')}(g, ans, *args{res})"]
    if c.axes:
        lines.append(f"    ct = ct.sum(axis={c.axes!r}).reshape({c.shape!r})")
    if c.total == 1:
        step = f"Step({n}, 'vjp', {t}, ct, {node}, {c.operand})"
        return [*lines, f"    {t}.grad = ct", f"    append({step})"]
    lines.append(f"    append(Step({n}, 'vjp', {t}, ct, {node}, {c.operand}, (), False))")
    lines.append(f"    {t}.grad = ct" if len(terms) == 1 else f"    {t}.grad = {t}.grad + ct")
    if last:
        lines.append(f"    append(Step({n + 1}, 'sum', {t}, {t}.grad, None, None, "
                     f"{tuple(terms)!r}))")
    return lines


def _build(lines: list[str], names: _Names) -> dict[str, Any]:
    ns = names.ns
    exec(compile("\n".join(lines), "<calcgraph compiled pass>", "exec"), ns)  # noqa: S102
    return ns


def needs_convert(out: Variable, r: Any) -> bool:
    """Whether the checked pass had to convert this output (a numpy scalar, another dtype)."""
    return r.__class__ is not np.ndarray or r.dtype != out.dtype

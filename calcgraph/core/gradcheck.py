"""Every gradient a graph computes, checked against central finite differences in float64."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from calcgraph.core import engine

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph
    from calcgraph.core.nodes import Variable

STEP = 1e-6  # h in (J(x + h) − J(x − h)) / 2h: truncation O(h²) and rounding O(ε/h) both ≲ 1e-9
RTOL = 1e-5  # an entry passes when |analytic − numeric| ≤ ATOL + RTOL · |numeric|
ATOL = 1e-6
MAX_ENTRIES = 1000  # per variable; larger ones are checked at that many seeded random entries


@dataclass(frozen=True)
class GradCheck:
    """One variable's gradient against its finite-difference estimate."""

    node: str
    label: str
    role: str
    shape: tuple[int, ...]
    max_abs: float  # max |analytic − numeric| over the checked entries
    max_rel: float  # max |a − n| / max(|a|, |n|) (CS231n's relative error; 0 where both ≈ 0)
    ok: bool
    checked: int  # entries compared
    size: int  # entries in all
    worst: tuple[int, ...]  # the index of the entry furthest out of tolerance
    analytic: float  # the two numbers at `worst`
    numeric: float
    blame: tuple[str, ...] = ()  # operators whose VJP for this variable is the first to disagree

    def to_dict(self) -> dict:
        return {"node": self.node, "label": self.label, "role": self.role,
                "shape": list(self.shape), "max_abs_error": self.max_abs,
                "max_rel_error": self.max_rel, "ok": self.ok, "checked": self.checked,
                "size": self.size, "worst_index": list(self.worst),
                "analytic": self.analytic, "numeric": self.numeric, "blame": list(self.blame)}


@dataclass
class CheckResult:
    """The gradient check of one graph: a row per gradient, in backward order."""

    graph: str
    batch: int | None
    objective: str  # its label, for ∂J/∂x in the table
    rows: list[GradCheck] = field(default_factory=list)
    step: float = STEP
    rtol: float = RTOL
    atol: float = ATOL
    torch: list | None = None  # core.torchcheck.TorchCheck rows, when compared with torch

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows) and all(r.ok for r in self.torch or [])

    @property
    def failures(self) -> list[GradCheck]:
        return [r for r in self.rows if not r.ok]

    def __bool__(self) -> bool:
        return self.ok

    def to_dict(self) -> dict:
        return {"graph": self.graph, "batch": self.batch, "objective": self.objective,
                "ok": self.ok, "step": self.step,
                "rtol": self.rtol, "atol": self.atol, "max_entries": MAX_ENTRIES,
                "gradients": [r.to_dict() for r in self.rows],
                "torch": None if self.torch is None else [r.to_dict() for r in self.torch]}


def check_gradients(graph: Graph, *, inputs: bool = False, step: float = STEP,
                    rtol: float = RTOL, atol: float = ATOL, seed: int = 0) -> CheckResult:
    """Run backward, then compare each gradient it produced with central differences.

    The finite differences re-evaluate the equations downstream of the perturbed variable
    with the op table's forwards in float64, not through the engine, so they also catch an
    engine that sums or routes gradients wrongly. `inputs=True` also checks ∂J/∂x.
    """
    engine.backward(graph, inputs=inputs, keep="all")  # every gradient, every step
    values = {v.name: v.value if v.integer else np.array(v.value, dtype=np.float64)
              for v in graph.variables if v.value is not None}
    rng = np.random.default_rng(seed)
    result = CheckResult(graph.name, graph.batch, graph.objective.label, step=step, rtol=rtol,
                         atol=atol)
    order = [graph.objective] + [s.target for s in graph.steps if s.target is not graph.objective]
    seen: set[str] = set()
    for v in order:
        if v.name in seen or v.grad is None or v is graph.objective:
            seen.add(v.name)
            continue
        seen.add(v.name)
        numeric, idx = _numeric(graph, values, v, step, rng)
        result.rows.append(_compare(v, np.asarray(v.grad, np.float64), numeric, idx, rtol, atol))
    _blame(graph, result)
    return result


def _numeric(graph: Graph, values: dict, v: Variable, h: float,
             rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """∂J/∂v at the chosen entries (all, or MAX_ENTRIES random ones), by central differences."""
    size = int(np.prod(v.shape))
    idx = list(np.ndindex(v.shape))
    if size > MAX_ENTRIES:
        idx = [idx[i] for i in sorted(rng.choice(size, MAX_ENTRIES, replace=False))]
    downstream = _downstream(graph, v)
    out = np.zeros(len(idx))
    for k, i in enumerate(idx):
        for sign in (1.0, -1.0):
            x = values[v.name].copy()
            x[i] += sign * h
            out[k] += sign * _objective(graph, values, v.name, x, downstream) / (2 * h)
    return out, idx


def _downstream(graph: Graph, v: Variable) -> list:
    """The operators that read v, directly or through others, in forward order."""
    tainted, ops = {v.name}, []
    for node in graph.operators:
        if any(u.name in tainted for u in node.inputs):
            tainted.add(node.output.name)
            ops.append(node)
    return ops


def _objective(graph: Graph, values: dict, name: str, x: np.ndarray, ops: list) -> float:
    env = dict(values)
    env[name] = x
    with np.errstate(all="ignore"):
        for node in ops:
            args = [env[u.name] for u in node.inputs]
            env[node.output.name] = np.asarray(node.fwd(*args, *node.param_values()),
                                               dtype=np.float64)
    return float(env[graph.objective.name])


def _compare(v: Variable, grad: np.ndarray, numeric: np.ndarray, idx: list, rtol: float,
             atol: float) -> GradCheck:
    a = np.array([grad[i] for i in idx]) if grad.shape == v.shape else np.full(len(idx), np.nan)
    diff = np.abs(a - numeric)
    scale = np.maximum(np.abs(a), np.abs(numeric))
    rel = np.where(scale > atol, diff / np.where(scale > 0, scale, 1.0), 0.0)
    excess = diff / (atol + rtol * np.abs(numeric))
    excess = np.where(np.isfinite(excess), excess, np.inf)
    k = int(np.argmax(excess)) if len(idx) else 0
    ok = bool(np.all(excess <= 1.0))
    return GradCheck(v.name, v.label, v.role, v.shape, float(np.max(diff, initial=0.0)),
                     float(np.max(rel, initial=0.0)), ok, len(idx), int(np.prod(v.shape)),
                     tuple(int(n) for n in idx[k]) if idx else (), float(a[k]) if idx else 0.0,
                     float(numeric[k]) if idx else 0.0)


def _blame(graph: Graph, result: CheckResult) -> None:
    """A failing gradient whose consumers' outputs all pass: those consumers' VJPs are wrong."""
    status = {r.node: r.ok for r in result.rows}
    status[graph.objective.name] = True
    for k, row in enumerate(result.rows):
        if row.ok:
            continue
        consumers = [c for c in graph[row.node].consumers if c.output.name in status]
        if all(status[c.output.name] for c in consumers):
            result.rows[k] = GradCheck(**{**row.__dict__, "blame": tuple(c.name for c in consumers)})

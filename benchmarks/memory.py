"""Memory: what each keep mode holds and its peak (tracemalloc) next to the numpy floor's.

In-process and exact for numpy arrays: tracemalloc sees every array numpy allocates. The
peak-RSS comparison with torch, whose allocator tracemalloc cannot see, is in rss.py.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

import calcgraph as cg
from calcgraph.core import engine
from calcgraph.core.program import plan, saved_values, state

from .floors import mlp_floor
from .graphs import deep_mlp, mlp_graph, weights_of

BATCHES = (1, 16, 64, 256, 1024)
DEPTHS = (1, 2, 4, 8, 16, 32)
KEEPS = ("all", "needed")
TARGET_PEAK = 1.1  # keep="needed" at depth 32: peak ≤ 1.1 × the floor's


def needed_bytes(g) -> tuple[int, int]:
    """(bytes of the intermediates the VJPs read, per each op's Impl.saves, plus the objective;
    bytes of the residuals the forward stashed for the VJPs). Leaves are not counted: they
    exist before and after any pass."""
    names: set[str] = {g.objective.name}
    for node in plan(g, False).nodes:
        names.update(v.name for v in saved_values(node) if v.producer is not None)
    values = sum(g[n].value.nbytes for n in names if g[n].value is not None)
    residuals = sum(np.asarray(r).nbytes for r in state(g).stash.values())
    return values, residuals


def _clear(g) -> None:
    for v in g.variables:
        v.grad = None
        if v.producer is not None:
            v._value = None
    g.steps = []
    state(g).stash, state(g).spent = {}, []
    gc.collect()


def _recycled(g) -> int:
    """Bytes of the previous sweep's steps that forward(keep="all") holds for the next sweep."""
    seen = {id(s._value): s._value.nbytes for s in state(g).spent if s._value is not None}
    return sum(seen.values())


def measure(g, keep: str) -> dict:
    """Retained bytes after forward(keep), then the peak over forward + backward."""
    engine.forward(g, keep=keep)  # warm the compiled program and plan caches
    engine.backward(g)
    _clear(g)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        engine.forward(g, keep=keep)
        retained = tracemalloc.get_traced_memory()[0] - base
        engine.backward(g)
        after = tracemalloc.get_traced_memory()[0] - base
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    needed, residual = needed_bytes(g)
    engine.forward(g, keep=keep)  # steady state: a sweep ran before this forward
    recycled = _recycled(g)
    engine.backward(g)
    return {"retained_bytes": retained, "needed_bytes": needed, "residual_bytes": residual,
            "ratio": retained / (needed + residual), "peak_bytes": peak, "after_bytes": after,
            "recycled_bytes": recycled}


def floor_peak(g) -> int:
    """Peak bytes of the numpy floor's forward + backward on the same arrays."""
    x, y, ws = g["x"].value, g["y"].value, weights_of(g)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        mlp_floor(x, y, ws, 0.1)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def cases(quick: bool) -> list[tuple[str, cg.Graph]]:
    batches = (1, 64) if quick else BATCHES
    depths = (1, 4) if quick else DEPTHS
    width = 64 if quick else 512
    out = [(f"d2l batch {b}", mlp_graph((784, 256, 10, b))) for b in batches]
    out.append(("d2l sigmoid batch 256" if not quick else "d2l sigmoid batch 64",
                cg.mlp(784, 256, 10, batch=256 if not quick else 64, activation="sigmoid",
                       dtype="float32")))
    out += [(f"depth {d}", deep_mlp(d, width, 10, 128 if not quick else 16)) for d in depths]
    return out


def run(quick: bool = False) -> list[dict]:
    rows = []
    for case, g in cases(quick):
        fpeak = floor_peak(g)
        for keep in KEEPS:
            m = measure(g, keep)
            rows.append({"family": "memory", "case": case, "contender": f"keep={keep}",
                         "floor_peak_bytes": fpeak, "peak_ratio": m["peak_bytes"] / fpeak,
                         "target": TARGET_PEAK if keep == "needed" and case == "depth 32"
                         else None, **m})
    return rows

"""Memory: bytes the engine retains for backward (tracemalloc) vs what its VJPs read, as size grows."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

import calcgraph as cg
from calcgraph.core import engine as execute

from .floors import mlp_floor
from .graphs import deep_mlp, mlp_graph, weights_of

BATCHES = (1, 16, 64, 256, 1024)
DEPTHS = (1, 2, 4, 8, 16, 32)


def needed_bytes(g) -> tuple[int, int]:
    """(bytes of the intermediates the VJPs read, per each op's Impl.saves, plus the objective;
    bytes of the residuals the forward stashed for the VJPs). Leaves are not counted: they
    exist before and after any pass."""
    names: set[str] = {g.objective.name}
    for node in g.operators:
        if node.output.grad is None:  # backward did not go through this equation
            continue
        for key in node.impl.saves:
            read = [node.output] if key == "out" else node.inputs if key == "all" else \
                [node.inputs[key]]
            names.update(v.name for v in read if v.producer is not None)
    values = sum(g[n].value.nbytes for n in names if g[n].value is not None)
    residuals = sum(np.asarray(r).nbytes for r in getattr(g, "_stash", {}).values())
    return values, residuals


def _clear(g) -> None:
    for v in g.variables:
        v.grad = None
        if v.producer is not None:
            v._value = None
    g.steps, g._stash = [], {}
    gc.collect()


def _recycled(g) -> int:
    """Bytes of the previous sweep's steps that forward(keep="all") holds for the next sweep."""
    seen: dict[int, int] = {}
    for step in getattr(g, "_spent", []):
        a = step._value
        if a is not None:
            seen[id(a)] = a.nbytes
    return sum(seen.values())


def measure(g, keep: str) -> dict:
    """Retained bytes after forward(keep), then the peak over forward + backward."""
    execute.forward(g, keep=keep)  # warm the compiled program and plan caches
    execute.backward(g)
    _clear(g)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        execute.forward(g, keep=keep)
        retained = tracemalloc.get_traced_memory()[0] - base
        execute.backward(g)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    needed, residual = needed_bytes(g)
    execute.forward(g, keep=keep)  # steady state: a sweep ran before this forward
    recycled = _recycled(g)
    execute.backward(g)
    return {"retained_bytes": retained, "needed_bytes": needed, "residual_bytes": residual,
            "ratio": retained / (needed + residual), "peak_bytes": peak,
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


def run(quick: bool = False) -> list[dict]:
    batches = (1, 64) if quick else BATCHES
    depths = (1, 4) if quick else DEPTHS
    width = 64 if quick else 512
    cases = [(f"d2l batch {b}", mlp_graph((784, 256, 10, b))) for b in batches]
    cases.append(("d2l sigmoid batch 256" if not quick else "d2l sigmoid batch 64",
                  cg.mlp(784, 256, 10, batch=256 if not quick else 64, activation="sigmoid",
                         dtype="float32")))
    cases += [(f"depth {d}", deep_mlp(d, width, 10, 128 if not quick else 16)) for d in depths]
    rows = []
    for case, g in cases:
        fpeak = floor_peak(g)
        for keep in ("all", "needed"):
            m = measure(g, keep)
            rows.append({"family": "memory", "case": case, "contender": f"keep={keep}",
                         "floor_peak_bytes": fpeak, "peak_ratio": m["peak_bytes"] / fpeak,
                         "target": 1.0, **m})
    return rows

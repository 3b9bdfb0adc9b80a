"""Per-op overhead: a 1000-op chain of small elementwise ops, forward + backward, in µs per op."""

from __future__ import annotations

import numpy as np

from . import contenders
from .floors import CHAIN_CYCLE, SCALE, chain_floor
from .graphs import chain_graph, chain_params
from .timing import interleave, paired_ratio, ratio_spread

TARGET = 1.5  # × the floor, for keep="needed" (docs/performance.md, "Targets")
LEAN = "calcgraph keep=needed"


def run(quick: bool = False, rounds: int | None = None, clock: str = "cpu",
        n_ops: int | None = None) -> list[dict]:
    n_ops = n_ops or (100 if quick else 1000)
    rounds = rounds or (3 if quick else 15)
    g = chain_graph(n_ops)
    x, params = g["x"].value, chain_params(g, n_ops)

    def engine() -> None:
        g.forward()
        g.backward()

    def lean() -> None:
        g.forward(keep="needed")
        g.backward()

    ref = chain_floor(x, params)[1]
    diff = {}
    for who, fn in (("calcgraph", engine), (LEAN, lean)):
        fn()
        diff[who] = float(np.abs(g["x"].grad - ref).max() / (np.abs(ref).max() or 1.0))
    runs = {"calcgraph": engine, LEAN: lean, "numpy floor": lambda: chain_floor(x, params)}
    if not quick and contenders.torch_version():
        runs["torch"] = contenders.torch_chain(x, params, CHAIN_CYCLE, SCALE)
    times = interleave(runs, rounds, 0.005 if quick else 0.05, clock)
    base = times["numpy floor"]
    return [{
        "family": "overhead", "case": f"{n_ops}-op chain", "size": f"{n_ops} ops on ({x.size},)",
        "contender": who, "median_s": t.median, "us_per_op": t.median / n_ops * 1e6,
        "min_s": min(t.samples), "max_s": max(t.samples),
        "spread": t.spread, "rounds": len(t.samples), "loops": t.loops,
        "faults_per_call": t.faults_per_call,
        "ratio": paired_ratio(t, base), **ratio_spread(t, base),
        "target": TARGET if who == LEAN and n_ops == 1000 else None,
        "grad_rel_diff": diff.get(who),
    } for who, t in times.items()]

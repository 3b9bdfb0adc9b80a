"""Engine vs the hand-written numpy floor: forward + backward of the MLP objective, float32."""

from __future__ import annotations

import numpy as np

from . import contenders
from .floors import mlp_floor
from .graphs import mlp_graph, weights_of
from .timing import interleave, paired_ratio, ratio_spread

# name: (d, h, q, batch) for the d2l MLP, or (depth, width, q, batch, "deep")
SIZES: dict[str, tuple] = {
    "tiny": (4, 5, 3, 1),
    "d2l": (784, 256, 10, 256),
    "wide": (1024, 4096, 1000, 512),
    "deep": (32, 512, 10, 128, "deep"),
}
QUICK_SIZES: dict[str, tuple] = {"tiny": (4, 5, 3, 1), "d2l": (784, 256, 10, 256),
                                 "deep": (4, 64, 10, 16, "deep")}
TARGETS = {"tiny": 2.0, "d2l": 1.03, "wide": 1.03, "deep": 1.03}  # keep="needed"
LEAN = "calcgraph keep=needed"
LAM = 0.1


def describe(size: tuple) -> str:
    if len(size) == 5:
        return f"{size[0]} layers of {size[1]}, batch {size[3]}"
    return f"{size[0]}-{size[1]}-{size[2]}, batch {size[3]}"


def rel_diff(grads: list, floor_grads: list[np.ndarray]) -> float:
    """Largest difference between a contender's ∂J/∂W and the floor's, relative to the floor's."""
    worst = 0.0
    for got, ref in zip(grads, floor_grads):
        scale = float(np.abs(ref).max()) or 1.0
        worst = max(worst, float(np.abs(np.asarray(got) - ref).max()) / scale)
    return worst


def run_case(name: str, size: tuple, rounds: int, min_time: float, clock: str = "cpu",
             torch: bool = True, jax: bool = True) -> list[dict]:
    g = mlp_graph(size)
    x, y, ws = g["x"].value, g["y"].value, weights_of(g)

    def engine() -> None:  # keep="all": every value kept, every step recorded
        g.forward()
        g.backward()

    def lean() -> None:  # a training step: only what backward reads, only ∂J/∂W kept
        g.forward(keep="needed")
        g.backward()

    def floor() -> None:
        mlp_floor(x, y, ws, LAM)

    runs = {"calcgraph": engine, LEAN: lean, "numpy floor": floor}
    if torch and contenders.torch_version():
        runs["torch"] = contenders.torch_mlp(x, y, ws, LAM)
    if jax and contenders.jax_version():
        runs["jax (jit)"] = contenders.jax_mlp(x, y, ws, LAM)
    ref = mlp_floor(x, y, ws, LAM)[1]
    diffs = {"numpy floor": 0.0}
    for who in ("calcgraph", LEAN):
        runs[who]()
        diffs[who] = rel_diff([w.grad for w in g.leaves("param")], ref)
    diffs.update({who: rel_diff([np.asarray(a) for a in run()], ref)
                  for who, run in runs.items() if who not in diffs})
    times = interleave(runs, rounds, min_time, clock)
    base = times["numpy floor"]
    return [{
        "family": "engine", "case": name, "size": describe(size), "contender": who,
        "median_s": t.median, "min_s": min(t.samples), "max_s": max(t.samples),
        "spread": t.spread, "rounds": len(t.samples), "loops": t.loops,
        "faults_per_call": t.faults_per_call,
        "ratio": paired_ratio(t, base), **ratio_spread(t, base),
        # judged only at the sizes, not at --quick's stand-ins
        "target": TARGETS[name] if who == LEAN and size == SIZES.get(name) else None,
        "grad_rel_diff": diffs[who],
    } for who, t in times.items()]


def run(quick: bool = False, rounds: int | None = None, clock: str = "cpu") -> list[dict]:
    sizes = QUICK_SIZES if quick else SIZES
    rounds = rounds or (3 if quick else 15)
    rows: list[dict] = []
    for name, size in sizes.items():
        min_time = 0.005 if quick else (0.05 if name != "wide" else 0.3)
        rows += run_case(name, size, rounds, min_time, clock, torch=not quick, jax=not quick)
    return rows

"""Interleaved timing: each round runs every contender once, in rotating order; medians over rounds."""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Timing:
    """Per-call seconds of one contender, one sample per round."""

    name: str
    samples: list[float] = field(default_factory=list)
    loops: int = 1
    faults: list[float] = field(default_factory=list)  # minor page faults per call

    @property
    def faults_per_call(self) -> float:
        return statistics.median(self.faults) if self.faults else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        """Interquartile range over the median: how noisy the rounds were."""
        if len(self.samples) < 4:
            return 0.0
        q = statistics.quantiles(self.samples, n=4)
        return (q[2] - q[0]) / self.median


def _loops_for(fn: Callable[[], object], min_time: float) -> int:
    """How many calls make one sample last at least `min_time` (after one warm-up call)."""
    fn()
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or loops >= 1 << 20:
            return loops
        loops = max(loops * 2, int(loops * min_time / max(elapsed, 1e-9) * 1.2))


CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}


def _minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _sample(fn: Callable[[], object], loops: int,
            clock: Callable[[], float]) -> tuple[float, float]:
    """(seconds per call, minor page faults per call) over `loops` calls."""
    gc.collect()  # start each sample from the same garbage; gc stays on, as in real use
    faults = _minor_faults()
    start = clock()
    for _ in range(loops):
        fn()
    elapsed = clock() - start
    return elapsed / loops, (_minor_faults() - faults) / loops


def interleave(contenders: dict[str, Callable[[], object]], rounds: int, min_time: float,
               clock: str = "cpu") -> dict[str, Timing]:
    """Time every contender `rounds` times, rotating who goes first so drifts hit all alike.

    clock="cpu" counts this process's CPU time, which time other tenants of a shared machine
    take from us does not inflate; it needs single-threaded kernels (see run.py --threads).
    """
    names, tick = list(contenders), CLOCKS[clock]
    out = {n: Timing(n, loops=_loops_for(contenders[n], min_time)) for n in names}
    for r in range(rounds):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]
            seconds, faults = _sample(contenders[name], out[name].loops, tick)
            out[name].samples.append(seconds)
            out[name].faults.append(faults)
    return out


def paired_ratio(a: Timing, b: Timing) -> float:
    """Median over rounds of a/b: each round's pair ran back to back, so load drifts cancel."""
    return statistics.median(x / y for x, y in zip(a.samples, b.samples))


def ratio_spread(a: Timing, b: Timing) -> dict:
    """min and max over rounds of a/b, next to paired_ratio's median."""
    ratios = [x / y for x, y in zip(a.samples, b.samples)]
    return {"ratio_min": min(ratios), "ratio_max": max(ratios)}

"""Declared-but-unused leaves: the figure's cost with N of them (issue 10 item 7).

`python -m benchmarks.unused`: the time of `to_dot` (layout, scene, notes, DOT) for a spec
with N parameters that nothing uses, and per unused node. Linear is the goal: 2,000 of them
once took 8.9 s (4.4 ms each), every layout step and every note rescanning all of them.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings

SIZES = (500, 1000, 2000, 4000)


def spec_text(n: int) -> str:
    leaves = "".join(f"param p{i} : (d)\n" for i in range(n))
    return f"dim d = 3\ninput x : (d)\n{leaves}L = sum(x)\nobjective L\n"


def run(sizes: tuple[int, ...] = SIZES, rounds: int = 3) -> list[dict]:
    import calcgraph as cg

    rows = []
    for n in sizes:
        with warnings.catch_warnings():  # every unused leaf warns; that is not timed here
            warnings.simplefilter("ignore")
            g = cg.loads_spec(spec_text(n))
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            g.to_dot()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        rows.append({"unused": n, "to_dot_s": med, "per_node_ms": 1000 * med / n})
    return rows


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    print("| unused leaves | to_dot | per unused leaf |")
    print("|---|---|---|")
    for r in run(sizes):
        print(f"| {r['unused']} | {r['to_dot_s'] * 1000:.0f} ms | {r['per_node_ms']:.3f} ms |")


if __name__ == "__main__":
    main()

"""Rendering: layout + SVG for graphs of about 10, 100 and 1000 nodes with each renderer.

One child process per size runs every contender once per round, in rotating order, the
floor among them: Graphviz alone (`dot -Kneato -n2 -Tsvg` on the same DOT text, a process
of its own timed with os.wait4), calcgraph's layout + the system Graphviz, and calcgraph's
layout + the embedded one. The child has a timeout, so a layout or a Graphviz run that never
ends is reported as a timeout instead of hanging the benchmark; it prints one JSON line per
finished run, so a timeout keeps what finished.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .graphs import chain_graph
from .procs import run_bounded, run_child

SIZES = (10, 100, 1000)
FLOOR = "graphviz alone"


def graph_of(nodes: int):
    """The op chain whose node count (variables + operators) is closest to `nodes`."""
    lo, hi = 2, max(4, nodes)
    while lo < hi:  # the node count grows with the chain length
        mid = (lo + hi) // 2
        if len(chain_graph(mid, width=4).nodes) < nodes:
            lo = mid + 1
        else:
            hi = mid
    return chain_graph(lo, width=4)


def renderers() -> list[str]:
    from calcgraph.graphviz.run import find_system_dot

    return (["system"] if find_system_dot() else []) + ["embedded"]


def contenders(only: list[str] | None = None) -> list[str]:
    """The floor (when a system Graphviz exists) and each renderer, or just `only`."""
    if only is not None:
        return only
    return ([FLOOR] if "system" in renderers() else []) + renderers()


def _child(nodes: int, rounds: int, names: list[str]) -> None:
    """In the child: every contender once per round, rotating; one JSON line per run."""
    from calcgraph.figure.draw import to_dot
    from calcgraph.graphviz import run as render
    from calcgraph.graphviz.run import find_system_dot

    g = graph_of(nodes)
    if "embedded" in names:  # load the embedded Graphviz once, outside the timed runs
        render.render(to_dot(graph_of(4)), "svg", renderer="embedded", pinned=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "g.dot")
        src.write_text(to_dot(g), encoding="utf-8")
        floor_cmd = [find_system_dot() or "dot", "-Kneato", "-n2", "-Tsvg", str(src),
                     "-o", str(Path(tmp, "g.svg"))]
        for r in range(rounds):
            for k in range(len(names)):
                who = names[(r + k) % len(names)]
                row: dict = {"who": who, "nodes": len(g.nodes)}
                if who == FLOOR:
                    done = run_child(floor_cmd, 86400)
                    row["total_s"] = done.wall_s if done.code == 0 else None
                else:
                    t0 = time.perf_counter()
                    source = to_dot(g)
                    t1 = time.perf_counter()
                    render.render(source, "svg", renderer=who, pinned=True, timeout=86400)
                    t2 = time.perf_counter()
                    row.update(layout_s=t1 - t0, svg_s=t2 - t1, total_s=t2 - t0)
                print(json.dumps(row), flush=True)


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def run_size(nodes: int, rounds: int, timeout: float,
             names: list[str] | None = None) -> list[dict]:
    """One row per contender: min / median / max total, median layout and SVG parts."""
    names = contenders(names)
    cmd = [sys.executable, "-m", "benchmarks.rendering", str(nodes), str(rounds), *names]
    code, out = run_bounded(cmd, timeout, stdout=subprocess.PIPE)
    lines = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    rows = []
    for who in names:
        mine = [d for d in lines if d["who"] == who]
        totals = [d["total_s"] for d in mine if d.get("total_s") is not None]
        rows.append({
            "family": "rendering", "case": f"~{nodes} nodes", "timeout_s": timeout,
            "contender": who, "nodes": next((d["nodes"] for d in mine), None),
            "timed_out": code is None and len(totals) < rounds,
            "failed": code not in (0, None), "rounds": len(totals),
            "min_s": min(totals, default=None), "median_s": _median(totals),
            "max_s": max(totals, default=None),
            "layout_s": _median([d["layout_s"] for d in mine if "layout_s" in d]),
            "svg_s": _median([d["svg_s"] for d in mine if "svg_s" in d]),
            "totals": totals})
    floor = next((r for r in rows if r["contender"] == FLOOR), None)
    for r in rows:
        if floor is None or not floor["totals"] or r["median_s"] is None:
            r["ratio"] = None
            continue  # each round's pair ran back to back: the median of per-round ratios
        pairs = zip(r["totals"], floor["totals"])
        r["ratio"] = statistics.median(a / b for a, b in pairs)
    return rows


def run(quick: bool = False, rounds: int | None = None, timeout: float | None = None,
        sizes: tuple[int, ...] | None = None) -> list[dict]:
    sizes = sizes or ((10,) if quick else SIZES)
    rounds = rounds or (1 if quick else 5)
    timeout = timeout or (20.0 if quick else 240.0)
    rows = []
    for nodes in sizes:
        rows += run_size(nodes, rounds, timeout)
    return rows


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])

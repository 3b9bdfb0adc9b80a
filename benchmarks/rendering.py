"""Rendering: layout + SVG for graphs of about 10, 100 and 1000 nodes with each renderer.

Each (size, renderer) case runs in a child process with a timeout, so a layout or a
Graphviz run that never ends is reported as a timeout instead of hanging the benchmark.
The floor is Graphviz alone (`dot -Kneato -n2 -Tsvg`) on the same DOT text.
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
from .procs import run_bounded, timed_run

SIZES = (10, 100, 1000)


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


def _child(nodes: int, renderer: str, rounds: int) -> None:
    """In the child: print one JSON line per timed phase, so a timeout keeps what finished."""
    from calcgraph.figure.draw import to_dot
    from calcgraph.graphviz import run as render

    g = graph_of(nodes)
    for _ in range(rounds):
        t0 = time.perf_counter()
        source = to_dot(g)
        t1 = time.perf_counter()
        print(json.dumps({"layout_s": t1 - t0, "nodes": len(g.nodes)}), flush=True)
        render.render(source, "svg", renderer=renderer, pinned=True, timeout=86400)
        print(json.dumps({"svg_s": time.perf_counter() - t1}), flush=True)


def _run_child(nodes: int, renderer: str, rounds: int, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.rendering", str(nodes), renderer, str(rounds)]
    code, out = run_bounded(cmd, timeout, stdout=subprocess.PIPE)
    lines = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    got: dict = {"timed_out": code is None, "failed": code not in (0, None)}
    for key in ("layout_s", "svg_s"):
        xs = [d[key] for d in lines if key in d]
        got[key] = statistics.median(xs) if xs else None
    got["nodes"] = next((d["nodes"] for d in lines if "nodes" in d), None)
    return got


def _floor(nodes: int, rounds: int, timeout: float) -> float | None:
    from calcgraph.figure.draw import to_dot
    from calcgraph.graphviz.run import find_system_dot

    dot_exe = find_system_dot()
    if not dot_exe:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "g.dot")
        src.write_text(to_dot(graph_of(nodes)), encoding="utf-8")
        cmd = [dot_exe, "-Kneato", "-n2", "-Tsvg", str(src), "-o", str(Path(tmp, "g.svg"))]
        times = []
        for _ in range(rounds):
            times.append(timed_run(cmd, timeout))
            if times[-1] is None:  # a timeout (or a failure) will not get better: stop
                break
    ok = [t for t in times if t is not None]
    return statistics.median(ok) if ok else None


def run(quick: bool = False, rounds: int | None = None, timeout: float | None = None,
        sizes: tuple[int, ...] | None = None) -> list[dict]:
    sizes = sizes or ((10,) if quick else SIZES)
    rounds = rounds or (1 if quick else 3)
    timeout = timeout or (20.0 if quick else 120.0)
    rows = []
    for nodes in sizes:
        floor = _floor(nodes, rounds, timeout)
        rows.append({"family": "rendering", "case": f"~{nodes} nodes", "timeout_s": timeout,
                     "contender": "graphviz alone", "median_s": floor, "ratio": 1.0 if floor
                     else None, "timed_out": floor is None})
        for renderer in renderers():
            got = _run_child(nodes, renderer, rounds, timeout)
            total = got["layout_s"] + got["svg_s"] if got["svg_s"] is not None else None
            rows.append({"family": "rendering", "case": f"~{nodes} nodes", "timeout_s": timeout,
                         "contender": renderer, "median_s": total,
                         "ratio": total / floor if total and floor else None, **got})
    return rows


if __name__ == "__main__":
    _child(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))

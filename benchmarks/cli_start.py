"""CLI start: cold `calcgraph --help`, `trace` and `render`, each in a fresh process.

Every round runs every command once, in rotating order, with `python -c pass` (the floor)
among them; each run's wall time and the child's own CPU time come from os.wait4.
"""

from __future__ import annotations

import statistics
import sys
import tempfile

from calcgraph.graphviz.run import find_system_dot

from .procs import calcgraph_command, run_child

TARGETS = {"calcgraph --help": 0.2, "calcgraph render (embedded)": 0.6}


def commands(out_dir: str) -> dict[str, list[str]]:
    cg = calcgraph_command()
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "calcgraph --help": [*cg, "--help"],
        "calcgraph trace": [*cg, "trace"],
        "calcgraph render (embedded)": [*cg, "render", "-o", f"{out_dir}/e.svg",
                                        "--renderer", "embedded"],
    }
    if find_system_dot():
        cmds["calcgraph render (system)"] = [*cg, "render", "-o", f"{out_dir}/s.svg",
                                             "--renderer", "system"]
    return cmds


def spread(xs: list[float]) -> dict:
    """min / median / max of the samples (None when there are none)."""
    if not xs:
        return {"min_s": None, "median_s": None, "max_s": None}
    return {"min_s": min(xs), "median_s": statistics.median(xs), "max_s": max(xs)}


def run(quick: bool = False, rounds: int | None = None, timeout: float = 60.0) -> list[dict]:
    rounds = rounds or (2 if quick else 11)
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(tmp)
        for cmd in cmds.values():  # warm the OS file cache and the embedded renderer's cache
            run_child(cmd, timeout, cwd=tmp)
        wall: dict[str, list[float]] = {name: [] for name in cmds}
        cpu: dict[str, list[float]] = {name: [] for name in cmds}
        failed = dict.fromkeys(cmds, 0)
        names = list(cmds)
        for r in range(rounds):
            for k in range(len(names)):
                name = names[(r + k) % len(names)]
                done = run_child(cmds[name], timeout, cwd=tmp)
                if done.code != 0:
                    failed[name] += 1
                    continue
                wall[name].append(done.wall_s)
                cpu[name].append(done.cpu_s)
    floor = spread(wall["python -c pass"])["median_s"]
    rows = []
    for name in names:
        s = spread(wall[name])
        rows.append({"family": "cli", "case": name, "contender": "wall", **s,
                     "cpu_median_s": spread(cpu[name])["median_s"],
                     "failed": failed[name], "rounds": rounds,
                     "ratio": s["median_s"] / floor if s["median_s"] is not None and floor
                     else None, "target_s": TARGETS.get(name)})
    return rows

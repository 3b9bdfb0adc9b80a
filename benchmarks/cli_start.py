"""CLI start: cold `calcgraph --help`, `trace` and `render` wall times, each in a fresh process."""

from __future__ import annotations

import statistics
import sys
import tempfile

from calcgraph.graphviz.run import find_system_dot

from .procs import calcgraph_command, timed_run

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


def run(quick: bool = False, rounds: int | None = None, timeout: float = 60.0) -> list[dict]:
    rounds = rounds or (2 if quick else 11)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(tmp)
        for cmd in cmds.values():  # warm the OS file cache and the embedded renderer's cache
            timed_run(cmd, timeout, cwd=tmp)
        samples: dict[str, list[float | None]] = {name: [] for name in cmds}
        names = list(cmds)
        for r in range(rounds):
            for k in range(len(names)):
                name = names[(r + k) % len(names)]
                samples[name].append(timed_run(cmds[name], timeout, cwd=tmp))
    floor = _median(samples["python -c pass"])
    for name, got in samples.items():
        med = _median(got)
        rows.append({"family": "cli", "case": name, "contender": "wall", "median_s": med,
                     "failed": sum(s is None for s in got), "rounds": len(got),
                     "ratio": med / floor if med is not None and floor else None,
                     "target_s": TARGETS.get(name)})
    return rows


def _median(xs: list[float | None]) -> float | None:
    ok = [x for x in xs if x is not None]
    return statistics.median(ok) if ok else None

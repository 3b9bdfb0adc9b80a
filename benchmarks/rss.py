"""Peak resident memory of one training step, per size: numpy floor, calcgraph, torch.

Each (size, contender) runs in a child process of its own, so that one contender's
allocator caches never count against another. The child builds its arrays, resets the
kernel's high-water mark (/proc/self/clear_refs) and runs four steps, the first one cold
as a training loop's is; it reports the peak above what it held before them, which leaves
out the interpreter and the libraries (torch alone is hundreds of MB), and the child's
whole peak (VmHWM) too. (os.wait4's maximum RSS is no use here: on Linux it counts the
parent's pages the child shared before exec, so every child would show this process's
size.) Linux only: elsewhere the rows say so.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

SIZES: dict[str, tuple] = {
    "d2l": (784, 256, 10, 256),
    "wide": (1024, 4096, 1000, 512),
    "deep": (32, 512, 10, 128, "deep"),
}
QUICK_SIZES: dict[str, tuple] = {"d2l": (784, 256, 10, 64)}
CONTENDERS = ("numpy floor", "calcgraph keep=all", "calcgraph keep=needed", "torch")
LAM = 0.1


def _status(key: str) -> int:
    """A /proc/self/status field in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def _step(size: tuple, who: str):
    from .contenders import torch_mlp
    from .floors import mlp_floor
    from .graphs import mlp_graph, weights_of

    g = mlp_graph(size)
    x, y, ws = g["x"].value, g["y"].value, weights_of(g)
    if who == "numpy floor":
        return lambda: mlp_floor(x, y, ws, LAM)
    if who == "torch":
        import torch

        torch.set_num_threads(1)
        return torch_mlp(x, y, ws, LAM)
    keep = who.rsplit("=", 1)[1]

    def step() -> None:
        g.forward(keep=keep)
        g.backward()

    return step


def _child(name: str, who: str) -> None:
    from threadpoolctl import threadpool_limits

    step = _step(SIZES.get(name) or QUICK_SIZES[name], who)
    threadpool_limits(limits=1)
    before = _status("VmRSS")  # the arrays exist; no step has run
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    held = None  # a training loop holds each step's result until the next one replaces it
    for _ in range(4):
        held = None
        held = step()
    peak = _status("VmHWM")
    print(json.dumps({"peak_above_setup": peak - before, "setup": before, "peak": peak,
                      "held": held is not None}))


def available() -> bool:
    return sys.platform.startswith("linux") and Path("/proc/self/clear_refs").exists()


def run(quick: bool = False, rounds: int | None = None, timeout: float = 300.0) -> list[dict]:
    from .contenders import torch_version

    sizes = QUICK_SIZES if quick else SIZES
    names = [c for c in CONTENDERS if c != "torch" or (torch_version() and not quick)]
    rounds = rounds or (1 if quick else 3)
    rows = []
    for name in sizes:
        got: dict[str, list[dict]] = {who: [] for who in names}
        for r in range(rounds if available() else 0):
            for k in range(len(names)):  # rotating order, as everywhere
                who = names[(r + k) % len(names)]
                got[who].append(_measure(name, who, timeout))
        floor = _med([d["peak_above_setup"] for d in got["numpy floor"] if d])
        for who in names:
            ok = [d for d in got[who] if d]
            peak = _med([d["peak_above_setup"] for d in ok])
            rows.append({"family": "rss", "case": name, "contender": who,
                         "peak_bytes": peak, "child_peak_bytes": _med([d["peak"] for d in ok]),
                         "ratio": peak / floor if peak and floor else None,
                         "rounds": len(ok), "available": available()})
    return rows


def _measure(name: str, who: str, timeout: float) -> dict | None:
    from .procs import run_child

    cmd = [sys.executable, "-m", "benchmarks.rss", name, who]
    done = run_child(cmd, timeout, capture=True)
    if done.code != 0:
        return None
    lines = [json.loads(s) for s in done.out.decode().splitlines() if s.startswith("{")]
    return lines[-1] if lines else None


def _med(xs: list) -> float | None:
    return statistics.median(xs) if xs else None



if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])

"""Entry point: run the benchmark families, print the tables, write JSON (`python -m benchmarks -h`)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/run.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report

FAMILIES = ("engine", "overhead", "memory", "rss", "rendering", "layout", "quality", "cli")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes, few rounds: a smoke run")
    p.add_argument("--json", metavar="PATH", help="also write every row and the targets as JSON")
    p.add_argument("--only", metavar="LIST", default=",".join(FAMILIES),
                   help=f"comma-separated families (default: all of {','.join(FAMILIES)})")
    p.add_argument("--rounds", type=int, default=None, help="rounds per measurement")
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS and torch threads (default 1: see docs/performance.md)")
    p.add_argument("--clock", choices=("cpu", "wall"), default=None,
                   help="cpu (process time; default with --threads 1) or wall")
    args = p.parse_args(argv)
    args.only = [f.strip() for f in args.only.split(",") if f.strip()]
    bad = [f for f in args.only if f not in FAMILIES]
    if bad:
        p.error(f"unknown family: {bad[0]!r} (must be one of {list(FAMILIES)})")
    args.clock = args.clock or ("cpu" if args.threads == 1 else "wall")
    return args


def limit_threads(n: int) -> dict:
    """Pin BLAS (threadpoolctl), torch and XLA to n threads; returns what the BLAS reports."""
    info: dict = {"threads": n}
    if n == 1:  # read when jax is first imported, so before contenders.jax_version()
        os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                           "intra_op_parallelism_threads=1")
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        info["blas"] = "threadpoolctl not installed: BLAS threads not pinned"
    else:
        threadpool_limits(limits=n)
    from benchmarks import contenders

    if contenders.torch_version():
        import torch

        torch.set_num_threads(n)
    if "blas" not in info:  # importing torch can reset OpenBLAS's threads: pin again, then read
        threadpool_limits(limits=n)
        info["blas"] = [{k: d.get(k) for k in ("internal_api", "version", "architecture",
                                               "num_threads")} for d in threadpool_info()]
    return info


def machine(args: argparse.Namespace) -> dict:
    import numpy as np

    from benchmarks import contenders

    threads = limit_threads(args.threads)
    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "loadavg": os.getloadavg(), "numpy": np.__version__,
        "torch": contenders.torch_version(), "jax": contenders.jax_version(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "clock": args.clock, **threads,
    }


def run_family(name: str, args: argparse.Namespace) -> list[dict]:
    from benchmarks import cli_start, engine, layout, memory, overhead, rendering, rss

    if name == "engine":
        return engine.run(args.quick, args.rounds, args.clock)
    if name == "overhead":
        return overhead.run(args.quick, args.rounds, args.clock)
    if name == "memory":
        return memory.run(args.quick)
    if name == "rss":
        return rss.run(args.quick, args.rounds)
    if name == "rendering":
        return rendering.run(args.quick, args.rounds)
    if name == "layout":
        return layout.time_rows(args.quick, args.rounds)
    if name == "quality":
        return layout.quality_rows(args.quick)
    return cli_start.run(args.quick, args.rounds)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    doc = {"machine": machine(args),
           "config": {"quick": args.quick, "only": args.only, "rounds": args.rounds},
           "results": [], "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    for name in args.only:
        t0 = time.perf_counter()
        rows = run_family(name, args)
        doc["results"].extend(rows)
        report.print_family(name, rows, time.perf_counter() - t0)
    doc["targets"] = report.targets(doc["results"])
    report.print_targets(doc["targets"], doc["machine"])
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

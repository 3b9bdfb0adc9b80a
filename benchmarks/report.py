"""The benchmark tables (rich) and the targets check, from the rows the families return."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

MB = 1024 * 1024


def console() -> Console:
    """A console as wide as the terminal, or 140 columns when writing to a file or pipe."""
    con = Console()
    if not con.is_terminal:
        con = Console(width=140)
    return con


def _t(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def _r(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _mmm(r: dict) -> str:
    """min / median / max of the per-call times."""
    return " / ".join(_t(r.get(k)) for k in ("min_s", "median_s", "max_s"))


def _ratio(r: dict) -> str:
    """The median paired ratio and its range over rounds."""
    if r.get("ratio_min") is None:
        return _r(r["ratio"])
    return f"{_r(r['ratio'])} ({r['ratio_min']:.2f}–{r['ratio_max']:.2f})"


def _mb(x: float | None) -> str:
    return "—" if x is None else f"{x / MB:.1f} MB"


COLUMNS = {
    "engine": (("case", lambda r: r["case"]), ("size", lambda r: r["size"]),
               ("contender", lambda r: r["contender"]), ("min / median / max", _mmm),
               ("× floor (min–max)", _ratio),
               ("faults/call", lambda r: f"{r['faults_per_call']:.0f}"),
               ("target", lambda r: _r(r.get("target")))),
    "overhead": (("case", lambda r: r["case"]), ("contender", lambda r: r["contender"]),
                 ("min / median / max", _mmm), ("µs/op", lambda r: f"{r['us_per_op']:.2f}"),
                 ("× floor (min–max)", _ratio), ("target", lambda r: _r(r.get("target")))),
    "memory": (("case", lambda r: r["case"]), ("mode", lambda r: r["contender"]),
               ("retained", lambda r: f"{r['retained_bytes'] / MB:.3f} MB"),
               ("needed+resid.",
                lambda r: f"{(r['needed_bytes'] + r['residual_bytes']) / MB:.3f} MB"),
               ("ratio", lambda r: _r(r["ratio"])),
               ("peak", lambda r: f"{r['peak_bytes'] / MB:.2f} MB"),
               ("floor peak", lambda r: f"{r['floor_peak_bytes'] / MB:.2f} MB"),
               ("peak × floor", lambda r: _r(r["peak_ratio"])),
               ("target", lambda r: _r(r.get("target")))),
    "rss": (("case", lambda r: r["case"]), ("contender", lambda r: r["contender"]),
            ("peak RSS above setup", lambda r: _mb(r["peak_bytes"])),
            ("× floor", lambda r: _r(r["ratio"])),
            ("child's whole peak", lambda r: _mb(r["child_peak_bytes"])),
            ("rounds", lambda r: str(r["rounds"]))),
    "rendering": (("case", lambda r: r["case"]), ("contender", lambda r: r["contender"]),
                  ("layout+DOT", lambda r: _t(r.get("layout_s"))),
                  ("SVG", lambda r: _t(r.get("svg_s"))), ("min / median / max", _mmm),
                  ("× graphviz", lambda r: _r(r["ratio"])),
                  ("note", lambda r: f"timeout {r['timeout_s']:.0f} s" if r.get("timed_out")
                   else "failed" if r.get("failed") else "")),
    "layout": (("case", lambda r: r["case"]), ("to_dot", lambda r: _t(r["median_s"])),
               ("exponent", lambda r: _r(r.get("exponent"))),
               ("target", lambda r: _t(r.get("target_s")) if r.get("target_s")
                else _r(r.get("target")))),
    "quality": (("graph", lambda r: r["case"]), ("nodes", lambda r: str(r["nodes"])),
                ("layout", lambda r: r["contender"]), ("crossings", lambda r: str(r["crossings"])),
                ("through nodes", lambda r: str(r["through"])),
                ("note collisions", lambda r: str(r["collisions"])),
                ("canvas pt", lambda r: f"{r['width']:.0f} × {r['height']:.0f}")),
    "cli": (("command", lambda r: r["case"]), ("wall min / median / max", _mmm),
            ("CPU median", lambda r: _t(r.get("cpu_median_s"))),
            ("× python start", lambda r: _r(r["ratio"])),
            ("target", lambda r: _t(r.get("target_s"))), ("failed", lambda r: str(r["failed"]))),
}


def print_family(name: str, rows: list[dict], seconds: float, out: Console | None = None) -> None:
    table = Table(title=f"{name} ({seconds:.0f} s)", title_justify="left")
    cols = COLUMNS[name]
    for head, _ in cols:
        table.add_column(head)
    for row in rows:
        table.add_row(*(get(row) for _, get in cols))
    (out or console()).print(table)


def _met(value: float | None, target: float) -> bool | None:
    return None if value is None else value <= target


def targets(rows: list[dict]) -> list[dict]:
    """One line per performance target, with the measured value and whether it is met."""
    out = []
    for r in rows:
        if r.get("target") is None and r["family"] in ("engine", "overhead", "memory"):
            continue
        if r["family"] in ("engine", "overhead"):
            out.append({"metric": f"{r['contender']} / numpy floor, {r['case']}",
                        "target": r["target"], "value": r["ratio"],
                        "met": _met(r["ratio"], r["target"])})
        elif r["family"] == "memory":
            out.append({"metric": f"peak / floor peak, {r['contender']}, {r['case']}",
                        "target": r["target"], "value": r["peak_ratio"],
                        "met": _met(r["peak_ratio"], r["target"])})
        elif r["family"] == "layout" and (r.get("target_s") or r.get("target")):
            value = r["exponent"] if r.get("target") else r["median_s"]
            target = r.get("target") or r["target_s"]
            out.append({"metric": f"layout: {r['case']}" + ("" if r.get("target") else ", s"),
                        "target": target, "value": value, "met": _met(value, target)})
        elif r["family"] == "cli" and r.get("target_s"):
            out.append({"metric": f"{r['case']} cold, s", "target": r["target_s"],
                        "value": r["median_s"], "met": _met(r["median_s"], r["target_s"])})
    mem = [r for r in rows if r["family"] == "memory" and r["needed_bytes"] >= MB / 4]
    for keep in ("keep=all", "keep=needed"):
        worst = max((r["ratio"] for r in mem if r["contender"] == keep), default=None)
        if worst is not None:  # within 1%: what Python objects around the arrays cost
            out.append({"metric": f"retained / needed, {keep}, cases ≥ 0.25 MB (worst)",
                        "target": 1.0, "value": worst, "met": _met(worst, 1.01)})
    return out


def print_targets(rows: list[dict], machine: dict, out: Console | None = None) -> None:
    table = Table(title="targets", title_justify="left")
    for head in ("metric", "target", "measured", "met"):
        table.add_column(head)
    for t in rows:
        met = {True: "yes", False: "NO", None: "—"}[t["met"]]
        table.add_row(t["metric"], f"{t['target']:g}", _r(t["value"]), met)
    out = out or console()
    out.print(table)
    blas = machine.get("blas")
    out.print(f"threads {machine['threads']}, clock {machine['clock']}, BLAS {blas}, "
                  f"OPENBLAS_CORETYPE={machine['OPENBLAS_CORETYPE']}, load {machine['loadavg']}")
    if machine.get("OPENBLAS_CORETYPE") or machine.get("OPENBLAS_L2_SIZE"):
        out.print("warning: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set, so numpy's BLAS runs "
                  "an older kernel than this CPU's; unset both in the benchmark command alone "
                  "(see docs/performance.md)")

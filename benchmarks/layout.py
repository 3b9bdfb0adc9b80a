"""Layout: the time of graph → DOT by size (and its growth exponent), and figure quality.

`time_rows`: `to_dot` (layout, notes, DOT) on chains of 100 to 3,000 nodes, a fan-out of
1,000 and a 300-node random DAG, median of a few rounds; the growth exponent is the slope
of log time over log nodes from 300 to 3,000. `quality_rows`: every sample and the
generated set (layout_graphs.generated) rendered with each layout in the same run, and
counted in the SVG by calcgraph.figure.quality.measure_svg.
"""

from __future__ import annotations

import math
import statistics
import time

from . import layout_graphs as lg

SIZES = (100, 300, 1000, 3000)


def _time(g, rounds: int) -> float:
    from calcgraph.figure.draw import to_dot

    data = g.to_dict(values=False)  # the layout's input; building it is not layout time
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        to_dot(data)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_rows(quick: bool = False, rounds: int | None = None) -> list[dict]:
    rounds = rounds or (1 if quick else 3)
    sizes = (100, 300) if quick else SIZES
    rows = []
    for n in sizes:
        g = lg.chain(n)
        rows.append({"family": "layout", "case": f"chain {len(g.nodes)} nodes",
                     "nodes": len(g.nodes), "median_s": _time(g, rounds)})
    chains = {r["nodes"]: r["median_s"] for r in rows}
    lo, hi = min((n for n in chains if n >= 250), default=min(chains)), max(chains)
    slope = math.log(chains[hi] / chains[lo]) / math.log(hi / lo) if hi > lo else None
    rows.append({"family": "layout", "case": f"growth exponent, chain {lo}–{hi}",
                 "nodes": None, "median_s": None, "exponent": slope,
                 "target": 1.2 if lo >= 250 else None})
    for g, target in ((lg.random_dag(100 if quick else 300), 1.0),
                      (lg.fan_out(50 if quick else 1000), None)):
        rows.append({"family": "layout", "case": f"{g.name} ({len(g.nodes)} nodes)",
                     "nodes": len(g.nodes), "median_s": _time(g, rounds), "target_s": target})
    for row in rows:
        if row["case"].startswith("chain") and row["nodes"] and 900 <= row["nodes"] <= 1100:
            row["target_s"] = 0.3
    return rows


def quality_rows(quick: bool = False) -> list[dict]:
    from calcgraph.figure.draw import svg_text
    from calcgraph.figure.quality import measure_svg
    from calcgraph.graphviz import run as render
    from calcgraph.sources import load_source, sample_names

    graphs = [(n, load_source(n)) for n in sample_names()]
    generated = lg.generated()[:6] if quick else lg.generated()
    graphs += [(g.name, g) for g in generated]
    renderer = "system" if render.find_system_dot() else "embedded"  # what svg_text uses
    rows = []
    for name, g in graphs:
        data = g.to_dict(values=False)
        for layout in ("d2l", "dot"):
            q = measure_svg(svg_text(data, layout=layout))
            rows.append({"family": "quality", "case": name, "nodes": len(g.nodes),
                         "contender": layout, "renderer": renderer, **q.as_dict()})
    if not quick:
        rows += _sweep(renderer)
    return rows


def _sweep(renderer: str, seeds: int = 10) -> list[dict]:
    """Random DAGs of 30 to 150 nodes, ten seeds each: the sums over the seeds, the widest
    canvas, and in how many seeds calcgraph's layout crosses more edges than dot's."""
    from calcgraph.figure.draw import svg_text
    from calcgraph.figure.quality import measure_svg

    rows = []
    for n in (30, 60, 100, 150):
        found = {"d2l": [], "dot": []}
        for seed in range(seeds):
            data = lg.random_dag(n, seed).to_dict(values=False)
            for layout, qs in found.items():
                qs.append(measure_svg(svg_text(data, layout=layout)))
        worse = sum(a.crossings > b.crossings for a, b in zip(found["d2l"], found["dot"]))
        for layout, qs in found.items():
            rows.append({"family": "quality", "case": f"random{n}, seeds 0-{seeds - 1} (sums)",
                         "nodes": n, "contender": layout, "renderer": renderer,
                         "crossings": sum(q.crossings for q in qs),
                         "through": sum(q.through for q in qs),
                         "collisions": sum(q.collisions for q in qs),
                         "width": max(q.width for q in qs), "height": max(q.height for q in qs),
                         "seeds_worse_than_dot": worse if layout == "d2l" else None})
    return rows

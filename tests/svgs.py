"""Reading rendered SVG in tests: node centres and the grid they sit on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def centres(svg: bytes) -> dict[str, tuple[float, float]]:
    """Node centres from Graphviz SVG, keyed by <title> (SVG y grows downward)."""
    out = {}
    for g in ET.fromstring(svg).iter(SVG + "g"):
        if not g.get("class", "").startswith("node"):
            continue
        title = g.find(SVG + "title").text
        ellipse, polygon = g.find(f".//{SVG}ellipse"), g.find(f".//{SVG}polygon")
        if ellipse is not None:
            out[title] = (float(ellipse.get("cx")), float(ellipse.get("cy")))
        elif polygon is not None:
            pts = [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]
            xs, ys = zip(*pts[:4])
            out[title] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return out


def grid_from_svg(svg: bytes, ids) -> dict[str, tuple[int, int]]:
    """Rows and columns recovered from positions alone: rank of distinct x, and of distinct -y."""
    pos = {k: v for k, v in centres(svg).items() if k in ids}
    xs = sorted({round(x) for x, _ in pos.values()})
    ys = sorted({round(-y) for _, y in pos.values()})
    return {k: (xs.index(round(x)) + 1, ys.index(round(-y))) for k, (x, y) in pos.items()}



"""`--layout dot` with calcgraph's annotations: Graphviz's dot places the nodes and routes
the edges, then the notes and the legend are placed beside them as for the d2l layout."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from calcgraph.errors import CalcgraphError
from calcgraph.figure import dot
from calcgraph.figure.elements import Scene
from calcgraph.figure.notes import _place_legend, place_notes
from calcgraph.graphviz import run as render

_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def attach(scene: Scene) -> Scene:
    """The scene pinned where dot puts its nodes, edges on dot's splines, notes placed.

    Without a Graphviz to run (or when it fails), the scene comes back as it was: the DOT
    then asks Graphviz for the layout and attaches the notes as external labels.
    """
    text = dot.to_dot(replace(scene, notes=(), legend=()))
    svg = None
    for renderer in ("embedded", "system"):  # the embedded first: the same DOT everywhere
        try:
            svg = render.render(text, "svg", renderer=renderer, pinned=False, engine="dot")
            break
        except CalcgraphError:
            continue
    if svg is None:
        return scene
    centres, splines = _read(svg)
    if set(centres) != {n.id for n in scene.nodes} or len(splines) != len(scene.edges):
        return scene  # not the drawing we asked for: keep Graphviz's own labels
    nodes = tuple(replace(n, x=centres[n.id][0], y=centres[n.id][1]) for n in scene.nodes)
    edges = tuple(replace(e, spline=s) for e, s in zip(scene.edges, splines))
    pinned = replace(scene, nodes=nodes, edges=edges)
    placed = replace(pinned, notes=place_notes(pinned, nodes))
    return replace(placed, legend=_place_legend(placed)) if scene.legend else placed


def _read(svg: bytes) -> tuple[dict[str, tuple[float, float]], list[tuple]]:
    """Node centres and edge splines (arrow tip first) in DOT's points (y up), in DOT order."""
    centres: dict[str, tuple[float, float]] = {}
    edges: list[tuple[int, tuple]] = []
    for g in ET.fromstring(svg).iter(_SVG + "g"):
        cls, title = g.get("class", ""), g.findtext(_SVG + "title") or ""
        if cls.startswith("node"):
            shape = g.find(f".//{_SVG}ellipse")
            if shape is not None:
                centres[title] = (float(shape.get("cx")), -float(shape.get("cy")))
                continue
            poly = g.find(f".//{_SVG}polygon")
            if poly is not None:
                v = [float(x) for x in _NUMBER.findall(poly.get("points", ""))]
                xs, ys = v[0::2], v[1::2]
                centres[title] = ((min(xs) + max(xs)) / 2, -(min(ys) + max(ys)) / 2)
        elif cls == "edge":
            path, head = g.find(_SVG + "path"), g.find(_SVG + "polygon")
            v = [float(x) for x in _NUMBER.findall(path.get("d", ""))] if path is not None else []
            pts = [(x, -y) for x, y in zip(v[0::2], v[1::2])]
            if head is not None:
                tip = [float(x) for x in _NUMBER.findall(head.get("points", ""))][:2]
                pts = [(tip[0], -tip[1]), *pts]
            number = int(_NUMBER.search(g.get("id", "edge0")).group().lstrip("-") or 0)
            edges.append((number, tuple(pts)))
    return centres, [pts for _, pts in sorted(edges)]

"""Parameters drawn as one box (a spec's `box` attribute): the graph data with each group merged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def box_ids(data: Mapping[str, Any]) -> dict[str, str]:
    """{parameter id: the id of the box it is drawn in ('Whx' -> 'Whx+Whh')}."""
    merged = merge_boxes(data)
    return {m["id"]: n["id"] for n in merged["nodes"] for m in n.get("members", ())}


def merge_boxes(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """`data` with the parameters of each box group as one node, id 'Whx+Whh'.

    The merged node keeps its members' records under "members" (for its annotation) and
    joins their labels with a comma; edges from any member run from it, each pair once.
    Without groups of two or more, `data` itself comes back.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for n in data["nodes"]:
        if n.get("box"):
            groups.setdefault(n["box"], []).append(n)
    groups = {k: v for k, v in groups.items() if len(v) > 1}
    if not groups:
        return data
    rename = {m["id"]: "+".join(x["id"] for x in ms) for ms in groups.values() for m in ms}
    nodes: list[Mapping[str, Any]] = []
    for n in data["nodes"]:
        if n["id"] not in rename:
            if n["kind"] == "operator":
                n = {**n, "inputs": [rename.get(u, u) for u in n["inputs"]]}
            nodes.append(n)
        elif rename[n["id"]] not in {m["id"] for m in nodes}:
            members = groups[n["box"]]
            nodes.append({**n, "id": rename[n["id"]], "members": members,
                          "label": ", ".join(m["label"] for m in members),
                          "label_text": ", ".join(m["label_text"] for m in members),
                          "consumers": sorted({c for m in members for c in m["consumers"]})})
    edges, seen = [], set()
    for e in data["edges"]:
        pair = (rename.get(e["src"], e["src"]), e["dst"])
        if pair not in seen:
            seen.add(pair)
            edges.append({**e, "src": pair[0]})
    return {**data, "nodes": nodes, "edges": edges}

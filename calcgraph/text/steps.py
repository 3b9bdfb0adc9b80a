"""What each backward step touches on the figure, and how the step reads, from plain records.

`touches` is the `touches` key of every backward record in the JSON document (docs/json.md):
the nodes and forward edges a step's gradient travels along. The rest reads only the plain
document, so the figure, the HTML page and any other front end agree on what step K shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calcgraph.core.engine import Step
    from calcgraph.core.graph import Graph


def touches(graph: Graph, step: Step, operands: Sequence[Mapping[str, Any]] = ()) -> dict:
    """The step's nodes, the forward edges it travels back along and the forward values it reads.

    A vjp step touches its source, the operator and its target, along the edges
    target → operator → source, and reads the forward values its numpy line names
    (`operands`, from its record); a sum step touches its target and the last edge of each
    path that meets there (W⁽²⁾ → × and W⁽²⁾ → ℓ₂); the seed touches the objective only.
    """
    v = step.target.name
    if step.kind == "seed":
        return {"nodes": [v], "edges": [], "reads": []}
    if step.kind == "sum":
        vias = [graph.steps[t - 1].via.name for t in step.terms]
        return {"nodes": [v, *vias], "edges": [[v, op] for op in vias], "reads": []}
    node = step.via
    src = node.output.name
    inputs = {u.name for u in node.inputs}
    reads = list(dict.fromkeys(o["name"] for o in operands if o["name"] in inputs))
    return {"nodes": [src, node.name, v], "edges": [[v, node.name], [node.name, src]],
            "reads": reads}


def known(backward: Sequence[Mapping[str, Any]], k: int) -> tuple[set[str], set[str]]:
    """(complete, partial) after step k: gradients finished, and those with only some paths."""
    done, part = set(), set()
    for rec in backward[:k]:
        (done if rec["final"] else part).add(rec["target"])
    return done, part - done


def _sum_of(backward: Sequence[Mapping[str, Any]], k: int) -> tuple[int, int, int] | None:
    for rec in backward:
        terms = rec.get("terms", [])
        if k in terms:
            return sorted(terms).index(k) + 1, len(terms), rec["step"]
    return None


def caption(doc: Mapping[str, Any], k: int, lang: str = "en") -> tuple[str, str, str]:
    """Step k's heading, the forward equation it reverses ('' if none) and its formula in
    math form, as `calcgraph trace` prints them, in `lang`. Step 0 is the forward state.
    """
    from calcgraph.text.lang import words

    w = words(lang)
    backward = doc["backward"]
    if k == 0:
        return w["s.forward"], "", w["s.follow"].format(n=len(backward))
    rec = backward[k - 1]
    grad = rec["grad"]
    head = w["s.head"].format(k=k, n=len(backward), grad=grad)
    if rec["kind"] == "seed":
        return head + w["s.seed"], "", f"{grad} = 1"
    if rec["kind"] == "sum":
        return head + w["s.sum"].format(n=len(rec["terms"])), "", f"{grad} = {rec['math']}"
    ops = {n["id"]: n for n in doc["nodes"]}
    through = next((f["math"] for f in doc["forward"] if f["op"] == rec["via"]), "")
    path = _sum_of(backward, k) if not rec["final"] else None
    if path is not None:
        head += w["t.path"].format(via=ops[rec["via"]]["label_text"], i=path[0], n=path[1],
                                   k=path[2])
    if rec["source"] == doc.get("objective"):
        math = f"{grad} = {rec['math']}"
    elif path is not None:
        math = f"{rec['prod']} = {rec['math']}"
    else:
        math = f"{grad} = {rec['prod']} = {rec['math']}"
    return head, w["s.through"].format(eq=through), math

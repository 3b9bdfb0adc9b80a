"""The figure at backward step K: gradients known so far, the step's node and path, a caption.

Reads the backward records of the plain JSON document (their `touches`, docs/json.md) and
restyles a built scene: nothing moves between steps, so the frames of a sweep line up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from calcgraph.errors import UsageError
from calcgraph.figure.elements import Node, Note, Scene
from calcgraph.figure.metrics import LINE
from calcgraph.text.lang import words
from calcgraph.text.steps import caption, known
from calcgraph.text.summary import summarize

KNOWN_WIDTH, STEP_WIDTH, EDGE_WIDTH = 1.6, 2.4, 2.0
# What a stepped figure writes beside a node: always the gradient shape, values on request.
STEP_ANNOTATE = {"none": "shapes", "shapes": "shapes", "values": "all", "grads": "grads",
                 "all": "all"}
CAPTION_CHARS = 72  # a heading up to this long also names the equation the step reverses


def check_step(data: Mapping[str, Any], k: int) -> int:
    """k itself when the document has a step k (0 is the forward state), else a UsageError."""
    n = len(data.get("backward", ()))
    if not n:
        raise UsageError(f"--step {k}: graph {data.get('name')!r} has no backward steps "
                         f"(it has no objective)")
    if not 0 <= k <= n:
        raise UsageError(f"--step {k}: out of range (the backward sweep of {data.get('name')!r} "
                         f"has steps 1 to {n}; 0 is the forward state)")
    return k


def at_step(scene: Scene, data: Mapping[str, Any], k: int, lang: str = "en") -> Scene:
    """The scene restyled for step k: outlines, the highlighted path, notes and the caption
    (in `lang`)."""
    check_step(data, k)
    t = scene.theme
    rec = data["backward"][k - 1] if k else None
    done, partial = known(data["backward"], k)
    touched = rec["touches"] if rec else {"nodes": [], "edges": []}
    target = rec["target"] if rec else None
    nodes = tuple(_node(n, target, touched["nodes"], done, partial, t) for n in scene.nodes)
    path = {tuple(e) for e in touched["edges"]}
    edges = tuple(replace(e, color=t.accent, back=True, penwidth=EDGE_WIDTH, mark="step")
                  if (e.src, e.dst) in path else e for e in scene.edges)
    notes = tuple(_note(n, rec, done, partial, t) for n in scene.notes)
    head, through, math = caption(data, k, lang)
    if through and len(head) + len(through) <= CAPTION_CHARS:
        head += words(lang)["s.sep"] + through
    return replace(scene, nodes=nodes, edges=edges, notes=notes, caption=(head, math),
                   legend=_legend(scene))


def _legend(scene: Scene) -> tuple:
    """The legend's text says what the outlines mean; it grows downward, clear of the swatches."""
    out = []
    size = scene.theme.note_size * LINE
    for key in scene.legend:
        if key.kind != "text":
            out.append(key)
            continue
        lines = [line for line in key.text.split("\n") if not line.startswith("light grey")]
        lines += ["green outline: ∂ known (dashed: only some of its paths so far)",
                  "red: this step's gradient, travelling back against the arrows",
                  "light grey ∂: not computed yet (or never)"]
        grown = len(lines) - key.text.count("\n") - 1
        y = key.y - grown * size / 2 if key.y is not None else None
        out.append(replace(key, text="\n".join(lines), y=y))
    return tuple(out)


def _node(n: Node, target: str | None, touched: list[str], done: set[str], partial: set[str],
          t: Any) -> Node:
    if n.id == target:
        return replace(n, outline=t.accent, penwidth=STEP_WIDTH, mark="step")
    if n.id in touched and n.kind == "operator":  # the operator the gradient comes back through
        return replace(n, outline=t.accent, penwidth=KNOWN_WIDTH, mark="path")
    if n.id in done:
        return replace(n, outline=t.known_color, penwidth=KNOWN_WIDTH, mark="known")
    if n.id in partial:
        return replace(n, outline=t.known_color, penwidth=KNOWN_WIDTH, dashed=True,
                       mark="partial")
    return n


def _note(note: Note, rec: Mapping[str, Any] | None, done: set[str], partial: set[str],
          t: Any) -> Note:
    """The gradient lines (from the first ∂ line on): accent on the step's node, normal once
    known, faint before; a value not known yet is blanked, a partial one is the step's own.

    The note keeps its width, so it stays where it was placed at the full text.
    """
    if getattr(note, "framed", False):
        return _framed(note, rec, done, t)
    first = next((i for i, line in enumerate(note.lines) if line.startswith("∂")), None)
    if first is None:
        return note
    lines, colors = list(note.lines), []
    faint = set(note.faint) - set(range(first, len(lines)))
    current = rec is not None and rec["target"] == note.node
    for i in range(first, len(lines)):
        value = i > first or ":" not in lines[i] or not lines[i].split(":", 1)[1].strip(
            ).startswith("(")
        if current:
            colors.append((i, t.accent))
            if value and "value" in rec and not rec["final"]:
                lines[i] = _value_text(lines[i], summarize(rec["value"]))
        elif note.node in done:
            continue
        else:
            faint.add(i)
            if value:
                lines[i] = "" if note.node not in partial else "(partial)"
    return replace(note, lines=tuple(lines), colors=tuple(colors), faint=tuple(sorted(faint)))


def _framed(note: Note, rec: Mapping[str, Any] | None, done: set[str], t: Any) -> Note:
    """A scalar's `data 0.25 | grad 1` record: its grad is `?` until the sweep reaches it."""
    line = note.lines[0]
    if " | grad " not in line:
        return note
    data = line.split(" | grad ", 1)[0]
    if rec is not None and rec["target"] == note.node:
        value = line if rec["final"] or "value" not in rec else (
            f"{data} | grad {summarize(rec['value'])}")
        return replace(note, lines=(value, *note.lines[1:]), colors=((0, t.accent),))
    if note.node in done:
        return note
    return replace(note, lines=(f"{data} | grad ?", *note.lines[1:]))


def _value_text(line: str, value: str) -> str:
    """The line with its value swapped: `∂J: 0.5` keeps its prefix, a bare summary does not."""
    return line.split(": ", 1)[0] + ": " + value if line.startswith("∂") else value

"""Spec warnings: declarations never used, and nodes that never reach the objective."""

from __future__ import annotations

import os
import sys
import warnings

from calcgraph.core.graph import Graph
from calcgraph.errors import SpecWarning
from calcgraph.spec.syntax import Const, Decl, Span, Spec

MAX_WARNINGS = 10  # then one line counting the rest: 2,000 unused leaves are one problem


def warn_unused(graph: Graph, spec: Spec) -> list[str]:
    """Warn (SpecWarning, one line each) about what the objective does not depend on."""
    objective = graph.objective
    reach = {objective.name}
    for node in reversed(graph.operators):
        if node.output.name in reach:
            reach.update(v.name for v in node.inputs)
    consts = {c.name for node in graph.operators for c in node.params.values()
              if not isinstance(c, float)}
    found: list[tuple[Span, str]] = []
    for d in spec.decls:
        name, span = d.name.name, d.name.span
        if isinstance(d, Const):
            if name not in consts:
                found.append((span, f"constant '{name}' is declared but never used"))
        elif not graph[name].consumers:
            found.append((span, f"{_what(d)} '{name}' is declared but never used"))
        elif name not in reach:
            found.append((span, f"{_what(d)} '{name}' does not reach the objective "
                          f"'{objective.name}'" + (" (its gradient is zero)"
                                                   if d.kind == "param" else "")))
    for eq in spec.equations:
        name = eq.out.name
        if name not in reach:
            found.append((eq.out.span, (f"'{name}' does not reach the objective "
                          f"'{objective.name}' ({objective.name} does not depend on it; it is "
                          "still computed and drawn)")))
    found.sort(key=lambda f: (f[0].line, f[0].col))
    lines = [f"{spec.source.where(s)}: {m}" for s, m in found]
    if len(lines) > MAX_WARNINGS:
        rest = len(lines) - MAX_WARNINGS + 1
        lines = lines[: MAX_WARNINGS - 1] + [(f"{spec.source.filename}: {rest} more names "
                                             "unused or not reaching the objective")]
    for line in lines:
        warnings.warn(SpecWarning(line), stacklevel=_outside())
    return lines


def _what(d: Decl) -> str:
    return {"param": "parameter", "input": "input", "label": "label"}[d.kind]


def _outside() -> int:
    """The stacklevel of the first caller outside calcgraph, which the warning then names."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(root):
        frame, level = frame.f_back, level + 1
    return level

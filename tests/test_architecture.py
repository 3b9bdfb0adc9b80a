"""The package's layers: every import (top level, inside functions, under TYPE_CHECKING)
points down a layer or sideways where allowed, and no module imports itself in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "calcgraph"

# layer -> the layers it may import. Base modules (errors, options, version) are importable by
# all. figure and trace never import each other; graphviz imports only the base; figure reads
# plain data (the JSON document from calcgraph.text), never the engine.
BASE = {"errors", "options", "version"}
ALLOWED = {
    "core": set(),
    "text": {"core"},
    "spec": {"core", "text"},
    "graphviz": set(),
    "figure": {"text", "graphviz"},
    "trace": {"core", "text"},
    "derive": {"core", "text", "trace"},  # the derivation document, built on the trace's data
    "pytorch": {"core"},  # the PyTorch importer: torch calls → core graph equations
    "html": {"text", "figure", "graphviz"},  # the HTML stepper page
    "graph": {"core", "text", "spec", "figure", "trace", "graphviz", "pytorch", "derive",
              "html"},
    "sources": {"core", "spec", "graph"},
    "cli": {"core", "text", "spec", "figure", "trace", "graphviz", "graph", "sources", "derive",
            "html"},
    "__main__": {"cli"},
    "__init__": {"core", "graph", "sources"},  # its lazy table names these
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> list[tuple[str, int]]:
    """Every calcgraph module this file imports, wherever the import statement stands."""
    mod = module_name(path)
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("calcgraph")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".")[: len(mod.split(".")) - node.level + (1 if is_pkg else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("calcgraph"):
                out.append((target, node.lineno))
                out += [(f"{target}.{a.name}", node.lineno) for a in node.names
                        if (PACKAGE.parent / f"{target}.{a.name}".replace(".", "/")).exists()
                        or (PACKAGE.parent / (f"{target}.{a.name}".replace(".", "/") + ".py")).exists()]
    return out


FILES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_layers_are_the_documented_ones():
    found = {layer(module_name(p)) for p in FILES} - BASE
    assert found == set(ALLOWED), "a new top-level module or subpackage needs a row in ALLOWED"


@pytest.mark.parametrize("path", FILES, ids=lambda p: module_name(p))
def test_imports_point_down(path):
    here = layer(module_name(path))
    bad = []
    for target, line in imports(path):
        there = layer(target)
        if there in BASE or there == here or target == "calcgraph":
            if target == "calcgraph" and here != "__init__":
                bad.append(f"line {line}: imports the package root")
            continue
        if here in BASE:
            bad.append(f"line {line}: base module imports {target}")
        elif there not in ALLOWED.get(here, set()):
            bad.append(f"line {line}: {here} imports {target} (allowed: {sorted(ALLOWED[here])})")
    assert not bad, f"{module_name(path)}: " + "; ".join(bad)


def test_no_import_cycles():
    graph = {module_name(p): {t for t, _ in imports(p)} for p in FILES}
    known = set(graph)
    graph = {m: {t for t in ts if t in known and t != m} for m, ts in graph.items()}
    # A package's __init__ imported by its own modules is not a cycle worth failing on only
    # when it imports nothing back; everything else must be a DAG.
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " → ".join(path[path.index(t):] + [t]))
            if t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_checker_sees_a_bad_import(tmp_path):
    """The walk finds imports inside functions and under TYPE_CHECKING, not only at the top."""
    src = tmp_path / "calcgraph" / "core" / "x.py"
    src.parent.mkdir(parents=True)
    src.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                   "    from calcgraph.figure import scene\ndef f():\n"
                   "    from calcgraph.trace.build import Trace\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "calcgraph"
    try:
        found = [t for t, _ in imports(src)]
    finally:
        PACKAGE = saved
    assert "calcgraph.figure" in found and "calcgraph.trace.build" in found

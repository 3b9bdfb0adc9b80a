"""The op tables in docs/library.md and docs/spec.md are generated from the op table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def make_ops():
    spec = importlib.util.spec_from_file_location("make_ops", DOCS / "make_ops.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_op_tables_are_fresh():
    assert make_ops().stale() == [], "stale op tables: run python docs/make_ops.py"


def test_every_op_is_in_both_tables():
    from calcgraph.core.ops import OPS

    module = make_ops()
    library, spec = module.library_table(), module.spec_table()
    for name in OPS:
        assert f"| `{name}` |" in library and f"| `{name}` |" in spec, name


def test_a_changed_table_is_reported(monkeypatch):
    module = make_ops()
    monkeypatch.setitem(module.BLOCKS["spec.md"], "table", lambda: "| a new row |")
    assert module.stale() == ["spec.md"]

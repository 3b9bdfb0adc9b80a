"""Golden-file comparison shared by the DOT and trace tests."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    """Compare `text` with tests/golden/NAME; fail with a diff when they differ.

    CALCGRAPH_UPDATE_GOLDEN=1 rewrites the file and still fails, so an update can never pass
    silently: read the new file line by line, then rerun without it.
    """
    path = GOLDEN / name
    if os.environ.get("CALCGRAPH_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"wrote {path}; read it, then rerun without CALCGRAPH_UPDATE_GOLDEN")
    if not path.exists():
        pytest.fail(f"missing golden {path}: run with CALCGRAPH_UPDATE_GOLDEN=1 and read it")
    want = path.read_text(encoding="utf-8")
    if text != want:
        diff = difflib.unified_diff(want.splitlines(), text.splitlines(), "golden", "now",
                                    lineterm="")
        pytest.fail(f"{name} differs from the golden file:\n" + "\n".join(diff))

"""Shared test setup: tests/ importable for helpers (gradcheck), and rendering fixtures."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """One compiled-WebAssembly cache per test session (compiling costs ~1 s), never ~/.cache."""
    monkeypatch.setenv("CALCGRAPH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "wasm-cache"))


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """A PATH without Graphviz's dot, as on a machine that has only Python and pip."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CALCGRAPH_DOT", raising=False)

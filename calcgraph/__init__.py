"""calcgraph: computation graphs as textbooks draw them, with every gradient and its shape."""

from __future__ import annotations

import importlib
from typing import Any

from calcgraph.errors import (
    CalcgraphError,
    CalcgraphWarning,
    GraphError,
    GraphvizNotFound,
    MemoryBudgetError,
    MissingDependency,
    ModelError,
    NumericError,
    RenderError,
    ShapeError,
    SpecError,
    SpecWarning,
    UnknownOpError,
    UsageError,
)
from calcgraph.version import __version__

# Heavy names (numpy behind them) load on first use, so `calcgraph --help` starts fast.
_LAZY = {
    "Graph": "graph", "Variable": "graph", "Operator": "graph", "Constant": "graph",
    "build": "graph", "check": "graph", "mlp": "graph", "from_torch": "graph",
    "loads_spec": "graph", "load_spec": "graph",
    "init_values": "core.models", "OPS": "core.ops", "CheckResult": "core.gradcheck",
    "load": "sources", "load_source": "sources", "memory_budget": "core.memory",
}

__all__ = [
    "OPS",
    "CalcgraphError",
    "CalcgraphWarning",
    "CheckResult",
    "Constant",
    "Graph",
    "GraphError",
    "GraphvizNotFound",
    "MemoryBudgetError",
    "MissingDependency",
    "ModelError",
    "NumericError",
    "Operator",
    "RenderError",
    "ShapeError",
    "SpecError",
    "SpecWarning",
    "UnknownOpError",
    "UsageError",
    "Variable",
    "__version__",
    "build",
    "check",
    "from_torch",
    "init_values",
    "load",
    "load_source",
    "load_spec",
    "loads_spec",
    "memory_budget",
    "mlp",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'calcgraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

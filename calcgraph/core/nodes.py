"""The nodes of the graph IR: variables (squares), constants, and operators (circles)."""

from __future__ import annotations

from typing import Any

import numpy as np

from calcgraph.core.record import Op


class Variable:
    """A square: a named array with a role, a shape known at build time, a value and a gradient."""

    kind = "variable"
    __slots__ = (
        "_value",
        "batched",
        "box",
        "consumers",
        "doc",
        "dtype",
        "grad",
        "graph",
        "integer",
        "label",
        "name",
        "producer",
        "requires_grad",
        "role",
        "shape",
    )

    def __init__(self, graph: Any, name: str, role: str, shape: tuple[int, ...], *,
                 label: str | None, batched: bool, dtype: np.dtype, integer: bool = False,
                 doc: str = ""):
        self.graph, self.name, self.role = graph, name, role
        self.label = label if label is not None else name
        self.shape, self.batched, self.dtype, self.integer = tuple(shape), batched, dtype, integer
        self._value: np.ndarray | None = None
        self.grad: np.ndarray | None = None
        self.producer: Operator | None = None
        self.consumers: list[Operator] = []
        self.requires_grad = role == "param"
        self.doc = doc
        self.box: str | None = None  # parameters sharing a box name are drawn as one box

    @property
    def value(self) -> np.ndarray | None:
        return self._value

    @value.setter
    def value(self, array: Any) -> None:
        self.graph.set(self.name, array)

    @property
    def grad_shape(self) -> tuple[int, ...]:
        """∂J/∂node always has the node's own shape; known before any pass runs."""
        return self.shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<Variable {self.name} {self.role} shape={self.shape}>"


class Constant:
    """A named scalar hyperparameter (λ): an op parameter, not a drawn node, overridable by --set."""

    kind = "constant"
    role = "constant"
    __slots__ = ("doc", "label", "name", "value")

    def __init__(self, name: str, value: float, label: str | None = None, doc: str = ""):
        self.name, self.value, self.label, self.doc = name, float(value), label or name, doc

    def __repr__(self) -> str:
        return f"<Constant {self.name}={self.value}>"


class Operator:
    """A circle: one equation `output = op(inputs; params)`, with its mode fixed at build time."""

    kind = "operator"
    __slots__ = (
        "fwd",
        "impl",
        "index",
        "inputs",
        "mode",
        "name",
        "op",
        "output",
        "params",
        "reduce",
        "symbol",
        "vjps",
    )

    def __init__(self, name: str, op: Op, inputs: list[Variable], output: Variable,
                 params: dict[str, Constant | float], mode: str, symbol: str | None, index: int):
        self.name, self.op, self.inputs, self.output = name, op, inputs, output
        self.params, self.mode, self.index = params, mode, index
        self.impl = op.impls[mode]
        self.symbol = symbol if symbol is not None else op.symbol
        self.fwd = self.impl.forward
        self.vjps = tuple(self.impl.vjp(i) for i in range(len(inputs)))
        # Axes each operand's gradient must be summed over to undo broadcasting.
        self.reduce: list[tuple[tuple[int, ...], bool]] = [
            _unbroadcast_axes(x.shape, output.shape) if op.broadcasts else ((), False)
            for x in inputs
        ]

    @property
    def label(self) -> str:
        return self.symbol

    def param_values(self) -> tuple[float, ...]:
        """The constants' current values, in the op's parameter order."""
        return tuple(p.value if isinstance(p, Constant) else p for p in self.params.values())

    def __repr__(self) -> str:
        args = ", ".join(v.name for v in self.inputs)
        return f"<Operator {self.name}: {self.output.name} = {self.op.name}({args})>"


def _unbroadcast_axes(shape: tuple, out: tuple) -> tuple[tuple[int, ...], bool]:
    lead = len(out) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and out[lead + i] != 1)
    return axes, lead > 0

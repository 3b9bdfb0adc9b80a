"""The core graph: variables (squares), operators (circles) as ordered equations, validated
as they are built. The passes live in core.engine; views (figure, trace) in calcgraph.graph."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from calcgraph.core import ops as ops_table
from calcgraph.core.nodes import Constant, Operator, Variable
from calcgraph.core.record import Op, Operand
from calcgraph.errors import GraphError


class Graph:
    """A computation graph as an ordered list of equations, validated as it is built."""

    def __init__(self, name: str = "graph", *, dtype: str | np.dtype = "float64",
                 batch: int | None = None, seed: int | None = None,
                 dims: dict[str, int] | None = None, title: str = ""):
        self.name, self.batch, self.seed, self.title = name, batch, seed, title
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise GraphError(f"dtype {dtype!r}: expected a floating type such as 'float64'")
        self.dims: dict[str, int] = dict(dims or {})
        self.variables: list[Variable] = []
        self.operators: list[Operator] = []
        self.constants: dict[str, Constant] = {}
        self.objective: Variable | None = None
        self.steps: list = []  # filled by core.engine.backward: its Step records
        self._nodes: dict[str, Variable | Operator] = {}
        self._version = 0  # bumped whenever a value changes, so backward() reruns forward
        self._forward_version = -1
        # Owned by core.engine (its EngineState: compiled program, plans, residuals, what
        # the last forward kept); the graph only holds the slot.
        self.engine_state: Any = None

    # ------------------------------------------------------------ building

    def _claim(self, name: str, what: str) -> None:
        if not isinstance(name, str) or not name:
            raise GraphError(f"{what}: a name must be a non-empty string, got {name!r}")
        if name in self._nodes or name in self.constants:
            raise GraphError(f"duplicate name {name!r}: {what} would redefine it")

    def _leaf(self, role: str, name: str, shape: Sequence[int], *, label: str | None,
              batched: bool, integer: bool, value: Any, doc: str) -> Variable:
        self._claim(name, f"{role} {name!r}")
        shape = tuple(int(n) for n in shape)
        if any(n <= 0 for n in shape):
            raise GraphError(f"{role} {name!r}: bad shape {shape} (expected positive sizes)")
        dtype = np.dtype(np.int64) if integer else self.dtype
        var = Variable(self, name, role, shape, label=label, batched=batched, dtype=dtype,
                       integer=integer, doc=doc)
        self._nodes[name] = var
        self.variables.append(var)
        if value is not None:
            self.set(name, value)
        return var

    def input(self, name: str, shape: Sequence[int], *, label: str | None = None,
              batched: bool = False, value: Any = None, doc: str = "") -> Variable:
        """A data input (x). `batched=True` means axis 0 runs over samples."""
        return self._leaf("input", name, shape, label=label, batched=batched, integer=False,
                          value=value, doc=doc)

    def label_input(self, name: str, shape: Sequence[int], *, label: str | None = None,
                    batched: bool = False, integer: bool = False, value: Any = None,
                    doc: str = "") -> Variable:
        """A label (y): class indices (`integer=True`) or regression targets."""
        return self._leaf("label", name, shape, label=label, batched=batched, integer=integer,
                          value=value, doc=doc)

    def param(self, name: str, shape: Sequence[int], *, label: str | None = None,
              value: Any = None, doc: str = "", box: str | None = None) -> Variable:
        """A trainable parameter (W1): gets ∂J/∂W. Parameters given the same `box` name are
        drawn as one box in the figure (d2l's W_hx, W_hh); their gradients stay separate."""
        var = self._leaf("param", name, shape, label=label, batched=False, integer=False,
                         value=value, doc=doc)
        var.box = box
        return var

    def constant(self, name: str, value: float, *, label: str | None = None,
                 doc: str = "") -> Constant:
        """A scalar hyperparameter (λ), referenced by ops such as l2 and scale."""
        self._claim(name, f"constant {name!r}")
        try:
            const = Constant(name, value, label, doc)
        except (TypeError, ValueError):
            raise GraphError(f"constant {name!r}: value {value!r} is not a number") from None
        self.constants[name] = const
        return const

    def apply(self, op: str | Op, *args: Variable | str | Constant | float, out: str,
              name: str | None = None, symbol: str | None = None, label: str | None = None,
              doc: str = "") -> Variable:
        """Append the equation `out = op(*args)` and return the new variable `out`."""
        # An op record is taken as it is: importers make one-off records (a PyTorch call
        # calcgraph has no op for) that the table does not list.
        spec = ops_table.get(op)
        where = f"{spec.name} {out!r}"
        self._claim(out, f"{where} (output)")
        name = name or f"{spec.name}_{out}"
        self._claim(name, f"{where} (operator node)")
        nparams = len(spec.params)
        arrays, params = (args[: len(args) - nparams], args[len(args) - nparams:]) if nparams \
            else (args, ())
        if spec.arity is not None and len(arrays) != spec.arity or not arrays:
            want = spec.arity if spec.arity is not None else "at least 1"
            extra = f" and {nparams} constant(s) {list(spec.params)}" if nparams else ""
            raise GraphError(f"{where}: got {len(args)} argument(s) "
                             f"(expected {want} operand(s){extra})")
        inputs = [self._resolve_var(a, where) for a in arrays]
        bound = {p: self._resolve_const(a, where, p) for p, a in zip(spec.params, params)}
        operands = [Operand(v.name, v.shape, v.batched, v.integer) for v in inputs]
        # An op that reads class labels explains a misplaced one in its own shape rule.
        for i, v in enumerate(inputs):
            if v.integer and spec.is_differentiable(i, len(inputs)) and not spec.class_labels:
                raise GraphError(f"{where}: {v.name} holds integer class indices "
                                 f"(expected a float array)")
        sig = spec.check(operands, out)
        result = Variable(self, out, "intermediate", sig.shape, label=label,
                          batched=sig.batched, dtype=self.dtype, doc=doc)
        node = Operator(name, spec, inputs, result, bound, sig.mode, symbol, len(self.operators))
        result.producer = node
        for v in inputs:
            v.consumers.append(node)
        self._nodes[out] = result
        self._nodes[name] = node
        self.variables.append(result)
        self.operators.append(node)
        self._version += 1
        return result

    def _resolve_var(self, a: Any, where: str) -> Variable:
        if isinstance(a, Variable):
            if a.graph is not self:
                raise GraphError(f"{where}: variable {a.name!r} belongs to another graph")
            return a
        if isinstance(a, str) and isinstance(self._nodes.get(a), Variable):
            return self._nodes[a]  # type: ignore[return-value]
        if isinstance(a, str) and a in self.constants:
            raise GraphError(f"{where}: {a!r} is a constant (expected an array variable)")
        raise GraphError(f"{where}: undefined input {a!r} (defined so far: "
                         f"{[v.name for v in self.variables]})")

    def _resolve_const(self, a: Any, where: str, param: str) -> Constant | float:
        if isinstance(a, Constant):
            return a
        if isinstance(a, str) and a in self.constants:
            return self.constants[a]
        if isinstance(a, (int, float)) and not isinstance(a, bool):
            return float(a)
        raise GraphError(f"{where}: parameter {param!r} got {a!r} (expected a declared constant "
                         f"or a number; constants: {sorted(self.constants)})")

    def set_objective(self, name: str | Variable) -> Variable:
        """Mark the scalar node that backward differentiates (J)."""
        var = self._resolve_var(name.name if isinstance(name, Variable) else name, "objective")
        if var.shape != ():
            raise GraphError(f"objective {var.name!r} has shape {var.shape} (expected a scalar, "
                             f"shape ())")
        if var.producer is None:
            raise GraphError(f"objective {var.name!r} is a {var.role} (expected an operator's "
                             f"output)")
        if self.objective is not None and self.objective is not var:
            self.objective.role = "intermediate"
        var.role = "objective"
        self.objective = var
        return var

    # ------------------------------------------------------------ values

    def set(self, name: str, array: Any) -> None:
        """Give a leaf a value, checking its shape.

        Integer labels must hold whole numbers in [0, q) for the q logits of the loss that
        reads them (1.5, True, -1 or q are GraphErrors here, not wrong answers later).
        """
        var = self._resolve_var(name, f"set {name!r}")
        if var.producer is not None:
            raise GraphError(f"set {name!r}: it is computed by {var.producer.name!r} "
                             f"(expected an input, label or parameter)")
        try:
            arr = np.array(array, dtype=var.dtype) if not var.integer else _classes(array)
        except (TypeError, ValueError) as exc:
            raise GraphError(f"set {name!r}: {exc}") from None
        if arr.shape != var.shape:
            raise GraphError(f"set {name!r}: got shape {arr.shape} (expected {var.shape})")
        if var.integer:
            _check_classes(var, arr)
        var._value = arr
        self._version += 1

    def set_constant(self, name: str, value: float) -> None:
        if name not in self.constants:
            raise GraphError(f"unknown constant {name!r} (constants: {sorted(self.constants)})")
        self.constants[name].value = float(value)
        self._version += 1

    # ------------------------------------------------------------ access

    def __getitem__(self, name: str) -> Any:
        if name in self._nodes:
            return self._nodes[name]
        if name in self.constants:
            return self.constants[name]
        raise KeyError(f"no node {name!r} in graph {self.name!r} "
                       f"(nodes: {sorted(self._nodes) + sorted(self.constants)})")

    def __contains__(self, name: str) -> bool:
        return name in self._nodes or name in self.constants

    def __iter__(self) -> Iterator[Variable | Operator]:
        return iter(self.nodes)

    @property
    def nodes(self) -> list[Variable | Operator]:
        """Every drawn node: variables then operators, each in topological order."""
        return [*self.variables, *self.operators]

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(src, dst) pairs: each operand into its operator, each operator into its output."""
        out: list[tuple[str, str]] = []
        for node in self.operators:
            out.extend((v.name, node.name) for v in node.inputs)
            out.append((node.name, node.output.name))
        return out

    def leaves(self, role: str | None = None) -> list[Variable]:
        return [v for v in self.variables if v.producer is None and role in (None, v.role)]

    def __repr__(self) -> str:
        return (f"<Graph {self.name!r}: {len(self.variables)} variables, "
                f"{len(self.operators)} operators>")


def _classes(array: Any) -> np.ndarray:
    """Class indices as int64; 1.5 or True is a ValueError, not silently truncated."""
    arr = np.asarray(array)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValueError(f"class labels must be integers, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not (np.isfinite(arr).all() and (arr == np.round(arr)).all()):
        bad = arr[~(np.isfinite(arr) & (arr == np.round(arr)))].flat[0]
        raise ValueError(f"class labels must be integers, got {float(bad):g}")
    return arr.astype(np.int64)


def _check_classes(var: Variable, arr: np.ndarray) -> None:
    """Each index in [0, q) for the q logits of every loss that reads var as its labels."""
    q = min(_class_counts(var), default=None)
    if arr.size and (arr.min() < 0 or (q is not None and arr.max() >= q)):
        bad = int(arr.min()) if arr.min() < 0 else int(arr.max())
        want = f"0 to {q - 1}, one of {q} classes" if q is not None else "0 or more"
        raise GraphError(f"set {var.name!r}: class index {bad} is out of range (expected {want})")


def _class_counts(var: Variable) -> Iterator[int]:
    """The number of logits of each loss reading var as class labels (its op's
    class_operands: the logits are operand 0, or for paired ops the one a half-list away)."""
    for node in var.consumers:
        for labels, logits in node.op.class_operands(len(node.inputs)):
            if node.inputs[labels] is var and node.inputs[logits].shape:
                yield node.inputs[logits].shape[-1]

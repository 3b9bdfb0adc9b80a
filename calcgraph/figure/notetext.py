"""What each note says: shapes, values, gradients, micrograd's scalar records, constants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calcgraph.options import WITH_GRADS, WITH_SHAPES, WITH_VALUES
from calcgraph.text.summary import fmt_shape, number, summarize


def record(n: Mapping[str, Any], annotate: str) -> str | None:
    """micrograd's record for a scalar variable, `data −4 | grad 46`, when values are asked
    for; 5 significant digits, like every other number in a figure (J = 1.0025).

    >>> record({"shape": [], "value": -4.0, "grad": 46.0}, "values")
    'data −4 | grad 46'
    >>> record({"shape": [], "value": 0.7310585786, "grad": None}, "all")
    'data 0.73106'
    """
    if annotate not in WITH_VALUES or n.get("shape") or n.get("value") is None:
        return None
    text = f"data {number(n['value'])}"
    return text if n.get("grad") is None else f"{text} | grad {number(n['grad'])}"


def constant_line(n: Mapping[str, Any], constants: Mapping[str, Mapping[str, Any]],
                  annotate: str) -> str | None:
    """An operator's constants, `λ = 0.1` or `c = 2`, when values are asked for: the circle
    shows only the op's symbol, and 2 · x would otherwise read as an unexplained ·."""
    params = n.get("params") or {}
    if annotate not in WITH_VALUES or not params:
        return None
    parts = []
    for key, p in params.items():
        if isinstance(p, str) and p in constants:
            parts.append(f"{constants[p]['label_text']} = {number(constants[p]['value'])}")
        else:
            parts.append(f"{key} = {number(p)}")
    return ", ".join(parts)


def gets_grad(data: Mapping[str, Any]) -> set[str]:
    """Variables that get ∂J in a backward pass: parameters and what depends on them."""
    nodes = {n["id"]: n for n in data["nodes"]}
    out = {k for k, n in nodes.items() if n.get("role") == "param"}
    for n in data["nodes"]:
        if n["kind"] == "operator" and any(i in out for i in n["inputs"]):
            out.add(n["output"])
    return out - {data.get("objective")}


def note_lines(n: Mapping[str, Any], annotate: str, obj: str,
               grad: bool) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Shape, value, gradient shape, gradient (as many as `annotate` asks for), and which
    lines are faint.

    A scalar's shape () is left out: its italic letter already says it. A variable that
    backward does not reach (an input, a label, what depends on those alone) still has a
    gradient shape, written faint; a class index (an integer) has no gradient at all.
    """
    if n.get("members"):  # one box for several parameters: their lines side by side
        return _joined([note_lines(m, annotate, obj, grad) for m in n["members"]], obj)
    shapes, values = annotate in WITH_SHAPES, annotate in WITH_VALUES
    grads = annotate in WITH_GRADS
    lines, faint = [], []
    if (shapes or values) and n["shape"]:
        lines.append(fmt_shape(n["shape"]))
    if values and n.get("value") is not None:
        lines.append(summarize(n["value"]))
    real = not str(n.get("dtype", "float")).startswith(("int", "uint", "bool"))
    if (shapes or grads) and n["grad_shape"] and (grad or (real and n.get("role") != "objective")):
        if not grad:
            faint.append(len(lines))
        lines.append(f"∂{obj}: {fmt_shape(n['grad_shape'])}")
    if grad and grads and n.get("grad") is not None:
        value = summarize(n["grad"])
        lines.append(value if n["grad_shape"] else f"∂{obj}: {value}")
    return tuple(lines), tuple(faint)


def _joined(parts: list[tuple[tuple[str, ...], tuple[int, ...]]],
            obj: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Members' note lines joined line by line: '(5, 4), (5, 5)', '∂L: (5, 4), (5, 5)'."""
    lines = []
    for i, first in enumerate(parts[0][0]):
        rest = [p[0][i].removeprefix(f"∂{obj}: ") for p in parts[1:] if i < len(p[0])]
        lines.append(", ".join([first, *rest]))
    return tuple(lines), parts[0][1]

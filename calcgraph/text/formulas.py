"""Formulas as text: each equation and each backward step in math form and numpy code form.

Everything here is read from the op table's templates; nothing knows about the MLP.
A gradient that is structurally 1 (∂J/∂J, and whatever `+` passes back from it) is
dropped from products in the math form, as the d2l chapter writes ∂J/∂W⁽²⁾ = ∂J/∂o hᵀ + λW⁽²⁾.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from calcgraph.text.labels import to_unicode
from calcgraph.text.steps import touches
from calcgraph.text.summary import fmt_shape

if TYPE_CHECKING:
    from calcgraph.core.engine import Step
    from calcgraph.core.graph import Graph, Operator, Variable

ShapeFmt = Callable[[tuple], str]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def label(v: Variable | Operator) -> str:
    return to_unicode(v.label)


def grad_math(v: Variable, objective: str = "J") -> str:
    """∂J/∂o, with labels rendered: ∂J/∂W⁽¹⁾."""
    return f"∂{objective}/∂{label(v)}"


def code_name(name: str) -> str:
    """A node's name as a Python identifier, for the numpy lines: a name from elsewhere
    (PyTorch's `0.weight`) becomes `_0_weight`.

    >>> code_name("W1"), code_name("0.weight"), code_name("net.fc1.bias")
    ('W1', '_0_weight', 'net_fc1_bias')
    """
    if name.isidentifier():
        return name
    ident = re.sub(r"\W", "_", name)
    return ident if ident.isidentifier() else f"_{ident}"


def grad_code(v: Variable, objective: str = "J") -> str:
    """dJ_do: the variable name a hand-written backward pass would use."""
    return f"d{code_name(objective)}_d{code_name(v.name)}"


def _objective(graph: Graph) -> tuple[str, str]:
    obj = graph.objective
    return (label(obj), obj.name) if obj is not None else ("J", "J")


def _fill(template: str | Callable[[dict], str], ctx: dict) -> str:
    if callable(template):
        return template(ctx)
    return _PLACEHOLDER.sub(lambda m: str(ctx.get(m.group(1), m.group(0))), template)


def _param_ctx(node: Operator, kind: str) -> dict:
    ctx = {}
    for key, p in node.params.items():
        if isinstance(p, float):
            ctx[key] = number(p)
        else:
            ctx[key] = to_unicode(p.label) if kind == "math" else code_name(p.name)
    return ctx


def _ctx(node: Operator, kind: str, i: int | None = None, g: str = "", names=None) -> dict:
    names = names or [label(v) if kind == "math" else code_name(v.name) for v in node.inputs]
    out = node.output
    ctx = {str(k): n for k, n in enumerate(names)}
    ctx.update(args=names, g=g, sym=to_unicode(node.symbol),
               out=label(out) if kind == "math" else code_name(out.name), n="n")
    ctx.update(_param_ctx(node, kind))
    if i is not None:
        ctx["x"] = names[i]
    if node.op.paired:  # operands o₁ … o_T, y₁ … y_T
        ctx["pairs"] = str(len(names) // 2)
        if i is not None:
            ctx["pair"] = names[_pair(i, len(names))]
    return ctx


def _pair(i: int, n: int) -> int:
    """The operand half a list away from operand i of n: yₜ for oₜ and oₜ for yₜ."""
    return (i + n // 2) % n


def _shape_ctx(node: Operator, i: int | None, g: str, shapes: list[str]) -> dict:
    """The code context with shapes for names: operands, the output (sigmoid's
    `{g} * {out} * (1 - {out})`), a named constant (λ) and the batch size n as (); a
    number stays itself (x ** 2 keeps its 2)."""
    ctx = _ctx(node, "code", i, g, names=shapes)
    ctx.update({key: "()" for key, p in node.params.items() if not isinstance(p, float)})
    ctx.update(out=g or fmt_shape(node.output.shape), n="()")
    return ctx


def number(value: float) -> str:
    """A constant as the spec wrote it: 2 rather than 2.0, 0.1 as 0.1."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def forward_math(node: Operator) -> str:
    """`z = W⁽¹⁾ x`: the equation as the book writes it."""
    return f"{label(node.output)} = {_fill(node.impl.fmath, _ctx(node, 'math'))}"


def forward_code(node: Operator) -> str:
    """`z = W1 @ x`: the same line of numpy."""
    return f"{code_name(node.output.name)} = {_fill(node.impl.fcode, _ctx(node, 'code'))}"


def unit_grads(graph: Graph) -> set[str]:
    """Variables whose ∂J/∂v is structurally 1: the objective, and what an op passes back
    unchanged from it (`+` to both operands: its record's `passthrough`)."""
    unit: set[str] = set()
    if graph.objective is None:
        return unit
    unit.add(graph.objective.name)
    for node in reversed(graph.operators):
        if node.output.name in unit:
            for v in (node.inputs[i] for i in node.op.passthrough):
                if len(v.consumers) == 1 and v.shape == node.output.shape:
                    unit.add(v.name)
    return unit


def _drop_unit(template: str) -> str:
    """Remove a factor {g} that is 1 from a math template."""
    if template.strip() == "{g}":
        return "1"
    if template.strip() == "−{g}":
        return "−1"
    if re.search(r"\{g\}\s*(?:⊘|/)", template):  # ∂J/∂h = 1 ⊘ 2, not ⊘ 2
        return template.replace("{g}", "1", 1)
    return re.sub(r"\{g\}\s*(?:·|⊙)?\s*", "", template, count=1)


def _reduce(node: Operator, i: int, math: str, code: str) -> tuple[str, str]:
    axes, lead = node.reduce[i]
    if not axes:
        return math, code
    target = node.inputs[i]
    over = "Σₙ " if axes == (0,) and lead else f"Σ_axes{axes} "
    math = over + (f"({math})" if " " in math else math)
    atom = code.isidentifier() or re.fullmatch(r"\([\d, ]*\)", code)
    code = (code if atom else f"({code})") + f".sum(axis={axes if len(axes) > 1 else axes[0]})"
    if not lead or len(target.shape) != len(node.output.shape) - len(axes):
        code += f".reshape({fmt_shape(target.shape)})"
    return math, code


def step_record(graph: Graph, step: Step, shape_fmt: ShapeFmt = fmt_shape,
                unit: set[str] | None = None) -> dict:
    """Everything the trace prints for one backward step, as plain strings and shapes.

    This is the JSON record of docs/json.md ("backward"), shared by serialize and trace.
    """
    rec = _record(graph, step, shape_fmt, unit)
    rec.pop("rhs", None)  # internal: a contribution's right-hand side, for the sum's code
    rec["touches"] = touches(graph, step, rec["operands"])  # what the pictures highlight
    return rec


def _record(graph: Graph, step: Step, shape_fmt: ShapeFmt, unit: set[str] | None) -> dict:
    obj_label, obj_name = _objective(graph)
    unit = unit_grads(graph) if unit is None else unit
    v = step.target
    rec: dict = {
        "step": step.index, "kind": step.kind, "target": v.name,
        "grad": grad_math(v, obj_label), "grad_code": grad_code(v, obj_name),
        "shape": list(v.shape), "result_shape": list(step.value.shape),
        "shape_ok": tuple(step.value.shape) == tuple(v.shape), "final": step.final,
    }
    if step.kind == "seed":
        rec.update(math="1", prod="", code=f"{grad_code(v, obj_name)} = 1.0", operands=[],
                   shapes=f"{shape_fmt(v.shape)}")
    elif step.kind == "sum":
        rec.update(_sum_fields(graph, step, shape_fmt, unit, obj_name))
    else:
        rec.update(_vjp_fields(graph, step, shape_fmt, unit))
    return rec


def _sum_fields(graph: Graph, step: Step, shape_fmt: ShapeFmt, unit: set[str],
                obj_name: str) -> dict:
    """Where several paths meet: the sum of the terms' own records."""
    # Terms in the consumers' forward order: main path first, as the d2l chapter writes them.
    terms = sorted((graph.steps[t - 1] for t in step.terms), key=lambda t: t.via.index)
    parts = [_record(graph, t, shape_fmt, unit) for t in terms]
    v = step.target
    return {
        "terms": list(step.terms), "math": " + ".join(p["math"] for p in parts),
        "prod": " + ".join(p["prod"] for p in parts),
        "code": f"{grad_code(v, obj_name)} = " + " + ".join(p["rhs"] for p in parts),
        "operands": [{"name": p["grad_code"] + f"@{p['via']}", "shape": p["result_shape"]}
                     for p in parts],
        "shapes": f"{shape_fmt(v.shape)} = " + " + ".join(shape_fmt(t.value.shape) for t in terms),
    }


def _code_operands(node: Operator, i: int, g: str) -> list[dict]:
    """The arrays step i's numpy code reads: the incoming gradient `g`, then operands."""
    used = set(_PLACEHOLDER.findall(node.impl.formula("code", i)))
    out = [{"name": g, "shape": list(node.output.shape)}] if "g" in used else []
    for k, u in enumerate(node.inputs):
        if str(k) in used or ("x" in used and k == i) or (
                "pair" in used and node.op.paired and k == _pair(i, len(node.inputs))):
            out.append({"name": u.name, "shape": list(u.shape)})
    return out


def _vjp_fields(graph: Graph, step: Step, shape_fmt: ShapeFmt, unit: set[str]) -> dict:
    """One VJP: ∂J/∂out through one operand of one node, in math, code and shapes."""
    obj_label, obj_name = _objective(graph)
    node, i, v = step.via, step.operand, step.target
    out, impl = node.output, node.impl
    g_math = "1" if out.name in unit else grad_math(out, obj_label)
    mt = impl.formula("math", i)
    math = _fill(_drop_unit(mt) if out.name in unit else mt, _ctx(node, "math", i, g_math))
    code = _fill(impl.formula("code", i), _ctx(node, "code", i, grad_code(out, obj_name)))
    math, code = _reduce(node, i, strip_parens(math), code)
    sctx = _shape_ctx(node, i, shape_fmt(out.shape), [shape_fmt(u.shape) for u in node.inputs])
    operands = _code_operands(node, i, grad_code(out, obj_name))
    shapes = _shape_form(node, impl.formula("code", i), sctx, [
        (o["name"], tuple(o["shape"])) for o in operands], shape_fmt)
    if node.reduce[i][0] and shapes.startswith("= "):  # show the broadcast sum on shapes too
        shapes = "= " + _reduce(node, i, "", shapes[2:])[1]
    first = step.final or step.index == min(
        (s.index for s in graph.steps if s.kind == "vjp" and s.target is v), default=step.index)
    return {
        "via": node.name, "op": node.op.name, "mode": node.mode, "operand": i, "source": out.name,
        "prod": f"prod({grad_math(out, obj_label)}, ∂{label(out)}/∂{label(v)})",
        "math": math, "rhs": code,
        "code": f"{grad_code(v, obj_name)} {'=' if first else '+='} {code}",
        "operands": operands,
        "shapes": f"{shape_fmt(step.value.shape)} {shapes}",
    }


_CALL = re.compile(r"([A-Za-z_][\w.]*)\(")


def _shape_form(node: Operator, template: str, ctx: dict, operands: list,
                shape_fmt: ShapeFmt) -> str:
    """`= (3, 5).T @ (3,)` where the code is plain algebra; else `← dJ_dL (), o (3,)`."""
    calls = {m.group(1) for m in _CALL.finditer(template)} - set(node.op.shape_calls)
    if calls:
        return "← " + ", ".join(f"{name} {shape_fmt(shape)}" for name, shape in operands)
    # A literal batch size n in a template ("... / n") is a scalar: shape () like the rest.
    return "= " + _tidy_shapes(_BATCH_N.sub("()", _fill(template, ctx)))


_BATCH_N = re.compile(r"(?<![\w.])n(?![\w(])")


def strip_parens(text: str) -> str:
    """`(softmax(o) − onehot(y))` → `softmax(o) − onehot(y)` when the parentheses wrap it all."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for k, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and k < len(text) - 1:
            return text
    return text[1:-1]


def _tidy_shapes(text: str) -> str:
    """`np.outer((3,), (5,))` reads fine; drop doubled parentheses around lone shapes."""
    return re.sub(r"\(\((\d[\d, ]*,?)\)\)", r"(\1)", text)


def forward_record(node: Operator, shape_fmt: ShapeFmt = fmt_shape) -> dict:
    out = node.output
    return {
        "step": node.index + 1, "op": node.name, "op_type": node.op.name, "mode": node.mode,
        "output": out.name, "inputs": [v.name for v in node.inputs],
        "math": forward_math(node), "code": forward_code(node),
        "shape": list(out.shape),
        "shapes": f"{shape_fmt(out.shape)} " + _shape_form(
            node, node.impl.fcode if not callable(node.impl.fcode) else "call(",
            _shape_ctx(node, None, "", [shape_fmt(u.shape) for u in node.inputs]),
            [(u.name, u.shape) for u in node.inputs], shape_fmt),
    }

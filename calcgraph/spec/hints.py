"""What the spec checker says when a call cannot be made: infix refusals and arity examples."""

from __future__ import annotations

import math
from collections.abc import Callable

from calcgraph.core.ops import OPS
from calcgraph.spec.syntax import Call, Num, Span


def refusal(call: Call, form: str, source: Callable[[Span], str]) -> str:
    """Why no op has the infix form `form` ('c ** a'), and what to write instead;
    `source(span)` is the spec text at a span."""
    text = [source(a.span) for a in call.args]
    if form == "a ** a":
        return (f"'{source(call.span)}': the exponent of '**' must be a constant (a "
                f"number or a const); for an array exponent write exp({text[1]} * "
                f"log({text[0]}))")
    if form == "c ** a":
        base = call.args[0]
        how = (f"exp({math.log(base.value)!r} * {text[1]})"
               if isinstance(base, Num) and base.value > 0
               else f"exp(L * {text[1]}) with const L = the log of {text[0]}")
        return (f"'{source(call.span)}': '**' needs an array base (for a constant "
                f"raised to an array power write {how})")
    if form.startswith("c") and form.endswith("c"):
        group = (f"group the array with one of them, as in {text[0]} {call.infix} "
                 f"({text[1]} * x), or " if call.infix in ("*", "/") else "")
        return (f"'{source(call.span)}' combines two constants, and an op needs an "
                f"array ({group}declare const k = ... with the value)")
    if form == "- c":
        return (f"'{source(call.span)}' negates a constant (move the minus to the "
                f"array: -({text[0]} * x) rather than -{text[0]} * x, x - {text[0]} "
                f"rather than -{text[0]} + x)")
    if call.infix == "@":
        return (f"'{source(call.span)}': '@' needs arrays on both sides (to multiply "
                f"by a constant write {text[0]} * {text[1]})")
    return f"'{source(call.span)}': {call.infix} needs an array"


def arity_text(op: str) -> str:
    """How many arguments `op` takes, with an example call: '2 arguments, as in matmul(a, b)'."""
    spec = OPS[op]
    params = list(spec.params)
    if spec.arity is None:
        example = ", ".join(["W1", "W2", *params])
        return f"one or more arrays{' then ' + ', '.join(params) if params else ''}, as in " \
               f"{op}({example})"
    names = {1: ["x"], 2: ["a", "b"]}.get(spec.arity, [f"x{i}" for i in range(spec.arity)])
    n = spec.arity + len(params)
    return f"{n} argument{'s' if n > 1 else ''}, as in {op}({', '.join(names + params)})"

"""Record what a PyTorch function computes: every aten call, run once on example inputs.

Tracing by running (a TorchDispatchMode) sees the same aten ops autograd sees, whatever
Python the user wrote (modules, functional calls, operators, closures), and needs no
symbolic shapes. Each tensor is known by identity; the record keeps a reference to every
tensor it saw, so no id is reused while the record lives.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from calcgraph.errors import ModelError


@dataclass(frozen=True)
class Call:
    """One aten call: its overload name (`aten.mm.default`), arguments and result."""

    func: Any  # the torch._ops.OpOverload, kept so an opaque node can call it again
    name: str
    args: tuple
    kwargs: dict
    out: Any  # a tensor, or a tuple whose first item is the result (nll_loss_forward)


@dataclass
class Capture:
    """The leaves (named inputs and parameters) and the calls, in execution order."""

    inputs: dict[str, Any] = field(default_factory=dict)  # name -> tensor
    params: dict[str, Any] = field(default_factory=dict)  # module path -> tensor
    calls: list[Call] = field(default_factory=list)
    result: Any = None
    keep: list = field(default_factory=list)  # every tensor seen: ids stay unique


def require_torch() -> Any:
    """The torch module, or a UsageError saying how to install it."""
    try:
        import torch
    except ImportError:
        raise ModelError("importing a PyTorch model needs torch: pip install 'calcgraph[torch]' "
                         "(or pip install torch)") from None
    return torch


def find_modules(fn: Any) -> dict[str, Any]:
    """{prefix: module} for fn itself when it is a module, else the modules its code names
    (closure variables and globals), so `lambda x, y: F.cross_entropy(net(x), y)` finds net."""
    torch = require_torch()
    if isinstance(fn, torch.nn.Module):
        return {"": fn}
    try:
        names = inspect.getclosurevars(fn)
    except TypeError:
        return {}
    found = {**names.globals, **names.nonlocals}
    return {k: v for k, v in sorted(found.items()) if isinstance(v, torch.nn.Module)}


def parameters(fn: Any) -> dict[str, Any]:
    """Every trainable parameter fn can reach, named by module path (`0.weight`); with more
    than one module, prefixed by the variable that holds it (`net.0.weight`)."""
    modules = find_modules(fn)
    out: dict[str, Any] = {}
    for prefix, module in modules.items():
        for path, p in module.named_parameters():
            if p.requires_grad:
                out[f"{prefix}.{path}" if prefix and len(modules) > 1 else path] = p
    return out


def input_names(fn: Any, n: int) -> list[str]:
    """The names of fn's first n positional parameters (forward's, for a module)."""
    target = getattr(fn, "forward", fn)
    try:
        params = [p.name for p in inspect.signature(target).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = params[:n] + [f"x{i}" for i in range(len(params), n)]
    return [f"{name}_" if name in ("self",) else name for name in names]


def capture(fn: Any, example_inputs: tuple) -> Capture:
    """Run fn(*example_inputs) once, recording every aten call and the leaves it read."""
    torch = require_torch()
    from torch.utils._python_dispatch import TorchDispatchMode

    for i, x in enumerate(example_inputs):
        if not isinstance(x, torch.Tensor):
            raise ModelError(f"example input {i + 1} is a {type(x).__name__} (expected a tensor)")
    rec = Capture(params=parameters(fn))
    rec.inputs = dict(zip(input_names(fn, len(example_inputs)), example_inputs))

    class Recorder(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            rec.calls.append(Call(func, str(func), tuple(args), dict(kwargs), out))
            rec.keep.extend(a for a in (*args, out) if isinstance(a, torch.Tensor))
            if isinstance(out, tuple):
                rec.keep.extend(a for a in out if isinstance(a, torch.Tensor))
            return out

    with Recorder():
        result = fn(*example_inputs)
    if not isinstance(result, torch.Tensor) or result.dim() != 0:
        shape = tuple(result.shape) if isinstance(result, torch.Tensor) else type(result).__name__
        raise ModelError(f"the function returned {shape} (expected a scalar loss tensor: "
                         f"calcgraph differentiates one objective)")
    rec.result = result
    return rec

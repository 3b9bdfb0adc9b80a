"""An aten call calcgraph has no op for, as an operator whose forward and VJPs PyTorch runs.

The figure draws it like any circle (its aten name inside), the trace and the derivation say
that its backward step comes from PyTorch autograd, and everything around it is calcgraph's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from calcgraph.core.ops import Impl, Op, Operand, Sig
from calcgraph.pytorch.capture import Call


def _call(call: Call, arrays: tuple, grad: bool = False) -> tuple[Any, list]:
    """Run the recorded aten call again on `arrays` in place of its tensor arguments."""
    import torch

    inputs, args, k = [], [], 0
    for a in call.args:
        if hasattr(a, "shape") and hasattr(a, "dtype") and k < len(arrays):
            t = torch.as_tensor(np.asarray(arrays[k])).to(a.dtype)
            if grad and t.is_floating_point():
                t.requires_grad_(True)
            inputs.append(t)
            args.append(t)
            k += 1
        else:
            args.append(a)
    out = call.func(*args, **call.kwargs)
    return (out[0] if isinstance(out, tuple) else out), inputs


def opaque_op(call: Call, name: str, out_shape: tuple[int, ...], n: int) -> Op:
    """A one-off op record for `call` with n tensor operands and a fixed output shape."""

    def forward(*arrays: Any) -> np.ndarray:
        out, _ = _call(call, arrays)
        return out.detach().double().numpy()

    def vjp(i: int):
        def run(g: np.ndarray, ans: Any, *arrays: Any) -> np.ndarray:
            import torch

            out, inputs = _call(call, arrays, grad=True)
            if not inputs[i].requires_grad:
                return np.zeros(np.shape(arrays[i]))
            (grad,) = torch.autograd.grad(out, inputs[i], torch.as_tensor(g).to(out.dtype),
                                          allow_unused=True)
            return np.zeros(np.shape(arrays[i])) if grad is None else grad.double().numpy()

        return run

    def rule(op: str, xs: list[Operand], node: str) -> Sig:
        return Sig(tuple(out_shape), bool(xs) and xs[0].batched and len(out_shape) > 0)

    args = ", ".join(f"{{{i}}}" for i in range(n))
    impl = Impl(forward=forward, vjps=vjp, fmath=f"{{sym}}({args})",
                fcode=f"torch.ops.{call.name}({args})",
                math="{g} · ∂{sym}/∂{x} (PyTorch autograd)",
                code="torch.autograd.grad({out}, {x}, {g})", saves=frozenset({"all"}))
    floats = tuple(a.is_floating_point() for a in call.args
                   if hasattr(a, "shape") and hasattr(a, "dtype"))[:n]
    def in_torch(torch: Any, mode: str, *tensors: Any) -> Any:
        """The same call on torch tensors: `calcgraph check --torch` rebuilds it from this."""
        it = iter(tensors)
        args = [next(it) if hasattr(a, "shape") and hasattr(a, "dtype") else a
                for a in call.args]
        out = call.func(*args, **call.kwargs)
        return out[0] if isinstance(out, tuple) else out

    return Op(name=name, symbol=name, doc=f"PyTorch's {call.name}, run and differentiated by "
              "PyTorch", rule=rule, impls={"": impl}, arity=n, differentiable=floats or None,
              torch=in_torch)

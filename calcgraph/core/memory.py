"""The memory budget: the bytes a graph's passes will hold, estimated from shapes alone.

Estimated before anything is allocated (init_values, the first pass, a JSON dump with every
number), so a graph too big for the machine is refused with one message instead of dying
halfway with a MemoryError. The budget is 1 GiB unless CALCGRAPH_MEMORY, `--max-memory` or
`with calcgraph.memory_budget("8G"):` says otherwise ("none" turns the check off).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from calcgraph.errors import MemoryBudgetError, UsageError

if TYPE_CHECKING:
    from calcgraph.core.graph import Graph

DEFAULT_BUDGET = 2**30  # 1 GiB: calcgraph draws teaching graphs; a real model needs a framework
ENV = "CALCGRAPH_MEMORY"
JSON_BYTES = 100  # per number written out in full: its text, a Python float and its list slot
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:i?B)?", re.IGNORECASE)
_budget: ContextVar[int | None | str] = ContextVar("calcgraph_memory_budget", default="env")


def parse_size(text: str, what: str = ENV) -> int | None:
    """Bytes from '512M', '2G', '1.5GiB', '1000000'; None for 'none' (no budget).

    >>> parse_size("2G"), parse_size("512m"), parse_size("none")
    (2147483648, 536870912, None)
    """
    text = str(text).strip()
    if text.lower() in ("none", "off", "unlimited"):
        return None
    m = _SIZE.fullmatch(text)
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"{what}={text!r}: expected a size such as 512M, 2G or none")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def budget() -> int | None:
    """The budget in force: memory_budget(...), else $CALCGRAPH_MEMORY, else 1 GiB."""
    value = _budget.get()
    if value != "env":
        return value  # type: ignore[return-value]
    env = os.environ.get(ENV, "").strip()
    return parse_size(env) if env else DEFAULT_BUDGET


@contextmanager
def memory_budget(size: str | int | None) -> Iterator[None]:
    """Use another budget inside the block: bytes, a size text ('8G') or None for none."""
    token = _budget.set(size if size is None or isinstance(size, int) else
                        parse_size(size, "memory budget"))
    try:
        yield
    finally:
        _budget.reset(token)


def estimate(graph: Graph, *, json_numbers: bool = False) -> dict[str, int]:
    """Bytes of every value, every gradient, the gradient contributions kept as steps where
    a variable feeds several ops, and (json_numbers) every number written out as JSON text."""
    values = grads = steps = numbers = 0
    for v in graph.variables:
        size = math.prod(v.shape)
        numbers += size
        nbytes = size * v.dtype.itemsize
        values += nbytes
        if not v.integer:
            grads += nbytes
            if len(v.consumers) > 1:  # each contribution is kept in its own step
                steps += len(v.consumers) * nbytes
    out = {"values": values, "gradients": grads, "steps": steps,
           "json": 2 * numbers * JSON_BYTES if json_numbers else 0}  # values and gradients
    out["total"] = sum(out.values())
    return out


def check(graph: Graph, *, json_numbers: bool = False) -> dict[str, int]:
    """The estimate, or MemoryBudgetError when it is over the budget."""
    est = estimate(graph, json_numbers=json_numbers)
    limit = budget()
    if limit is not None and est["total"] > limit:
        parts = ", ".join(f"{k} {human(n)}" for k, n in est.items() if n and k != "total")
        need = human(_round_up(est["total"]), unit=True)
        raise MemoryBudgetError(
            f"graph {graph.name!r} would hold about {human(est['total'])} ({parts}), over the "
            f"{human(limit)} memory budget (raise it with --max-memory {need} or "
            f"{ENV}={need}, or make the dimensions smaller)")
    return est


def human(n: int, unit: bool = False) -> str:
    """'4.1 GiB', or with unit=True the option spelling '5G'."""
    for suffix, size in (("T", 2**40), ("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if n >= size:
            return f"{n // size}{suffix}" if unit else f"{n / size:.1f} {suffix}iB"
    return f"{n}" if unit else f"{n} B"


def _round_up(n: int) -> int:
    """The next power of two at or above n, so the suggested budget is a round size."""
    return 1 << max(0, (n - 1).bit_length())

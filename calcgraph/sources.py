"""SOURCE resolution for the CLI: a built-in sample name or a spec file, with --set overrides."""

from __future__ import annotations

from .errors import UsageError
from .graph import Graph
from .models import mlp

MLP_KEYS = {"d": int, "h": int, "q": int, "lam": float, "activation": str, "loss": str}


def parse_sets(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`('d=8', 'lam=0.01')` → {'d': '8', 'lam': '0.01'}; a bad item is a UsageError."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise UsageError(f"--set {item!r}: expected NAME=VALUE, e.g. --set d=8")
        out[key] = value
    return out


def _mlp_kwargs(sets: dict[str, str]) -> dict:
    kwargs: dict = {}
    for key, value in sets.items():
        if key not in MLP_KEYS:
            raise UsageError(f"--set {key}={value}: mlp has no {key!r} (must be one of "
                             f"{sorted(MLP_KEYS)})")
        try:
            kwargs[key] = MLP_KEYS[key](value)
        except ValueError:
            raise UsageError(f"--set {key}={value}: expected {MLP_KEYS[key].__name__}") from None
    return kwargs


def load_source(source: str | None = None, *, batch: int | None = None, seed: int = 0,
                sets: dict[str, str] | None = None, dtype: str = "float64") -> Graph:
    """The graph a CLI command works on: default the d2l MLP."""
    name = source or "mlp"
    if name == "mlp":
        return mlp(batch=batch, seed=seed, dtype=dtype, **_mlp_kwargs(sets or {}))
    raise UsageError(f"unknown source: {name!r} (must be a built-in sample such as 'mlp')")


def load(source: str | None = None, **kwargs) -> Graph:
    """Library spelling of load_source: `cg.load('mlp', batch=8)`."""
    return load_source(source, **kwargs)

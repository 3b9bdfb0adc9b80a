"""SOURCE resolution for the CLI: a built-in sample name or a spec file, with --set overrides."""

from __future__ import annotations

import difflib
import importlib.resources
from pathlib import Path
from typing import Any

from calcgraph.errors import UsageError
from calcgraph.graph import Graph, load_spec, loads_spec, mlp

SUFFIX = ".cg"
# Variants of the d2l MLP that its sample file cannot express; they go to models.mlp().
MLP_KEYS = {"d": int, "h": int, "q": int, "lam": float, "activation": str, "loss": str}
MLP_ONLY = ("activation", "loss")


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


# ---------------------------------------------------------------- built-in samples


def _sample_dir() -> Any:
    """The shipped samples: package data `calcgraph.samples` (mapped from the top-level
    samples/ folder by pyproject.toml), or that folder itself when running from a checkout
    whose calcgraph/ shadows the installed package."""
    local = Path(__file__).resolve().parent.parent / "samples"
    if (local / f"mlp{SUFFIX}").is_file():  # a checkout: its own samples, not an install's
        return local
    try:
        root = importlib.resources.files("calcgraph.samples")
        if root.is_dir():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "samples"


def sample_names() -> list[str]:
    """The built-in sample names, sorted: ['linreg', 'mlp', ...]."""
    root = _sample_dir()
    if not root.is_dir():
        return []
    return sorted(p.name[: -len(SUFFIX)] for p in root.iterdir() if p.name.endswith(SUFFIX))


def sample_text(name: str) -> str:
    """The spec text of a built-in sample."""
    if name not in sample_names():
        raise UsageError(f"unknown sample: {name!r} (must be one of {sample_names()})")
    return (_sample_dir() / f"{name}{SUFFIX}").read_text(encoding="utf-8")


def samples() -> list[tuple[str, str]]:
    """(name, one-line description) for every built-in sample."""
    from calcgraph.spec import describe

    return [(name, describe(sample_text(name))) for name in sample_names()]


# ---------------------------------------------------------------- SOURCE


def load_source(source: str | None = None, *, batch: int | None = None, seed: int = 0,
                sets: dict[str, str] | None = None, dtype: str = "float64") -> Graph:
    """The graph a CLI command works on: a built-in sample name (default mlp) or a spec file."""
    name, sets = source or "mlp", sets or {}
    if name == "mlp" and any(key in sets for key in MLP_ONLY):
        return mlp(batch=batch, seed=seed, dtype=dtype, **_mlp_kwargs(sets))
    names = sample_names()
    if name in names:
        return loads_spec(sample_text(name), filename=f"samples/{name}{SUFFIX}", name=name,
                          batch=batch, seed=seed, sets=sets, dtype=dtype)
    path = Path(name)
    if path.is_file():
        return load_spec(path, batch=batch, seed=seed, sets=sets, dtype=dtype)
    if path.exists():
        raise UsageError(f"source {name!r} is a directory (expected a spec file or a sample)")
    if name.endswith(SUFFIX) or "/" in name or "\\" in name:
        raise UsageError(f"no such spec file: {name!r}")
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"unknown source: {name!r} ({hint}expected a spec file or a built-in "
                     f"sample: {', '.join(names)}; see `calcgraph samples`)")


def load(source: str | None = None, **kwargs: Any) -> Graph:
    """Library spelling of load_source: `cg.load('mlp', batch=8)`."""
    return load_source(source, **kwargs)

"""SOURCE resolution for the CLI: a built-in sample name or a spec file, with --set overrides."""

from __future__ import annotations

import difflib
import importlib.resources
from pathlib import Path
from typing import Any

from calcgraph.core.models import ACTIVATIONS, LOSSES
from calcgraph.errors import ModelError, UsageError
from calcgraph.graph import Graph, load_spec, loads_spec, mlp
from calcgraph.options import DEFAULT_SEED, choose
from calcgraph.spec.builder import set_float, set_int

SUFFIX = ".cg"
# Variants of the d2l MLP that its sample file cannot express; they go to models.mlp().
MLP_KEYS = {"d": int, "h": int, "q": int, "lam": float, "activation": str, "loss": str}
MLP_ONLY = ("activation", "loss")
MLP_CHOICES = {"activation": ACTIVATIONS, "loss": LOSSES}


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
        kind = MLP_KEYS[key]
        if kind is int:
            kwargs[key] = set_int(key, value)
        elif kind is float:
            kwargs[key] = set_float(key, value)
        else:
            kwargs[key] = choose(value, MLP_CHOICES[key], f"--set {key}")
    return kwargs


# ---------------------------------------------------------------- built-in samples


def _sample_dir() -> Any:
    """The shipped samples: package data `calcgraph.samples` (mapped from the top-level
    samples/ folder by pyproject.toml), or that folder itself when running from a checkout
    whose calcgraph/ shadows the installed package."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "samples").is_dir():
        # A source tree: its own samples, even where an editable install of another
        # checkout maps calcgraph.samples elsewhere.
        return checkout / "samples"
    try:
        root = importlib.resources.files("calcgraph.samples")
        if root.is_dir():
            return root
    except ModuleNotFoundError:
        pass
    return checkout / "samples"


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


def load_source(source: str | None = None, *, batch: int | None = None, seed: int = DEFAULT_SEED,
                sets: dict[str, str] | None = None, dtype: str = "float64") -> Graph:
    """The graph a CLI command works on: a built-in sample name (default mlp) or a spec file."""
    name, sets = source or "mlp", sets or {}
    if is_python_source(name):
        if batch is not None:
            raise UsageError(f"--batch does not apply to {name!r}: a PyTorch model's example "
                             f"inputs fix its shapes (make() chooses them)")
        return load_python(name, sets)
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


# ---------------------------------------------------------------- a PyTorch model in a .py file


def is_python_source(source: str) -> bool:
    """`model.py:make`: a function in a Python file that returns a model to import."""
    file, sep, func = source.rpartition(":")
    return bool(sep) and file.endswith(".py") and func.isidentifier()


def load_python(source: str, sets: dict[str, str] | None = None) -> Graph:
    """Run the user's file, call its function, import what it returns with from_torch.

    The function returns `(fn_or_module, example_inputs)` or `(fn, example_inputs, options)`
    where options are from_torch's keywords (names, labels, batch). --set NAME=VALUE pairs
    are passed to it as keyword arguments (strings). The file is the user's own code and runs
    as Python; a spec file never does.
    """
    import runpy

    from calcgraph.graph import from_torch

    file, _, func = source.rpartition(":")
    if not Path(file).is_file():
        raise ModelError(f"no such Python file: {file!r}")
    try:
        namespace = runpy.run_path(file, run_name="calcgraph_model")
    except Exception as exc:  # noqa: BLE001 - the user's code may raise anything; say where
        raise ModelError(f"{file}: running it raised {type(exc).__name__}: {exc}") from None
    make = namespace.get(func)
    if not callable(make):
        found = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("_")
                       and getattr(v, "__module__", None) == "calcgraph_model")
        raise ModelError(f"{file}: no function {func!r} (functions defined there: {found})")
    try:
        made = make(**(sets or {}))
    except Exception as exc:  # noqa: BLE001 - the user's function may raise anything
        raise ModelError(f"{source}: calling it raised {type(exc).__name__}: {exc}") from None
    if not isinstance(made, tuple) or len(made) not in (2, 3) or \
            not isinstance(made[1], (tuple, list)):
        raise ModelError(f"{source} returned {type(made).__name__} (expected (fn_or_module, "
                         f"example_inputs) or (fn, example_inputs, options))")
    options = dict(made[2]) if len(made) == 3 else {}
    options.setdefault("name", Path(file).stem if Path(file).stem.isidentifier() else "model")
    return from_torch(made[0], *made[1], **options)

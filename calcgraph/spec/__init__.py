"""Spec files: a graph written as equations in a small text format (docs/spec.md), never eval'd."""

from __future__ import annotations

import os
from pathlib import Path

from calcgraph.core.graph import Graph
from calcgraph.errors import SpecError
from calcgraph.options import DEFAULT_SEED
from calcgraph.spec.builder import MAX_ELEMENTS, build_spec
from calcgraph.spec.parser import parse
from calcgraph.spec.syntax import Spec, split_lines

__all__ = ["MAX_ELEMENTS", "Spec", "describe", "load_spec", "loads_spec", "parse_spec"]


def parse_spec(text: str, filename: str = "<spec>") -> Spec:
    """The parsed statements of a spec (no graph yet); a SpecError points at the first problem."""
    return parse(text, filename)


def loads_spec(text: str, *, filename: str = "<spec>", name: str | None = None,
               batch: int | None = None, seed: int | None = DEFAULT_SEED,
               sets: dict[str, str] | None = None, dtype: str = "float64",
               graph_type: type[Graph] = Graph) -> Graph:
    """The graph a spec text describes, with seeded values.

    Its name: the `graph` line's, else `name`, else the file name's stem ('my' for
    filename="my.cg"), else 'spec'.
    """
    if name is None:
        name = _stem(filename) if filename != "<spec>" else "spec"
    return build_spec(parse(text, filename), batch=batch, seed=seed, sets=sets, dtype=dtype,
                      name=name, graph_type=graph_type)


def load_spec(path: str | os.PathLike, *, batch: int | None = None, seed: int | None = DEFAULT_SEED,
              sets: dict[str, str] | None = None, dtype: str = "float64",
              graph_type: type[Graph] = Graph) -> Graph:
    """The graph a spec file describes; errors name the file as given."""
    return loads_spec(read_text(path), filename=str(path), name=_stem(path), batch=batch,
                      seed=seed, sets=sets, dtype=dtype, graph_type=graph_type)


def read_text(path: str | os.PathLike) -> str:
    """A spec file's text; unreadable or non-UTF-8 files are SpecErrors naming the file."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def describe(text: str) -> str:
    """The one-line description of a spec: its first header comment line (or its title)."""
    try:
        return parse(text).description
    except SpecError:  # a broken file still has a header worth listing
        lines = [ln.strip() for ln in split_lines(text)]
        return next((ln.lstrip("#").strip() for ln in lines
                     if ln.startswith("#") and ln.lstrip("#").strip()), "")


def _stem(path: str | os.PathLike) -> str:
    stem = Path(path).stem
    return stem if stem.isidentifier() else "spec"

"""The exception classes: one base, each also subclassing the matching builtin."""

from __future__ import annotations


class CalcgraphError(Exception):
    """Base of every error calcgraph raises on purpose; the CLI maps these to one line."""

    exit_code = 1


class GraphError(CalcgraphError, ValueError):
    """A graph is malformed: duplicate name, undefined input, cycle, missing objective."""


class ShapeError(GraphError):
    """Shapes of an op's inputs do not fit its shape rule."""


class UnknownOpError(GraphError, KeyError):
    """An op name is not in the op table."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


class NumericError(CalcgraphError, FloatingPointError):
    """A NaN or Inf appeared in a forward or backward value."""


class SpecError(CalcgraphError, ValueError):
    """A spec file is malformed; the message carries file, line, column and a caret."""


class RenderError(CalcgraphError, RuntimeError):
    """Graphviz (system or embedded) failed, timed out, or an output could not be written."""


class GraphvizNotFound(RenderError, FileNotFoundError):
    """No usable Graphviz renderer for the requested format."""


class UsageError(CalcgraphError, ValueError):
    """A bad option value (unknown format, bad --set); the CLI exits with 2."""

    exit_code = 2


class MissingDependency(CalcgraphError, ImportError):
    """An optional package a feature needs (torch for `check --torch`) is not installed."""


class ModelError(CalcgraphError, RuntimeError):
    """Importing a PyTorch model failed: torch missing, or the user's code raised or returned
    something calcgraph cannot import."""


class MissingGlyphError(RenderError):
    """A PNG or PDF would leave out characters no font has a glyph for (strict mode)."""


class CalcgraphWarning(UserWarning):
    """Base of calcgraph's warnings; the CLI prints each as one `calcgraph: warning:` line."""


class MissingGlyphWarning(CalcgraphWarning):
    """A PNG or PDF leaves out characters no font has a glyph for (`chars`)."""

    def __init__(self, message: str, chars: str = "") -> None:
        super().__init__(message)
        self.chars = chars


class CacheWarning(CalcgraphWarning):
    """A cached compiled module was not trusted and was rebuilt."""


class SpecWarning(CalcgraphWarning):
    """A spec declares what it never uses, or computes what never reaches its objective."""


class MemoryBudgetError(CalcgraphError, MemoryError):
    """A graph would hold more bytes than the memory budget allows (docs/library.md#memory)."""

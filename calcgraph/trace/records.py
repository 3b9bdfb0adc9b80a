"""The trace as plain data: `Trace` (the whole sweep) and `StepView` (one backward step)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calcgraph.text.summary import ARRAY_LIMIT

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType


@dataclass
class StepView:
    """One backward step: its core record plus what the terminal view shows beside it."""

    record: dict  # derivation.step_record, the core JSON schema
    through: str = ""  # the forward equation this step reverses: "o = W⁽²⁾ h"
    via: str = ""  # that operator's symbol: "×"
    one_sample: dict | None = None  # batch graphs: the same step for one sample
    note: str = ""  # why a gradient sums: its variable was broadcast in the forward pass
    unrolled: str = ""  # a parameter's gradient with earlier gradients substituted, as the d2l chapter
    value: str | None = None  # --values: the gradient's summary (its value if a scalar)
    array: list | None = None  # --values: the whole gradient when it is small


@dataclass
class Trace:
    """The forward equations and the backward sweep of one graph, ready to print or dump."""

    name: str
    title: str
    objective: str  # the objective's variable name, "J"
    batch: int | None
    vectors: str = "flat"
    ascii_only: bool = False
    only: int | None = None  # show only this backward step
    array_limit: int = ARRAY_LIMIT  # --values prints arrays of at most this many numbers
    lang: str = "en"  # the language of headings, prose and notes (text.lang)
    leaves: list[dict] = field(default_factory=list)  # name, label, role, shape, value, array
    forward: list[dict] = field(default_factory=list)  # forward_record + "value", "array"
    steps: list[StepView] = field(default_factory=list)
    batch_note: dict | None = None  # batch graphs: rows, and "both forms become dJ_do @ W2"
    memory: list[dict] = field(default_factory=list)  # forward values the sweep read
    unreached: list[dict] = field(default_factory=list)  # parameters J does not depend on
    document: dict = field(default_factory=dict, repr=False)  # the core JSON, for --json

    @property
    def backward(self) -> list[dict]:
        """The backward step records (all of them, or only step K), as in the core JSON."""
        return [s.record for s in self.shown()]

    def shown(self) -> list[StepView]:
        return [s for s in self.steps if self.only is None or s.record["step"] == self.only]

    def to_dict(self) -> dict:
        """The core JSON document (docs/json.md) with this trace's steps and a `trace` key."""
        doc = dict(self.document)
        doc["backward"] = self.backward
        doc["trace"] = {"vectors": self.vectors, "step": self.only, "memory": self.memory}
        return doc

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=self.ascii_only) + "\n"

    def text(self, width: int = 100) -> str:
        """The trace as plain text (no colour), e.g. for a notebook cell or a log."""
        from rich.console import Console

        buf = io.StringIO()
        Console(file=buf, width=width, color_system=None, highlight=False,
                emoji=False).print(self)
        return _rstrip(buf.getvalue())

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:  # the generated one is 12 KB of records
        return (f"<Trace {self.name!r}: {len(self.forward)} equations, {len(self.steps)} "
                f"backward steps to ∂{self.objective}; print() it or show it in a notebook>")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's plain-text display: the terminal text."""
        p.text(self.text())

    def _repr_html_(self) -> str:
        """Jupyter's display: the terminal output, colours included, as HTML."""
        from rich.console import Console

        console = Console(file=io.StringIO(), record=True, width=100, force_terminal=True,
                          color_system="truecolor", highlight=False, emoji=False)
        console.print(self)
        return console.export_html(inline_styles=True, code_format=_HTML)

    def __rich_console__(self, console: Console, options: ConsoleOptions
                         ) -> Iterator[RenderableType]:
        from calcgraph.trace.format import render

        yield from render(self, options.max_width)


_HTML = ('<pre style="font-family: Menlo, \'DejaVu Sans Mono\', Consolas, monospace; '
         'line-height: 1.3; white-space: pre">{code}</pre>')


def _rstrip(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


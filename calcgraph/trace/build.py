"""The backward sweep as data (`Trace`) and as terminal output (`print_trace`).

A `Trace` holds the forward records and the recorded backward steps exactly as the core
JSON has them (derivation.py builds both from the op table), plus what the terminal view
adds: the equation each step reverses, the one-sample form of a batch step, values, and
the forward values the sweep kept in memory. trace_format.py turns it into rich output.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calcgraph.errors import UsageError
from calcgraph.options import VECTORS, choose
from calcgraph.text.document import to_dict
from calcgraph.text.formulas import fmt_shape, forward_math, forward_record, step_record, unit_grads
from calcgraph.text.labels import to_unicode
from calcgraph.text.lang import words
from calcgraph.trace.notes import (
    SMALL,
    batch_note,
    broadcast_note,
    by_key,
    full_value,
    key,
    memory,
    summarize,
    unroll,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType

    from calcgraph.core.graph import Graph



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
    array_limit: int = SMALL  # --values prints arrays of at most this many numbers
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


def _shape_fmt(vectors: str):
    if vectors == "column":
        return lambda s: fmt_shape(tuple(s) + (1,) if len(s) == 1 else s)
    return fmt_shape  # "row" is shown on a batch-of-one graph, whose shapes are real


def build_trace(graph: Graph, *, values: bool = False, vectors: str = "flat",
                step: int | None = None, ascii_only: bool = False, lang: str = "en",
                array_limit: int = SMALL) -> Trace:
    """Run backward if needed and collect everything the trace shows, as plain data.

    values=True prints arrays of at most `array_limit` numbers in full (default 20).
    """
    if not isinstance(array_limit, int) or isinstance(array_limit, bool) or array_limit < 0:
        raise UsageError(f"array limit {array_limit!r}: expected a whole number, 0 or more")
    from calcgraph.trace.variants import as_rows, one_sample

    choose(vectors, VECTORS, "vectors form")
    words(lang)  # an unknown language fails here, before any work
    lang = "en" if ascii_only else lang  # Chinese has no ASCII spelling: --ascii is English
    batched = any(v.batched for v in graph.variables)
    if vectors != "flat" and batched:
        raise UsageError(f"--vectors {vectors}: only for single-sample graphs; with a batch each "
                         f"sample is already a row of a 2-D array (use --vectors flat)")
    if not graph.steps or graph._forward_version != graph._version:
        graph.backward(keep="all")  # the trace reads the full record
    shown = graph
    if vectors == "row":
        shown = as_rows(graph)
        if shown is None:
            raise UsageError(f"--vectors row: graph {graph.name!r} cannot take its inputs as "
                             f"(1, n) rows (use --vectors flat or column)")
    n = len(shown.steps)
    if step is not None and not 1 <= step <= n:
        raise UsageError(f"--step {step}: out of range (the backward sweep of {graph.name!r} has "
                         f"steps 1 to {n})")
    fmt, unit = _shape_fmt(vectors), unit_grads(shown)
    single = one_sample(shown) if batched else None
    singles = by_key(single) if single is not None else {}
    views = []
    for s in shown.steps:
        rec = step_record(shown, s, fmt, unit)
        one = singles.get(key(rec))
        view = StepView(rec, one_sample=one if one and one["code"] != rec["code"] else None,
                        value=summarize(s.value) if values else None,
                        array=full_value(s.value, values, array_limit))
        if s.via is not None:
            view.through, view.via = forward_math(s.via), to_unicode(s.via.symbol)
            view.note = broadcast_note(s, to_unicode(shown.objective.label), lang)
        views.append(view)
    unroll(shown, views)
    forward = []
    for node in shown.operators:
        rec = forward_record(node, fmt)
        rec["value"] = summarize(node.output.value)
        rec["array"] = full_value(node.output.value, values, array_limit)
        forward.append(rec)
    leaves = [{"name": v.name, "label": to_unicode(v.label), "role": v.role,
               "shape": list(v.shape), "value": summarize(v.value),
               "array": full_value(v.value, values, array_limit)}
              for v in shown.leaves()]
    leaves += [{"name": c.name, "label": to_unicode(c.label), "role": "constant", "shape": [],
                "value": f"{c.value:g}", "array": None} for c in shown.constants.values()]
    doc = to_dict(shown, values=values)
    doc["forward"] = [{k: v for k, v in r.items() if k not in ("value", "array")}
                      for r in forward]
    reached = {s.target.name for s in shown.steps}
    return Trace(
        name=graph.name, title=graph.title, objective=shown.objective.name, batch=shown.batch,
        vectors=vectors, ascii_only=ascii_only, only=step, lang=lang, leaves=leaves,
        forward=forward, array_limit=array_limit,
        steps=views, batch_note=batch_note(shown, single, views) if batched else None,
        memory=memory(shown), document=doc,
        unreached=[{"name": v.name, "label": to_unicode(v.label)} for v in shown.leaves("param")
                   if v.name not in reached])


def make_console(width: int | None = None, file: Any = None) -> Console:
    """A console that colours a terminal and writes plain text to a pipe or under NO_COLOR."""
    from rich.console import Console

    plain = os.environ.get("NO_COLOR", "") != ""  # no-color.org; we also drop bold/dim then
    out = file if file is not None else sys.stdout
    if width is None and not os.environ.get("COLUMNS") and not _isatty(out):
        # A pipe or a file: 100 columns, not the width of whatever terminal stdin or
        # stderr happens to be (which rich would use), so the output does not depend on it.
        width = PIPED_WIDTH
    return Console(file=file, width=width, highlight=False, emoji=False,
                   **({"color_system": None} if plain else {}))


PIPED_WIDTH = 100


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def print_trace(graph: Graph, *, values: bool = False, vectors: str = "flat",
                step: int | None = None, as_json: bool = False, ascii_only: bool = False,
                width: int | None = None, console: Console | None = None,
                lang: str = "en", array_limit: int = SMALL) -> Trace:
    """Print the trace (or its JSON) to the console, stdout by default; returns the Trace.

    When the output's encoding cannot hold the math symbols (a cp1252 or ascii stdout), the
    trace switches to its ASCII forms (and JSON to \\u escapes) by itself.
    """
    options = {"values": values, "vectors": vectors, "step": step, "lang": lang,
               "array_limit": array_limit}
    trace = build_trace(graph, ascii_only=ascii_only, **options)
    if as_json:
        out = console.file if console is not None else sys.stdout
        text = trace.to_json()
        if not _fits(text, out):
            trace.ascii_only = True
            text = trace.to_json()
        _write(out, text)
        return trace
    console = console or make_console(width)
    text = _captured(console, trace)
    if not _fits(text, console.file):  # rebuilt: --ascii is also English (build_trace)
        trace = build_trace(graph, ascii_only=True, **options)
        text = _captured(console, trace)
    _write(console.file, text)
    return trace


def _captured(console: Console, trace: Trace) -> str:
    with console.capture() as cap:
        console.print(trace)
    # a pipe or a file: the same text without the padding rich puts after each line
    return cap.get() if console.is_terminal else _rstrip(cap.get())


def _fits(text: str, out: Any) -> bool:
    try:
        text.encode(getattr(out, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        return False
    except LookupError:
        pass  # an encoding Python does not know: let the stream decide
    return True


def _write(out: Any, text: str) -> None:
    """Write; what the encoding still cannot hold (a label in another script) as \\x escapes."""
    encoding = getattr(out, "encoding", None) or "utf-8"
    if not _fits(text, out):
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    out.write(text)


def _rstrip(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


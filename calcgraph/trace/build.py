"""Building the backward sweep's data (`build_trace`) and printing it (`print_trace`).

A `Trace` (trace.records) holds the forward records and the recorded backward steps exactly
as the core JSON has them (text.formulas builds both from the op table), plus what the
terminal view adds: the equation each step reverses, the one-sample form of a batch step,
values, and the forward values the sweep kept in memory. trace.format turns it into rich
output.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from calcgraph.errors import UsageError
from calcgraph.options import VECTORS, choose
from calcgraph.text.document import to_dict
from calcgraph.text.formulas import (
    ShapeFmt,
    forward_math,
    forward_record,
    step_record,
    unit_grads,
)
from calcgraph.text.labels import to_unicode
from calcgraph.text.lang import words
from calcgraph.text.summary import ARRAY_LIMIT, summarize_array, vector_shape
from calcgraph.trace.notes import (
    batch_note,
    broadcast_note,
    by_key,
    full_value,
    key,
    memory,
    unroll,
)
from calcgraph.trace.records import StepView, Trace, _rstrip

if TYPE_CHECKING:
    from rich.console import Console

    from calcgraph.core.graph import Graph



def build_trace(graph: Graph, *, values: bool = False, vectors: str = "flat",
                step: int | None = None, ascii_only: bool = False, lang: str = "en",
                array_limit: int = ARRAY_LIMIT) -> Trace:
    """Run backward if needed and collect everything the trace shows, as plain data.

    values=True prints arrays of at most `array_limit` numbers in full (default 20).
    """
    from calcgraph.trace.variants import one_sample

    shown = _shown_graph(graph, vectors, step, array_limit, lang)
    lang = "en" if ascii_only else lang  # Chinese has no ASCII spelling: --ascii is English
    batched = any(v.batched for v in graph.variables)
    fmt = vector_shape(vectors)
    single = one_sample(shown) if batched else None
    views = _step_views(shown, single, fmt, values, array_limit, lang)
    forward, leaves = _forward_and_leaves(shown, fmt, values, array_limit)
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


def _shown_graph(graph: Graph, vectors: str, step: int | None, array_limit: int,
                 lang: str) -> Graph:
    """Check the options, run backward if needed, and return the graph the trace shows
    (the graph itself, or its (1, n)-rows form for --vectors row)."""
    from calcgraph.trace.variants import as_rows

    if not isinstance(array_limit, int) or isinstance(array_limit, bool) or array_limit < 0:
        raise UsageError(f"array limit {array_limit!r}: expected a whole number, 0 or more")
    choose(vectors, VECTORS, "vectors form")
    words(lang)  # an unknown language fails here, before any work
    if vectors != "flat" and any(v.batched for v in graph.variables):
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
    return shown


def _step_views(shown: Graph, single: Graph | None, fmt: ShapeFmt, values: bool,
                array_limit: int, lang: str) -> list[StepView]:
    """One StepView per backward step, with the one-sample form of a batched step's code."""
    unit = unit_grads(shown)
    singles = by_key(single) if single is not None else {}
    views = []
    for s in shown.steps:
        rec = step_record(shown, s, fmt, unit)
        one = singles.get(key(rec))
        view = StepView(rec, one_sample=one if one and one["code"] != rec["code"] else None,
                        value=summarize_array(s.value) if values else None,
                        array=full_value(s.value, values, array_limit))
        if s.via is not None:
            view.through, view.via = forward_math(s.via), to_unicode(s.via.symbol)
            view.note = broadcast_note(s, to_unicode(shown.objective.label), lang)
        views.append(view)
    unroll(shown, views)
    return views


def _forward_and_leaves(shown: Graph, fmt: ShapeFmt, values: bool,
                        array_limit: int) -> tuple[list[dict], list[dict]]:
    """The forward table's rows (one per equation) and the leaves above them."""
    forward = []
    for node in shown.operators:
        rec = forward_record(node, fmt)
        rec["value"] = summarize_array(node.output.value)
        rec["array"] = full_value(node.output.value, values, array_limit)
        forward.append(rec)
    leaves = [{"name": v.name, "label": to_unicode(v.label), "role": v.role,
               "shape": list(v.shape), "value": summarize_array(v.value),
               "array": full_value(v.value, values, array_limit)}
              for v in shown.leaves()]
    leaves += [{"name": c.name, "label": to_unicode(c.label), "role": "constant", "shape": [],
                "value": f"{c.value:g}", "array": None} for c in shown.constants.values()]
    return forward, leaves


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
                lang: str = "en", array_limit: int = ARRAY_LIMIT) -> Trace:
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


def print_parts(console: Console, parts: Any) -> None:
    """Print rich renderables as print_trace prints a trace: where the output's encoding
    cannot hold the math symbols, in their ASCII forms; never a UnicodeEncodeError."""
    from calcgraph.text.labels import ascii_text

    with console.capture() as cap:
        for part in parts:
            console.print(part)
    text = cap.get() if console.is_terminal else _rstrip(cap.get())
    _write(console.file, text if _fits(text, console.file) else ascii_text(text))


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

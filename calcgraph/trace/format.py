"""A Trace as rich renderables: the forward table, one block per backward step, the notes.

Every string passes through `_Style.t`, which swaps Unicode math for ASCII under --ascii;
text is built as `Text` objects (never markup), so brackets in arrays print as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.constrain import Constrain
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from calcgraph.text.labels import ascii_text
from calcgraph.text.lang import words
from calcgraph.text.printable import printable
from calcgraph.text.summary import array_text, fmt_shape, vector_shape

if TYPE_CHECKING:
    from rich.console import RenderableType

# trace.build's Trace and StepView, which call this module to draw themselves; named, not
# imported, so the two modules do not import each other.
Trace = StepView = Any

GRAD, CODE, SHAPE, OK, DIM, HEAD = "bold cyan", "green", "yellow", "bold green", "dim", "bold"
LABEL_WIDTH = 8  # "1 sample": the row labels of every step line up
PROSE = 100  # the widest a paragraph gets, however wide the terminal


class _Style:
    """The trace's text helpers: ASCII or Unicode, and the boxes that go with it."""

    def __init__(self, trace: Trace, width: int):
        self.ascii, self.width = trace.ascii_only, width
        self.w = words(trace.lang)  # every word printed comes from the language's table
        self.box = box.ASCII2 if self.ascii else box.SIMPLE_HEAD
        self.panel_box = box.ASCII if self.ascii else box.ROUNDED
        self.mark = "[ok]" if self.ascii else "✓"  # a bare "ok" would read as part of the text
        self.objective = trace.steps[0].record["target"] if trace.steps else "J"
        if trace.steps:  # the objective's label, as the records print it: ∂J/∂J
            self.objective = trace.steps[0].record["grad"].split("/∂", 1)[-1]
        # one width for every step's row labels, so they line up down the whole sweep
        self.labels = max([LABEL_WIDTH, *(cell_len(self.say("t.row.via", via=self.via(v)))
                                          for v in trace.steps if not v.record["final"])])

    def say(self, key: str, **values: Any) -> str:
        """The language's text for `key`, filled in."""
        return self.w[key].format(**values) if values else self.w[key]

    def t(self, text: str) -> str:
        # printable: a label's NUL or ESC[2J would otherwise reach the terminal raw
        return printable(ascii_text(text) if self.ascii else text, keep="\n")

    def text(self, *parts: str | tuple[str, str]) -> Text:
        """Text.assemble with every piece passed through t()."""
        return Text.assemble(*[(self.t(p[0]), p[1]) if isinstance(p, tuple) else self.t(p)
                               for p in parts])

    def via(self, view: StepView) -> str:
        """The operator a gradient flows back through: its symbol (×), in ASCII its op name."""
        return view.record.get("op", "") if self.ascii else view.via

    def ok(self, target: str) -> Text:
        return self.text((f"  {self.mark}", OK), (self.say("t.same", v=target), DIM))


def render(trace: Trace, width: int = 100) -> Iterator[RenderableType]:
    """Everything `calcgraph trace` prints, top to bottom (only step K with --step K)."""
    st = _Style(trace, width)
    if trace.only is not None:
        yield st.text((st.say("t.only", k=trace.only, n=len(trace.steps)), HEAD),
                      (st.say("t.title.form", form=trace.name), DIM))
        yield Text()
        yield from (_step(trace, view, st) for view in trace.shown())
        return
    yield from _header(trace, st)
    yield st.text((st.say("t.forward"), HEAD), st.say("t.forward.what"))
    yield _forward_table(trace, st)
    arrays = [r for r in trace.leaves + trace.forward if r.get("array") is not None]
    if arrays:
        yield Text()
        yield st.text((st.say("t.full"), HEAD), st.say("t.full.what", n=trace.array_limit))
        yield _arrays(arrays, st)
    yield Text()
    yield from _backward_intro(trace, st)
    for view in trace.steps:
        yield Text()
        yield _step(trace, view, st)
    if trace.unreached:  # parameters J does not depend on: zeros, and no step says so
        names = ", ".join(st.t(u["label"]) for u in trace.unreached)
        yield Text()
        yield _prose(st.text((st.say("t.unreached"), HEAD),
                             st.say("t.unreached.what", names=names, obj=st.objective)))
    if trace.memory:
        yield Text()
        yield _memory(trace, st)


def _header(trace: Trace, st: _Style) -> Iterator[RenderableType]:
    if trace.batch_note is not None:
        form = st.say("t.form.batch", n=trace.batch_note["n"])
    else:
        form = st.say(f"t.form.{trace.vectors}")
    yield st.text((st.say("t.title", name=trace.name), HEAD), (st.say("t.title.form", form=form),
                                                                DIM))
    if trace.title:
        yield st.text((trace.title, DIM))
    yield Text()


def _forward_table(trace: Trace, st: _Style) -> Table:
    table = Table(box=st.box, show_edge=False, pad_edge=False, expand=False)
    table.add_column(st.say("t.col.step"), justify="right", style=DIM, no_wrap=True)
    table.add_column(st.say("t.col.equation"), overflow="fold")
    table.add_column(st.say("t.col.shape"), style=SHAPE, overflow="fold")
    table.add_column(st.say("t.col.value"), overflow="fold")
    shape_of = vector_shape(trace.vectors)
    for i, leaf in enumerate(trace.leaves):
        shape = "" if leaf["role"] == "constant" else shape_of(leaf["shape"])
        name = st.text(leaf["label"], (f"  {st.say('t.role.' + leaf['role'])}", DIM))
        table.add_row("", name, shape, st.t(leaf["value"]),
                      end_section=i == len(trace.leaves) - 1)
    for rec in trace.forward:
        table.add_row(str(rec["step"]), st.t(rec["math"]), shape_of(rec["shape"]),
                      st.t(rec["value"]))
    return table


def _arrays(records: list[dict], st: _Style) -> Table:
    """--values: the small arrays in full under the table, where they have the whole width."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    names = [st.t(r.get("label") or r["math"].split(" = ", 1)[0]) for r in records]
    room = st.width - max(len(n) for n in names) - 4
    for name, rec in zip(names, records):
        grid.add_row(f"  {name}", "=", Text(array_text(rec["array"], room)))
    return grid


def _backward_intro(trace: Trace, st: _Style) -> Iterator[RenderableType]:
    j = st.objective
    yield st.text((st.say("t.backward"), HEAD), st.say("t.backward.what", seed=f"∂{j}/∂{j} = 1"))
    before, after = st.say("t.backward.prod", grad=f"∂{j}/∂v", mark="\0").split("\0")
    yield _prose(st.text(
        st.say("t.backward.each") + "\n    ", (f"∂{j}/∂v = prod(∂{j}/∂out, ∂out/∂v)", GRAD),
        "\n" + before, (st.mark, OK), after))
    note = trace.batch_note
    if note is None:
        return
    n = note["n"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=False, ratio=1)
    grid.add_column(overflow="fold", ratio=1)
    ex = note["example"]
    if ex is not None:  # the d2l chapter's point: column form, row form, one numpy line
        q = ex["g_shape"][0] if len(ex["g_shape"]) == 1 else "q"
        grid.add_row(st.t(st.say("t.batch.column", g=ex["g"], q=q)),
                     st.text((f"{ex['grad']} = {ex['column']}", GRAD)))
        grid.add_row(st.t(st.say("t.batch.row", g=ex["g"], q=q)),
                     st.text((f"{ex['grad']} = {ex['row']}", GRAD)))
        grid.add_row(st.t(st.say("t.batch.code", n=n, k=ex["step"])),
                     st.text((ex["code"], CODE)))
    body = Group(
        st.text(st.say("t.batch.rows", n=n, x=note["input"], shape=fmt_shape(note["input_shape"]),
                       grad=f"∂{j}/∂v") + (st.say("t.batch.both") if ex is not None else "")),
        grid,
        st.text(*_split(st.say("t.batch.where", label="\0"), (st.say("t.row.sample"), DIM))))
    yield _prose(Panel(body, title=st.t(st.say("t.batch.title", n=n)), title_align="left",
                       box=st.panel_box, expand=True))


def _split(text: str, middle: tuple[str, str]) -> tuple:
    """`text` around its \\0 placeholder, with `middle` (a styled piece) in its place."""
    before, _, after = text.partition("\0")
    return before, middle, after


def _prose(renderable: RenderableType) -> Constrain:
    """Paragraphs stop at PROSE columns: long lines on a wide terminal are hard to read."""
    return Constrain(renderable, width=PROSE)


def _terms(trace: Trace, view: StepView) -> list[StepView]:
    """The contributions a sum step adds, main path first (the order of its math)."""
    order = {rec["op"]: rec["step"] for rec in trace.forward}
    by_step = {v.record["step"]: v for v in trace.steps}
    parts = [by_step[k] for k in view.record.get("terms", ())]
    return sorted(parts, key=lambda v: order.get(v.record.get("via"), 0))


def _sum_of(trace: Trace, index: int) -> tuple[int, int, int] | None:
    """(path number, number of paths, sum step) for a contribution that is not final."""
    for v in trace.steps:
        terms = v.record.get("terms", [])
        if index in terms:
            return sorted(terms).index(index) + 1, len(terms), v.record["step"]
    return None


def _step(trace: Trace, view: StepView, st: _Style) -> Table:
    """One backward step: a heading, then labelled rows (math, numpy, shapes, …)."""
    rec = view.record
    grad = rec["grad"]
    head, rows = _head(trace, view, st)
    if view.unrolled:
        rows.append((st.say("t.row.unrolled"), st.text((f"{grad} = {view.unrolled}", GRAD))))
    rows.append((st.say("t.row.numpy"), st.text((rec["code"], CODE))))
    shapes = st.text((rec["shapes"], SHAPE))
    if rec["shape_ok"]:
        shapes.append_text(st.ok(grad.split("/∂", 1)[-1]))
    else:  # the engine raises first; kept so a hand-made record can never pass silently
        shapes.append_text(st.text((st.say("t.expected", shape=fmt_shape(rec["shape"])),
                                    "bold red")))
    rows.append((st.say("t.row.shapes"), shapes))
    if view.note:
        rows.append((st.say("t.row.why"), st.text(view.note)))
    one = view.one_sample
    if one is not None and rec["kind"] != "sum":
        rows.append((st.say("t.row.sample"), st.text((f"{one['grad']} = {one['math']}", GRAD),
                                                      "\n",
                                         (one["code"], CODE), "\n", (one["shapes"], SHAPE))))
    if view.array is not None:  # numpy wraps the rows to the content column's width
        room = st.width - len(str(len(trace.steps))) - 1 - st.labels - 2
        rows.append((st.say("t.row.value"), Text(array_text(view.array, room))))
    elif view.value is not None:
        rows.append((st.say("t.row.value"), st.text(view.value)))
    inner = Table.grid(padding=(0, 2))
    inner.add_column(style=DIM, no_wrap=True, min_width=st.labels)
    inner.add_column(overflow="fold")
    for label, body in rows:
        inner.add_row(st.t(label), body)
    outer = Table.grid(padding=(0, 1))
    outer.add_column(justify="right", no_wrap=True, min_width=len(str(len(trace.steps))))
    outer.add_column(overflow="fold")
    outer.add_row(Text(str(rec["step"]), style=HEAD), Group(head, inner))
    return outer


def _head(trace: Trace, view: StepView, st: _Style) -> tuple[Text, list[tuple[str, Text]]]:
    """The step's heading and its math rows: the seed, one path, or the sum of paths."""
    rec = view.record
    grad = rec["grad"]
    if rec["kind"] == "seed":
        return st.text((f"{grad} = 1", GRAD), st.say("t.seed")), []
    if rec["kind"] == "sum":
        head = st.text((grad, GRAD), st.say("t.sum", n=len(rec["terms"])))
        rows = [(st.say("t.row.via", via=st.via(part)),
                 st.text((f"{p['prod']} = {p['math']}", GRAD),
                         (st.say("t.sum.step", k=p["step"]), DIM)))
                for part in _terms(trace, view) for p in [part.record]]
        return head, [*rows, (st.say("t.row.math"),
                              st.text((f"{grad} = {rec['math']}", GRAD)))]
    path = _sum_of(trace, rec["step"]) if not rec["final"] else None
    head = st.text((grad, GRAD))
    if path is not None:
        head.append_text(st.text(st.say("t.path", via=st.via(view), i=path[0], n=path[1],
                                        k=path[2])))
    head.append_text(st.text((st.say("t.through"), DIM), view.through,
                             (st.say("t.through.after"), DIM)))
    if rec["source"] == trace.objective:  # prod(∂J/∂J, ∂J/∂v) is just the local derivative
        math = f"{grad} = {rec['math']}"
    elif path is not None:  # one term of a sum: there is no "∂J/∂W =" yet
        math = f"{rec['prod']} = {rec['math']}"
    else:
        math = f"{grad} = {rec['prod']} = {rec['math']}"
    return head, [(st.say("t.row.math"), st.text((math, GRAD)))]


def _memory(trace: Trace, st: _Style) -> Group:
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(style=SHAPE, no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for m in trace.memory:
        table.add_row(st.t(m["label"]), vector_shape(trace.vectors)(m["shape"]), f"{m['bytes']} B")
    total = sum(m["bytes"] for m in trace.memory)
    table.add_row(Text(st.say("t.memory.total"), style=DIM), "", Text(f"{total} B", style=HEAD))
    return _prose(Group(
        st.text((st.say("t.memory"), HEAD), st.say("t.memory.what")),
        Padding(table, (0, 0, 0, 4)),
        st.text(st.say("t.memory.why"))))

"""The scene's elements: the theme and every drawn thing as frozen plain data, in pt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from calcgraph.figure.layout import PITCH

if TYPE_CHECKING:
    from calcgraph.figure.layout import Layout


@dataclass(frozen=True)
class Theme:
    """The d2l look (reference/README.md): sizes in pt, colours, fonts."""

    var_size: float = 21.0
    op_size: float = 23.0
    pitch: tuple[float, float] = PITCH
    penwidth: float = 1.0
    op_fill: str = "#B2D9FF"
    param_fill: str = "#66BFFF"
    var_fill: str = "white"
    stroke: str = "black"
    font: str = "Times-Roman"
    fontsize: float = 9.0
    symbol_size: float = 12.0  # ×, +, ⊙ … in the circles: a 9 pt × is a speck
    script_size: float = 6.5
    note_size: float = 6.5
    note_color: str = "#555555"
    frame_pad: float = 2.0  # pt between a record's text and its frame
    faint_color: str = "#999999"  # a gradient shape that backward does not compute
    arrowhead: str = "vee"
    arrowsize: float = 0.5
    # The backward pass on the figure (figure/stepped.py, figure/dual.py):
    known_color: str = "#2E8B57"  # outline of a node whose gradient is known
    accent: str = "#D1495B"  # the step's node and the edges its gradient travels along
    read_color: str = "#8C8C8C"  # a forward value a backward operation reads
    grad_fill: str = "#FFF1D6"  # a gradient square in the backward graph
    caption_size: float = 8.0


D2L = Theme()


@dataclass(frozen=True)
class Run:
    """A run of label text with its style; script is '', 'sup' or 'sub'."""

    text: str
    bold: bool = False
    italic: bool = False
    script: str = ""


@dataclass(frozen=True)
class Node:
    """A square (variable) or circle (operator) with its label runs and, once placed, position."""

    id: str
    kind: str  # "variable" | "operator"
    role: str  # input, label, param, intermediate, objective, operator
    shape: str  # "square" | "circle"
    width: float
    height: float
    fill: str
    label: tuple[Run, ...]
    tooltip: str
    fontsize: float = 9.0
    x: float | None = None  # centre in pt, y up; None when Graphviz lays the graph out
    y: float | None = None
    cell: tuple[int, int] | None = None
    outline: str | None = None  # a stroke other than the theme's (a gradient known, the step)
    penwidth: float | None = None
    dashed: bool = False
    mark: str = ""  # an SVG class for what a stepped figure says: step, path, known, partial


@dataclass(frozen=True)
class Edge:
    """An edge; points: its route's waypoints in pt, centre to centre (none: straight);
    spline: Graphviz's own curve for it (layout 'dot'), the arrow's tip first."""

    src: str
    dst: str
    points: tuple[tuple[float, float], ...] = ()
    spline: tuple[tuple[float, float], ...] = ()
    color: str | None = None  # None: the theme's stroke
    back: bool = False  # the arrowhead at src: a gradient travelling against the forward arrow
    penwidth: float | None = None
    dashed: bool = False
    mark: str = ""  # an SVG class: step (the step's path), read (a value a VJP reads)


@dataclass(frozen=True)
class Note:
    """Annotation text beside a node: lines, and the centre of its box in pt (None: beside).

    The box is width × height: the widest line's text_width() by one LINE per line.
    """

    node: str
    lines: tuple[str, ...]
    x: float | None = None
    y: float | None = None
    width: float = 0.0
    height: float = 0.0
    align: str = "center"  # lines centred, or left/right-aligned toward the node
    faint: tuple[int, ...] = ()  # indices of lines drawn in the theme's faint_color
    framed: bool = False  # a scalar's record (data | grad), boxed as micrograd draws it
    colors: tuple[tuple[int, str], ...] = ()  # (line index, colour) overriding the others
    # A note set off from its node (no free spot beside it): the thin line joining them,
    # x0, y0 at the node's outline, x1, y1 at the note's box (figure/leaders.py).
    leader: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Key:
    """One legend entry: a swatch ('variable', 'param', 'operator') or 'text', at x, y (pt)."""

    kind: str
    text: str
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class Scene:
    """The whole figure; positions are None for layout 'dot' (Graphviz places the nodes)."""

    name: str
    layout: str
    theme: Theme
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    notes: tuple[Note, ...] = ()
    legend: tuple[Key, ...] = ()
    pitch: tuple[float, float] = PITCH
    grid: Layout | None = field(default=None, compare=False)
    caption: tuple[str, ...] = ()  # lines under the figure: a backward step and its formula
    caption_room: float = 0.0  # width (pt) the caption row keeps, so that frames line up

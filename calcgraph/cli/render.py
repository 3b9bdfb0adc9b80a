"""`calcgraph render`: draw the graph as SVG, PNG, PDF, DOT or JSON."""

from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path

import click

from calcgraph.cli.common import load, mapped, source_options
from calcgraph.errors import CalcgraphWarning, UsageError
from calcgraph.options import ANNOTATE, LAYOUTS, RENDERERS

BINARY = ("png", "pdf")


@click.command()
@source_options
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, allow_dash=True),
              default=None, help="Output file; its extension picks the format (.svg .png .pdf "
                                 ".dot .json); '-' is stdout. Default: SOURCE's name + .svg "
                                 "in the current folder.")
@click.option("--format", "fmt", default=None, metavar="FMT",
              help="Output format when OUT has no telling extension: svg, png, pdf, dot, json.")
@click.option("--annotate", type=click.Choice(ANNOTATE), default="shapes", show_default=True,
              help="What to write beside each variable.")
@click.option("--renderer", type=click.Choice(RENDERERS), default="auto",
              show_default=True, help="system Graphviz (dot on PATH or $CALCGRAPH_DOT) or the "
                                      "embedded WebAssembly Graphviz.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="d2l", show_default=True,
              help="d2l: calcgraph's bottom-left → top-right grid; dot: Graphviz's own layout.")
@click.option("--dpi", type=click.FloatRange(min=10, max=2400), default=None, metavar="N",
              help="PNG resolution in dots per inch (default 300, for print and slides); "
                   "written into the PNG.")
@click.option("--scale", type=click.FloatRange(min=0.1, max=32), default=None, metavar="X",
              help="PNG pixels per point, instead of --dpi: 1 = 72 dpi.")
@click.option("--font", "fonts", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False),
              help="A font file (.ttf .otf .ttc) to draw PNG/PDF text with, besides the bundled "
                   "ones; repeatable.")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1) when a character has no glyph in any font, instead of "
                   "warning.")
@click.option("--legend", is_flag=True, help="Add a legend explaining shapes and colours.")
@click.option("--json", "as_json", is_flag=True,
              help="Print what was written as JSON on stdout (path, format, renderer, dpi, "
                   "characters no font has).")
@mapped
def render(source, batch, seed, sets, out, fmt, annotate, renderer, layout, dpi, scale, fonts,
           strict, legend, as_json) -> None:
    """Draw the graph as SVG, PNG, PDF, DOT or JSON."""
    from calcgraph.figure.draw import render_graph
    from calcgraph.graphviz.raster import resolve_dpi
    from calcgraph.graphviz.run import format_from_path

    out = out or default_output(source, fmt)
    kind = format_from_path(out, fmt)
    if out == "-" and kind in BINARY and sys.stdout.isatty():
        raise UsageError(f"-o -: refusing to write {kind.upper()} to a terminal; redirect "
                         f"stdout (> fig.{kind}) or give -o FILE")
    if as_json and out == "-":
        raise UsageError("--json prints to stdout: give -o FILE, not -o -")
    graph = load(source, batch, seed, sets)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CalcgraphWarning)
        path, used = render_graph(graph, out, kind, annotate=annotate, renderer=renderer,
                                  layout=layout, dpi=dpi, scale=scale, legend=legend,
                                  fonts=tuple(fonts), strict=strict)
    for w in caught:  # shown as usual (one line each), and kept for --json
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    where = "stdout" if path == "-" else path
    click.echo(f"wrote {where}" + (f" ({used} Graphviz)" if used else ""), err=True)
    if as_json:
        missing = "".join(getattr(w.message, "chars", "") for w in caught)
        click.echo(json.dumps({
            "path": path, "format": kind, "renderer": used,
            "dpi": resolve_dpi(dpi, scale) if kind == "png" else None,
            "missing_glyphs": list(missing), "warnings": [str(w.message) for w in caught],
        }, ensure_ascii=False))


def default_output(source: str | None, fmt: str | None) -> str:
    """`<name>.svg` (or .FMT) in the current folder, named after SOURCE: a spec file's own
    name (net.cg → net.svg), model.py:make → model_make.svg, else the sample's name."""
    from calcgraph.sources import SUFFIX, is_python_source, sample_names

    name = source or "mlp"
    if is_python_source(name):
        file, _, function = name.rpartition(":")
        name = f"{Path(file).stem}_{function}"
    elif name not in sample_names() and (Path(name).is_file() or name.endswith(SUFFIX)):
        name = Path(name).stem
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "graph"
    return f"{safe}.{(fmt or 'svg').lower()}"

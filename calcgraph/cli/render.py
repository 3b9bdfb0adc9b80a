"""`calcgraph render`: draw the graph as SVG, PNG, PDF, DOT or JSON."""

from __future__ import annotations

import json
import sys
import warnings

import click

from calcgraph.cli.common import (
    budget,
    default_output,
    echo_text,
    figure_options,
    load,
    mapped,
    refuse_source_as_output,
    source_options,
)
from calcgraph.errors import CalcgraphWarning, UsageError
from calcgraph.options import ANNOTATE, BACKWARD, BINARY_FORMATS


@click.command()
@source_options
@click.option("-o", "--output", "out", type=click.Path(allow_dash=True),
              default=None, help="Output file; its extension picks the format (.svg .png .pdf "
                                 ".dot .json); '-' is stdout. Default: SOURCE's name + .svg "
                                 "in the current folder. With --steps: a folder (frames/) or "
                                 "an animation (.gif .webp .png).")
@click.option("--format", "fmt", default=None, metavar="FMT",
              help="Output format when OUT has no telling extension: svg, png, pdf, dot, json.")
@click.option("--annotate", type=click.Choice(ANNOTATE), default="shapes", show_default=True,
              help="What to write beside each variable.")
@figure_options
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
@click.option("--full-arrays", is_flag=True,
              help="JSON: write arrays of more than 10,000 numbers in full, not summarized.")
@click.option("--step", type=click.IntRange(min=0), default=None, metavar="K",
              help="The figure at backward step K (0: the forward state): gradients known so "
                   "far outlined, step K's node and path highlighted, its formula underneath.")
@click.option("--steps", is_flag=True,
              help="Every step: numbered figures into the folder -o (default <name>_steps/), "
                   "or an animation when -o ends in .gif, .webp or .png (needs Pillow).")
@click.option("--backward", "backward", type=click.Choice(BACKWARD), is_flag=False,
              flag_value="only", default=None,
              help="Draw the backward graph (gradients and the operations that compute them); "
                   "--backward both: above the forward graph, with what it reads. A SOURCE "
                   "goes before it (or write --backward only).")
@mapped
def render(source, batch, seed, max_memory, sets, out, fmt, annotate, renderer, layout, dpi,
           scale, fonts, strict, legend, as_json, full_arrays, step, steps, backward) -> None:
    """Draw the graph as SVG, PNG, PDF, DOT or JSON.

    SOURCE is a built-in sample name (default: mlp, the d2l MLP objective; `calcgraph
    samples` lists them), a spec file of your own (docs/spec.md), or FILE.py:FUNCTION
    returning a PyTorch model to import (docs/torch.md; your own code, run as Python).

    \b
    Examples:
      calcgraph render                           mlp.svg: the d2l figure, shapes
      calcgraph render -o mlp.png --batch 8      the batch form, as PNG
      calcgraph render two_layer --annotate all  values and gradients too
      calcgraph render my_net.cg -o my_net.pdf   a spec file of your own
      calcgraph render --set d=8 -o graph.json   the data after both passes
      calcgraph render --step 8 -o s8.svg        the backward sweep at step 8
      calcgraph render --steps -o sweep.gif      every step, animated
      calcgraph render mlp --backward both       the backward (dual) graph too
    """
    from calcgraph.figure.draw import render_graph
    from calcgraph.graphviz.raster import resolve_dpi
    from calcgraph.graphviz.run import format_from_path

    if step is not None and steps:
        raise click.UsageError("--step K and --steps exclude each other")
    refuse_source_as_output(source, out)
    if steps:
        if out == "-":  # else the frames went to a folder named '-'
            raise UsageError("--steps -o -: frames cannot go to stdout; give a folder "
                             "(-o frames/) or an animation file (-o sweep.gif)")
        with budget(max_memory):
            return render_all_steps(load(source, batch, seed, sets), out, fmt,
                                    annotate=annotate, renderer=renderer, layout=layout, dpi=dpi,
                                    scale=scale, legend=legend, backward=backward,
                                    stem=default_output(source, "x")[:-2])
    out = out or default_output(source, fmt)
    refuse_source_as_output(source, out)  # a spec named net.svg would default to itself
    kind = format_from_path(out, fmt)
    if kind == "json" and (step is not None or backward):  # was silently the plain JSON
        raise UsageError(f"{'--step' if step is not None else '--backward'} draws a figure "
                         f"(svg png pdf dot); the JSON is the data of every step already "
                         f"(its 'backward' list)")
    _check_output(out, kind, as_json)
    with budget(max_memory):
        graph = load(source, batch, seed, sets)  # its spec warnings print as they come
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CalcgraphWarning)
            path, used = render_graph(graph, out, kind, annotate=annotate, renderer=renderer,
                                      layout=layout, dpi=dpi, scale=scale, legend=legend,
                                      fonts=tuple(fonts), strict=strict,
                                      full_arrays=full_arrays, step=step, backward=backward)
    _report(path, used, kind, caught, resolve_dpi(dpi, scale) if kind == "png" else None,
            as_json)


def _check_output(out: str, kind: str, as_json: bool) -> None:
    """Usage errors that -o can make, found before anything is loaded or drawn."""
    if out == "-" and kind in BINARY_FORMATS and sys.stdout.isatty():
        raise UsageError(f"-o -: refusing to write {kind.upper()} to a terminal; redirect "
                         f"stdout (> fig.{kind}) or give -o FILE")
    if as_json and out == "-":
        raise UsageError("--json prints to stdout: give -o FILE, not -o -")


def _report(path: str, used: str | None, kind: str, caught: list, dpi: float | None,
            as_json: bool) -> None:
    """Say what was written on stderr (and with --json, as JSON on stdout)."""
    for w in caught:  # shown as usual (one line each), and kept for --json
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    where = "stdout" if path == "-" else path
    click.echo(f"wrote {where}" + (f" ({used} Graphviz)" if used else ""), err=True)
    if as_json:
        missing = "".join(getattr(w.message, "chars", "") for w in caught)
        echo_text(json.dumps({
            "path": path, "format": kind, "renderer": used, "dpi": dpi,
            "missing_glyphs": list(missing), "warnings": [str(w.message) for w in caught],
        }, ensure_ascii=False) + "\n", document=True)


def render_all_steps(graph, out, fmt, **options) -> None:
    """--steps: numbered frames in a folder, or one animation."""
    from calcgraph.figure.draw import render_steps

    paths, used = render_steps(graph, out, fmt, **options)
    where = paths[0] if len(paths) == 1 else f"{len(paths)} frames: {paths[0]} … {paths[-1]}"
    click.echo(f"wrote {where}" + (f" ({used} Graphviz)" if used else ""), err=True)

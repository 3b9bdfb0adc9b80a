"""`calcgraph render`: draw the graph as SVG, PNG, PDF, DOT or JSON."""

from __future__ import annotations

import click

from calcgraph.cli.common import load, mapped, source_options
from calcgraph.options import ANNOTATE, BACKWARD, LAYOUTS, RENDERERS


@click.command()
@source_options
@click.option("-o", "--output", "out", type=click.Path(), default=None,
              help="Output file; its extension picks the format (.svg .png .pdf .dot .json). "
                   "Default: <source-name>.svg in the current folder. With --steps: a folder "
                   "(frames/) or an animation (.gif .webp .png).")
@click.option("--format", "fmt", default=None, metavar="FMT",
              help="Output format when OUT has no telling extension: svg, png, pdf, dot, json.")
@click.option("--annotate", type=click.Choice(ANNOTATE), default="shapes", show_default=True,
              help="What to write beside each variable.")
@click.option("--renderer", type=click.Choice(RENDERERS), default="auto",
              show_default=True, help="system Graphviz (dot on PATH or $CALCGRAPH_DOT) or the "
                                      "embedded WebAssembly Graphviz.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="d2l", show_default=True,
              help="d2l: calcgraph's bottom-left → top-right grid; dot: Graphviz's own layout.")
@click.option("--scale", type=click.FloatRange(min=0.1, max=16), default=2.0, show_default=True,
              help="PNG pixel density (1 = 96 dpi: the size a browser shows the SVG).")
@click.option("--legend", is_flag=True, help="Add a legend explaining shapes and colours.")
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
def render(source, batch, seed, sets, out, fmt, annotate, renderer, layout, scale,
           legend, step, steps, backward) -> None:
    """Draw the graph as SVG, PNG, PDF, DOT or JSON."""
    from calcgraph.figure.draw import render_graph, render_steps

    if step is not None and steps:
        raise click.UsageError("--step K and --steps exclude each other")
    graph = load(source, batch, seed, sets)
    if steps:
        paths, used = render_steps(graph, out, fmt, annotate=annotate, renderer=renderer,
                                   layout=layout, scale=scale, legend=legend, backward=backward)
        where = paths[0] if len(paths) == 1 else f"{len(paths)} frames: {paths[0]} … {paths[-1]}"
        click.echo(f"wrote {where}" + (f" ({used} Graphviz)" if used else ""))
        return
    path, used = render_graph(graph, out, fmt, annotate=annotate, renderer=renderer,
                              layout=layout, scale=scale, legend=legend, step=step,
                              backward=backward)
    click.echo(f"wrote {path}" + (f" ({used} Graphviz)" if used else ""))

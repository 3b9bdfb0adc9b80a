"""`calcgraph render`: draw the graph as SVG, PNG, PDF, DOT or JSON."""

from __future__ import annotations

import click

from calcgraph.cli.common import budget, load, mapped, source_options
from calcgraph.options import ANNOTATE, LAYOUTS, RENDERERS


@click.command()
@source_options
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Output file; its extension picks the format (.svg .png .pdf .dot .json). "
                   "Default: <source-name>.svg in the current folder.")
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
@click.option("--full-arrays", is_flag=True,
              help="JSON: write arrays of more than 10,000 numbers in full, not summarized.")
@mapped
def render(source, batch, seed, max_memory, sets, out, fmt, annotate, renderer, layout, scale,
           legend, full_arrays) -> None:
    """Draw the graph as SVG, PNG, PDF, DOT or JSON.

    SOURCE is a built-in sample name (default: mlp, the d2l MLP objective; `calcgraph
    samples` lists them) or a spec file of your own (docs/spec.md).

    \b
    Examples:
      calcgraph render                           mlp.svg: the d2l figure, shapes
      calcgraph render -o mlp.png --batch 8      the batch form, as PNG
      calcgraph render two_layer --annotate all  values and gradients too
      calcgraph render my_net.cg -o my_net.pdf   a spec file of your own
      calcgraph render --set d=8 -o graph.json   the data after both passes
    """
    from calcgraph.figure.draw import render_graph

    with budget(max_memory):
        graph = load(source, batch, seed, sets)
        path, used = render_graph(graph, out, fmt, annotate=annotate, renderer=renderer,
                                  layout=layout, scale=scale, legend=legend,
                                  full_arrays=full_arrays)
    click.echo(f"wrote {path}" + (f" ({used} Graphviz)" if used else ""))

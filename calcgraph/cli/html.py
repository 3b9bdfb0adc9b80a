"""`calcgraph html`: one self-contained page that steps through the backward pass."""

from __future__ import annotations

import click

from calcgraph.cli.common import budget, lang_option, load, mapped, source_options
from calcgraph.options import LAYOUTS, RENDERERS


@click.command()
@source_options
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="The page to write. Default: <source-name>.html in the current folder.")
@click.option("--renderer", type=click.Choice(RENDERERS), default="auto", show_default=True,
              help="system Graphviz or the embedded WebAssembly Graphviz, for the figures.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="d2l", show_default=True,
              help="d2l: calcgraph's bottom-left → top-right grid; dot: Graphviz's own layout.")
@lang_option
@mapped
def html(source, batch, seed, max_memory, sets, out, renderer, layout, lang) -> None:
    """Write an offline HTML page: the figure at every backward step, ←/→ to step.

    \b
    Examples:
      calcgraph html                     mlp.html: the d2l MLP, step by step
      calcgraph html -o steps.html --lang zh   headings and step text in Chinese
    """
    from calcgraph.figure.draw import default_path
    from calcgraph.html.page import Stepper, build_page

    with budget(max_memory):
        graph = load(source, batch, seed, sets)
        page = build_page(graph, layout=layout, renderer=renderer, lang=lang)
    path = Stepper(page).save(out or default_path(graph, "html"))
    click.echo(f"wrote {path} ({len(graph.steps)} backward steps)", err=True)

"""`calcgraph trace`: the backward sweep, step by step, in the terminal."""

from __future__ import annotations

import click

from calcgraph.cli.common import lang_option, load, mapped, source_options
from calcgraph.options import VECTORS


@click.command()
@source_options
@click.option("--values", is_flag=True, help="Print small arrays; summarize large ones.")
@click.option("--vectors", type=click.Choice(VECTORS), default="flat",
              show_default=True, help="Show single-sample vectors as (q,), (q, 1) or (1, q).")
@click.option("--step", "only_step", type=click.IntRange(min=1), default=None, metavar="K",
              help="Show only backward step K.")
@click.option("--json", "as_json", is_flag=True, help="The recorded steps as JSON.")
@click.option("--ascii", "ascii_only", is_flag=True, help="ASCII instead of Unicode math.")
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Output width in columns (default: the terminal's).")
@lang_option
@mapped
def trace(source, batch, seed, sets, values, vectors, only_step, as_json, ascii_only,
          width, lang) -> None:
    """Print the backward sweep step by step: formula, numpy code and shapes."""
    from calcgraph.trace.build import print_trace

    graph = load(source, batch, seed, sets)
    print_trace(graph, values=values, vectors=vectors, step=only_step, as_json=as_json,
                ascii_only=ascii_only, width=width, lang=lang)

"""`calcgraph trace`: the backward sweep, step by step, in the terminal."""

from __future__ import annotations

import click

from calcgraph.cli.common import budget, lang_option, load, mapped, source_options
from calcgraph.options import VECTORS


@click.command()
@source_options
@click.option("--values", is_flag=True, help="Print small arrays; summarize large ones.")
@click.option("--array-limit", type=click.IntRange(min=0), default=20, show_default=True,
              metavar="N", help="With --values: print arrays of at most N numbers in full.")
@click.option("--vectors", type=click.Choice(VECTORS), default="flat",
              show_default=True, help="Show single-sample vectors as (q,), (q, 1) or (1, q).")
@click.option("--step", "only_step", type=click.IntRange(min=1), default=None, metavar="K",
              help="Show only backward step K.")
@click.option("--json", "as_json", is_flag=True, help="The recorded steps as JSON.")
@click.option("--ascii", "ascii_only", is_flag=True, help="ASCII instead of Unicode math.")
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Output width in columns (default: the terminal's, 100 when piped).")
@lang_option
@mapped
def trace(source, batch, seed, max_memory, sets, values, array_limit, vectors, only_step,
          as_json, ascii_only, width, lang) -> None:
    """Print the backward sweep step by step: formula, numpy code and shapes.

    SOURCE is a built-in sample name (default: mlp, the d2l MLP objective; `calcgraph
    samples` lists them) or a spec file of your own (docs/spec.md).

    \b
    Examples:
      calcgraph trace                            the d2l MLP, one sample
      calcgraph trace --batch 8 --values         the code form, with numbers
      calcgraph trace --step 12                  only step 12: two paths meet
      calcgraph trace my_net.cg --ascii          a spec file, in plain ASCII
      calcgraph trace --json > steps.json        the recorded steps as JSON
    """
    from calcgraph.trace.build import print_trace

    with budget(max_memory):
        graph = load(source, batch, seed, sets)
        print_trace(graph, values=values, vectors=vectors, step=only_step, as_json=as_json,
                    ascii_only=ascii_only, width=width, lang=lang, array_limit=array_limit)

"""`calcgraph check`: every gradient against finite differences (and torch), as a table."""

from __future__ import annotations

import json

import click

from calcgraph.cli.common import budget, echo_text, load, mapped, source_options


@click.command()
@source_options
@click.option("--torch", "with_torch", is_flag=True,
              help="Also rebuild the graph in PyTorch (float64) and compare with autograd.")
@click.option("--json", "as_json", is_flag=True, help="The results as JSON on stdout.")
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Output width in columns (default: the terminal's).")
@mapped
def check(source, batch, seed, max_memory, sets, with_torch, as_json, width) -> None:
    """Check every gradient against central finite differences; exit 1 if one disagrees."""
    from calcgraph.graph import check as check_graph
    from calcgraph.trace.build import make_console, print_parts
    from calcgraph.trace.checks import check_tables, failure_message

    with budget(max_memory):
        graph = load(source, batch, seed, sets)
        result = check_graph(graph, torch=with_torch)
    if as_json:
        echo_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n",
                  document=True)
    else:
        print_parts(make_console(width), check_tables(result))
    if not result.ok:
        click.echo(f"calcgraph: error: {failure_message(result)}", err=True)
        raise SystemExit(1)

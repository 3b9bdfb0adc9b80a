"""`calcgraph derive`: the derivation as a document (Markdown, LaTeX, HTML or plain text)."""

from __future__ import annotations

import click

from calcgraph.cli.common import (
    budget,
    echo_text,
    graph_options,
    lang_option,
    load,
    mapped,
    refuse_source_as_output,
)
from calcgraph.options import DERIVE_FORMATS

DEFAULT_BATCH = 8


@click.command()
@click.argument("source", required=False, metavar="[SOURCE]")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, allow_dash=True),
              default=None,
              help="Output file; its extension picks the format (.md .tex .html .txt). "
                   "'-' or none: stdout (plain text unless --format says).")
@click.option("--format", "fmt", default=None, metavar="FMT",
              help=f"Output format, overriding the extension: {', '.join(DERIVE_FORMATS)}.")
@lang_option
@click.option("--values", is_flag=True, help="Add a worked example: the numbers of one pass.")
@click.option("--batch", type=click.IntRange(min=1), default=DEFAULT_BATCH, show_default=True,
              metavar="N", help="The batch size of the batch form (shapes and memory).")
@graph_options
@click.option("--width", type=click.IntRange(min=40), default=100, show_default=True,
              help="Line width of the plain-text form.")
@mapped
def derive(source, out, fmt, lang, values, batch, seed, max_memory, sets, width) -> None:
    """Write the derivation: forward pass, backward pass, shapes and memory, as a teacher would.

    \b
    Examples:
      calcgraph derive -o mlp.md           Markdown with $…$ math
      calcgraph derive -o mlp.tex          a complete LaTeX document
      calcgraph derive -o mlp.html --lang zh
    """
    from calcgraph.derive import derivation, format_for
    from calcgraph.errors import CalcgraphError
    from calcgraph.graphviz.run import write_atomic

    refuse_source_as_output(source, out)
    if out == "-":  # stdout, as without -o
        out, fmt = None, fmt or "txt"
    kind = format_for(out, fmt)
    with budget(max_memory):
        graph = load(source, None, seed, sets)
        try:
            batched = load(source, batch, seed, sets)
        except CalcgraphError:  # a graph that has no batch form: the sections say so
            batched = None
        text = derivation(graph, fmt=kind, lang=lang, values=values, batch_graph=batched,
                          width=width)
    if out is None:
        echo_text(text)
        return
    write_atomic(out, text.encode("utf-8"))
    click.echo(f"wrote {out}", err=True)  # stderr, as render and html say it

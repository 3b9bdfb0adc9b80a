"""`calcgraph html`: one self-contained page that steps through the backward pass."""

from __future__ import annotations

from pathlib import PurePath

import click

from calcgraph.cli.common import (
    budget,
    default_output,
    figure_options,
    lang_option,
    load,
    mapped,
    refuse_source_as_output,
    source_options,
)


@click.command()
@source_options
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, allow_dash=True),
              default=None,
              help="The page to write. Default: <source-name>.html in the current folder.")
@figure_options
@lang_option
@mapped
def html(source, batch, seed, max_memory, sets, out, renderer, layout, lang) -> None:
    """Write an offline HTML page: the figure at every backward step, ←/→ to step.

    \b
    Examples:
      calcgraph html                     mlp.html: the d2l MLP, step by step
      calcgraph html -o steps.html --lang zh   headings and step text in Chinese
    """
    from calcgraph.errors import UsageError
    from calcgraph.html.page import Stepper, build_page

    refuse_source_as_output(source, out)
    suffix = PurePath(out or "").suffix.lower()
    if out and out != "-" and suffix not in ("", ".html", ".htm"):
        raise UsageError(f"-o {out}: the page is HTML (expected a name ending in .html, or - "
                         f"for stdout; the figure alone is `calcgraph render -o {out}`)")
    with budget(max_memory):
        graph = load(source, batch, seed, sets)
        page = build_page(graph, layout=layout, renderer=renderer, lang=lang)
    out = out or default_output(source, "html")
    refuse_source_as_output(source, out)
    path = Stepper(page).save(out)
    where = "stdout" if path == "-" else path
    click.echo(f"wrote {where} ({len(graph.steps)} backward steps)", err=True)

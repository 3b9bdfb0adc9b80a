"""`calcgraph samples`: list the built-in graphs or print one's spec text."""

from __future__ import annotations

import click

from calcgraph.cli.common import echo_text, mapped


class _SamplesCommand(click.Command):
    """Its --help ends with the sample names, read from the package when help is asked for."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from calcgraph.sources import samples as listing

        with formatter.section("Samples"):
            formatter.write_dl(listing())
        super().format_epilog(ctx, formatter)


@click.command(cls=_SamplesCommand)
@click.argument("name", required=False)
@mapped
def samples(name: str | None) -> None:
    """List the built-in samples, or print sample NAME's spec text to copy and edit.

    \b
    Examples:
      calcgraph samples                          the names, and what each one is
      calcgraph samples mlp > net.cg             copy a sample to edit it
      calcgraph render net.cg -o net.svg         then draw your version
    """
    from calcgraph.sources import sample_text
    from calcgraph.sources import samples as listing

    if name:
        echo_text(sample_text(name), document=True)
        return
    import shutil
    import sys

    columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for line in listing_lines(listing(), columns):
        echo_text(line + "\n")


def listing_lines(rows: list[tuple[str, str]], columns: int | None) -> list[str]:
    """One line per sample (for grep); on a terminal of `columns`, each description wrapped
    at word boundaries under itself, not cut mid-word by the terminal."""
    import textwrap

    width = max((len(n) for n, _ in rows), default=0)
    if columns is None or columns < width + 22:
        return [f"{n:<{width}}  {d}" for n, d in rows]
    return [line for n, d in rows for line in textwrap.wrap(
        d, columns - 1, initial_indent=f"{n:<{width}}  ", subsequent_indent=" " * (width + 2))]

"""`calcgraph samples`: list the built-in graphs or print one's spec text."""

from __future__ import annotations

import click

from calcgraph.cli.common import mapped


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
        click.echo(sample_text(name), nl=False)
        return
    rows = listing()
    width = max((len(n) for n, _ in rows), default=0)
    for n, description in rows:
        click.echo(f"{n:<{width}}  {description}")

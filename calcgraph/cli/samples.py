"""`calcgraph samples`: list the built-in graphs or print one's spec text."""

from __future__ import annotations

import click

from calcgraph.cli.common import mapped


@click.command()
@click.argument("name", required=False)
@mapped
def samples(name: str | None) -> None:
    """List the built-in samples, or print sample NAME's spec text to copy and edit."""
    from calcgraph.sources import sample_text
    from calcgraph.sources import samples as listing

    if name:
        click.echo(sample_text(name), nl=False)
        return
    rows = listing()
    width = max((len(n) for n, _ in rows), default=0)
    for n, description in rows:
        click.echo(f"{n:<{width}}  {description}")

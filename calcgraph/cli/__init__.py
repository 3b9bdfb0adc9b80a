"""The command line: a click group with one small module per command (parse, call, map errors)."""

from __future__ import annotations

import click

from calcgraph.cli.check import check
from calcgraph.cli.derive import derive
from calcgraph.cli.html import html
from calcgraph.cli.render import render
from calcgraph.cli.samples import samples
from calcgraph.cli.trace import trace
from calcgraph.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="calcgraph")
def cli() -> None:
    """Draw a computation graph and watch its backward pass, as the d2l book shows them.

    SOURCE is a built-in sample name (default: mlp, the d2l MLP objective), a spec file,
    or FILE.py:FUNCTION returning a PyTorch model to import (your own code, run as Python).

    \b
    Examples:
      calcgraph render -o mlp.svg          the d2l figure, annotated with shapes
      calcgraph render --batch 8 -o mlp.png
      calcgraph trace                      the backward sweep, step by step
      calcgraph trace --batch 8 --values
      calcgraph check --batch 8            every gradient against finite differences
      calcgraph derive -o mlp.md           the derivation as a document (.md .tex .html)
      calcgraph render --step 8 -o s8.svg  the figure at backward step 8
      calcgraph html -o mlp.html           a page to step through the backward pass
    """


for _command in (render, trace, check, derive, html, samples):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="calcgraph")

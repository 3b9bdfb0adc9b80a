"""The command line: a click group with one small module per command (parse, call, map errors)."""

from __future__ import annotations

import sys

import click

from calcgraph.cli.check import check
from calcgraph.cli.derive import derive
from calcgraph.cli.html import html
from calcgraph.cli.render import render
from calcgraph.cli.samples import samples
from calcgraph.cli.trace import trace
from calcgraph.version import __version__

_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click ≥ 8.2


class _Cli(click.Group):
    """click's usage errors as calcgraph's one line (rule 4), not click's four-line form:
    `calcgraph: error: render: invalid value for '--step': ... (see calcgraph render --help)`."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _NO_ARGS as exc:  # bare `calcgraph`: click's help, as before
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx else "calcgraph"
            message = exc.format_message()
            message = message[:1].lower() + message[1:] if message[1:2].islower() else message
            click.echo(f"calcgraph: error: {message.rstrip('.')} (see {cmd} --help)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"calcgraph: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("calcgraph: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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

"""The command line: click commands that parse options, call the library and map errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import CalcgraphError

ANNOTATE = ("none", "shapes", "values", "grads", "all")


def _fail(exc: CalcgraphError) -> None:
    click.echo(f"calcgraph: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _mapped(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command body; a CalcgraphError becomes one line on stderr and its exit code."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CalcgraphError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            click.echo("calcgraph: interrupted", err=True)
            sys.exit(130)

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def source_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SOURCE plus --batch, --seed and --set, shared by render and trace."""
    fn = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                      help="Override a dimension or constant, e.g. --set d=8 --set lam=0.01.")(fn)
    fn = click.option("--seed", type=int, default=0, show_default=True,
                      help="Seed for the random inputs and parameters.")(fn)
    fn = click.option("--batch", type=click.IntRange(min=1), default=None, metavar="N",
                      help="Batch form: N samples as rows (X is (N, d)).")(fn)
    fn = click.argument("source", required=False, metavar="[SOURCE]")(fn)
    return fn


def _load(source: str | None, batch: int | None, seed: int, sets: tuple[str, ...]):
    from .sources import load_source, parse_sets

    return load_source(source, batch=batch, seed=seed, sets=parse_sets(sets))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="calcgraph")
def cli() -> None:
    """Draw a computation graph and watch its backward pass, as the d2l book shows them.

    SOURCE is a built-in sample name (default: mlp, the d2l MLP objective) or a spec file.

    \b
    Examples:
      calcgraph render -o mlp.svg          the d2l figure, annotated with shapes
      calcgraph render --batch 8 -o mlp.png
      calcgraph trace                      the backward sweep, step by step
      calcgraph trace --batch 8 --values
    """


@cli.command()
@source_options
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Output file; its extension picks the format (.svg .png .pdf .dot .json). "
                   "Default: <source-name>.svg in the current folder.")
@click.option("--format", "fmt", default=None, metavar="FMT",
              help="Output format when OUT has no telling extension: svg, png, pdf, dot, json.")
@click.option("--annotate", type=click.Choice(ANNOTATE), default="shapes", show_default=True,
              help="What to write beside each variable.")
@click.option("--renderer", type=click.Choice(("auto", "system", "embedded")), default="auto",
              show_default=True, help="system Graphviz (dot on PATH or $CALCGRAPH_DOT) or the "
                                      "embedded WebAssembly Graphviz.")
@click.option("--layout", type=click.Choice(("d2l", "dot")), default="d2l", show_default=True,
              help="d2l: calcgraph's bottom-left → top-right grid; dot: Graphviz's own layout.")
@click.option("--scale", type=click.FloatRange(min=0.1, max=16), default=2.0, show_default=True,
              help="PNG pixel density (1 = 96 dpi: the size a browser shows the SVG).")
@click.option("--legend", is_flag=True, help="Add a legend explaining shapes and colours.")
@_mapped
def render(source, batch, seed, sets, out, fmt, annotate, renderer, layout, scale,
           legend) -> None:
    """Draw the graph as SVG, PNG, PDF, DOT or JSON."""
    from .figure import render_graph

    graph = _load(source, batch, seed, sets)
    path, used = render_graph(graph, out, fmt, annotate=annotate, renderer=renderer,
                              layout=layout, scale=scale, legend=legend)
    click.echo(f"wrote {path}" + (f" ({used} Graphviz)" if used else ""))


@cli.command()
@source_options
@click.option("--values", is_flag=True, help="Print small arrays; summarize large ones.")
@click.option("--vectors", type=click.Choice(("flat", "column", "row")), default="flat",
              show_default=True, help="Show single-sample vectors as (q,), (q, 1) or (1, q).")
@click.option("--step", "only_step", type=click.IntRange(min=1), default=None, metavar="K",
              help="Show only backward step K.")
@click.option("--json", "as_json", is_flag=True, help="The recorded steps as JSON.")
@click.option("--ascii", "ascii_only", is_flag=True, help="ASCII instead of Unicode math.")
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Output width in columns (default: the terminal's).")
@_mapped
def trace(source, batch, seed, sets, values, vectors, only_step, as_json, ascii_only,
          width) -> None:
    """Print the backward sweep step by step: formula, numpy code and shapes."""
    from .trace import print_trace

    graph = _load(source, batch, seed, sets)
    print_trace(graph, values=values, vectors=vectors, step=only_step, as_json=as_json,
                ascii_only=ascii_only, width=width)


@cli.command()
@click.argument("name", required=False)
@_mapped
def samples(name: str | None) -> None:
    """List the built-in samples, or print sample NAME's spec text to copy and edit."""
    from .sources import sample_text
    from .sources import samples as listing

    if name:
        click.echo(sample_text(name), nl=False)
        return
    rows = listing()
    width = max((len(n) for n, _ in rows), default=0)
    for n, description in rows:
        click.echo(f"{n:<{width}}  {description}")


def main() -> None:
    cli(prog_name="calcgraph")

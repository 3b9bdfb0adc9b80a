"""What every command shares: error mapping, SOURCE options and loading the graph."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any

import click

from calcgraph.errors import CalcgraphError, CalcgraphWarning


def fail(exc: CalcgraphError) -> None:
    click.echo(f"calcgraph: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def mapped(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command body; a CalcgraphError becomes one line on stderr and its exit code."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", CalcgraphWarning)
                warnings.showwarning = _show_warning(warnings.showwarning)
                return fn(*args, **kwargs)
        except CalcgraphError as exc:
            fail(exc)
        except KeyboardInterrupt:
            click.echo("calcgraph: interrupted", err=True)
            sys.exit(130)

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def _show_warning(previous: Callable[..., None]) -> Callable[..., None]:
    """calcgraph's own warnings as one `calcgraph: warning:` line; others as Python shows them."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, CalcgraphWarning):
            click.echo(f"calcgraph: warning: {message}", err=True)
        else:
            previous(message, category, *args, **kwargs)

    return show


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


def load(source: str | None, batch: int | None, seed: int, sets: tuple[str, ...]):
    from calcgraph.sources import load_source, parse_sets

    return load_source(source, batch=batch, seed=seed, sets=parse_sets(sets))


def lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--lang, defaulting from the locale (LANG / LC_ALL zh_CN.UTF-8 → zh)."""
    from calcgraph.text.lang import default_language, languages

    return click.option("--lang", type=click.Choice(languages()), default=default_language,
                        show_default="from LC_ALL / LANG, else en",
                        help="Language of headings, prose and notes (the math is the same).")(fn)

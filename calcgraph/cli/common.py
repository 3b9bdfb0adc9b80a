"""What every command shares: error mapping, SOURCE options and loading the graph."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Callable
from typing import Any

import click

from calcgraph.errors import CalcgraphError, CalcgraphWarning, MemoryBudgetError
from calcgraph.options import DEFAULT_SEED
from calcgraph.text.printable import printable


def fail(exc: CalcgraphError) -> None:
    # printable: a name or path from the input may hold ESC or NUL; the terminal gets \x1b
    click.echo(f"calcgraph: error: {printable(str(exc), keep=chr(10) + chr(9))}", err=True)
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
        except MemoryError:  # past the estimate (another process took the memory)
            fail(MemoryBudgetError("ran out of memory (the estimate fit the budget, the "
                                   "machine did not): make the dimensions smaller, or "
                                   "lower --max-memory so the estimate refuses it"))
        except KeyboardInterrupt:
            click.echo("calcgraph: interrupted", err=True)
            sys.exit(130)

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def _show_warning(previous: Callable[..., None]) -> Callable[..., None]:
    """calcgraph's own warnings as one `calcgraph: warning:` line; others as Python shows them."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, CalcgraphWarning):
            click.echo(f"calcgraph: warning: {printable(str(message))}", err=True)
        else:
            previous(message, category, *args, **kwargs)

    return show


def source_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SOURCE plus --batch, --seed and --set, shared by render and trace."""
    fn = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                      help="Override a dimension or constant, e.g. --set d=8 --set lam=0.01.")(fn)
    fn = click.option("--max-memory", "max_memory", default=None, metavar="SIZE",
                      help="Refuse graphs estimated to need more (values, gradients, output), "
                           "e.g. 512M, 8G or none. Default: $CALCGRAPH_MEMORY or 1G.")(fn)
    fn = click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
                      help="Seed for the random inputs and parameters.")(fn)
    fn = click.option("--batch", type=click.IntRange(min=1), default=None, metavar="N",
                      help="Batch form: N samples as rows (X is (N, d)).")(fn)
    fn = click.argument("source", required=False, metavar="[SOURCE]")(fn)
    return fn


def load(source: str | None, batch: int | None, seed: int, sets: tuple[str, ...]):
    from calcgraph.sources import load_source, parse_sets

    return load_source(source, batch=batch, seed=seed, sets=parse_sets(sets))


def budget(max_memory: str | None) -> contextlib.AbstractContextManager:
    """--max-memory SIZE for the whole command (load, passes, output); none given: unchanged."""
    from calcgraph.core.memory import memory_budget, parse_size

    if max_memory is None:
        return contextlib.nullcontext()
    return memory_budget(parse_size(max_memory, "--max-memory"))


def lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--lang, defaulting from the locale (LANG / LC_ALL zh_CN.UTF-8 → zh)."""
    from calcgraph.text.lang import default_language, languages

    return click.option("--lang", type=click.Choice(languages()), default=default_language,
                        show_default="from LC_ALL / LANG, else en",
                        help="Language of headings, prose and notes (the math is the same).")(fn)

"""What every command shares: error mapping, SOURCE options and loading the graph."""

from __future__ import annotations

import contextlib
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
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


def graph_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--seed, --set and --max-memory: how every command builds and bounds its graph."""
    fn = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                      help="Override a dimension or constant, e.g. --set d=8 --set lam=0.01.")(fn)
    fn = click.option("--max-memory", "max_memory", default=None, metavar="SIZE",
                      help="Refuse graphs estimated to need more (values, gradients, output), "
                           "e.g. 512M, 8G or none. Default: $CALCGRAPH_MEMORY or 1G.")(fn)
    return click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
                        help="Seed for the random inputs and parameters.")(fn)


def source_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SOURCE, --batch and graph_options: what render, trace, html and check take."""
    fn = graph_options(fn)
    fn = click.option("--batch", type=click.IntRange(min=1), default=None, metavar="N",
                      help="Batch form: N samples as rows (X is (N, d)).")(fn)
    return click.argument("source", required=False, metavar="[SOURCE]")(fn)


def load(source: str | None, batch: int | None, seed: int, sets: tuple[str, ...]):
    from calcgraph.sources import load_source, parse_sets

    return load_source(source, batch=batch, seed=seed, sets=parse_sets(sets))


def budget(max_memory: str | None) -> contextlib.AbstractContextManager:
    """--max-memory SIZE for the whole command (load, passes, output); none given: unchanged."""
    from calcgraph.core.memory import memory_budget, parse_size

    if max_memory is None:
        return contextlib.nullcontext()
    return memory_budget(parse_size(max_memory, "--max-memory"))


def figure_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--renderer and --layout, as every command that draws figures takes them."""
    from calcgraph.options import LAYOUTS, RENDERERS

    fn = click.option("--layout", type=click.Choice(LAYOUTS), default="d2l", show_default=True,
                      help="d2l: calcgraph's bottom-left → top-right grid; dot: Graphviz's "
                           "own layout.")(fn)
    return click.option("--renderer", type=click.Choice(RENDERERS), default="auto",
                        show_default=True, help="system Graphviz (dot on PATH or "
                        "$CALCGRAPH_DOT) or the embedded WebAssembly Graphviz.")(fn)


def lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--lang, defaulting from the locale (LANG / LC_ALL zh_CN.UTF-8 → zh)."""
    from calcgraph.text.lang import default_language, languages

    return click.option("--lang", type=click.Choice(languages()), default=default_language,
                        show_default="from LC_ALL / LANG, else en",
                        help="Language of headings, prose and notes (the math is the same).")(fn)


def refuse_source_as_output(source: str | None, out: str | None) -> None:
    """Rule 4, inputs are never touched: `-o` naming SOURCE's own file (a spec, or the .py
    of FILE.py:FUNCTION) is a usage error before anything runs or is written."""
    import os

    from calcgraph.errors import UsageError
    from calcgraph.sources import is_python_source

    if not source or not out or out == "-":
        return
    file = source.rpartition(":")[0] if is_python_source(source) else source
    if os.path.isfile(file) and os.path.realpath(out) == os.path.realpath(file):
        raise UsageError(f"-o {out}: that is the SOURCE file itself, which calcgraph never "
                         f"writes over (give another output file)")


def default_output(source: str | None, fmt: str | None) -> str:
    """`<name>.svg` (or .FMT) in the current folder, named after SOURCE: a spec file's own
    name (net.cg → net.svg, whatever its `graph` line says), model.py:make → model_make.svg,
    else the sample's name. Every command that writes a file by default names it so."""
    from calcgraph.sources import SUFFIX, is_python_source, sample_names

    name = source or "mlp"
    if is_python_source(name):
        file, _, function = name.rpartition(":")
        name = f"{Path(file).stem}_{function}"
    elif name not in sample_names() and (Path(name).is_file() or name.endswith(SUFFIX)):
        name = Path(name).stem
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "graph"
    return f"{safe}.{(fmt or 'svg').lower()}"


def echo_text(text: str, *, document: bool = False) -> None:
    """Write text to stdout in whatever encoding it has, never a UnicodeEncodeError.

    Where the encoding cannot hold the text (a cp1252 or ascii stdout, what a Windows
    redirect gets): prose and tables switch to the ASCII forms of the math (as the trace
    does) and escape what is left; a `document` (a spec file, JSON) is written as UTF-8,
    the encoding calcgraph reads it back in, since changing its characters would change it.
    """
    from calcgraph.text.labels import ascii_text

    out = sys.stdout  # not click's stream, which takes an ascii stdout for UTF-8
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        if document and hasattr(out, "buffer"):
            out.flush()
            out.buffer.write(text.encode("utf-8"))
            out.buffer.flush()
            return
        text = ascii_text(text).encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        pass  # an encoding Python does not know: let the stream decide
    out.write(text)
    out.flush()

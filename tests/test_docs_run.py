"""The docs' examples work: every `calcgraph ...` line parses and (unless it names the
reader's own file) runs in an empty folder, every Python block runs, and every `$ calcgraph`
transcript shows what the command prints."""

from __future__ import annotations

import importlib.util
import itertools

import click
import pytest
from click.testing import CliRunner
from docpages import (
    COMMAND_PAGE,
    DOCUMENTED,
    MARKDOWN,
    PYTHON,
    ROOT,
    argv,
    code_blocks,
    command_lines,
    needs_a_file,
    synopsis,
)

from calcgraph.cli import cli


def test_the_docs_show_many_command_lines():
    assert len(DOCUMENTED) > 100
    assert {argv(line)[0] for _, line in DOCUMENTED if argv(line)} >= set(COMMAND_PAGE)


@pytest.mark.parametrize("page,line", DOCUMENTED, ids=[f"{p}:{ln}" for p, ln in DOCUMENTED])
def test_every_documented_command_line_parses(page, line):
    """click accepts the command line: its command, every option name and every choice."""
    words = argv(line)
    if synopsis(words):
        pytest.skip("a synopsis, not a command")
    if not words or words[0].startswith("-"):  # `calcgraph --help`, `calcgraph --version`
        with pytest.raises(click.exceptions.Exit):
            cli.make_context("calcgraph", list(words))
        return
    name, rest = words[0], words[1:]
    assert name in cli.commands, f"{page}: unknown command in {line!r}"
    try:
        cli.commands[name].make_context(name, list(rest))
    except click.exceptions.Exit:
        assert "--help" in rest  # `calcgraph render --help`
    except click.BadParameter as error:
        if "does not exist" not in str(error):  # a reader's own font file, named as an example
            raise


def runnable() -> list[tuple[str, str]]:
    """Each distinct command line once (README repeats the pages' lines)."""
    seen, out = set(), []
    for page, line in DOCUMENTED:
        words = argv(line)
        if (needs_a_file(words) or synopsis(words) or "--help" in words
                or words[:1] in (["--version"], []) or tuple(words) in seen):
            continue
        seen.add(tuple(words))
        out.append((page, line))
    return out


RUNNABLE = runnable()


def test_most_documented_lines_run():
    assert len(RUNNABLE) > 60


@pytest.mark.parametrize("page,line", RUNNABLE, ids=[f"{p}:{ln}" for p, ln in RUNNABLE])
def test_every_documented_command_line_runs(page, line, tmp_path, monkeypatch):
    """The line does what the page says, in an empty folder: exit 0 (1 or 2 where the page
    shows an error), and the file or folder -o names is there."""
    words = argv(line)
    if "--torch" in words and importlib.util.find_spec("torch") is None:
        pytest.skip("--torch needs PyTorch, not installed (tests/core/test_op_code.py)")
    monkeypatch.chdir(tmp_path)
    fails = line in command_lines(ROOT / "docs" / page if page != "README.md"
                                  else ROOT / page, failing=True)
    result = CliRunner().invoke(cli, words)
    if fails:
        assert result.exit_code in (1, 2) and "calcgraph: error:" in result.output
        return
    if result.exit_code == 1 and "pip install" in result.output and "needs" in result.output:
        pytest.skip(f"an optional dependency: {result.output.strip()[:200]}")
    assert result.exit_code == 0, f"{page}: {line}\n{result.output}"
    if "-o" in words and words[words.index("-o") + 1] != "-":
        assert (tmp_path / words[words.index("-o") + 1]).exists()


@pytest.mark.parametrize("page,text", PYTHON, ids=[f"{p}:{i}" for i, (p, _) in enumerate(PYTHON)])
def test_every_documented_python_block_runs(page, text, tmp_path, monkeypatch, capsys):
    """Each ```python block of the docs runs as it stands, in an empty folder."""
    import calcgraph as cg

    monkeypatch.chdir(tmp_path)
    try:
        exec(compile(text, page, "exec"), {"__name__": "docs"})  # noqa: S102 (the docs own code)
    except (cg.MissingDependency, cg.GraphvizNotFound) as error:  # torch, graphviz, Pillow
        pytest.skip(f"an optional dependency: {error}")
    except ModuleNotFoundError as error:  # `import torch` in torch.md
        if (error.name or "calcgraph").startswith("calcgraph"):
            raise
        pytest.skip(f"an optional dependency: {error}")


def transcripts() -> list[tuple[str, str, list[str]]]:
    """(page, command, the lines shown under it) for every `$ calcgraph ...` transcript."""
    out = []
    for path in MARKDOWN:
        for lang, text in code_blocks(path):
            rows = text.splitlines()
            starts = [i for i, row in enumerate(rows) if row.startswith("$ ")] + [len(rows)]
            for i, end in itertools.pairwise(starts):
                words = argv(rows[i][2:])
                if lang in ("bash", "sh") or "|" in rows[i] or needs_a_file(words):
                    continue
                out.append((path.name, rows[i][2:], rows[i + 1:end]))
    return out


TRANSCRIPTS = transcripts()


@pytest.mark.parametrize("page,line,shown", TRANSCRIPTS, ids=[f"{p}:{c}" for p, c, _ in TRANSCRIPTS])
def test_every_transcript_shows_what_the_command_prints(page, line, shown):
    """Each line a page shows under `$ calcgraph ...` is in the command's output (piped, so
    100 columns and no colour); `...` marks what the page leaves out."""
    actual = " ".join(CliRunner().invoke(cli, argv(line)).output.split())
    for row in shown:
        if row.strip() in ("", "...", "…") or not row.strip("─━═ "):
            continue  # elided, or a table's rule (its length is the terminal's)
        assert " ".join(row.split()) in actual, f"{page}: `{line}` does not print {row!r}"


def test_the_trace_page_shows_transcripts():
    assert sum(page == "trace.md" for page, _, _ in TRANSCRIPTS) >= 8

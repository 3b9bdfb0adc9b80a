"""The docs are complete and true (rule 7): every CLI option in its command's page with an
example, every page linked from README, every relative link and image present, every
documented command line accepted by the CLI, every documented import importable."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import itertools
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from calcgraph.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
MARKDOWN = [ROOT / "README.md", *PAGES]

# command -> the docs page that documents every one of its options
COMMAND_PAGE = {
    "render": "render.md",
    "trace": "trace.md",
    "derive": "derive.md",
    "html": "stepper.md",
    "check": "check.md",
    "samples": "spec.md",
}

FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.DOTALL | re.MULTILINE)


def code_blocks(path: Path) -> list[tuple[str, str]]:
    """(language, text) of every fenced block of a Markdown file."""
    return [(m.group(2), m.group(3)) for m in FENCE.finditer(path.read_text(encoding="utf-8"))]


def command_lines(path: Path, *, failing: bool = False) -> list[str]:
    """Every `calcgraph ...` line a reader would type: shell blocks, or `$ ` prompts in any.
    failing=True: only those the page shows failing (an error line follows)."""
    lines = []
    for lang, text in code_blocks(path):
        rows = [raw.strip() for raw in text.splitlines()]
        for i, line in enumerate(rows):
            if line.startswith("$ "):
                line = line[2:]
            elif lang not in ("bash", "sh"):
                continue
            line = re.sub(r"^(\w+=\S+ )+", "", line)  # CALCGRAPH_DOT=... calcgraph ...
            fails = i + 1 < len(rows) and rows[i + 1].startswith("calcgraph: error")
            if (line.startswith("calcgraph ") or line == "calcgraph") and fails >= failing:
                lines.append(line)
    return lines


def argv(line: str) -> list[str]:
    """The words calcgraph gets: comments, pipes, redirections and `&&` tails cut off."""
    words = shlex.split(line, comments=True)[1:]
    for i, word in enumerate(words):
        if word in ("|", ">", "2>", "&&", ">>") or word.startswith(">"):
            return words[:i]
    return words


def test_every_command_has_a_page():
    assert set(cli.commands) == set(COMMAND_PAGE), "a new command needs its docs page here"


def options_of(name: str) -> list[str]:
    return [o for p in cli.commands[name].params if isinstance(p, click.Option) and not p.hidden
            for o in p.opts if o.startswith("--")]


@pytest.mark.parametrize("name", sorted(COMMAND_PAGE))
def test_every_option_is_documented_with_an_example(name):
    page = DOCS / COMMAND_PAGE[name]
    text = page.read_text(encoding="utf-8")
    examples = [argv(ln) for ln in command_lines(page)]
    examples = [words for words in examples if words[:1] == [name]]
    assert examples, f"{page.name} has no `calcgraph {name}` example"
    short = {o: next((s for s in p.opts if not s.startswith("--")), None)
             for p in cli.commands[name].params if isinstance(p, click.Option)
             for o in p.opts}
    for option in options_of(name):
        assert f"`{option}" in text, f"{page.name} does not document {option}"
        spelled = {option, short.get(option)} - {None}
        assert any(spelled & {w.split("=", 1)[0] for w in words} for words in examples), (
            f"{page.name} has no `calcgraph {name} ... {option}` example")


def test_every_docs_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in PAGES if f"](docs/{p.name})" not in readme]
    assert not missing, f"README.md does not link {missing}"


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)|<img [^>]*src=\"([^\"]+)\"")


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.name)
def test_every_relative_link_and_image_exists(path):
    text = path.read_text(encoding="utf-8")
    targets = [a or b for a, b in LINK.findall(text)]
    for target in targets:
        if re.match(r"\w+:", target) or target.startswith("#"):
            continue  # http(s):, mailto:, an anchor in the same page
        file = (path.parent / target.split("#", 1)[0]).resolve()
        assert file.exists(), f"{path.name} links {target}, which does not exist"
        if "#" in target and file.suffix == ".md":
            assert target.split("#", 1)[1] in anchors(file), f"{path.name}: no anchor {target}"
    for anchor in re.findall(r"\]\(#([^)]+)\)", text):
        assert anchor in anchors(path), f"{path.name}: no anchor #{anchor}"


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces
    to hyphens, a repeated one numbered."""
    out: set[str] = set()
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    for heading in re.findall(r"^#{1,6} +(.+?) *$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        out.add(slug if slug not in out else next(
            f"{slug}-{i}" for i in range(1, 99) if f"{slug}-{i}" not in out))
    return out


DOCUMENTED = sorted({(p.name, line) for p in MARKDOWN for line in command_lines(p)})


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


PYTHON = [(p.name, text) for p in MARKDOWN for lang, text in code_blocks(p) if lang == "python"]


def test_the_docs_show_python():
    assert len(PYTHON) >= 10


@pytest.mark.parametrize("page,text", PYTHON, ids=[f"{p}:{i}" for i, (p, _) in enumerate(PYTHON)])
def test_every_documented_import_and_cg_name_exists(page, text):
    """`from calcgraph.x import y` and `cg.name` in the docs' Python name real things."""
    import calcgraph as cg

    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("calcgraph"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(
                    f"{node.module}.{alias.name}"), f"{page}: {node.module} has no {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("calcgraph"):
                    importlib.import_module(alias.name)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "cg"):
            assert hasattr(cg, node.attr), f"{page}: calcgraph has no {node.attr}"


def quoted(pattern: str) -> list[tuple[str, str]]:
    found = set()
    for path in MARKDOWN:
        for text in re.findall(r"`([^`\n]+)`", path.read_text(encoding="utf-8")):
            found.update((path.name, m) for m in re.findall(pattern, text))
    return sorted(found)


FILES_NAMED = quoted(r"^((?:calcgraph|tests|samples|benchmarks|docs)/[\w./*-]+)")


def test_every_file_the_docs_name_exists():
    assert len(FILES_NAMED) > 20
    missing = [(page, name) for page, name in FILES_NAMED if not list(ROOT.glob(name))]
    assert not missing, f"the docs name files that do not exist: {missing}"


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_every_dotted_calcgraph_name_the_docs_name_exists():
    names = quoted(r"^(calcgraph(?:\.[A-Za-z_]\w*)+)")
    assert len(names) > 5
    missing = [(page, name) for page, name in names if not resolves(name)]
    assert not missing, f"the docs name things that do not exist: {missing}"


def needs_a_file(words: list[str]) -> str | None:
    """Why a documented line cannot run here: it names a file of the reader's."""
    for word in words:
        if re.search(r"\.(cg|py)(:\w+)?$", word) or word.startswith("~"):
            return f"names the reader's own file {word}"
    return None


def synopsis(words: list[str]) -> bool:
    return any(w in ("...", "…") or w.startswith(("[", "<")) for w in words)


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


def test_the_readme_module_map_is_the_architecture_test():
    """README's "Layout of the repository" table has a row for every layer of
    tests/test_architecture.py, and its "may import" column is that test's ALLOWED."""
    from test_architecture import ALLOWED

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| package | responsibility | may import |", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for row in table.strip().splitlines()[1:]:
        package, _, may = [cell.strip() for cell in row.strip("|").split("|")]
        layers = {name.strip("`").removesuffix(".py").rstrip("/") for name in package.split(", ")}
        imports = set() if may in ("nothing", "numpy") else set(may.split(", "))
        rows.update(dict.fromkeys(layers, imports))
    base = {"errors", "options", "version"}
    assert set(rows) - base == set(ALLOWED) - {"__main__", "__init__"}
    assert {layer: rows[layer] for layer in rows if layer not in base} == {
        layer: ALLOWED[layer] for layer in rows if layer not in base}


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


def test_every_command_has_the_seed_the_readme_states():
    from calcgraph.options import DEFAULT_SEED

    seeds = {name: p.default for name, command in cli.commands.items() for p in command.params
             if p.name == "seed"}
    assert set(seeds) == {"render", "trace", "derive", "html", "check"}
    assert set(seeds.values()) == {DEFAULT_SEED} == {5}
    assert f"The default seed is {DEFAULT_SEED}" in (ROOT / "README.md").read_text("utf-8")


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

"""The docs are complete and true (rule 7): every CLI option in its command's page with an
example, every page linked from README, every link, anchor, image, file and name they cite
present, the README's module map the architecture test's, the default seed the README's."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import click
import pytest
from docpages import COMMAND_PAGE, DOCS, FENCE, MARKDOWN, PAGES, PYTHON, ROOT, argv, command_lines

from calcgraph.cli import cli


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


def test_every_command_has_the_seed_the_readme_states():
    from calcgraph.options import DEFAULT_SEED

    seeds = {name: p.default for name, command in cli.commands.items() for p in command.params
             if p.name == "seed"}
    assert set(seeds) == {"render", "trace", "derive", "html", "check"}
    assert set(seeds.values()) == {DEFAULT_SEED} == {5}
    assert f"The default seed is {DEFAULT_SEED}" in (ROOT / "README.md").read_text("utf-8")

"""Reading the docs as a test does: the Markdown pages, their code blocks, and the
`calcgraph ...` command lines and Python a reader would copy from them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

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


def needs_a_file(words: list[str]) -> str | None:
    """Why a documented line cannot run here: it names a file of the reader's."""
    for word in words:
        if re.search(r"\.(cg|py)(:\w+)?$", word) or word.startswith("~"):
            return f"names the reader's own file {word}"
    return None


def synopsis(words: list[str]) -> bool:
    return any(w in ("...", "…") or w.startswith(("[", "<")) for w in words)


DOCUMENTED = sorted({(p.name, line) for p in MARKDOWN for line in command_lines(p)})
PYTHON = [(p.name, text) for p in MARKDOWN for lang, text in code_blocks(p) if lang == "python"]

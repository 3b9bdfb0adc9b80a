"""HTML-like text labels (<B>, <I>, <SUB>, <SUP>, <FONT>, <BR/>) drawn as SVG tspans, any Graphviz.

The embedded Graphviz is built without expat, so it cannot parse HTML-like
labels at all (it silently draws the node name instead). Both renderers
therefore get the label as plain text (same width estimate, same place) plus a
marker comment, and the styled runs are written back into the SVG here. The
text is then laid out by the SVG viewer with its real font, not placed glyph
run by glyph run from Graphviz's font metrics, so both renderers give the same
SVG and a superscript never collides with its base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape  # html.parser imports it anyway; xml.sax would pull in urllib
from html.parser import HTMLParser

MARK = "calcgraph_html_label_"  # no "-": Graphviz escapes it in comments
_MARK_RE = re.compile(r"<!-- " + MARK + r"(\d+) -->\n")
_TEXT_RE = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.DOTALL)
_NEXT_OBJECT = re.compile(r"\n<!-- ")

# HTML-like tag -> SVG presentation attribute it maps to; a tag not listed here
# (TABLE, IMG, HR, ...) leaves the label to Graphviz.
_STYLE = {
    "b": ("font-weight", "bold"),
    "i": ("font-style", "italic"),
    "u": ("text-decoration", "underline"),
    "o": ("text-decoration", "overline"),
    "s": ("text-decoration", "line-through"),
    "sub": ("baseline-shift", "sub"),
    "sup": ("baseline-shift", "super"),
}
_FONT_ATTRS = {"color": "fill", "point-size": "font-size", "face": "font-family"}


@dataclass(frozen=True)
class HtmlLabel:
    """One converted label: per line the plain text and the tspan markup."""

    plain: tuple[str, ...]
    markup: tuple[str, ...]


class _LabelParser(HTMLParser):
    """Turns the inside of <...> into lines of tspan markup; records why it cannot."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str]] = []  # (tag, "<tspan ...>")
        self.lines: list[tuple[list[str], list[str]]] = [([], [])]
        self.problem = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._newline()
            return
        if tag == "font":
            pairs = [(_FONT_ATTRS[k], v) for k, v in attrs if k in _FONT_ATTRS and v]
        elif tag in _STYLE:
            pairs = [_STYLE[tag]]
        else:
            self.problem = self.problem or f"<{tag.upper()}>"
            return
        tspan = "<tspan" + "".join(f' {k}="{escape(v)}"' for k, v in pairs) + ">"
        self.open.append((tag, tspan))
        self.lines[-1][1].append(tspan)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._newline()
        else:
            self.problem = self.problem or f"<{tag.upper()}/>"

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            return
        if not self.open or self.open[-1][0] != tag:
            self.problem = self.problem or f"mismatched </{tag.upper()}>"
            return
        self.open.pop()
        self.lines[-1][1].append("</tspan>")

    def handle_data(self, data: str) -> None:
        # Newlines in HTML-like text are layout, not content (Graphviz ignores them).
        data = data.replace("\r", "").replace("\n", "")
        self.lines[-1][0].append(data)
        self.lines[-1][1].append(escape(data, quote=False))

    def _newline(self) -> None:
        # A tspan cannot span lines (each line is its own <text>): close, then reopen.
        self.lines[-1][1].extend("</tspan>" for _ in self.open)
        self.lines.append(([], [tspan for _, tspan in self.open]))


def parse(html: str) -> HtmlLabel | str:
    """The label between the outer < >, or a short reason it is not plain styled text."""
    parser = _LabelParser()
    parser.feed(html)
    parser.close()
    if not parser.problem and parser.open:
        parser.problem = f"unclosed <{parser.open[-1][0].upper()}>"
    if parser.problem:
        return parser.problem
    plain = tuple("".join(text) for text, _ in parser.lines)
    markup = tuple("".join(parts) for _, parts in parser.lines)
    return HtmlLabel(plain, markup)


def _dot_quote(lines: tuple[str, ...]) -> str:
    body = "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return f'"{body}"'


def _html_spans(dot: str) -> list[tuple[int, int, str]]:
    """(start, end, attribute name) of every <...> value, skipping strings and comments."""
    spans, i, n = [], 0, len(dot)
    while i < n:
        c = dot[i]
        if c == '"':
            i += 1
            while i < n and dot[i] != '"':
                i += 2 if dot[i] == "\\" else 1
            i += 1
        elif dot.startswith("//", i) or (c == "#" and _first_on_line(dot, i)):
            # '#' first on a line is C-preprocessor output, which Graphviz skips.
            end = dot.find("\n", i)
            i = n if end < 0 else end
        elif dot.startswith("/*", i):
            end = dot.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == "<":
            depth, j = 0, i
            while j < n:
                depth += {"<": 1, ">": -1}.get(dot[j], 0)
                j += 1
                if depth == 0:
                    break
            if depth:
                break  # unbalanced: leave it for Graphviz's parser to report
            spans.append((i, j, _key_before(dot, i)))
            i = j
        else:
            i += 1
    return spans


def _first_on_line(dot: str, i: int) -> bool:
    return not dot[dot.rfind("\n", 0, i) + 1 : i].strip()


def _key_before(dot: str, i: int) -> str:
    # A bounded window: an attribute name sits right before its '=', and searching the whole
    # prefix made every label cost O(len(dot)) (9 s for a 1000-node graph).
    head = dot[max(0, i - 256):i].rstrip()
    if not head.endswith("="):
        return ""
    head = head[:-1].rstrip()
    match = re.search(r'(?:"([^"\\]*)"|([A-Za-z_0-9]+))$', head)
    return (match.group(1) or match.group(2) or "") if match else ""


def extract(dot: str) -> tuple[str, list[HtmlLabel], list[str]]:
    """DOT with styled-text labels made plain and marked, the labels, and labels left as HTML."""
    out, labels, unsupported, last = [], [], [], 0
    for start, end, key in _html_spans(dot):
        if key.lower() != "label":
            unsupported.append(f"HTML-like {key or 'ID'} {dot[start:end][:40]!r}")
            continue
        parsed = parse(dot[start + 1 : end - 1])
        if isinstance(parsed, str):
            unsupported.append(f"{parsed} in label {dot[start:end][:40]!r}")
            continue
        out.append(dot[last:start])
        out.append(f'{_dot_quote(parsed.plain)} comment="{MARK}{len(labels)}"')
        labels.append(parsed)
        last = end
    out.append(dot[last:])
    return "".join(out), labels, unsupported


def restore(svg: str, labels: list[HtmlLabel]) -> str:
    """Put the styled runs back into the SVG <text> elements that follow each marker."""
    pieces, last = [], 0
    for match in _MARK_RE.finditer(svg):
        index = int(match.group(1))
        if index >= len(labels):
            continue  # a look-alike comment from the DOT itself: not ours
        pieces.append(svg[last : match.start()])
        nxt = _NEXT_OBJECT.search(svg, match.end())
        stop = nxt.start() if nxt else len(svg)
        pieces.append(_restyle(svg[match.end() : stop], labels[index]))
        last = stop
    pieces.append(svg[last:])
    return "".join(pieces)


def _restyle(segment: str, label: HtmlLabel) -> str:
    # Graphviz writes one <text> per non-empty line, in order.
    lines = [markup for plain, markup in zip(label.plain, label.markup) if plain]
    texts = list(_TEXT_RE.finditer(segment))
    if len(texts) < len(lines):
        return segment  # not the shape we expected: keep Graphviz's plain text
    parts, last = [], 0
    for text, markup in zip(texts, lines):
        parts.append(segment[last : text.start()])
        parts.append(f"<text{text.group(1)}>{markup}</text>")
        last = text.end()
    parts.append(segment[last:])
    return "".join(parts)

"""The derivation as a complete LaTeX document (article with amsmath, amssymb and bm).

English compiles with pdflatex; Chinese uses the ctexart class (part of every TeX Live
with Chinese support), compiled with xelatex.
"""

from __future__ import annotations

import re

from calcgraph.derive.blocks import Code, Display, Document, Heading, Para, Table, runs
from calcgraph.text.labels import _SUB_ASCII, _SUP_ASCII
from calcgraph.text.texmath import to_latex

_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
             "%": r"\%", "&": r"\&", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def text(s: str) -> str:
    """Prose for text mode: specials escaped; a math character outside ASCII (ϕ, ‖, →) is
    set as math, since text-mode Unicode needs packages a standard article lacks."""
    out = []
    for ch in s:
        if ch in _SPECIALS:
            out.append(_SPECIALS[ch])
        elif ch.isascii() or _is_cjk(ch):
            out.append(ch)
        elif ch in _SUP_ASCII or ch in _SUB_ASCII:  # xᵀ, ‖w‖² in prose
            sup = ch in _SUP_ASCII
            mark = _SUP_ASCII[ch] if sup else _SUB_ASCII[ch]
            mark = r"\top" if sup and mark == "T" else mark
            out.append(("$^{" if sup else "$_{") + mark + "}$")
        else:
            tex = to_latex(ch)
            out.append(f"${tex}$" if not tex.startswith(r"\text") else "?")
    return "".join(out)


def _code(s: str) -> str:
    return r"\texttt{" + "".join(_SPECIALS.get(ch, ch) for ch in s) + "}"


def _inline(s: str, bold: set[str]) -> str:
    out = []
    for kind, part in runs(s):
        if kind == "math":
            out.append(f"${to_latex(part, bold)}$")
        elif kind == "code":
            out.append(_code(part))
        elif kind == "bold":
            out.append(r"\textbf{" + text(part) + "}")
        else:
            out.append(text(part))
    return "".join(out)


def _widths(b: Table) -> list[float]:
    """Column widths (fractions of the line) in proportion to their longest cell, so a
    step-number column stays narrow and a numpy column gets the room."""
    longest = [max(len(runs_text(c)) for c in [h, *[row[k] for row in b.rows]])
               for k, h in enumerate(b.header)]
    weights = [min(max(n, 4), 40) for n in longest]
    room = 0.98 - 0.02 * len(weights)  # \\tabcolsep on each side of every column
    return [room * w / sum(weights) for w in weights]


def runs_text(cell: str) -> str:
    """A cell's text without markup, roughly as long as it prints."""
    return "".join(part for _kind, part in runs(cell))


def _table(b: Table, bold: set[str]) -> str:
    cols = "".join(f"p{{{w:.3f}\\linewidth}}" for w in _widths(b))
    lines = [r"\begin{center}\footnotesize", r"\begin{tabular}{" + cols + "}", r"\hline",
             " & ".join(r"\textbf{" + _inline(h, bold) + "}" for h in b.header) + r" \\",
             r"\hline"]
    lines += [" & ".join(_inline(c, bold) for c in row) + r" \\" for row in b.rows]
    lines += [r"\hline", r"\end{tabular}", r"\end{center}"]
    return "\n".join(lines)


def _display(lines: list[str]) -> str:
    """Display math; several equations are aligned at their first `=`, as d2l sets them."""
    if len(lines) > 1 and all(" = " in line for line in lines):
        env, lines = "align*", [line.replace(" = ", " &= ", 1) for line in lines]
    else:
        env = "gather*"
    return f"\\begin{{{env}}}\n" + " \\\\\n".join(lines) + f"\n\\end{{{env}}}"


def to_latex_document(doc: Document) -> str:
    """The document as LaTeX source, ending in one newline."""
    cls = r"\documentclass{ctexart}" if doc.lang == "zh" else r"\documentclass{article}"
    head = [cls, r"\usepackage{amsmath,amssymb,bm}", r"\usepackage[margin=2cm]{geometry}",
            r"\allowdisplaybreaks", r"\setlength{\parindent}{0pt}",
            r"\setlength{\parskip}{0.6em}", r"\begin{document}"]
    body = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            if b.level == 1:
                body += [r"\title{" + _inline(b.text, doc.bold) + "}", r"\date{}", r"\maketitle"]
            else:
                cmd = "section*" if b.level == 2 else "subsection*"
                body.append(f"\\{cmd}{{{_inline(b.text, doc.bold)}}}")
        elif isinstance(b, Para):
            body.append(_inline(b.text, doc.bold))
        elif isinstance(b, Display):
            body.append(_display([to_latex(line, doc.bold) for line in b.lines]))
        elif isinstance(b, Table):
            body.append(_table(b, doc.bold))
        elif isinstance(b, Code):
            body.append(r"\begin{verbatim}" + "\n" + b.text + "\n" + r"\end{verbatim}")
    text_ = "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n\n" + r"\end{document}" + "\n"
    return re.sub(r"\n{3,}", "\n\n", text_)

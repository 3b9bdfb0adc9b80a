"""Regenerate the op tables of docs/library.md and docs/spec.md from the op table.

    python docs/make_ops.py          # rewrites the generated blocks in place
    python docs/make_ops.py --check  # exit 1 if a block is stale (tests/core/test_docs_ops.py)

Each block sits between `<!-- ops:NAME -->` and `<!-- /ops:NAME -->`; the text around it
is hand-written and left alone.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from calcgraph.core.ops import OPS, Op
from calcgraph.text.labels import to_unicode

DOCS = Path(__file__).resolve().parent


def _cell(text: str) -> str:
    return f"`{text}`".replace("|", "\\|") if text else "—"


def _forms(op: Op, kind: str, mode: str) -> list[str]:
    impl = op.impls[mode]
    n = op.arity or 2
    if op.paired:
        n = 4
    table = impl.math if kind == "math" else impl.code
    sym = to_unicode(op.symbol)
    if isinstance(table, str):
        return [table.replace("{sym}", sym)]
    return [table[i].replace("{sym}", sym) for i in range(n)
            if op.is_differentiable(i, n) and table[i]]


def _template(op: Op, kind: str, mode: str) -> str:
    impl = op.impls[mode]
    t = impl.fmath if kind == "math" else impl.fcode
    if callable(t):  # a variadic op: shown with two operands
        args = ["{0}", "{1}"] if not op.paired else ["{0}", "{1}", "{2}", "{3}"]
        t = t({"args": args, "sym": to_unicode(op.symbol), **{p: "{" + p + "}" for p in op.params}})
    return t.replace("{sym}", to_unicode(op.symbol))


def library_table() -> str:
    """One row per op and mode: symbol, forward and VJPs in math and numpy form."""
    rows = ["| op | symbol | ASCII | mode | forward | ∂J/∂operand (math) | (numpy code) |",
            "|---|---|---|---|---|---|---|"]
    for op in OPS.values():
        for mode in op.impls:
            math = "<br>".join(_cell(f) for f in _forms(op, "math", mode))
            code = "<br>".join(_cell(f) for f in _forms(op, "code", mode))
            rows.append(f"| `{op.name}` | {to_unicode(op.symbol)} | `{op.ascii_symbol}` | "
                        f"{mode or '—'} | {_cell(_template(op, 'math', mode))} | {math} | {code} |")
    return "\n".join(rows)


def _written(form: str) -> str:
    """`a @ a` → `a @ b`: the second array gets its own name."""
    parts, names = [], iter("ab")
    for p in form.split():
        parts.append(next(names) if p == "a" else p)
    text = " ".join(parts)
    return text.replace("- ", "-") if form.startswith("-") else text.replace(" .T", ".T")


def spec_table() -> str:
    """What each infix form of the spec language means, then every op by name."""
    rows = ["| you write | op | meaning |", "|---|---|---|"]
    for op in OPS.values():
        if op.infix:
            written = ", ".join(f"`{_written(f)}`" for f in op.infix)
            rows.append(f"| {written} | `{op.name}` | {op.doc} |")
    rows.append("| `f(a, ...)` | `f` | any op of the op table, by name (below) |")
    rows += ["", "| op | operands, then constants | what it computes |", "|---|---|---|"]
    for op in OPS.values():
        n = op.arity
        operands = "2T (paired)" if op.paired else "any number" if n is None else str(n)
        consts = ", ".join(op.params)
        rows.append(f"| `{op.name}` | {operands}{'; ' + consts if consts else ''} | {op.doc} |")
    return "\n".join(rows)


BLOCKS = {"library.md": {"table": library_table}, "spec.md": {"table": spec_table}}


def updated(text: str, blocks: dict) -> str:
    for name, make in blocks.items():
        pattern = re.compile(rf"(<!-- ops:{name} -->\n)(?:.*?\n)?(<!-- /ops:{name} -->)",
                             re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"make_ops: no <!-- ops:{name} --> block")
        block = make()
        text = pattern.sub(lambda m, block=block: m.group(1) + block + "\n" + m.group(2), text)
    return text


def stale() -> list[str]:
    """The docs whose generated blocks differ from the op table."""
    return [f for f, blocks in BLOCKS.items()
            if updated((DOCS / f).read_text(encoding="utf-8"), blocks)
            != (DOCS / f).read_text(encoding="utf-8")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report stale files")
    args = ap.parse_args()
    if args.check:
        bad = stale()
        print("stale: " + ", ".join(bad) if bad else "op tables are fresh")
        sys.exit(1 if bad else 0)
    for f, blocks in BLOCKS.items():
        path = DOCS / f
        path.write_text(updated(path.read_text(encoding="utf-8"), blocks), encoding="utf-8")


if __name__ == "__main__":
    main()

"""`calcgraph check` in the terminal: one table row per gradient, then the torch comparison."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calcgraph.text.labels import to_unicode
from calcgraph.text.summary import fmt_shape

if TYPE_CHECKING:
    from calcgraph.core.gradcheck import CheckResult, GradCheck


def _num(x: float | None) -> str:
    return "—" if x is None else "0" if x == 0 else f"{x:.1e}"


def _entries(row: GradCheck) -> str:
    return str(row.size) if row.checked == row.size else f"{row.checked}/{row.size}"


def check_tables(result: CheckResult) -> list[Any]:
    """The renderables `calcgraph check` prints: heading, gradient table, torch table, verdict."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    form = "one sample" if result.batch is None else f"batch of {result.batch}"
    rule = (f"a = backward pass, n = central differences (h = {result.step:g})\n"
            f"ok where |a − n| ≤ {result.atol:g} + {result.rtol:g}·|n| for every entry")
    head = Text.assemble((f"calcgraph check: {result.graph}", "bold"), f" ({form})\n",
                         (rule, "dim"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for col, justify in (("gradient", "left"), ("node", "left"), ("shape", "left"),
                         ("entries", "right"), ("max abs err", "right"),
                         ("max rel err", "right"), ("ok", "center")):
        table.add_column(col, justify=justify, no_wrap=col != "node")
    objective = to_unicode(result.objective)
    for row in result.rows:
        table.add_row(f"∂{objective}/∂{to_unicode(row.label)}", row.node, fmt_shape(row.shape),
                      _entries(row), _num(row.max_abs), _num(row.max_rel),
                      Text("✓", "green") if row.ok else Text("✗", "bold red"))
    out: list[Any] = [head, table]
    if result.torch is not None:
        out.append(Text("PyTorch autograd (float64), rebuilt from the op table:", "bold"))
        torch = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        for col in ("node", "shape", "value err", "grad err", "ok"):
            torch.add_column(col, justify="left" if col in ("node", "shape") else "right")
        for r in result.torch:
            torch.add_row(r.node, fmt_shape(r.shape), _num(r.value_error), _num(r.grad_error),
                          Text("✓", "green") if r.ok else Text("✗", "bold red"))
        out.append(torch)
    out.append(verdict(result))
    return out


def verdict(result: CheckResult) -> Any:
    from rich.text import Text

    bad = result.failures
    n = len(result.rows)
    if not bad and result.ok:
        extra = "; torch agrees" if result.torch else ""
        return Text(f"ok: all {n} gradients match finite differences{extra}", "green")
    if not bad:
        return Text("torch disagrees (see the ✗ rows above)", "bold red")
    return Text(f"{len(bad)} of {n} gradients do not match finite differences", "bold red")


def failure_message(result: CheckResult) -> str:
    """The one stderr line: the first wrong gradient, both numbers and the VJP to blame."""
    bad = result.failures
    if not bad:
        worse = [r.node for r in result.torch or [] if not r.ok]
        return f"{result.graph}: torch disagrees at node(s) {', '.join(worse)}"
    first = next((r for r in bad if r.blame), bad[0])
    at = f"[{', '.join(map(str, first.worst))}]" if first.worst else ""
    blame = (f"; the VJP of operator {', '.join(first.blame)} for {first.node} is the first "
             "to disagree"
             if first.blame else "")
    others = f" ({len(bad) - 1} more gradient(s) also fail)" if len(bad) > 1 else ""
    return (f"{result.graph}: gradient check failed at node '{first.node}': "
            f"∂{to_unicode(result.objective)}/∂{to_unicode(first.label)}{at} is "
            f"{first.analytic:.6g} but finite differences give {first.numeric:.6g}{blame}{others}")

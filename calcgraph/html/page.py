"""One self-contained HTML page that steps through the backward pass (`calcgraph html`).

The page holds everything it shows: the figures of `render --step K` for every step, of the
forward and the backward graph (pre-rendered SVG, each step stored as its changes), the steps with their formulas as MathML, the numpy lines and shapes, every
node's value and gradient, the forward table, and its own CSS and script. It makes no
network request of any kind (a Content-Security-Policy forbids them too), so it works from
a file, offline, and inline in Jupyter (`g.stepper()`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from calcgraph.figure.draw import graph_data
from calcgraph.figure.sweep import step_dots
from calcgraph.graphviz import run as render
from calcgraph.options import LAYOUTS, RENDERERS, choose
from calcgraph.text.lang import words
from calcgraph.text.steps import caption
from calcgraph.text.summary import fmt_shape, page_text
from calcgraph.text.texmath import to_mathml

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; font-src data:")


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _bold(data: Mapping[str, Any]) -> set[str]:
    """Array names, set bold in the formulas as on the figure (W⁽²⁾, o; scalars stay italic)."""
    return {n["label_text"] for n in data["nodes"] if n["kind"] == "variable" and n.get("shape")}


def _role(w: Mapping[str, str], role: str) -> str:
    return w.get(f"t.role.{role}") or w.get(f"p.role.{role}") or role


def node_table(data: Mapping[str, Any], lang: str = "en") -> dict[str, dict]:
    """What a click on a node shows: label, kind, shape, value, gradient shape and gradient."""
    w = words(lang)
    obj = next((n["label_text"] for n in data["nodes"] if n["id"] == data.get("objective")), "J")
    out = {}
    for n in data["nodes"]:
        var = n["kind"] == "variable"
        what = (_role(w, n["role"]) if var
                else f"{w['p.operator']} {n['op']}({', '.join(n['inputs'])})")
        out[n["id"]] = {
            "label": n["label_text"], "what": what,
            "shape": fmt_shape(n["shape"]) if var else None,
            "value": page_text(n.get("value")) if var else None,
            "grad_label": f"∂{obj}/∂{n['label_text']}",
            "grad_shape": fmt_shape(n["grad_shape"]) if var and n.get("grad") is not None
            else None,
            "grad": page_text(n.get("grad")) if var else None,
        }
    return out


def _steps_html(data: Mapping[str, Any], bold: set[str], lang: str) -> str:
    items = []
    for k in range(len(data["backward"]) + 1):
        head, through, math = caption(data, k, lang)
        rec = data["backward"][k - 1] if k else None
        said = head + (words(lang)["s.sep"] + through if through else "")
        mathml = to_mathml(math, bold)
        body = [f'<span class="n">{k}</span> <span class="head">{_esc(said)}</span>',
                f'<div class="math">{mathml}</div>']
        if rec is not None:
            body += [f"<div><code>{_esc(rec['code'])}</code></div>",
                     f'<div class="shapes"><code>{_esc(rec["shapes"])}</code></div>']
        say = (f'<div class="head">{_esc(said)}</div>'
               f"<div>{to_mathml(math, bold, display=True)}</div>")
        target = f' data-target="{_esc(rec["target"])}"' if rec else ""
        items.append(f'<li data-step="{k}"{target}>{"".join(body)}'
                     f'<div class="say" hidden>{say}</div></li>')
    return '<ol class="cg-steps">' + "".join(items) + "</ol>"


def _forward_html(data: Mapping[str, Any], bold: set[str], w: Mapping[str, str]) -> str:
    values = {n["id"]: n for n in data["nodes"]}
    rows = ["<tr>" + "".join(f"<th>{_esc(w[key])}</th>" for key in (
        "col.step", "col.equation", "col.numpy", "t.col.shape", "col.value")) + "</tr>"]
    for f in data["forward"]:
        value = page_text(values[f["output"]].get("value")) or ""
        rows.append(f"<tr><td>{f['step']}</td><td>{to_mathml(f['math'], bold)}</td>"
                    f"<td><code>{_esc(f['code'])}</code></td>"
                    f'<td class="shape">{_esc(f["shapes"])}</td><td><pre>{_esc(value)}</pre>'
                    f"</td></tr>")
    return (f'<details class="cg-forward"><summary>{_esc(w["p.forward"])}</summary>'
            f"<table>{''.join(rows)}</table></details>")


def _svgs(data: Mapping[str, Any], layout: str, renderer: str,
          backward: str | None = None, lang: str = "en") -> list[str]:
    pinned = layout == "d2l"
    out = []
    for source in step_dots(data, annotate="shapes", layout=layout, backward=backward,
                            lang=lang):
        svg = render.render(source, "svg", renderer=renderer, pinned=pinned,
                            engine="neato" if pinned else "dot").decode("utf-8")
        out.append(svg[svg.index("<svg"):])  # inline: no XML prolog, no DOCTYPE
    return out


def frames(svgs: list[str]) -> dict:
    """The figures of a sweep, stored once: the first one in pieces (one per drawn element,
    as Graphviz comments them) and, for each step, only the pieces that differ from it.
    Nothing moves between steps, so a step changes a few outlines, edges and notes: the page
    is a fraction of the size of every figure in full.
    """
    base = _pieces(svgs[0])
    steps = []
    for svg in svgs:
        pieces = _pieces(svg)
        if len(pieces) != len(base):  # never expected; the figure in full is always right
            steps.append({"all": svg})
        else:
            steps.append({str(i): p for i, (b, p) in enumerate(zip(base, pieces)) if b != p})
    return {"base": base, "steps": steps}


def _pieces(svg: str) -> list[str]:
    return re.split(r"(?=\n<!-- )", svg)


def _asset(name: str) -> str:
    return files("calcgraph.html").joinpath(name).read_text(encoding="utf-8")


# What page.js writes itself, in the page's language (placeholders filled by the script).
SCRIPT_WORDS = ("p.pos0", "p.pos", "p.shape", "p.value", "p.grad.shape", "p.known",
                "p.computed", "p.show.backward", "p.show.forward")


def build_page(graph: Any, *, layout: str = "d2l", renderer: str = "auto",
               lang: str = "en") -> str:
    """The whole page as one string (graph: a public Graph or its JSON document); headings,
    step captions and the script's words in `lang` (text.lang), the math the same in all."""
    choose(layout, LAYOUTS, "layout")
    choose(renderer, RENDERERS, "renderer")
    w = words(lang)
    data = graph_data(graph, "all", steps=True)
    bold = _bold(data)
    script_data = {"steps": [{"step": r["step"], "target": r["target"], "final": r["final"],
                              "touches": r["touches"]} for r in data["backward"]],
                   "nodes": node_table(data, lang),
                   "words": {key: w[key] for key in SCRIPT_WORDS},
                   "frames": {view: frames(_svgs(data, layout, renderer, backward, lang))
                              for view, backward in (("f", None), ("b", "only"))}}
    payload = json.dumps(script_data, ensure_ascii=False).replace("</", "<\\/")
    name = data.get("name", "graph")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(w['p.doc'].format(name=name))}</title>"
        f"<style>{_asset('page.css')}</style></head><body>"
        f'<main class="cg" id="cg"><header><h1>{_esc(w["p.title"].format(name=name))}</h1>'
        f"<p>{_esc(data.get('title') or '')}</p></header>"
        f'<div class="cg-controls"><button class="cg-prev" type="button">{_esc(w["p.prev"])}'
        f'</button><button class="cg-next" type="button">{_esc(w["p.next"])}</button>'
        '<button class="cg-view" type="button" aria-pressed="false">'
        f'{_esc(w["p.show.backward"])}</button>'
        f'<span class="cg-pos"></span><span class="hint">{_esc(w["p.hint"])}</span></div>'
        '<div class="cg-main"><section><div class="cg-figure"></div>'
        f'<div class="cg-now"></div><div class="cg-info">{_esc(w["p.info"])}</div></section>'
        f'<aside class="cg-side">{_steps_html(data, bold, lang)}</aside></div>'
        f"{_forward_html(data, bold, w)}"
        f'<script type="application/json" id="cg-data">{payload}</script>'
        f"<script>{_asset('page.js')}</script></main></body></html>\n"
    )


class Stepper:
    """The page for Jupyter: shown inline (in an iframe, so its keys and styles stay its own)."""

    def __init__(self, page: str):
        self.html = page

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="calcgraph stepper" '
                'style="width: 100%; height: 760px; border: 1px solid #ccc; border-radius: 6px">'
                "</iframe>")

    def save(self, path: str) -> str:
        render.write_atomic(path, self.html.encode("utf-8"))
        return path

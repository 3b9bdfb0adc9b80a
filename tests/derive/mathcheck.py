"""Math fragments of the derive outputs, and real TeX math parsers to check them with."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

# The commands calcgraph's LaTeX may use: amsmath, amssymb and bm, nothing else.
KNOWN = {
    "frac", "partial", "mathbf", "bm", "mathrm", "mathbb", "top", "odot", "cdot", "oslash",
    "Vert", "times", "leftarrow", "to", "in", "sum", "ldots", "approx", "tfrac", "text", "ell",
    "hat", "bar", "tilde", "dot", "alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta",
    "lambda", "mu", "sigma", "tau", "phi", "varphi", "omega", "Delta", "Sigma", "Omega",
    "Lambda", "pi", "rho", "xi", "zeta", "nu", "kappa", "iota", "chi", "psi", "upsilon",
    "left", "right", "oplus", "otimes", "circ", "le", "ge", "pm", "infty",
}


def md_fragments(text: str) -> list[str]:
    """The `$$…$$` blocks and `$…$` spans of a Markdown document."""
    display = re.findall(r"\$\$\n(.*?)\n\$\$", text, flags=re.DOTALL)
    rest = re.sub(r"\$\$\n.*?\n\$\$", "", text, flags=re.DOTALL)
    rest = re.sub(r"`[^`\n]*`", "", rest)
    return display + re.findall(r"\$([^$\n]+)\$", rest)


def tex_fragments(text: str) -> list[str]:
    """The gather* and align* bodies (line by line) and `$…$` spans of a LaTeX document."""
    out = []
    display = r"\\begin\{(gather|align)\*\}\n(.*?)\n\\end\{\1\*\}"
    for _env, body in re.findall(display, text, flags=re.DOTALL):
        out += [line.rstrip("\\ ").strip().replace(" &= ", " = ", 1)
                for line in body.split("\\\\\n")]
    rest = re.sub(display, "", text, flags=re.DOTALL)
    rest = re.sub(r"\\texttt\{[^}]*\}|\\begin\{verbatim\}.*?\\end\{verbatim\}", "", rest,
                  flags=re.DOTALL)
    return out + re.findall(r"(?<!\\)\$([^$]+)(?<!\\)\$", rest)


def check_fragment(tex: str) -> str | None:
    """Why a fragment is not valid math, or None: latex2mathml parses it, braces balance,
    and every command is one of KNOWN."""
    from latex2mathml.converter import convert

    try:
        convert(tex)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the finding
        return f"latex2mathml: {type(exc).__name__} {exc}"
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return "unbalanced }"
    if depth:
        return "unbalanced {"
    unknown = set(re.findall(r"\\([A-Za-z]+)", tex)) - KNOWN
    return f"unknown commands {sorted(unknown)}" if unknown else None


def katex_dir() -> Path | None:
    """A folder whose node_modules has KaTeX ($CALCGRAPH_KATEX_DIR), when node is present."""
    where = os.environ.get("CALCGRAPH_KATEX_DIR")
    if not where or shutil.which("node") is None:
        return None
    path = Path(where)
    return path if (path / "node_modules" / "katex").is_dir() else None


def katex_errors(fragments: list[str], folder: Path) -> list[str]:
    """KaTeX's strict parse of every fragment: the messages of those that fail."""
    script = ("const k=require('katex');const fs=require('fs');"
              "const xs=JSON.parse(fs.readFileSync(0,'utf8'));const bad=[];"
              "for(const x of xs){try{k.renderToString(x,{throwOnError:true,strict:'error'})}"
              "catch(e){bad.push(x+' :: '+e.message)}}console.log(JSON.stringify(bad));")
    run = subprocess.run(["node", "-e", script], input=json.dumps(fragments), cwd=folder,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(run.stdout)

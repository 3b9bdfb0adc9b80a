"""`calcgraph derive`: every format of every sample, its math parsed by real TeX parsers, the
d2l formulas symbol for symbol, goldens for the MLP in English and Chinese, TeX compiled."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from functools import cache

import pytest
from goldens import check_golden
from mathcheck import check_fragment, katex_dir, katex_errors, md_fragments, tex_fragments

from calcgraph.derive import derivation
from calcgraph.derive.build import derive_document
from calcgraph.sources import load_source, sample_names
from calcgraph.text.lang import languages
from calcgraph.text.texmath import to_latex

SAMPLES = sample_names()


@cache
def graphs(name: str):
    return load_source(name), load_source(name, batch=8)


@cache
def output(name: str, fmt: str, lang: str, values: bool = False) -> str:
    g, b = graphs(name)
    return derivation(g, fmt=fmt, lang=lang, batch_graph=b, values=values)


CASES = [(s, lang) for s in SAMPLES for lang in languages()]


@pytest.mark.parametrize("name,lang", CASES)
def test_every_markdown_and_latex_fragment_parses(name, lang):
    frags = md_fragments(output(name, "md", lang, True)) + tex_fragments(
        output(name, "tex", lang, True))
    assert len(frags) > 20
    bad = [(f, why) for f in frags if (why := check_fragment(f))]
    assert not bad, bad[:5]


def test_katex_parses_every_fragment_strictly():
    folder = katex_dir()
    if folder is None:
        pytest.skip("KaTeX not found (set CALCGRAPH_KATEX_DIR to a folder with "
                    "node_modules/katex; latex2mathml checks every fragment without it)")
    frags = sorted({f for name, lang in CASES for f in md_fragments(output(name, "md", lang))})
    assert katex_errors(frags, folder) == []


@pytest.mark.parametrize("name,lang", CASES)
def test_html_is_standalone_with_wellformed_mathml(name, lang):
    page = output(name, "html", lang, True)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script|<link|src=|https?://(?!www\.w3\.org)", page)
    maths = re.findall(r"<math.*?</math>", page, flags=re.DOTALL)
    assert len(maths) > 20
    for m in maths:
        ET.fromstring(m)  # raises on malformed MathML


def test_the_d2l_formulas_symbol_for_symbol():
    md, txt = output("mlp", "md", "en"), output("mlp", "txt", "en")
    bold = derive_document(*graphs("mlp")[:1]).bold
    for book_form in ("∂J/∂W⁽²⁾ = ∂J/∂o hᵀ + λW⁽²⁾",
                      "∂J/∂W⁽¹⁾ = (W⁽²⁾ᵀ ∂J/∂o ⊙ ϕ′(z)) xᵀ + λW⁽¹⁾"):
        flat = book_form.replace(" ", "").replace("′", "'")
        assert flat in txt.replace(" ", ""), book_form
        # the same formula in LaTeX, as d2l typesets it, is in the Markdown
        tex = to_latex(book_form.replace("′", "'").replace("λW", "λ W"), bold)
        assert f"$$\n{tex}\n$$" in md
    assert (r"\frac{\partial J}{\partial \mathbf{W}^{(1)}} = \left(\mathbf{W}^{(2)\top} "
            r"\frac{\partial J}{\partial \mathbf{o}} \odot \phi'(\mathbf{z})\right) "
            r"\mathbf{x}^{\top} + \lambda \mathbf{W}^{(1)}") in md


@pytest.mark.parametrize("lang", languages())
def test_the_batch_section_has_the_one_line_of_numpy(lang):
    md = output("mlp", "md", lang)
    shapes = md.split("\n## ")[3]  # forward, backward, shapes, memory
    assert "```python\ndJ_dh = dJ_do @ W2\n```" in shapes
    assert r"\mathbf{W}^{(2)\top} \frac{\partial J}{\partial \mathbf{o}}" in shapes  # column
    assert r"\frac{\partial J}{\partial \mathbf{o}} \mathbf{W}^{(2)}" in shapes  # row


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_mlp_markdown_golden(lang):
    check_golden(f"derive_mlp_{lang}.md", output("mlp", "md", lang))


def test_chinese_uses_the_usual_terms():
    md = output("mlp", "md", "zh")
    for term in ("前向传播", "反向传播", "计算图", "链式法则", "梯度", "形状", "批量", "内存", "显存"):
        assert term in md, term
    assert "Forward" not in md and "Backward" not in md


def test_memory_numbers_are_exact():
    """x, z, h, o are kept (float64) and y (int64): 8 (4 + 5 + 5 + 3) + 8 bytes per sample."""
    md = output("mlp", "md", "en")
    per_sample = 8 * (4 + 5 + 5 + 3) + 8
    for n in (1, 32, 256):
        assert re.search(rf"\| {n} \| {per_sample * n} \|", md), n
    assert f"keeps {per_sample} bytes" in md


def test_values_adds_a_worked_example():
    with_values, without = output("mlp", "md", "en", True), output("mlp", "md", "en")
    assert "## 5. A worked example" in with_values and "## 5." not in without
    g, _ = graphs("mlp")
    assert f"{float(g['J'].value):.5g}" in with_values


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("name", SAMPLES)
def test_latex_compiles(tmp_path, name):
    (tmp_path / "d.tex").write_text(output(name, "tex", "en", True), encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "d.pdf").stat().st_size > 10_000


def _has_ctex() -> bool:
    if shutil.which("xelatex") is None or shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", "ctexart.cls"], capture_output=True, text=True,
                           check=False)
    return bool(found.stdout.strip())


@pytest.mark.skipif(not _has_ctex(), reason="xelatex with the ctex package not installed")
def test_chinese_latex_compiles(tmp_path):
    (tmp_path / "d.tex").write_text(output("mlp", "tex", "zh"), encoding="utf-8")
    run = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-2000:]


def test_latex_is_a_complete_document_with_common_packages_only():
    tex = output("mlp", "tex", "en")
    assert tex.startswith("\\documentclass{article}") and tex.endswith("\\end{document}\n")
    assert set(re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", tex)) == {
        "amsmath,amssymb,bm", "geometry"}
    assert output("mlp", "tex", "zh").startswith("\\documentclass{ctexart}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_markdown_excerpts_in_the_docs_are_real(lang):
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "derive.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```markdown\n(.*?)\n```", doc, flags=re.DOTALL)
    mine = [b for b in blocks if ("同一个" in b) == (lang == "zh")]
    assert mine
    for block in mine:
        assert block in output("mlp", "md", lang)


def test_the_latex_html_and_text_excerpts_in_the_docs_are_real():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "derive.md").read_text(encoding="utf-8")

    def block(tag: str, start: int = 0) -> str:
        i = doc.index(f"```{tag}\n", start) + len(tag) + 4
        return doc[i:doc.index("\n```", i)]

    assert block("latex") in output("mlp", "tex", "en")
    assert block("html") in output("mlp", "html", "en")
    g, b = graphs("mlp")
    plain = derivation(g, fmt="txt", lang="en", batch_graph=b, width=90)
    assert block("", doc.index("## Plain text")) in plain

"""The stepper page as a file: self-contained, offline, every step and node in it."""

from __future__ import annotations

import json
import re

import pytest

import calcgraph as cg
from calcgraph.html.page import build_page
from calcgraph.text.summary import page_text


@pytest.fixture(scope="module")
def page():
    return build_page(cg.mlp(), renderer="embedded")


def test_one_self_contained_file_that_requests_nothing(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(link|iframe|img|object|embed)\b", page)
    assert not re.search(r"\b(src|href)\s*=", page)
    assert not re.search(r"@import|url\(\s*['\"]?(?!data:|#)", page)
    # the only URLs are XML namespace names in the inline SVGs, which are never fetched
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_one_figure_and_one_list_entry_per_step(page):
    assert len(re.findall(r'<li data-step="\d+"', page)) == 13
    data = json.loads(re.search(r'id="cg-data">(.*?)</script>', page, re.DOTALL).group(1))
    for view in ("f", "b"):  # the forward figure and the backward graph, 13 steps each
        assert len(data["frames"][view]["steps"]) == 13
    assert [s["target"] for s in data["steps"]] == [s.target.name for s in
                                                   cg.mlp().backward().steps]


def test_formulas_as_mathml_with_the_numpy_line_and_shapes(page):
    assert page.count("<math") >= 13 + 6  # every step, every forward equation
    assert "dJ_dh = W2.T @ dJ_do" in page and "(5,) = (3, 5).T @ (3,)" in page


def test_every_node_has_what_a_click_shows(page):
    data = json.loads(re.search(r'id="cg-data">(.*?)</script>', page, re.DOTALL).group(1))
    w2 = data["nodes"]["W2"]
    assert w2["shape"] == "(3, 5)" and w2["grad_shape"] == "(3, 5)"
    assert w2["value"].count("\n") == 2  # 15 numbers: in full, one row a line
    assert data["nodes"]["mul2"]["what"] == "operator matmul(W2, h)"


def test_large_arrays_are_summarized():
    small, large = page_text([1.0, 2.0]), page_text([[float(i)] * 10 for i in range(10)])
    assert small == "[1. 2.]"
    assert "..." in large and "100 numbers: mean 4.5" in large


def test_light_and_dark_schemes(page):
    assert "@media (prefers-color-scheme: dark)" in page


def test_stepper_shows_inline_in_jupyter():
    html = cg.mlp().stepper(renderer="embedded")._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "&lt;!DOCTYPE html&gt;" in html


def test_each_steps_figure_is_stored_as_its_changes_and_rebuilds_exactly():
    from calcgraph.figure.draw import graph_data
    from calcgraph.html.page import _svgs, frames

    data = graph_data(cg.mlp(), "all", steps=True)
    svgs = _svgs(data, "d2l", "embedded")
    stored = frames(svgs)
    for k, svg in enumerate(svgs):  # what the page's script does: swap the pieces in
        parts = list(stored["base"])
        for i, piece in stored["steps"][k].items():
            parts[int(i)] = piece
        assert "".join(parts) == svg, k
    assert sum(len(p) for s in stored["steps"] for p in s.values()) < sum(map(len, svgs)) / 2


def test_lang_zh_puts_headings_steps_and_script_words_in_chinese():
    from calcgraph.text.lang import words

    zh, en = words("zh"), words("en")
    page = build_page(cg.mlp(), renderer="embedded", lang="zh")
    assert '<html lang="zh">' in page
    assert zh["p.title"].format(name="mlp") in page and zh["p.prev"] in page
    assert zh["s.forward"] in page and zh["p.forward"] in page  # step 0 and the forward table
    assert zh["s.head"].format(k=1, n=12, grad="∂J/∂J") in page
    data = json.loads(re.search(r'id="cg-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert data["words"]["p.pos"] == zh["p.pos"]  # what page.js writes itself
    assert data["nodes"]["mul2"]["what"] == "运算 matmul(W2, h)"
    assert data["nodes"]["W2"]["what"] == zh["t.role.param"]
    for key in ("p.title", "p.prev", "p.hint", "s.seed", "p.forward"):  # no English left over
        assert en[key].format(name="mlp") not in page
    # the math is the same in every language
    assert "dJ_dh = W2.T @ dJ_do" in page and "(5,) = (3, 5).T @ (3,)" in page


def test_cli_html_takes_lang(tmp_path):
    from click.testing import CliRunner

    from calcgraph.cli import cli

    out = tmp_path / "zh.html"
    result = CliRunner().invoke(cli, ["html", "--renderer", "embedded", "--lang", "zh",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert '<html lang="zh">' in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["html", "--lang", "fr", "-o", str(tmp_path / "x.html")])
    assert bad.exit_code == 2 and not (tmp_path / "x.html").exists()

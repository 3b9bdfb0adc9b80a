"""The HTML derivation in a real browser: no request leaves the page, no console error,
and the MathML is laid out as math (fractions taller than a line of text)."""

from __future__ import annotations

import shutil

import pytest

from calcgraph.derive import derivation
from calcgraph.sources import load_source

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    if CHROMIUM is None:
        pytest.skip("no system Chromium (Debian: apt-get install chromium)")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_renders_math_offline(browser, tmp_path, lang):
    page_file = tmp_path / "mlp.html"
    page_file.write_text(derivation(load_source("mlp"), fmt="html", lang=lang,
                                    batch_graph=load_source("mlp", batch=8)), encoding="utf-8")
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page_file.as_uri())
    assert requests == [page_file.as_uri()] and errors == []
    heights = page.eval_on_selector_all(
        'math[display="block"] mfrac', "els => els.map(e => e.getBoundingClientRect().height)")
    line = page.eval_on_selector("p", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert len(heights) > 20 and min(heights) > 1.5 * line  # stacked, not inline text
    page.close()

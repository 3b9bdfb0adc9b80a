"""The stepper page in a real browser: headless Chromium driven by Playwright.

Skipped with a reason when Playwright or a Chromium is missing (.ci/run installs Debian's
chromium). Playwright's own browser download is never used: the system Chromium is launched
through executable_path. The page is loaded with set_content, so every request at all is one
the page itself made; each is recorded and aborted, and the test fails on any that is not
data: or about:.
"""

from __future__ import annotations

import os
import shutil

import pytest

import calcgraph as cg
from calcgraph.html.page import build_page

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def chromium() -> str | None:
    for name in (os.environ.get("CALCGRAPH_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        found = name and shutil.which(name)
        if found:
            return found
    return None


pytestmark = pytest.mark.skipif(chromium() is None, reason="no Chromium found (apt-get install "
                                "chromium, or set CALCGRAPH_CHROMIUM)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def steps():
    return cg.mlp().backward().steps


@pytest.fixture
def page(browser):
    """The MLP page loaded, with every request and console error recorded."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    tab = ctx.new_page()
    tab.errors, tab.requests = [], []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))

    def route(r):
        tab.requests.append(r.request.url)
        r.abort()

    tab.route("**/*", route)
    tab.set_content(build_page(cg.mlp(), renderer="embedded"), wait_until="load")
    yield tab
    ctx.close()


def highlighted(tab) -> str:
    return tab.eval_on_selector(".cg-figure g.node.step title", "e => e.textContent")


def test_loads_without_console_errors_or_any_network_request(page):
    page.keyboard.press("ArrowRight")
    assert page.errors == []
    assert [u for u in page.requests if not u.startswith(("data:", "about:"))] == []
    assert page.inner_text(".cg-pos") == "step 1 of 12"


def test_right_arrow_moves_the_highlight_to_each_steps_node(page, steps):
    assert page.query_selector(".cg-figure g.node.step") is None  # step 0: the forward state
    for s in steps:
        page.keyboard.press("ArrowRight")
        assert highlighted(page) == s.target.name, s.index
        assert page.get_attribute(".cg-figure", "data-step") == str(s.index)
    page.keyboard.press("ArrowRight")  # past the end: stays on the last step
    assert page.get_attribute(".cg-figure", "data-step") == "12"
    page.keyboard.press("ArrowLeft")
    assert highlighted(page) == steps[10].target.name
    page.click(".cg-prev")
    assert page.get_attribute(".cg-figure", "data-step") == "10"


def test_the_steps_formula_is_shown(page):
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    now = page.locator(".cg-now")
    assert "step 8 of 12: ∂J/∂W⁽²⁾, 2 paths meet" in now.inner_text()
    box = now.locator("math").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20  # drawn, not hidden
    assert page.locator(".cg-steps li.current").get_attribute("data-step") == "8"


def test_clicking_a_node_shows_its_shape_value_and_gradient(page):
    page.click(".cg-figure g.node:has(title:text-is('W2'))")
    info = page.inner_text(".cg-info")
    assert "W⁽²⁾ (param)" in info and "(3, 5)" in info and "computed at step 8" in info
    page.keyboard.press("End")
    info = page.inner_text(".cg-info")
    assert "known since step 8" in info and info.count("[[") == 2  # value and gradient, in full


def test_screenshots_of_the_first_steps_differ_from_the_last(page):
    shots = []
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        shots.append(page.locator(".cg-figure").screenshot())
    page.keyboard.press("End")
    last = page.locator(".cg-figure").screenshot()
    assert len(set(shots)) == 3 and last not in shots


def test_the_backward_graph_steps_too(page, steps):
    page.click(".cg-view")
    assert page.get_attribute(".cg-figure", "data-view") == "backward"
    for s in steps:
        page.keyboard.press("ArrowRight")
        if s.final:  # the square of the gradient this step completes
            assert highlighted(page) == "∂" + s.target.name, s.index
    page.click(".cg-figure g.node:has(title:text-is('∂W1'))")
    assert "W⁽¹⁾ (param)" in page.inner_text(".cg-info")
    page.click(".cg-view")
    assert page.get_attribute(".cg-figure", "data-view") == "forward"
    assert highlighted(page) == steps[-1].target.name


def test_dark_scheme(browser):
    colors = []
    for scheme in ("light", "dark"):
        ctx = browser.new_context(color_scheme=scheme)
        tab = ctx.new_page()
        tab.route("**/*", lambda r: r.abort())
        tab.set_content(build_page(cg.mlp(), renderer="embedded"))
        colors.append(tab.evaluate("getComputedStyle(document.body).backgroundColor"))
        ctx.close()
    assert colors[0] != colors[1]


def test_the_jupyter_repr_runs_the_same_page_in_its_frame(browser, steps):
    ctx = browser.new_context()
    tab = ctx.new_page()
    errors, requests = [], []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.route("**/*", lambda r: (requests.append(r.request.url), r.abort()))
    tab.set_content(cg.mlp().stepper(renderer="embedded")._repr_html_(), wait_until="load")
    frame = tab.frame_locator("iframe")
    frame.locator(".cg-next").click()
    frame.locator(".cg-next").click()
    title = frame.locator(".cg-figure g.node.step title")
    assert title.text_content() == steps[1].target.name
    assert errors == [] and [u for u in requests if not u.startswith(("data:", "about:"))] == []
    ctx.close()

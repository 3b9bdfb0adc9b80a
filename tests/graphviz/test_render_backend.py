"""Tests for calcgraph.graphviz.run: system and embedded Graphviz, PNG, files, errors, cache, timeouts."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from calcgraph.errors import CacheWarning, GraphvizNotFound, RenderError, UsageError
from calcgraph.graphviz import run as render
from calcgraph.graphviz import wasm as _wasm

SVG_NS = "{http://www.w3.org/2000/svg}"
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="system Graphviz `dot` is not installed")
BOTH = pytest.mark.parametrize(
    "renderer", ["embedded", pytest.param("system", marks=needs_dot)]
)

FIGURE = """digraph G { graph [splines=true, outputorder=edgesfirst, bgcolor="white"];
 node [fontname="Times-Roman", fontsize=9, fixedsize=true, penwidth=1];
 x [shape=box, width=0.29, height=0.29, pos="12,12!", label=<<B>x</B>>];
 m [shape=circle, width=0.32, pos="53,12!", style=filled, fillcolor="#B2D9FF", label="×"];
 W [shape=box, width=0.29, height=0.29, pos="53,51!", style=filled, fillcolor="#66BFFF",
    label=<<B>W</B><SUP>(1)</SUP>>];
 l [shape=circle, width=0.32, pos="94,51!", style=filled, fillcolor="#B2D9FF",
    label=<ℓ<SUB>2</SUB>>];
 x -> m [arrowhead=vee, arrowsize=0.5]; W -> m [arrowhead=vee, arrowsize=0.5];
 W -> l [arrowhead=vee, arrowsize=0.5]; }"""
BROKEN = "digraph G { x -> ; }"


def big_graph(nodes: int = 2000, edges: int = 6000) -> str:
    """A graph `dot` needs seconds to lay out (about 6 s on the dev machine)."""
    return "digraph{" + ";".join(
        f"n{(i * 7919) % nodes}->n{(i * 104729 + 13) % nodes}" for i in range(edges)
    ) + "}"




def fake_dot(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-dot"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def nodes(svg: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.find(SVG_NS + "title").text: g for g in root.iter(SVG_NS + "g")
            if g.get("class") == "node"}


def centre(group: ET.Element) -> tuple[float, float]:
    shape = group.find(SVG_NS + "ellipse")
    if shape is not None:
        return float(shape.get("cx")), float(shape.get("cy"))
    points = [tuple(map(float, p.split(","))) for p in group.find(SVG_NS + "polygon")
              .get("points").split()]
    xs, ys = zip(*points)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def label_text(group: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in group.iter(SVG_NS + "text")]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# --- choosing a renderer ----------------------------------------------------------

def test_without_dot_auto_is_embedded_and_system_is_refused(no_system_dot):
    assert render.find_system_dot() is None
    assert render.resolve_renderer("auto", "svg") == "embedded"
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        render.render(FIGURE, "svg", renderer="system")


@needs_dot
def test_auto_with_dot_is_system(monkeypatch):
    monkeypatch.delenv("CALCGRAPH_DOT", raising=False)
    assert render.resolve_renderer("auto", "png") == "system"


def test_bad_options_name_the_valid_choices(monkeypatch, tmp_path):
    with pytest.raises(UsageError) as info:
        render.resolve_renderer("x", "svg")
    assert str(info.value) == (
        "unknown renderer: 'x' (must be one of ['auto', 'system', 'embedded'])"
    )
    with pytest.raises(UsageError, match="unknown engine: 'nope'"):
        render.render(FIGURE, "svg", engine="nope")
    with pytest.raises(UsageError, match="pinned=False"):
        render.render(FIGURE, "svg", engine="dot")
    with pytest.raises(UsageError, match="timeout must be a positive number"):
        render.render(FIGURE, "svg", timeout=0)
    monkeypatch.setenv("CALCGRAPH_DOT", str(tmp_path / "nope"))
    with pytest.raises(GraphvizNotFound, match="CALCGRAPH_DOT=.*nope"):
        render.resolve_renderer("auto", "svg")


@pytest.mark.parametrize("renderer", ["auto", "embedded"])
def test_pdf_without_svg2pdf_or_system_graphviz_says_how_to_fix(no_system_dot, renderer,
                                                                 monkeypatch):
    monkeypatch.setattr(render, "svg2pdf_available", lambda: False)
    with pytest.raises(GraphvizNotFound) as info:
        render.render(FIGURE, "pdf", renderer=renderer)
    message = str(info.value)
    assert "pip install 'calcgraph[pdf]'" in message
    assert "apt-get install graphviz" in message and "CALCGRAPH_DOT" in message


@needs_dot
def test_pdf_with_system_graphviz(monkeypatch):
    monkeypatch.setattr(render, "svg2pdf_available", lambda: False)
    assert render.render(FIGURE, "pdf").startswith(b"%PDF")


@pytest.mark.skipif(not render.svg2pdf_available(),
                    reason="svg2pdf-py not installed (pip install 'calcgraph[pdf]')")
def test_pdf_from_the_embedded_svg_embeds_the_shipped_font(no_system_dot):
    pdf = render.render(FIGURE, "pdf", renderer="embedded")
    assert pdf.startswith(b"%PDF") and b"LiberationSerif" in pdf
    with pytest.raises(RenderError, match="SVG to PDF conversion failed"):
        render.svg_to_pdf(b"<svg")


def test_format_from_path():
    assert render.format_from_path("a/fig.PNG", None) == "png"
    assert render.format_from_path("fig.gv", None) == "dot"
    assert render.format_from_path("fig.out", "pdf") == "pdf"
    assert render.format_from_path("fig.svg", "SVG") == "svg"
    assert render.format_from_path("-", None) == "svg" and render.format_from_path("-", "png")
    with pytest.raises(UsageError) as contradicts:  # issue 10.13: PNG bytes in x.svg
        render.format_from_path("x.svg", "png")
    assert str(contradicts.value) == ("format 'png' contradicts the extension of 'x.svg' (svg): "
                                      "drop the format or name the file .png")
    with pytest.raises(UsageError) as info:
        render.format_from_path("fig.jpg2", None)
    assert str(info.value) == (
        "unknown format: 'jpg2' (must be one of ['svg', 'png', 'pdf', 'dot', 'json'])"
    )
    with pytest.raises(UsageError, match="no extension|add an extension"):
        render.format_from_path("figure", None)


# --- output -----------------------------------------------------------------------

@BOTH
def test_svg_has_the_pinned_nodes_and_styled_labels(renderer):
    found = nodes(render.render(FIGURE, "svg", renderer=renderer))
    assert sorted(found) == ["W", "l", "m", "x"]
    assert label_text(found["W"]) == ["W(1)"]
    spans = {s.text: s.attrib for s in found["W"].iter(SVG_NS + "tspan")}
    assert spans["W"]["font-weight"] == "bold" and spans["(1)"]["baseline-shift"] == "super"
    assert label_text(found["l"]) == ["ℓ2"]
    assert abs(centre(found["m"])[0] - centre(found["x"])[0] - 41) < 0.5  # pos 53 - 12


def test_embedded_png_without_dot(no_system_dot):
    width, height = png_size(render.render(FIGURE, "png", scale=2))
    assert width > 100 and height > 50


@needs_dot
def test_both_renderers_place_nodes_alike():
    system = render.render(FIGURE, "svg", renderer="system")
    embedded = render.render(FIGURE, "svg", renderer="embedded")
    a, b = nodes(system), nodes(embedded)
    for name in a:
        (ax, ay), (bx, by) = centre(a[name]), centre(b[name])
        assert abs(ax - bx) < 0.5 and abs(ay - by) < 0.5, name
        assert label_text(a[name]) == label_text(b[name])

    def shape(svg: bytes) -> list[tuple[str, str | None, list[str]]]:
        return [(g.get("id"), g.get("class"), [c.tag for c in g])
                for g in ET.fromstring(svg).iter(SVG_NS + "g")]

    assert shape(system) == shape(embedded)


@BOTH
def test_svg_bytes_are_deterministic(renderer):
    first = render.render(FIGURE, "svg", renderer=renderer)
    assert render.render(FIGURE, "svg", renderer=renderer) == first
    code = (
        "import sys; from calcgraph.graphviz.run import render; "
        f"sys.stdout.buffer.write(render(sys.stdin.read(), 'svg', renderer={renderer!r}))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    fresh = subprocess.run([sys.executable, "-c", code], input=FIGURE.encode(),
                           capture_output=True, env=env, check=True).stdout
    assert fresh == first


@BOTH
@pytest.mark.parametrize("scale", [1.0, 2.0, 3.5])
def test_png_pixel_size_follows_scale(renderer, scale):
    svg = ET.fromstring(render.render(FIGURE, "svg", renderer=renderer))
    width_pt, height_pt = (float(svg.get(k).removesuffix("pt")) for k in ("width", "height"))
    width, height = png_size(render.render(FIGURE, "png", renderer=renderer, scale=scale))
    assert width == round(width_pt * scale)  # 1 px per pt at scale 1
    assert abs(height - height_pt * scale) <= 1


def test_png_uses_the_shipped_fonts():
    files = render.font_files()
    assert any("LiberationSerif-Bold" in f for f in files) and len(files) == 5
    assert all((render.FONT_DIR / lic).is_file() for lic in
               ("LICENSE-LiberationSerif.txt", "LICENSE-DejaVuSerif.txt"))
    # Text must leave ink: a figure with its labels blanked has a different PNG.
    blank = FIGURE.replace("<B>x</B>", "<B> </B>")
    assert render.render(FIGURE, "png", renderer="embedded") != render.render(
        blank, "png", renderer="embedded")


TRICKY = ['say "hi"', "a<b>&c", "back\\slash", "two\nlines", "中文 λ ϕ ∂ ⊙"]


def dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def html_label(text: str) -> str:
    from html import escape
    return "<<I>" + "<BR/>".join(escape(line) for line in text.split("\n")) + "</I>>"


@BOTH
@pytest.mark.parametrize("quote", [dot_string, html_label], ids=["quoted", "html"])
def test_tricky_labels_give_well_formed_svg(renderer, quote):
    stmts = [f'n{i} [pos="{30 * i},10!", label={quote(t)}]' for i, t in enumerate(TRICKY)]
    svg = render.render("digraph { node [shape=box]; " + "; ".join(stmts) + " }", "svg",
                        renderer=renderer)
    found = nodes(svg)  # ET raises on malformed XML
    for i, text in enumerate(TRICKY):
        assert label_text(found[f"n{i}"]) == text.split("\n")


def test_html_tables_are_refused_by_embedded_with_the_fix():
    table = 'digraph { a [pos="1,1!", label=<<TABLE><TR><TD>x</TD></TR></TABLE>>] }'
    with pytest.raises(RenderError, match="<TABLE>.*apt-get install graphviz"):
        render.render(table, "svg", renderer="embedded")


def test_concurrent_embedded_renders_agree():
    expected = render.render(FIGURE, "svg", renderer="embedded")
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(
        render.render(FIGURE, "svg", renderer="embedded"))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 6


# --- failures ---------------------------------------------------------------------

@BOTH
def test_broken_dot_keeps_the_dot_and_writes_no_output(renderer, tmp_path):
    out = tmp_path / "fig.svg"
    with pytest.raises(RenderError) as info:
        render.render_to_file(BROKEN, out, renderer=renderer)
    kept = tmp_path / "fig.svg.failed.dot"
    message = str(info.value)
    assert ("syntax error" in message) or ("Failed to parse DOT source" in message)
    assert message.endswith(f"DOT kept at {kept}") and "\n" not in message
    assert not out.exists() and kept.read_text() == BROKEN
    assert render.render_to_file(FIGURE, out, renderer=renderer) == renderer
    assert out.exists() and not kept.exists()


def test_failed_dot_goes_to_temp_dir_when_folder_is_missing(tmp_path):
    out = tmp_path / "missing" / "fig.svg"
    with pytest.raises(RenderError) as info:
        render.render_to_file(BROKEN, out, renderer="embedded")
    kept = Path(str(info.value).rsplit("DOT kept at ", 1)[1])
    assert kept.read_text() == BROKEN and kept.name.endswith(".failed.dot")
    kept.unlink()


@pytest.mark.parametrize("where", ["missing-folder", "is-a-directory"])
def test_unwritable_output_is_a_clear_error(tmp_path, where):
    out = tmp_path / "missing" / "fig.svg" if where == "missing-folder" else tmp_path / "fig.svg"
    if where == "is-a-directory":
        out.mkdir()
    with pytest.raises(RenderError, match=re.escape(f"cannot write {out}: ")):
        render.render_to_file(FIGURE, out, renderer="embedded")
    assert sorted(p.name for p in tmp_path.rglob("*")) == (["fig.svg"] if out.is_dir() else [])


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "a.svg"
    target.write_bytes(b"old")
    render.write_atomic(target, b"new contents")
    assert target.read_bytes() == b"new contents" and os.listdir(tmp_path) == ["a.svg"]


@BOTH
def test_timeout_stops_a_long_layout(renderer):
    with pytest.raises(RenderError, match=r"timed out after 0\.2 s"):
        render.render(big_graph(), "svg", renderer=renderer, pinned=False, engine="dot",
                      timeout=0.2)
    # The renderer is still usable afterwards.
    assert nodes(render.render(FIGURE, "svg", renderer=renderer))


def test_system_timeout_kills_a_hung_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("CALCGRAPH_DOT", fake_dot(tmp_path, "exec sleep 30"))
    with pytest.raises(RenderError, match=r"timed out after 0\.3 s"):
        render.render(FIGURE, "svg", renderer="system", timeout=0.3)


def test_system_failure_carries_graphviz_message(monkeypatch, tmp_path):
    dot = fake_dot(tmp_path, 'cat >/dev/null; echo "Error: <stdin>: syntax error in line 1" >&2\n'
                             "exit 1")
    monkeypatch.setenv("CALCGRAPH_DOT", dot)
    with pytest.raises(RenderError) as info:
        render.render(FIGURE, "svg", renderer="system")
    assert str(info.value) == f"Graphviz ({dot}) failed: Error: <stdin>: syntax error in line 1"


def test_embedded_never_prints(capfd):
    with pytest.raises(RenderError):
        render.render(BROKEN, "svg", renderer="embedded")
    render.render(FIGURE, "svg", renderer="embedded")
    with pytest.raises(RenderError):
        render.render('digraph { a [pos="oops"] }', "svg", renderer="embedded")
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


# --- compiled-module cache ----------------------------------------------------------

@pytest.fixture
def warm_cache(tmp_path):
    """tmp_path holding a copy of the session's compiled module (saves a ~1 s compile)."""
    render.render(FIGURE, "svg", renderer="embedded")
    (compiled,) = _wasm.cache_dir().glob("*.cwasm")
    shutil.copy(compiled, tmp_path / compiled.name)
    return tmp_path / compiled.name


def test_cache_is_written_then_reused(tmp_path):
    first = _wasm.EmbeddedGraphviz(cache=tmp_path / "c")
    assert not first.cache_hit and len(list((tmp_path / "c").glob("*.cwasm"))) == 1
    second = _wasm.EmbeddedGraphviz(cache=tmp_path / "c")
    assert second.cache_hit
    assert second.render(FIGURE, "svg", "nop2", 10) == first.render(FIGURE, "svg", "nop2", 10)


@pytest.mark.parametrize("damage", ["flip-bytes", "truncate", "garbage"])
def test_corrupted_cache_is_recompiled(warm_cache, damage):
    assert _wasm.EmbeddedGraphviz(cache=warm_cache.parent).cache_hit
    blob = bytearray(warm_cache.read_bytes())
    if damage == "flip-bytes":  # wasmtime itself would load this and could crash
        blob[len(blob) // 2 : len(blob) // 2 + 64] = b"\xff" * 64
    elif damage == "truncate":
        del blob[len(blob) // 3 :]
    else:
        blob = bytearray(b"not a module")
    warm_cache.write_bytes(bytes(blob))
    with pytest.warns(CacheWarning, match="ignoring the cached Graphviz module"):
        healed = _wasm.EmbeddedGraphviz(cache=warm_cache.parent)
    assert not healed.cache_hit
    assert nodes(healed.render(FIGURE, "svg", "nop2", 10))
    assert _wasm.EmbeddedGraphviz(cache=warm_cache.parent).cache_hit  # rewritten whole


def test_unwritable_cache_dir_compiles_in_memory(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    embedded = _wasm.EmbeddedGraphviz(cache=blocker / "cache")
    assert not embedded.cache_hit
    assert nodes(embedded.render(FIGURE, "svg", "nop2", 10))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-dir"]


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CALCGRAPH_CACHE_DIR", str(tmp_path / "c"))
    assert _wasm.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CALCGRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _wasm.cache_dir() == tmp_path / "xdg" / "calcgraph"


def forge(compiled: Path) -> None:
    """What an attacker writes: a changed payload with its digest recomputed to match."""
    from calcgraph.graphviz import cache

    blob = compiled.read_bytes()
    head = len(cache._MAGIC) + cache._DIGEST_SIZE
    payload = bytearray(blob[head:])
    payload[len(payload) // 2 : len(payload) // 2 + 64] = b"\xcc" * 64
    compiled.write_bytes(cache._MAGIC + hashlib.sha256(payload).digest() + bytes(payload))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
@pytest.mark.parametrize("how", ["file-writable-by-others", "folder-writable-by-others",
                                 "owned-by-another-user", "symlink"])
def test_a_cache_file_another_user_could_have_written_is_not_trusted(warm_cache, how):
    # issue 10.15: a forged file (payload changed, digest rewritten) crashed with SIGSEGV.
    forge(warm_cache)
    forged, folder = warm_cache.read_bytes(), warm_cache.parent
    if how == "file-writable-by-others":
        warm_cache.chmod(0o666)
    elif how == "folder-writable-by-others":
        folder.chmod(0o777)
    elif how == "owned-by-another-user":
        if os.getuid() != 0:
            pytest.skip("only root can give a file to another user")
        os.chown(warm_cache, 65534, 65534)
    else:
        target = folder / "elsewhere.cwasm"
        warm_cache.rename(target)
        warm_cache.symlink_to(target)
    with pytest.warns(CacheWarning, match=r"ignoring the cached Graphviz module .*: it"):
        embedded = _wasm.EmbeddedGraphviz(cache=folder)
    assert not embedded.cache_hit and nodes(embedded.render(FIGURE, "svg", "nop2", 10))
    if how == "folder-writable-by-others":  # nothing is written where others can write
        assert warm_cache.read_bytes() == forged
        folder.chmod(0o700)
    else:  # rebuilt: this user's file, trusted next time
        assert _wasm.EmbeddedGraphviz(cache=folder).cache_hit


def test_a_new_cache_folder_is_private(tmp_path):
    _wasm.EmbeddedGraphviz(cache=tmp_path / "c")
    assert (tmp_path / "c").stat().st_mode & 0o077 == 0

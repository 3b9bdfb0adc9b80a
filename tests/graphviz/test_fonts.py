"""Labels in any script (issue 17): every drawn character checked against the fonts that draw
it, system fonts as fallback (serif first), --font, and a warning or error naming the rest."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

import calcgraph as cg
from calcgraph.cli import cli
from calcgraph.errors import MissingGlyphError, MissingGlyphWarning, RenderError
from calcgraph.graphviz import fonts, sfnt
from calcgraph.graphviz import run as render

SVG = "{http://www.w3.org/2000/svg}"
ZH = ('dim d = 3\ninput x : (d) label "输入"\nparam w : (d) label "权重"\nlabel y : ()\n'
      'L = squared_loss(x @ w, y) symbol "损失"\nobjective L\n')
ZH_CHARS = "输入权重损失"
SCRIPTS = {"greek": "αβγ", "cyrillic": "Жук", "arabic": "سلام", "cjk": "中文"}
MIXED = ("dim d = 2\n" + "".join(f'input {k[0]} : (d) label "{v}"\n' for k, v in SCRIPTS.items()
                                   if k != "cjk")
         + f'param z : (d) label "{SCRIPTS["cjk"]}"\nL = sum(g + c + a + z)\nobjective L\n')


def blanked(spec: str) -> str:
    """The same graph with every label and symbol made of spaces."""
    return re.sub(r'(label|symbol) "([^"]*)"', lambda m: f'{m[1]} "{" " * len(m[2])}"', spec)


def system_has(text: str) -> bool:
    return all(any(f.has(c) for f in fonts.candidate_faces()) for c in text)


def cjk_font() -> str:
    for face in fonts.system_faces():
        if all(face.has(c) for c in ZH_CHARS):
            return face.path
    pytest.skip("no CJK font on this machine (Debian: apt-get install fonts-noto-cjk)")


@pytest.fixture
def no_system_fonts(monkeypatch):
    """A machine without any font but calcgraph's own: the system search path is empty."""
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, "")


def figure(spec: str) -> tuple[bytes, bytes]:
    """(SVG, PNG at 150 dpi) of the graph a spec describes."""
    dot = cg.loads_spec(spec).to_dot()
    return (render.render(dot, "svg", renderer="embedded"),
            render.render(dot, "png", renderer="embedded", dpi=150))


def label_boxes(svg: bytes, texts) -> dict[str, tuple[int, int, int, int]]:
    """Pixel boxes (at 150 dpi) around the nodes whose text is one of `texts`."""
    root = ET.fromstring(svg)
    tx, ty = map(float, re.search(r"translate\(([\d.-]+) ([\d.-]+)\)",
                                  root.find(f"{SVG}g").get("transform")).groups())
    k = 150 / 72
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        text = "".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
        if g.get("class", "").split()[:1] == ["node"] and text in texts:
            shape = g.find(f".//{SVG}ellipse")
            if shape is not None:
                cx, cy = float(shape.get("cx")), float(shape.get("cy"))
            else:
                pts = [tuple(map(float, p.split(","))) for p in
                       g.find(f".//{SVG}polygon").get("points").split()]
                cx, cy = sum(p[0] for p in pts[:4]) / 4, sum(p[1] for p in pts[:4]) / 4
            x, y = (cx + tx) * k, (cy + ty) * k
            boxes[text] = (int(x - 8 * k), int(y - 6 * k), int(x + 8 * k), int(y + 6 * k))
    return boxes


def inked(labelled: bytes, blank: bytes, box: tuple[int, int, int, int]) -> int:
    """How many pixels of `box` differ between the two PNGs."""
    image = pytest.importorskip("PIL.Image")
    np = pytest.importorskip("numpy")
    a, b = (np.asarray(image.open(io.BytesIO(p)).convert("L"), dtype=int)
            for p in (labelled, blank))
    x0, y0, x1, y1 = box
    return int((abs(a[y0:y1, x0:x1] - b[y0:y1, x0:x1]) > 60).sum())


# --- the pieces -------------------------------------------------------------------------

def test_the_bundled_fonts_cmaps():
    faces = {f.family: f for p in fonts.bundled_fonts() for f in sfnt.faces(p)}
    assert faces["Liberation Serif"].has("A") and faces["Liberation Serif"].has("ϕ")
    assert not faces["Liberation Serif"].has("⊙") and faces["DejaVu Serif"].has("⊙")
    assert not any(f.has("输") for f in faces.values())
    assert sfnt.faces(__file__) == []  # not a font


def test_drawn_text_is_every_visible_character_once():
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><title>\xe6\x97\xa0</title>'
           b'<text>a b<tspan>\xe8\xbe\x93a</tspan></text><text>&#955;</text></svg>')
    assert fonts.drawn_text(svg) == "ab输λ"  # not the <title>, no spaces, no repeats


def test_serif_regular_faces_are_chosen_first():
    han = ((0x4E00, 0x9FFF),)
    faces = [sfnt.Face("/s/sans.ttc", 0, "Noto Sans CJK SC", "Regular", han),
             sfnt.Face("/s/serif-bold.ttc", 0, "Noto Serif CJK SC", "Bold", han),
             sfnt.Face("/s/serif.ttc", 2, "Noto Serif CJK SC", "Regular", han),
             sfnt.Face("/s/serif.ttc", 0, "Noto Serif CJK JP", "Regular", han),
             sfnt.Face("/s/other.ttf", 0, "Other", "Regular", ((0x41, 0x5A),))]
    assert fonts.choose_fallbacks("中文", faces) == ["/s/serif.ttc", "/s/serif-bold.ttc"]
    assert fonts.choose_fallbacks("ℵ", faces) == []


# --- without a CJK font: a warning naming the characters, an error with --strict ----------

def test_missing_glyphs_warn_once_naming_them(no_system_fonts):
    dot = cg.loads_spec(ZH).to_dot()
    with pytest.warns(MissingGlyphWarning) as caught:
        png = render.render(dot, "png", renderer="embedded")
    assert len(caught) == 1 and png.startswith(b"\x89PNG")
    message = str(caught[0].message)
    assert "输 入 权 重 损 失" in message and "fonts-noto-cjk" in message and "--font" in message
    with pytest.raises(MissingGlyphError, match="输 入 权 重 损 失"):
        render.render(dot, "png", renderer="embedded", strict=True)
    if importlib.util.find_spec("svg2pdf_py") is not None:  # embedded PDF: calcgraph[pdf]
        with pytest.raises(MissingGlyphError, match="输 入 权 重 损 失"):
            render.render(dot, "pdf", renderer="embedded", strict=True)


def test_cli_warns_and_exits_0_or_1_with_strict(tmp_path, monkeypatch, no_system_fonts):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zh.cg").write_text(ZH, encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "zh.cg", "-o", "zh.png", "--renderer",
                                      "embedded"])
    assert result.exit_code == 0, result.output
    warning, wrote = result.stderr.splitlines()
    assert warning.startswith("calcgraph: warning: no font has a glyph for 输 入 权 重 损 失 ")
    assert wrote == "wrote zh.png (embedded Graphviz)" and (tmp_path / "zh.png").exists()
    result = CliRunner().invoke(cli, ["render", "zh.cg", "-o", "zh.png", "--json"])
    report = json.loads(result.stdout)
    assert report["missing_glyphs"] == list(ZH_CHARS) and report["dpi"] == 300
    assert report["path"] == "zh.png" and report["warnings"][0].startswith("no font has a glyph")
    result = CliRunner().invoke(cli, ["render", "zh.cg", "-o", "strict.png", "--strict",
                                      "--renderer", "embedded"])
    assert result.exit_code == 1 and not (tmp_path / "strict.png").exists()
    assert result.stderr.startswith("calcgraph: error: no font has a glyph for 输 入 权 重 损 失")
    assert len(result.stderr.splitlines()) == 1


def test_svg_is_not_checked(no_system_fonts):
    with warnings_as_errors():
        render.render(cg.loads_spec(ZH).to_dot(), "svg", renderer="embedded")


class warnings_as_errors:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error", MissingGlyphWarning)

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)


def test_a_bad_font_file_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(RenderError, match="bogus.ttf.*not a TrueType/OpenType font"):
        render.render(cg.mlp().to_dot(), "png", renderer="embedded", fonts=[bogus])


# --- with a CJK font: the labels are drawn ----------------------------------------------------

def test_with_a_system_cjk_font_the_labels_are_drawn():
    cjk_font()
    with warnings_as_errors():
        svg, png = figure(ZH)
        _, blank = figure(blanked(ZH))
    boxes = label_boxes(svg, ("输入", "权重", "损失"))
    assert sorted(boxes) == ["损失", "权重", "输入"]
    for text, box in boxes.items():
        assert inked(png, blank, box) > 20, text


def test_font_option_adds_a_font(tmp_path, monkeypatch):
    path = cjk_font()
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, "")  # only the bundled fonts and --font
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zh.cg").write_text(ZH, encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "zh.cg", "-o", "zh.png", "--font", path,
                                      "--strict", "--renderer", "embedded"])
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_is_drawn_when_its_font_is_present(script):
    text = SCRIPTS[script]
    if not system_has(text) and not all(
            any(f.has(c) for p in fonts.bundled_fonts() for f in sfnt.faces(p)) for c in text):
        pytest.skip(f"no font for {script} on this machine")
    with warnings_as_errors():
        svg, png = figure(MIXED)
        _, blank = figure(blanked(MIXED))
    box = label_boxes(svg, SCRIPTS.values())[text]
    assert inked(png, blank, box) > 20


def test_the_cjk_extra_draws_when_the_system_has_no_cjk_font(monkeypatch):
    packaged = fonts.packaged_faces()
    if not any(f.has("输") for f in packaged):
        pytest.skip("the calcgraph[cjk] extra (noto-cjk-sans-otc) is not installed")
    monkeypatch.setattr(fonts, "system_faces", list)
    plan = fonts.plan_fonts(render.render(cg.loads_spec(ZH).to_dot(), "svg",
                                          renderer="embedded"))
    assert plan.missing == "" and plan.fallbacks == (packaged[0].path,)


def test_without_fontconfig_the_standard_folders_are_searched(monkeypatch, tmp_path):
    cjk_font()  # skips without a CJK font on this machine
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list
    found = fonts.system_faces()
    assert any(all(f.has(c) for c in ZH_CHARS) for f in found)
    assert all(f.path.lower().endswith(sfnt.FONT_SUFFIXES) for f in found)

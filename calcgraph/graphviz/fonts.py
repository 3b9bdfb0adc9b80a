"""Which fonts draw a figure's text: the bundled ones, the user's, then system fonts for what
those lack (serif faces first); characters no font has are named, never dropped silently."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from calcgraph.errors import MissingGlyphError, MissingGlyphWarning, RenderError
from calcgraph.graphviz import sfnt

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"  # package data, calcgraph/fonts
# Metric-compatible with Times, so Graphviz's "Times" text widths fit it; DejaVu
# Serif is only the fallback for glyphs Liberation lacks (⊙, ⁰, ⁽ ⁾, ...).
FONT_FAMILY = "Liberation Serif"
# os.pathsep-separated folders that replace the system font search (fontconfig and the
# standard folders); set but empty: no system fonts at all.
FONT_DIRS_ENV = "CALCGRAPH_FONT_DIRS"
_SERIF_WORDS = ("serif", "song", "ming", "mincho", "batang", "times", "roman")
_REGULAR = ("regular", "book", "normal", "roman", "medium")
# Python packages that ship fonts, tried after the system's: the `calcgraph[cjk]` extra.
FONT_PACKAGES = ("noto_cjk_sans_otc",)
_FIX = ("install a font that has them (Debian/Ubuntu: apt-get install fonts-noto-cjk; "
        "any system: pip install 'calcgraph[cjk]') or name one with --font FILE (fonts=[...])")


@dataclass(frozen=True)
class FontPlan:
    """The font files a rasterizer loads for one SVG, and what still has no glyph."""

    files: tuple[str, ...]  # bundled, then --font files, then system fallbacks
    fallbacks: tuple[str, ...]  # the system files among them
    missing: str  # characters no loaded font has, in order of first use


def bundled_fonts() -> list[str]:
    """The fonts shipped in calcgraph/fonts, used for every PNG and PDF."""
    return sorted(str(p) for p in FONT_DIR.glob("*.ttf"))


def drawn_text(svg: bytes) -> str:
    """Every distinct visible character of the SVG's <text>, in order of first use."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise RenderError(f"the SVG is not well-formed XML: {exc}") from None
    seen: dict[str, None] = {}
    for element in root.iter("{http://www.w3.org/2000/svg}text"):
        for char in "".join(element.itertext()):
            if not char.isspace() and char.isprintable():
                seen.setdefault(char, None)
    return "".join(seen)


def plan_fonts(svg: bytes, extra: Sequence[str | os.PathLike[str]] = (),
               system: bool = True) -> FontPlan:
    """The fonts that draw `svg`: bundled + `extra`, plus system faces for the rest."""
    files = bundled_fonts()
    for path in extra:
        if not sfnt.faces(path):
            raise RenderError(f"font {os.fspath(path)!r}: not a TrueType/OpenType font file "
                              f"(.ttf, .otf, .ttc) that can be read")
        files.append(os.fspath(path))
    own = [face for path in files for face in sfnt.faces(path)]
    missing = "".join(c for c in drawn_text(svg) if not any(f.has(c) for f in own))
    fallbacks: list[str] = []
    if missing and system:
        fallbacks = choose_fallbacks(missing, candidate_faces())
        more = [face for path in fallbacks for face in sfnt.faces(path)]
        missing = "".join(c for c in missing if not any(f.has(c) for f in more))
    return FontPlan(tuple(files + fallbacks), tuple(fallbacks), missing)


def check_glyphs(plan: FontPlan, what: str, strict: bool = False) -> None:
    """Warn (or with `strict`, raise) naming the characters `plan` cannot draw."""
    if not plan.missing:
        return
    codes = " ".join(f"U+{ord(c):04X}" for c in plan.missing[:12])
    message = (f"no font has a glyph for {' '.join(plan.missing)} ({codes}"
               f"{' …' if len(plan.missing) > 12 else ''}), so the {what} leaves them out: "
               f"{_FIX}")
    if strict:
        raise MissingGlyphError(message)
    warnings.warn(MissingGlyphWarning(message, plan.missing), stacklevel=3)


def choose_fallbacks(missing: str, candidates: Iterable[sfnt.Face]) -> list[str]:
    """Files of the fewest families covering `missing`: serif and regular faces first, then
    the family's bold face too, so bold labels stay bold."""
    ranked = sorted(candidates, key=_rank)
    left, families = list(missing), []
    for face in ranked:
        if not left:
            break
        if face.family not in families and any(face.has(c) for c in left):
            families.append(face.family)
            left = [c for c in left if not face.has(c)]
    files: list[str] = []
    for face in ranked:
        style = face.style.lower()
        wanted = any(w in style for w in _REGULAR) or style in ("bold", "bold italic", "italic")
        if face.family in families and wanted and face.path not in files:
            files.append(face.path)
    return files


def _rank(face: sfnt.Face) -> tuple:
    family = face.family.lower()
    serif = any(w in family for w in _SERIF_WORDS) and "sans" not in family
    regular = face.style.lower() in _REGULAR
    simplified = " sc" in family or family.endswith("cn")  # the seed's readers write 简体
    return (not serif, not regular, not simplified, face.family, face.path, face.index)


def candidate_faces() -> list[sfnt.Face]:
    """Where missing glyphs are looked for: $CALCGRAPH_FONT_DIRS alone if set, else the
    system's fonts and then those of installed font packages (calcgraph[cjk])."""
    configured = os.environ.get(FONT_DIRS_ENV)
    if configured is not None:
        return _scan([d for d in configured.split(os.pathsep) if d])
    return system_faces() + packaged_faces()


def system_faces() -> list[sfnt.Face]:
    """The machine's fonts: fontconfig's list, else the standard font folders of Linux, macOS
    and Windows."""
    return _fontconfig() or _scan(standard_font_dirs())


def packaged_faces() -> list[sfnt.Face]:
    """Fonts shipped by the Python packages in FONT_PACKAGES that are installed."""
    from importlib.util import find_spec

    folders = []
    for name in FONT_PACKAGES:
        spec = find_spec(name)  # located, never imported
        if spec is not None and spec.submodule_search_locations:
            folders += list(spec.submodule_search_locations)
    return _scan(folders)


def standard_font_dirs() -> list[str]:
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        local = os.environ.get("LOCALAPPDATA", str(home / "AppData" / "Local"))
        return [str(Path(windir) / "Fonts"), str(Path(local) / "Microsoft/Windows/Fonts")]
    if sys.platform == "darwin":
        return ["/System/Library/Fonts", "/Library/Fonts", str(home / "Library/Fonts")]
    data = os.environ.get("XDG_DATA_HOME") or str(home / ".local/share")
    return ["/usr/share/fonts", "/usr/local/share/fonts", str(Path(data) / "fonts"),
            str(home / ".fonts")]


def _scan(folders: Iterable[str]) -> list[sfnt.Face]:
    found = []
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                if name.lower().endswith(sfnt.FONT_SUFFIXES):
                    found += sfnt.faces(os.path.join(root, name))
    return found


def _fontconfig() -> list[sfnt.Face]:
    """Faces with their character sets from fontconfig's cache: one fast `fc-list` call."""
    fc_list = shutil.which("fc-list")
    return list(_fc_list(fc_list)) if fc_list else []


@functools.lru_cache(maxsize=4)  # once per process: GIF frames and repeated renders reuse it
def _fc_list(fc_list: str) -> tuple[sfnt.Face, ...]:
    fields = "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\t%{charset}\n"
    try:
        out = subprocess.run([fc_list, "--format", fields], capture_output=True, timeout=20,
                             check=True).stdout.decode("utf-8", errors="replace")
    except (OSError, subprocess.SubprocessError):
        return ()
    found = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 5 or not parts[0].lower().endswith(sfnt.FONT_SUFFIXES):
            continue  # Type 1 and bitmap fonts: resvg cannot load them
        try:
            ranges = [(int(a, 16), int(b or a, 16))
                      for a, _, b in (item.partition("-") for item in parts[4].split())]
            index = int(parts[1] or 0)
        except ValueError:
            continue
        found.append(sfnt.Face(parts[0], index, parts[2], parts[3], tuple(sorted(ranges))))
    return tuple(found)

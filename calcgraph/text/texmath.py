"""Formula text (`∂J/∂W⁽¹⁾ = ∂J/∂z xᵀ + λ W⁽¹⁾`) as LaTeX and as MathML, from one tokenizer.

The formulas of text.formulas are Unicode strings filled from the op table's templates;
this module reads them back as math: `∂a/∂b` is a fraction, a run of superscript or
subscript characters is a script (ᵀ is a transpose), a multi-letter word before `(` is an
operator name (softmax, prod), Greek letters become their TeX names. Variables listed in
`bold` (vectors and matrices, as d2l sets them) are set in bold. `book()` rewrites a
formula the way d2l prints it: a product is juxtaposition (no `·`), and parentheses that
only group a product inside a ⊙ or a sum are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from html import escape
from typing import NamedTuple

from calcgraph.text.labels import _MARKS, _SUB_ASCII, _SUP_ASCII, greek_name

_OPS = {  # operator character -> (LaTeX, MathML text)
    "=": ("=", "="), "+": ("+", "+"), "−": ("-", "−"), "-": ("-", "−"), "⊙": (r"\odot", "⊙"),
    "·": (r"\cdot", "·"), "⊘": (r"\oslash", "⊘"), "/": ("/", "/"), ",": (",", ","),
    "(": ("(", "("), ")": (")", ")"), "[": ("[", "["), "]": ("]", "]"), "‖": (r"\Vert", "‖"),
    "×": (r"\times", "×"), "←": (r"\leftarrow", "←"), "→": (r"\to", "→"), "∈": (r"\in", "∈"),
    "Σ": (r"\sum", "∑"), "…": (r"\ldots", "…"), "<": ("<", "&lt;"), ">": (">", "&gt;"),
    "'": ("'", "′"), "′": ("'", "′"), "*": ("*", "*"), "@": ("@", "@"), "≈": (r"\approx", "≈"),
    "⊕": (r"\oplus", "⊕"), "⊗": (r"\otimes", "⊗"), "∘": (r"\circ", "∘"), "≤": (r"\le", "≤"),
    "≥": (r"\ge", "≥"), "±": (r"\pm", "±"), "∞": (r"\infty", "∞"),
}
_SPECIAL = {  # letters and symbols that are not operators -> (LaTeX, MathML element)
    "𝟏": (r"\mathbf{1}", "<mn>𝟏</mn>"),
    "½": (r"\tfrac{1}{2}", "<mfrac><mn>1</mn><mn>2</mn></mfrac>"),
    "ℝ": (r"\mathbb{R}", "<mi>ℝ</mi>"), "ℕ": (r"\mathbb{N}", "<mi>ℕ</mi>"),
    "ℓ": (r"\ell", "<mi>ℓ</mi>"), "∂": (r"\partial", "<mo>∂</mo>"),
}
_GREEK_VARIANTS = {"ϕ": r"\phi", "φ": r"\varphi", "ε": r"\epsilon", "ϵ": r"\epsilon",
                   "λ": r"\lambda", "Λ": r"\Lambda"}
_LETTER = re.compile(r"[A-Za-z][A-Za-z0-9]*|[^\W\d_]")
_UNDERSCORE = re.compile(r"_([A-Za-z0-9]+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e-?\d+)?")


class Atom(NamedTuple):
    """One unit of math in both notations."""

    tex: str
    mml: str


SPACE = Atom(" ", "")  # a space in the formula text: LaTeX keeps it, MathML needs none


# ---------------------------------------------------------------- tokens


def _script(text: str, i: int, table: dict[str, str]) -> tuple[str, int]:
    """A run of script characters from text[i] on (ᵀ ends a superscript run on its own)."""
    out = []
    while i < len(text) and text[i] in table:
        out.append(table[text[i]])
        i += 1
    return "".join(out), i


def _letter(word: str, bold: bool) -> Atom:
    """One identifier base: a Latin word, a Greek letter, a letter with an accent."""
    if len(word) > 1 and word.isascii():
        return Atom(rf"\mathrm{{{word}}}", f'<mi mathvariant="normal">{escape(word)}</mi>')
    base, *marks = unicodedata.normalize("NFD", word)
    tex, mml = _tex_letter(base), f"<mi>{escape(base)}</mi>"
    if bold:
        tex = rf"\bm{{{tex}}}" if tex.startswith("\\") else rf"\mathbf{{{tex}}}"
        mml = f"<mi>{_bold_char(base)}</mi>"
    for m in marks:
        accent = _MARKS.get(unicodedata.name(m, ""), "hat")
        tex = rf"\{accent}{{{tex}}}"
        mml = f'<mover accent="true">{mml}<mo>{escape(m)}</mo></mover>'
    return Atom(tex, mml)


def _bold_char(ch: str) -> str:
    """The Unicode bold math letter (𝐱, 𝐖, 𝛌): MathML Core renders no mathvariant="bold"."""
    if "A" <= ch <= "Z":
        return chr(0x1D400 + ord(ch) - ord("A"))
    if "a" <= ch <= "z":
        return chr(0x1D41A + ord(ch) - ord("a"))
    if "α" <= ch <= "ω":
        return chr(0x1D6C2 + ord(ch) - ord("α"))
    if "Α" <= ch <= "Ω":
        return chr(0x1D6A8 + ord(ch) - ord("Α"))
    return escape(ch)


def _tex_letter(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _GREEK_VARIANTS:
        return _GREEK_VARIANTS[ch]
    word = greek_name(ch)
    return "\\" + word if word else rf"\text{{{ch}}}"


def _scripts(atom: Atom, sup: str, sub: str) -> Atom:
    """Attach sub- and superscripts (plain text, T for a transpose) to an atom."""
    if not sup and not sub:
        return atom
    sup_t = sup.replace("T", r"\top") if sup.endswith("T") else sup
    sup_t = sup_t.replace("x", r"\times ") if re.fullmatch(r"[\dx]+", sup) else sup_t
    sup_m = _row(_plain(sup.replace("T", "⊤") if sup.endswith("T") else sup))
    if re.fullmatch(r"[\dx]+", sup):
        sup_m = _row(_plain(sup.replace("x", "×")))
    tex = atom.tex + (f"_{{{_text_tex(sub)}}}" if sub else "") + (f"^{{{sup_t}}}" if sup else "")
    if sub and sup:
        return Atom(tex, f"<msubsup>{atom.mml}{_row(_plain(sub))}{sup_m}</msubsup>")
    if sub:
        return Atom(tex, f"<msub>{atom.mml}{_row(_plain(sub))}</msub>")
    return Atom(tex, f"<msup>{atom.mml}{sup_m}</msup>")


def _text_tex(sub: str) -> str:
    return rf"\mathrm{{{sub}}}" if len(sub) > 1 and sub.isalpha() else sub


def _plain(text: str) -> str:
    """MathML for a script's plain text: (2) and digits as mn, letters as mi, the rest mo."""
    out = []
    for tok in re.findall(r"\(\d+\)|\d+|[A-Za-z]+|.", text):
        if tok.isdigit() or tok[:1] == "(":
            out.append(f"<mn>{tok}</mn>")
        elif tok.isalpha() and tok.isascii():
            out.append(f"<mi>{tok}</mi>")
        else:
            out.append(f"<mo>{escape(tok)}</mo>")
    return "".join(out)


def _row(mml: str) -> str:
    return f"<mrow>{mml}</mrow>"


def _atoms(text: str, bold: Collection[str]) -> list[Atom]:
    """The formula as a flat list of atoms; a ∂a/∂b fraction is one atom."""
    atoms: list[Atom] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == " ":
            if atoms and atoms[-1] is not SPACE:
                atoms.append(SPACE)
            i += 1
            continue
        if ch == "∂":
            frac = _fraction(text, i, bold)
            if frac is not None:
                atom, i = frac
                atoms.append(atom)
                continue
        atom, i = _one(text, i, bold)
        sup = sub = ""
        while True:  # scripts in any order: W⁽²⁾ᵀ, xₜ, W_qhᵀ (to_unicode's fallback for W_{qh})
            more, i = _script(text, i, _SUP_ASCII)
            low, i = _script(text, i, _SUB_ASCII)
            m = _UNDERSCORE.match(text, i)
            if m:
                low, i = low + m.group(1), m.end()
            if not more and not low:
                break
            sup, sub = sup + more, sub + low
        atoms.append(_scripts(atom, sup, sub))
    return atoms


def _one(text: str, i: int, bold: Collection[str]) -> tuple[Atom, int]:
    ch = text[i]
    if ch in _SPECIAL:
        return Atom(*_SPECIAL[ch]), i + 1
    if ch in _OPS:
        tex, mml = _OPS[ch]
        return Atom(tex if ch != "'" and ch != "′" else "'", f"<mo>{mml}</mo>"), i + 1
    m = _NUMBER.match(text, i)
    if m:
        return Atom(m.group(0), f"<mn>{m.group(0)}</mn>"), m.end()
    m = _LETTER.match(text, i)
    if m:
        word, end = m.group(0), m.end()
        while end < len(text) and unicodedata.combining(text[end]):
            word, end = word + text[end], end + 1
        tail = re.search(r"\d+$", word)
        if tail and tail.start() > 0:  # h1, W2: a name with an index, set as h₁
            atom = _letter(word[:tail.start()], _is_bold(text, m.start(), end, bold))
            return _scripts(atom, "", tail.group(0)), end
        return _letter(word, _is_bold(text, m.start(), end, bold)), end
    return Atom(rf"\text{{{_tex_escape(ch)}}}", f"<mo>{escape(ch)}</mo>"), i + 1


def _is_bold(text: str, start: int, end: int, bold: Collection[str]) -> bool:
    """Whether the identifier at text[start:end] (with its label scripts) is a bold variable."""
    if not bold:
        return False
    full = end
    while full < len(text):
        m = _UNDERSCORE.match(text, full)
        if m:
            full = m.end()
        elif text[full] in _SUB_ASCII or text[full] in _SUP_ASCII and text[full] != "ᵀ":
            full += 1
        else:
            break
    return text[start:full] in bold or text[start:end] in bold


def _fraction(text: str, i: int, bold: Collection[str]) -> tuple[Atom, int] | None:
    """`∂J/∂W⁽¹⁾` at text[i]: the two identifiers after each ∂, or None."""
    m = re.match(r"∂([^\s/]+?)/∂", text[i:])
    if not m:
        return None
    top = _atoms(m.group(1), bold)
    j = i + m.end()
    k = j
    while k < len(text) and not text[k].isspace() and text[k] not in ",)(=+·⊙":
        k += 1
    if text[k - 1:k] == "ᵀ":  # ∂J/∂oᵀ: the transpose is of the fraction, not of o
        k -= 1
    if k == j:
        return None
    bottom = _atoms(text[j:k], bold)
    tex = (r"\frac{\partial " + "".join(a.tex for a in top) + r"}{\partial "
           + "".join(a.tex for a in bottom) + "}")
    mml = ("<mfrac><mrow><mo>∂</mo>" + "".join(a.mml for a in top) + "</mrow><mrow><mo>∂</mo>"
           + "".join(a.mml for a in bottom) + "</mrow></mfrac>")
    atom = Atom(tex, mml)
    sup, k2 = _script(text, k, _SUP_ASCII)
    return _scripts(atom, sup, ""), k2


# ---------------------------------------------------------------- output


def to_latex(math: str, bold: Collection[str] = ()) -> str:
    r"""The formula as LaTeX math (amsmath, amssymb and bm).

    >>> to_latex("∂J/∂W⁽²⁾ = ∂J/∂o hᵀ + λ W⁽²⁾", bold={"W⁽²⁾", "o", "h"})
    '\\frac{\\partial J}{\\partial \\mathbf{W}^{(2)}} = \\frac{\\partial J}{\\partial \\mathbf{o}} \\mathbf{h}^{\\top} + \\lambda \\mathbf{W}^{(2)}'
    >>> to_latex("softmax(o) − onehot(y)")
    '\\mathrm{softmax}(o) - \\mathrm{onehot}(y)'
    """
    out = ""
    atoms = _atoms(math, bold)
    texs = _fences([a.tex for a in atoms], "(", ")", r"\frac",
                   (r"\left(", r"\right)"))
    for atom, tex in zip(atoms, texs):
        atom = atom._replace(tex=tex)
        if atom is SPACE or atom.tex == " ":
            out += " "
        elif re.search(r"\\[A-Za-z]+$", out) and atom.tex[:1].isalpha():
            out += " " + atom.tex  # \lambda W, not \lambdaW
        else:
            out += atom.tex
    return out.strip()


def to_mathml(math: str, bold: Collection[str] = (), display: bool = False) -> str:
    """The formula as a MathML <math> element, which browsers render without any script.

    >>> to_mathml("∂J/∂L = 1")
    '<math><mfrac><mrow><mo>∂</mo><mi>J</mi></mrow><mrow><mo>∂</mo><mi>L</mi></mrow></mfrac><mo>=</mo><mn>1</mn></math>'
    """
    mmls = [a.mml for a in _atoms(math, bold)]
    body = "".join(_FIXED.get(m, m) for m in _fences(
        mmls, "<mo>(</mo>", "<mo>)</mo>", "<mfrac>", None,
        ('<mo stretchy="false">(</mo>', '<mo stretchy="false">)</mo>')))
    attr = ' display="block"' if display else ""
    return f"<math{attr}>{body}</math>"


def _fences(items: list[str], opening: str, closing: str, tall: str,
            if_tall: tuple[str, str] | None, if_not: tuple[str, str] | None = None
            ) -> list[str]:
    """Parentheses sized to their content: around a fraction (prod(∂J/∂o, …)) they grow
    (LaTeX \\left( … \\right)); elsewhere they keep the text's height (MathML
    stretchy="false"), so ϕ(z) and W⁽¹⁾ do not grow."""
    out, stack = list(items), []
    for k, item in enumerate(items):
        if item == opening:
            stack.append(k)
        elif item == closing and stack:
            start = stack.pop()
            pair = if_tall if any(tall in x for x in items[start + 1:k]) else if_not
            if pair is not None:
                out[start], out[k] = pair
    return out


_FIXED = {"<mo>‖</mo>": '<mo stretchy="false">‖</mo>',
          "<mo>/</mo>": '<mo lspace="0" rspace="0">/</mo>'}  # λ/2 reads as one fraction


def _tex_escape(text: str) -> str:
    return re.sub(r"([#$%&_{}])", r"\\\1", text)

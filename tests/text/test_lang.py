"""The words of each language: the same keys and placeholders in every table; the locale
picks the default; `trace --lang zh` prints Chinese with the same math."""

from __future__ import annotations

import re
import string

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli
from calcgraph.errors import UsageError
from calcgraph.text.lang import default_language, languages, words


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_english_and_chinese_are_there():
    assert set(languages()) >= {"en", "zh"}


@pytest.mark.parametrize("lang", [lang for lang in languages() if lang != "en"])
def test_every_language_has_every_key_with_the_same_placeholders(lang):
    en, other = words("en"), words(lang)
    assert set(other) == set(en)
    for key, text in en.items():
        assert fields(other[key]) == fields(text), key
        assert other[key].count("$") == text.count("$"), key  # the same math spans


@pytest.mark.parametrize("env,want", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins, as POSIX says
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({}, "en"),
])
def test_default_language_from_the_locale(env, want):
    assert default_language(env) == want


def test_an_unknown_language_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"unknown language: 'fr' \(must be one of \['en', 'zh'"):
        words("fr")


def test_trace_in_chinese_keeps_the_math(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()
    en = runner.invoke(cli, ["trace", "--width", "100", "--lang", "en"]).output
    zh = runner.invoke(cli, ["trace", "--width", "100", "--lang", "zh"]).output
    for word in ("前向传播", "反向传播", "链式法则", "形状", "内存", "显存"):
        assert word in zh
    assert "Forward pass" in en and "Forward pass" not in zh
    math = re.compile(r"(dJ_d\w+ \+?= .*|∂J/∂\S+ = prod\(.*?|prod\(.*?)(?:  [(（].*)?$", re.MULTILINE)
    assert len(math.findall(en)) > 20
    assert math.findall(en) == math.findall(zh)  # every formula and numpy line, unchanged


def test_trace_language_defaults_from_lang(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "反向传播" in CliRunner().invoke(cli, ["trace"]).output


def test_ascii_is_english_whatever_the_language(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = CliRunner().invoke(cli, ["trace", "--ascii", "--lang", "zh", "--step", "9"]).output
    assert out.isascii() and "Backward step 9 of 12" in out

"""The words of each language: one module per language (en.py, zh.py) holding a TEXT table.

Prose templates use `$…$` for math (formula text, rendered per output format) and
`` `…` `` for code, and `{name}` placeholders filled by `words(lang)[key].format(...)`.
A third language is one new module here with the same keys; tests check every key.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Mapping

from calcgraph.errors import UsageError

DEFAULT = "en"


def languages() -> tuple[str, ...]:
    """The language codes with a module here: ('en', 'zh')."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.ispkg))


def words(lang: str) -> Mapping[str, str]:
    """The TEXT table of `lang`, or a UsageError listing the languages there are."""
    if lang not in languages():
        raise UsageError(f"unknown language: {lang!r} (must be one of {list(languages())})")
    return importlib.import_module(f"{__name__}.{lang}").TEXT


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: LC_ALL, then LC_MESSAGES, then LANG (zh_CN.UTF-8 →
    zh); English when none names a language calcgraph speaks."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in languages() else DEFAULT
    return DEFAULT

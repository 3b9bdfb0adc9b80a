"""Terminal-safe text: control characters from user input shown escaped, never sent raw."""

from __future__ import annotations

import unicodedata

# Besides C0/C1 controls and DEL (category Cc): line and paragraph separators, which some
# terminals and editors treat as line breaks, and the bidi overrides that reorder text.
_ALSO = {"\u2028", "\u2029", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
         "\u2067", "\u2068", "\u2069"}


def escape_char(ch: str) -> str:
    """`ch` itself when safe to print, else its escape: '\\x1b', '\\u2028'.

    >>> escape_char("a"), escape_char("\\x1b"), escape_char("\\u2028")
    ('a', '\\\\x1b', '\\\\u2028')
    """
    if ch in _ALSO or unicodedata.category(ch) == "Cc":
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


def printable(text: str, keep: str = "") -> str:
    """`text` with every control character escaped except those in `keep` (e.g. "\\n\\t").

    >>> printable("a\\x1b[2Jb\\x00")
    'a\\\\x1b[2Jb\\\\x00'
    >>> printable("line 1\\nline 2", keep="\\n")
    'line 1\\nline 2'
    """
    if text.isprintable() and not _ALSO.intersection(text):
        return text  # the common case, in one C-speed check
    return "".join(ch if ch in keep else escape_char(ch) for ch in text)

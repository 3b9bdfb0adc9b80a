"""Terminal-safe text: every control character from user input is shown escaped."""

from __future__ import annotations

import pytest

from calcgraph.text.printable import printable


@pytest.mark.parametrize("raw, shown", [
    ("plain λ text", "plain λ text"), ("\x1b[2J", "\\x1b[2J"), ("a\x00b", "a\\x00b"),
    ("bell\x07", "bell\\x07"), ("\x7f", "\\x7f"), ("\x85", "\\x85"), ("\u2028", "\\u2028"),
    ("\u202e evil", "\\u202e evil"), ("tab\t", "tab\\x09"),
])
def test_printable_escapes_controls(raw, shown):
    assert printable(raw) == shown


def test_printable_keeps_what_it_is_told():
    assert printable("a\nb\tc\x1b", keep="\n\t") == "a\nb\tc\\x1b"

"""Every command that prints, to an output encoding without the math symbols (what a Windows
redirect gets): it exits as usual and never raises a UnicodeEncodeError (issue 10.16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Text for a reader: in the narrow encoding itself, math in its ASCII forms.
READABLE = [["check"], ["derive"], ["derive", "--lang", "zh"], ["samples"]]
# A file's content (a spec, DOT, JSON): UTF-8, the encoding calcgraph reads back.
DOCUMENTS = [["samples", "mlp"], ["render", "-o", "-", "--format", "dot"], ["check", "--json"],
             ["render", "-o", "x.svg", "--json"]]


def run(encoding: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "calcgraph", *args], env=env, cwd=cwd,
                          capture_output=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr and proc.stdout.strip()
    return proc


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("args", READABLE, ids=" ".join)
def test_readable_output_is_in_the_narrow_encoding(encoding, args, tmp_path):
    text = run(encoding, args, tmp_path).stdout.decode(encoding)
    assert "\\u" not in text or args[-1] == "zh"  # only Chinese prose needs escapes


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("args", DOCUMENTS, ids=" ".join)
def test_documents_stay_utf8_whole(encoding, args, tmp_path):
    utf8 = run("utf-8", args, tmp_path).stdout
    assert run(encoding, args, tmp_path).stdout == utf8

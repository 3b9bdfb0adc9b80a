"""Tests for calcgraph.graphviz.files: long names, devices, FIFOs, symlinks and stdout."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from calcgraph.errors import RenderError
from calcgraph.graphviz import files


def device(tmp_path, name: str, minor: int):
    """A copy of /dev/null (minor 3) or /dev/full (minor 7); skips where mknod is not allowed."""
    path = tmp_path / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return path


def test_a_legal_254_byte_name_can_be_written(tmp_path):
    # issue 10.10: the temporary name must stay short for any name the folder allows.
    target = tmp_path / ("f" * 250 + ".svg")
    files.write_output(target, b"<svg/>")
    assert target.read_bytes() == b"<svg/>" and os.listdir(tmp_path) == [target.name]


def test_devices_are_written_through_never_replaced(tmp_path):
    # issue 10.11: -o /dev/null as root must not replace the device with a regular file.
    null = device(tmp_path, "null", 3)
    files.write_output(null, b"data")
    assert stat.S_ISCHR(os.stat(null).st_mode)
    full = device(tmp_path, "full", 7)
    with pytest.raises(RenderError, match="cannot write .*full: No space left on device"):
        files.write_output(full, b"data")
    assert stat.S_ISCHR(os.stat(full).st_mode) and sorted(os.listdir(tmp_path)) == [
        "full", "null"]


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    files.write_output(fifo, b"through the pipe")
    reader.join(timeout=30)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_is_followed_and_kept(tmp_path):
    (tmp_path / "real.svg").write_bytes(b"old")
    link = tmp_path / "link.svg"
    link.symlink_to("real.svg")
    files.write_output(link, b"new")
    assert link.is_symlink() and os.readlink(link) == "real.svg"
    assert (tmp_path / "real.svg").read_bytes() == b"new"
    dangling = tmp_path / "dangling.svg"
    dangling.symlink_to("made.svg")
    files.write_output(dangling, b"made")
    assert dangling.is_symlink() and (tmp_path / "made.svg").read_bytes() == b"made"
    assert sorted(os.listdir(tmp_path)) == ["dangling.svg", "link.svg", "made.svg", "real.svg"]


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(RenderError, match="it is a directory"):
        files.write_output(tmp_path, b"x")


def test_dash_is_stdout(capfdbinary):
    # issue 10.12: -o - writes to stdout, not to a file named '-'.
    files.write_output("-", b"\x89PNG bytes")
    assert capfdbinary.readouterr().out == b"\x89PNG bytes"
    assert not os.path.exists("-")

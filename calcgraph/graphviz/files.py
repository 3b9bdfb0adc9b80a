"""Output files: atomic replacement of regular files, write-through to devices, and stdout."""

from __future__ import annotations

import os
import secrets
import stat
import sys
import tempfile
from pathlib import Path

from calcgraph.errors import RenderError

STDOUT = "-"  # the path that means standard output, as for most Unix tools


def write_output(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path`: '-' is stdout, a character device or FIFO is written through,
    a symlink is followed (the link stays, its target gets the bytes), a regular file is
    replaced atomically; anything else (a folder, a block device, a socket) is refused."""
    if str(path) == STDOUT:
        _write_stdout(data)
        return
    target = Path(path)
    # Follow symlinks on purpose: `-o link.svg` updates what the link points at and keeps the
    # link, as editors and `cp` do; replacing the link itself would silently cut it.
    real = Path(os.path.realpath(target))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror}") from None
    if mode is None or stat.S_ISREG(mode):
        _replace(target, real, data)
    elif stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        _write_through(target, real, data)  # /dev/null, /dev/stdout, a pipe: never replaced
    else:
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise RenderError(f"cannot write {target}: it is {kind}")


write_atomic = write_output  # the older name, still used by callers


def replace_file(real: Path, data: bytes, mode: int = 0o666) -> None:
    """Write `data` to a temporary file beside `real`, then rename it over `real`: readers
    see the old file or the whole new one, never a part. The temporary file is removed on
    any failure (OSError, Ctrl-C), and an OSError is raised as it came."""
    # A short temporary name: `.NAME.tmp` would pass the 255-byte limit for a legal long NAME.
    tmp = real.with_name(f".cg-{secrets.token_hex(4)}.tmp")
    # The umask still applies to `mode`: 0o666 gives what a plain open() would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _replace(target: Path, real: Path, data: bytes) -> None:
    try:
        replace_file(real, data)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror}") from None


def _write_through(target: Path, real: Path, data: bytes) -> None:
    try:
        fd = os.open(real, os.O_WRONLY)  # no O_CREAT, no O_TRUNC: a device stays a device
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror}") from None


def _write_stdout(data: bytes) -> None:
    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:  # a text-only stdout (an IDE console): text formats only
            sys.stdout.write(data.decode("utf-8"))
        else:
            stream.write(data)
        sys.stdout.flush()
    except (OSError, UnicodeDecodeError) as exc:
        raise RenderError(f"cannot write to stdout: {exc}") from None


def keep_failed_dot(dot_source: str, out: str | os.PathLike[str]) -> str:
    """Save DOT that Graphviz rejected beside `out` (or in the temp folder); returns where."""
    data = dot_source.encode("utf-8")
    name = "stdout" if str(out) == STDOUT else Path(out).name
    if str(out) != STDOUT:
        beside = Path(out).with_name(name + ".failed.dot")
        try:
            write_output(beside, data)
            return str(beside)
        except RenderError:
            pass
    try:
        fd, kept = tempfile.mkstemp(prefix=name[:100] + ".", suffix=".failed.dot")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return kept
    except OSError as exc:
        return f"nowhere ({exc.strerror})"


def drop_failed_dot(out: str | os.PathLike[str]) -> None:
    """Remove a stale '<out>.failed.dot' left by an earlier failure."""
    if str(out) != STDOUT:
        try:
            Path(out).with_name(Path(out).name + ".failed.dot").unlink(missing_ok=True)
        except OSError:
            pass  # a 255-byte name plus the suffix is too long: there is no such file

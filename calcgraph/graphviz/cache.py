"""The compiled-module cache of the embedded renderer: where it lives, and which files in it
are trusted (this user's, undamaged); anything else is ignored and rebuilt with a note."""

from __future__ import annotations

import hashlib
import os
import stat
import warnings
from pathlib import Path

from calcgraph.errors import CacheWarning
from calcgraph.graphviz.files import replace_file

# Header of a cached compiled module: magic line, then the SHA-256 of the payload.
# wasmtime trusts a precompiled artifact blindly (a flipped byte can crash the
# process), so the digest is checked before every deserialize.
_MAGIC = b"calcgraph-cwasm-1\n"
_DIGEST_SIZE = 32


def cache_dir() -> Path:
    """Module cache: $CALCGRAPH_CACHE_DIR, $XDG_CACHE_HOME/calcgraph or ~/.cache/calcgraph."""
    explicit = os.environ.get("CALCGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "calcgraph"


def distrust(path: Path) -> str | None:
    """Why `path` (a cache file or folder) may hold what another user wrote, or None.

    wasmtime runs a compiled module as machine code, so only files this user wrote count:
    owned by this user, not a symlink, not writable by group or others (nor their folder).
    """
    if not hasattr(os, "getuid"):  # Windows: per-user profile folders, no POSIX modes
        return None
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symlink"
    if info.st_uid != os.getuid():
        return f"belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return f"is writable by others (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def read_trusted(path: Path) -> bytes | None:
    """The cached payload if it is this user's and undamaged; else None, with a note."""
    if not path.exists():
        return None
    folder, mine = distrust(path.parent), distrust(path)
    why = f"its folder {folder}" if folder else (f"it {mine}" if mine else None)
    if why is None:
        try:
            blob = path.read_bytes()
        except OSError as exc:
            why = f"it cannot be read ({exc.strerror})"
        else:
            payload = _verified(blob)
            if payload is not None:
                return payload
            why = "it is damaged (its digest does not match)"
    warn_cache(f"ignoring the cached Graphviz module {path}: {why}; compiling it again")
    return None


def _verified(blob: bytes) -> bytes | None:
    head = len(_MAGIC) + _DIGEST_SIZE
    if len(blob) <= head or not blob.startswith(_MAGIC):
        return None
    payload = blob[head:]
    if hashlib.sha256(payload).digest() != blob[len(_MAGIC) : head]:
        return None
    return payload


def warn_cache(message: str) -> None:
    warnings.warn(message, CacheWarning, stacklevel=4)


def write_cache(path: Path, payload: bytes) -> None:
    """Best effort: an unwritable cache only costs a recompile next time; a folder others
    can write to is never written (what is put there could not be trusted later)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if distrust(path.parent):
            return
        # 0o600: only this user may write what a later run will trust and execute.
        replace_file(path, _MAGIC + hashlib.sha256(payload).digest() + payload, mode=0o600)
    except OSError:
        pass

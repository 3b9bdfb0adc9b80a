"""Just enough of a TrueType/OpenType reader: the faces of a .ttf/.otf/.ttc, their names and
which characters each has a glyph for (the cmap), without loading the whole file."""

from __future__ import annotations

import bisect
import os
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


@dataclass(frozen=True)
class Face:
    """One face of a font file: where it is, its family and style, and the characters it has."""

    path: str
    index: int
    family: str
    style: str
    ranges: tuple[tuple[int, int], ...] = field(repr=False)  # sorted, inclusive code ranges

    def has(self, char: str) -> bool:
        """Whether the face maps `char` to a glyph."""
        code = ord(char)
        i = bisect.bisect_right(self.ranges, (code, 0x10FFFF + 1)) - 1
        return i >= 0 and self.ranges[i][0] <= code <= self.ranges[i][1]


def faces(path: str | os.PathLike[str]) -> list[Face]:
    """Every face in a font file; [] if it is not a font this reader understands."""
    path = os.fspath(path)
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return []
    return list(_faces(path, stamp))


@lru_cache(maxsize=512)
def _faces(path: str, stamp: int) -> tuple[Face, ...]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if head[:4] == b"ttcf":
                (count,) = struct.unpack(">I", head[8:12])
                offsets = struct.unpack(f">{count}I", fh.read(4 * count))
            else:
                offsets = (0,)
            return tuple(_face(fh, path, i, off) for i, off in enumerate(offsets))
    except (OSError, struct.error, ValueError, UnicodeDecodeError):
        return ()


def _face(fh: BinaryIO, path: str, index: int, offset: int) -> Face:
    fh.seek(offset)
    _, count = struct.unpack(">IH", fh.read(6))
    fh.seek(offset + 12)
    tables = {}
    for _ in range(count):
        tag, _, where, length = struct.unpack(">4sIII", fh.read(16))
        tables[tag] = (where, length)
    family, style = _names(fh, tables[b"name"])
    return Face(path, index, family, style, _cmap(fh, tables[b"cmap"]))


def _names(fh: BinaryIO, table: tuple[int, int]) -> tuple[str, str]:
    fh.seek(table[0])
    data = fh.read(table[1])
    _, count, strings = struct.unpack(">HHH", data[:6])
    found: dict[int, str] = {}
    for i in range(count):
        platform, _, lang, name_id, length, off = struct.unpack(
            ">6H", data[6 + 12 * i : 18 + 12 * i])
        if name_id not in (1, 2, 16, 17):
            continue
        raw = data[strings + off : strings + off + length]
        if platform == 3 and lang == 0x409:
            found[name_id] = raw.decode("utf-16-be", errors="replace")
        elif platform == 1 and name_id not in found:
            found[name_id] = raw.decode("mac_roman", errors="replace")
    # Typographic family/style (16, 17) first: a Bold face is then in its real family.
    return found.get(16, found.get(1, "")), found.get(17, found.get(2, ""))


def _cmap(fh: BinaryIO, table: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    fh.seek(table[0])
    data = fh.read(table[1])
    _, count = struct.unpack(">HH", data[:4])
    subtables = {}
    for i in range(count):
        platform, encoding, off = struct.unpack(">HHI", data[4 + 8 * i : 12 + 8 * i])
        subtables[(platform, encoding)] = off
    for key in ((3, 10), (0, 4), (0, 6)):  # full Unicode, format 12
        if key in subtables and _u16(data, subtables[key]) == 12:
            return _merge(_format12(data, subtables[key]))
    for key in ((3, 1), (0, 3), (0, 1), (0, 0)):  # the Basic Multilingual Plane, format 4
        if key in subtables and _u16(data, subtables[key]) == 4:
            return _merge(_format4(data, subtables[key]))
    return ()


def _u16(data: bytes, at: int) -> int:
    return struct.unpack(">H", data[at : at + 2])[0]


def _format12(data: bytes, at: int) -> list[tuple[int, int]]:
    (groups,) = struct.unpack(">I", data[at + 12 : at + 16])
    out = []
    for i in range(groups):
        start, end, glyph = struct.unpack(">III", data[at + 16 + 12 * i : at + 28 + 12 * i])
        out.append((start + (1 if glyph == 0 else 0), end))  # glyph 0 is "missing"
    return [r for r in out if r[0] <= r[1]]


def _format4(data: bytes, at: int) -> list[tuple[int, int]]:
    segs = _u16(data, at + 6) // 2
    ends = struct.unpack(f">{segs}H", data[at + 14 : at + 14 + 2 * segs])
    base = at + 16 + 2 * segs
    starts = struct.unpack(f">{segs}H", data[base : base + 2 * segs])
    range_at = base + 4 * segs
    offsets = struct.unpack(f">{segs}H", data[range_at : range_at + 2 * segs])
    out = []
    for i, (start, end) in enumerate(zip(starts, ends)):
        if start == 0xFFFF:
            continue
        if offsets[i] == 0:
            out.append((start, end))
            continue
        for code in range(start, end + 1):  # glyph ids from the array: 0 means missing
            where = range_at + 2 * i + offsets[i] + 2 * (code - start)
            if where + 2 <= len(data) and _u16(data, where) != 0:
                out.append((code, code))
    return out


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)

"""A grid of squares filing boxes, so a test against "everything" reads only what is near."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


class Buckets:
    """Items filed by the grid squares their box covers, so a query reads only its square's."""

    SIZE = 96.0  # points: about one grid pitch

    def __init__(self) -> None:
        self.squares: dict[tuple[int, int], list] = {}

    def _keys(self, b: Box) -> Iterator[tuple[int, int]]:
        s = self.SIZE
        for i in range(math.floor(b[0] / s), math.floor(b[2] / s) + 1):
            for j in range(math.floor(b[1] / s), math.floor(b[3] / s) + 1):
                yield i, j

    def add(self, b: Box, item: Any) -> None:
        for k in self._keys(b):
            self.squares.setdefault(k, []).append(item)

    def near(self, b: Box) -> Iterator[Any]:
        """Every item whose box may meet b (some more than once)."""
        for k in self._keys(b):
            yield from self.squares.get(k, ())

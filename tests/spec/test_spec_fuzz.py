"""Property-based fuzzing of the spec parser: only calcgraph's own errors escape, nothing hangs."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcgraph.errors import CalcgraphError
from calcgraph.graph import loads_spec
from calcgraph.sources import sample_names, sample_text
from calcgraph.spec import builder as spec_build
from calcgraph.spec import describe

SAMPLES = {name: sample_text(name) for name in sample_names()}
TOKENS = ["graph", "dim", "input", "param", "label", "const", "objective", "class", "node",
          "symbol", "batched", "relu", "matmul", "l2", "scale", "sum", "cross_entropy", "x",
          "W", "y", "z", "J", "d", "q", "lam", "=", ":", ",", "(", ")", "@", "+", "-", "*",
          "/", "#", '"', '"λ"', "[", "]", "[1, -2]", "0", "3", "1/3", "-2", "1e9", "9" * 30, "\t", "λ", "\\",
          "for", "t", "in", "1..T", "..", "[t]", "[t-1]", "[1..T]", "T", "    ", '"x_{t}"']
SETTINGS = settings(max_examples=250, deadline=timedelta(seconds=2),
                    suppress_health_check=[HealthCheck.too_slow])


def survives(text: str, batch: int | None = None) -> None:
    """Load (and if that works, differentiate) the text; only CalcgraphError may escape."""
    # Small arrays keep each example fast; the limit itself is tested in the corpus.
    with mock.patch.object(spec_build, "MAX_ELEMENTS", 20_000):
        try:
            g = loads_spec(text, filename="fuzz.cg", batch=batch)
            g.backward()
        except CalcgraphError as exc:
            assert str(exc)
    describe(text)


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(text):
    survives(text)


@SETTINGS
@given(st.lists(st.lists(st.sampled_from(TOKENS), max_size=12), max_size=12),
       st.sampled_from([None, 2]))
def test_random_token_lines(lines, batch):
    survives("\n".join(" ".join(line) for line in lines), batch)


def _mutate(text: str, edits: list[tuple[int, int, int, str]]) -> str:
    lines = text.splitlines()
    for kind, i, j, piece in edits:
        if not lines:
            break
        i %= len(lines)
        line = lines[i]
        k = j % (len(line) + 1)
        if kind == 0:  # drop a line
            del lines[i]
        elif kind == 1:  # duplicate a line
            lines.insert(i, line)
        elif kind == 2:  # swap two lines
            lines[i], lines[j % len(lines)] = lines[j % len(lines)], line
        elif kind == 3:  # insert a token
            lines[i] = line[:k] + piece + line[k:]
        elif kind == 4:  # delete a few characters
            lines[i] = line[:k] + line[k + 1 + len(piece) % 4:]
        else:  # replace a word-sized piece
            lines[i] = line[:k] + piece + line[k + len(piece):]
    return "\n".join(lines)


@SETTINGS
@given(st.sampled_from(sorted(SAMPLES)),
       st.lists(st.tuples(st.integers(0, 5), st.integers(0, 200), st.integers(0, 200),
                          st.sampled_from(TOKENS)), min_size=1, max_size=6),
       st.sampled_from([None, 3]))
def test_mutated_samples(name, edits, batch):
    survives(_mutate(SAMPLES[name], edits), batch)


def test_every_sample_survives_unmutated():
    for text in SAMPLES.values():
        survives(text)
        survives(text, batch=4)

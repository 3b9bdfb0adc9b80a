"""Tests for calcgraph.graphviz.raster: DPI and pHYs, PDF page size, the worker and Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import calcgraph as cg
from calcgraph.graphviz import raster
from calcgraph.graphviz import run as render

ROOT = Path(__file__).resolve().parents[2]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz not installed")
needs_svg2pdf = pytest.mark.skipif(not raster.svg2pdf_available(),
                                   reason="svg2pdf-py not installed (pip install 'calcgraph[pdf]')")
DOT = cg.mlp().to_dot(annotate="none")


def media_box(pdf: bytes) -> tuple[float, float]:
    found = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert found, pdf[:400]
    return float(found.group(1)), float(found.group(2))


def test_png_states_its_dpi():
    svg = render.render(DOT, "svg", renderer="embedded")
    png = raster.svg_to_png(svg, 300)
    at = png.find(b"pHYs")
    assert 0 < at < png.find(b"IDAT")
    assert struct.unpack(">IIB", png[at + 4 : at + 13]) == (11811, 11811, 1)  # 300 / 0.0254
    width_pt, _ = raster.size_pt(svg)
    assert struct.unpack(">I", png[16:20])[0] == round(width_pt * 300 / 72)
    assert raster.with_dpi(png, 300) == png  # stated once


def test_dpi_and_scale():
    assert raster.resolve_dpi() == raster.DEFAULT_DPI == 300
    assert raster.resolve_dpi(scale=2) == 144 and raster.resolve_dpi(dpi=96) == 96


@needs_svg2pdf
def test_svg2pdf_page_is_the_svg_size_in_points():
    # issue 10.20: svg2pdf made the page 4/3 of the SVG's size (it read pt as px).
    svg = render.render(DOT, "svg", renderer="embedded")
    width, height = media_box(raster.svg_to_pdf(svg))
    assert (width, height) == pytest.approx(raster.size_pt(svg), abs=0.01)


@needs_dot
def test_system_pdf_page_is_the_svg_size_in_points(monkeypatch):
    svg = render.render(DOT, "svg", renderer="system")
    monkeypatch.setattr(render, "svg2pdf_available", lambda: False)
    pdf = render.render(DOT, "pdf", renderer="system")
    assert media_box(pdf) == pytest.approx(raster.size_pt(svg), abs=0.01)


def test_the_worker_draws_the_same_png():
    svg = render.render(DOT, "svg", renderer="embedded")
    assert raster.svg_to_png(svg, 200, worker=True) == raster.svg_to_png(svg, 200, worker=False)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        pytest.skip("no /proc/PID/task/PID/children on this system")
    return [int(p) for p in text.split()]


def running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def is_worker(pid: int) -> bool:
    try:
        return b"resvg_py" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_during_rasterizing_stops_the_worker_and_writes_nothing(tmp_path):
    # issue 10.17: resvg holds the GIL for seconds; Ctrl-C must not wait for it.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "big.png"
    proc = subprocess.Popen([sys.executable, "-m", "calcgraph", "render", "rnn_bptt",
                             "--dpi", "2400", "-o", str(out)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    worker = []
    for _ in range(1200):  # wait (up to ~2 min on a busy machine) for the worker to start
        worker = [p for p in children(proc.pid) if is_worker(p)]
        if worker or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert worker, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and err.decode().endswith("calcgraph: interrupted\n")
    assert not running(worker[0])  # killed, not left drawing
    assert os.listdir(tmp_path) == []  # no PNG, no temp file

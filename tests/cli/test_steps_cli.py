"""`calcgraph render --step/--steps/--backward` and `calcgraph html` from the command line."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from calcgraph.cli import cli
from calcgraph.sources import sample_names


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_step_8_and_12_write_a_figure(tmp_path):
    for k in ("8", "12"):
        out = tmp_path / f"s{k}.svg"
        result = run("render", "--step", k, "--renderer", "embedded", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert 'class="node variable param step"' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "code", "says"), [
    (("--step", "13"), 2, "--step 13: out of range"),
    (("--step", "2", "--steps"), 2, "--step K and --steps exclude each other"),
    (("--backward", "sideways"), 2, "'sideways' is not one of 'only', 'both'"),
])
def test_bad_step_options_are_usage_errors(tmp_path, args, code, says):
    out = tmp_path / "x.svg"
    result = run("render", *args, "-o", str(out))
    assert result.exit_code == code and says in result.output
    assert not out.exists()


def test_steps_writes_one_numbered_frame_per_step(tmp_path):
    folder = tmp_path / "frames"
    result = run("render", "--steps", "--renderer", "embedded", "-o", f"{folder}/")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"mlp_step{k:02d}.svg" for k in range(13)]
    assert "13 frames" in result.output


@pytest.mark.parametrize("name", sample_names())
def test_steps_and_backward_work_for_every_sample(tmp_path, name):
    result = run("render", name, "--steps", "--format", "dot", "-o", f"{tmp_path}/f/")
    assert result.exit_code == 0, result.output
    frames = sorted((tmp_path / "f").iterdir())
    assert len(frames) >= 3 and frames[0].name.endswith("step00.dot")
    for mode in ("only", "both"):
        out = tmp_path / f"{mode}.svg"
        result = run("render", name, "--backward", mode, "--renderer", "embedded", "-o",
                     str(out))
        assert result.exit_code == 0, result.output
        assert "∂" in out.read_text(encoding="utf-8")


def test_png_frames_share_one_size(tmp_path):
    image = pytest.importorskip("PIL.Image", reason="Pillow not installed (calcgraph[anim])")
    result = run("render", "--steps", "--format", "png", "--renderer", "embedded", "-o",
                 f"{tmp_path}/")
    assert result.exit_code == 0, result.output
    sizes = {image.open(p).size for p in tmp_path.glob("*.png")}
    assert len(sizes) == 1  # the caption row keeps the widest caption's room in every frame


@pytest.mark.parametrize("ext", ["gif", "webp", "png"])
def test_animation_has_one_frame_per_step_at_a_readable_pace(tmp_path, ext):
    image = pytest.importorskip("PIL.Image", reason="Pillow not installed (calcgraph[anim])")
    out = tmp_path / f"sweep.{ext}"
    result = run("render", "--steps", "--renderer", "embedded", "-o", str(out))
    assert result.exit_code == 0, result.output
    im = image.open(out)
    assert im.n_frames == 13
    if ext == "webp":
        return  # Pillow reads no frame durations back from WebP
    durations = []
    for k in range(im.n_frames):
        im.seek(k)
        durations.append(im.info["duration"])
    assert min(durations) >= 1000 and durations[-1] > durations[1]


def test_animation_without_pillow_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now fails, as without Pillow
    out = tmp_path / "sweep.gif"
    result = CliRunner().invoke(cli, ["render", "--steps", "--renderer", "embedded", "-o",
                                      str(out)])
    assert result.exit_code == 1
    assert "calcgraph: error:" in result.output and "calcgraph[anim]" in result.output
    assert not out.exists()


def test_html_writes_one_page(tmp_path):
    out = tmp_path / "mlp.html"
    result = run("html", "--renderer", "embedded", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (12 backward steps)\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_backward_graph_steps_too(tmp_path):
    result = run("render", "--backward", "--steps", "--format", "dot", "-o", f"{tmp_path}/")
    assert result.exit_code == 0, result.output
    frames = sorted(tmp_path.iterdir())
    assert [f.name for f in frames][:2] == ["mlp_backward_step00.dot", "mlp_backward_step01.dot"]
    assert len(frames) == 13 and 'class="step"' in frames[8].read_text(encoding="utf-8")


def test_steps_to_stdout_is_a_usage_error_and_makes_no_folder(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from calcgraph.cli import cli

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "--steps", "-o", "-"])
    assert result.exit_code == 2
    assert result.output.startswith("calcgraph: error: --steps -o -: frames cannot go to stdout")
    assert list(tmp_path.iterdir()) == []


def test_html_refuses_another_format_and_writes_stdout(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from calcgraph.cli import cli

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["html", "cs231n_circuit", "-o", "page.svg"])
    assert result.exit_code == 2 and "the page is HTML" in result.output
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(cli, ["html", "cs231n_circuit", "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")
    assert "wrote stdout" in result.stderr


@pytest.mark.parametrize("flags", [["--step", "3"], ["--backward"], ["--backward", "both"]])
def test_step_and_backward_refuse_json_instead_of_ignoring_it(tmp_path, flags):
    from click.testing import CliRunner

    from calcgraph.cli import cli

    out = tmp_path / "x.json"
    result = CliRunner().invoke(cli, ["render", "mlp", *flags, "-o", str(out)])
    assert result.exit_code == 2 and "draws a figure (svg png pdf dot)" in result.output
    assert len(result.output.splitlines()) == 1 and not out.exists()

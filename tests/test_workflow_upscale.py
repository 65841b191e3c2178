"""Workflow upscales (`upscale = 2` on an image step) through the runner: the tiny SD pipeline's hires fix on local
images, the same path for cloud images, and a one-line refusal (before any image is bought) when nothing can upscale."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QLabel

from router.errors import SparklioError
from router.gallery import parse_parameters
from router.workflows.runner import BUILTIN_DIR
from ui.pages.workflow_results import ResultView


def with_upscale(engine, name: str, step_line: str, factor: int) -> str:
    """Save a built-in workflow renamed `<name>_up` with `upscale = factor` after `step_line`; its new name."""
    text = (BUILTIN_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert step_line in text
    text = text.replace(f'name = "{name}"', f'name = "{name}_up"', 1).replace(
        step_line, f"{step_line}\nupscale = {factor}"
    )
    engine.user_dir.mkdir(parents=True, exist_ok=True)
    (engine.user_dir / f"{name}_up.toml").write_text(text, encoding="utf-8")
    return f"{name}_up"


def png_parameters(path: str) -> dict:
    with Image.open(path) as im:
        return parse_parameters(im.info["parameters"])


async def test_sns_post_set_images_upscaled_with_the_hires_fix(engine, app, qtbot):
    name = with_upscale(engine, "sns_post_set", 'for_each = "captions"', 2)
    est = engine.estimate(name, {"brief": "Oat latte"}).step("images")
    assert est.upscales == 5 and est.cost_usd == 0.0 and "upscaled 2x on this machine with the hires fix" in est.note
    result = await engine.run(name, {"brief": "Spring launch of our oat-milk latte"})
    assert result.status == "done", result.message
    images = result.output("images")
    assert len(images) == 5 and {i["model"] for i in images} == {"stable-diffusion"}
    for img in images:
        assert Path(img["path"]).name.endswith("_x2.png") and img["upscaled"] == "2x with hires fix"
        assert Image.open(img["original"]).size == (64, 64)
        assert Image.open(img["path"]).size == (128, 128) and img["upscaled_size"] == "128x128"
        params = png_parameters(img["path"])
        assert params["Hires upscale"] == "2" and params["Hires upscaler"] == "hires fix"
        assert params["Denoising strength"] == "0.3" and params["Size"] == "128x128"
        assert params["prompt"].startswith("Social media photo") and params["Seed"] == str(img["seed"])
    assert result.step("images").cost_usd == 0.0
    view = ResultView()
    qtbot.addWidget(view)
    view.show_result(result)
    assert view.deliverable.posts[0].image == images[0]["path"]  # the result and its exports use the large one
    labels = [w.text() for w in view.cards[0].findChildren(QLabel)]
    assert any(t.startswith("Post 1") and "upscaled 2x with hires fix" in t for t in labels)


async def test_cloud_frames_upscaled_by_the_local_hires_fix(engine, app):
    name = with_upscale(engine, "storyboard", 'for_each = "scenes"', 2)
    result = await engine.run(name, {"idea": "A bakery wakes up before the city does"})
    assert result.status == "done", result.message
    frames = result.output("frames")
    assert len(frames) == 4 and {f["model"] for f in frames} == {"gpt-image-2.5-sunburst"}
    small = Image.open(frames[0]["original"]).size
    assert Image.open(frames[0]["path"]).size == (small[0] * 2, small[1] * 2)
    params = png_parameters(frames[0]["path"])
    assert params["Hires upscaler"] == "hires fix" and params["prompt"].startswith("Storyboard frame")  # the step's
    assert result.step("frames").cost_usd == pytest.approx(4 * app.catalog.get("gpt-image-2.5-sunburst").image_price())


async def test_cloud_frames_without_a_local_upscaler_are_refused_before_buying(engine, app, servers):
    app.registry.get("local_sd").set_model_path("")  # no SD model, no upscaler file
    name = with_upscale(engine, "storyboard", 'for_each = "scenes"', 4)
    assert (
        "cannot upscale gpt-image-2.5-sunburst's images 4x" in engine.estimate(name, {"idea": "x"}).step("frames").note
    )
    result = await engine.run(name, {"idea": "A bakery wakes up before the city does"})
    assert result.status == "failed"
    msg = result.step("frames").error
    assert "\n" not in msg and "no upscaler model or Stable Diffusion model on this machine" in msg
    assert not any("/images/" in r.path for s in servers.values() for r in s.requests)  # no image was bought


def test_upscale_is_checked_when_the_workflow_loads(engine):
    with_upscale(engine, "storyboard", 'for_each = "scenes"', 3)
    with pytest.raises(SparklioError, match="upscale must be 2 or 4"):
        engine.get("storyboard_up")


def test_cli_estimate_lists_the_upscales(engine, data_dir, capsys):
    from router.cli import main

    name = with_upscale(engine, "storyboard", 'for_each = "scenes"', 2)
    code = main(["--data-dir", str(data_dir), "workflow", "estimate", name, "--input", "idea=A bakery at dawn"])
    out = capsys.readouterr().out
    assert code == 0 and "Frames: 4 image(s) — cannot upscale gpt-image-2.5-sunburst's images 2x" in out  # no SD here

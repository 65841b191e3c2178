"""Workflow image variations (`variations = N` on an image step) against the fake cloud servers: run, estimate,
the result view's variation strip, choosing another variation, export."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from router.errors import SparklioError
from router.workflows import records
from router.workflows.runner import BUILTIN_DIR, WorkflowRunner
from tests.conftest import catalog_api_models, make_cloud_app
from tests.workflow_fakes import ScriptedAnthropic, ScriptedGemini, ScriptedOpenAI
from ui.pages.workflow_results import ResultView, VariationStrip


def with_variations(name: str, step_line: str, n: int) -> str:
    """A built-in workflow's TOML renamed, with `variations = n` after `step_line` of its image step."""
    text = (BUILTIN_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert step_line in text
    return text.replace(f'name = "{name}"', f'name = "{name}_v"', 1).replace(
        step_line, f"{step_line}\nvariations = {n}"
    )


@pytest.fixture
def engine(data_dir, memory_keyring, qloop):
    """Cloud fakes only: images go to the fake OpenAI image endpoint (which makes `n` images per call)."""
    folder = data_dir / "workflows"
    folder.mkdir()
    (folder / "sns_post_set_v.toml").write_text(with_variations("sns_post_set", 'for_each = "captions"', 3))
    (folder / "storyboard_v.toml").write_text(with_variations("storyboard", 'for_each = "scenes"', 2))
    with (
        ScriptedOpenAI(models=catalog_api_models("openai")) as o,
        ScriptedAnthropic(models=catalog_api_models("anthropic")) as a,
        ScriptedGemini(models=catalog_api_models("google")) as g,
    ):
        app = make_cloud_app(data_dir, memory_keyring, openai=o, anthropic=a, gemini=g)
        yield WorkflowRunner(app)
        qloop.run(app.aclose())


def test_sns_post_set_variations_shown_chosen_and_exported(qtbot, qloop, engine, tmp_path):
    plain = engine.estimate("sns_post_set", {"brief": "Oat latte"}).step("images")
    est = engine.estimate("sns_post_set_v", {"brief": "Oat latte"}).step("images")
    assert est.images == 3 * plain.images == 15 and est.cost_usd == pytest.approx(3 * plain.cost_usd)
    result = qloop.run(engine.run("sns_post_set_v", {"brief": "Spring launch of our oat-milk latte"}), 120)
    assert result.status == "done", result.message
    images = result.output("images")
    assert len(images) == 5 and all(len(i["variations"]) == 3 and i["chosen"] == 0 for i in images)
    first = images[0]
    paths = [v["path"] for v in first["variations"]]
    assert first["path"] == paths[0] and len({Path(p).read_bytes() for p in paths}) == 3  # three distinct images
    spec = engine.app.catalog.get(first["model"])
    assert result.step("images").cost_usd == pytest.approx(15 * spec.image_price(first["size"]))
    view = ResultView()
    qtbot.addWidget(view)
    view.resize(1240, 900)
    view.show()
    view.show_result(result)
    strip = view.cards[0].findChildren(VariationStrip)[0]
    assert [b.isChecked() for b in strip.buttons] == [True, False, False]
    qtbot.mouseClick(strip.buttons[2], Qt.MouseButton.LeftButton)  # choose the third variation
    assert view.deliverable.posts[0].image == paths[2] and view.deliverable.posts[0].chosen == 2
    stored = records.step_rows(result.run_id)["images"].output_value[0]
    assert stored["path"] == paths[2] and stored["chosen"] == 2
    assert engine.result(result.run_id).output("images")[0]["path"] == paths[2]  # reopened later: still chosen
    out = view.export_to(tmp_path / "export.zip")
    with zipfile.ZipFile(out) as zf:
        pngs = sorted(n for n in zf.namelist() if n.endswith(".png"))
        assert len(pngs) == 5 and any(zf.read(n) == Path(paths[2]).read_bytes() for n in pngs)
        man = json.loads(zf.read("manifest.json"))
        pictures = next(s for s in man["steps"] if s["id"] == "images")["images"]
        assert man["run_id"] == result.run_id and [p["chosen"] for p in pictures] == [2, 0, 0, 0, 0]
        assert all(len(p["variation_seeds"]) == 3 for p in pictures)
    with pytest.raises(SparklioError, match="has 3 variation"):
        records.choose_variation(result.run_id, "images", 0, 5)


def test_storyboard_frames_with_variations(qtbot, qloop, engine):
    result = qloop.run(engine.run("storyboard_v", {"idea": "A bakery wakes up before the city does"}), 120)
    assert result.status == "done", result.message
    frames = result.output("frames")
    assert len(frames) == 4 and all(len(f["variations"]) == 2 for f in frames)
    view = ResultView()
    qtbot.addWidget(view)
    view.show_result(result)
    shots = view.deliverable.shots
    assert [len(s.variations) for s in shots] == [2] * 4 and all(s.image == s.variations[0] for s in shots)


def test_variations_are_checked_when_the_workflow_loads(engine):
    bad = with_variations("storyboard", 'for_each = "scenes"', 9)
    (engine.user_dir / "storyboard_v.toml").write_text(bad)
    with pytest.raises(SparklioError, match="variations must be 1 to 8"):
        engine.get("storyboard_v")

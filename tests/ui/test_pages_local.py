"""Models (fake Ollama), Images (cloud and tiny local SD) and Workflows pages against a real facade."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.pages_support import open_page
from ui.controller import AppController

pytestmark = pytest.mark.usefixtures("keep_closed_loops")


# ---------------------------------------------------------------- models


@pytest.fixture
def fake_ollama():
    """The fake Ollama server (real HTTP API on 127.0.0.1)."""
    from tests.fakes.ollama_server import FakeOllama

    with FakeOllama() as fake:
        yield fake


def installed_names(page) -> list[str]:
    return sorted(r["name"] for r in page.ollama.installed.source.records)


def test_models_page_lists_and_manages_ollama_models(qtbot, qloop, controller, demo, fake_ollama):
    demo.settings.set("endpoints", {"ollama": fake_ollama.url})
    page = open_page(qtbot, qloop, "models", controller)
    assert "running" in page.ollama.status.text()
    assert installed_names(page) == sorted(fake_ollama.state.installed)
    assert page.catalog.source.rowCount() == len(demo.model_status())
    assert "GPU" in page.gpu.title_label.text()
    # pull with live progress
    values = []
    page.ollama.progress.valueChanged.connect(values.append)
    page.ollama.pull_name.setText("tinyllama:latest")
    qtbot.mouseClick(page.ollama.pull_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: "tinyllama:latest" in installed_names(page), what="the pulled model to be listed")
    assert max(values) == 1000 and "Downloaded" in page.ollama.message.text()
    assert "tinyllama:latest" in fake_ollama.state.installed
    # cancel a slow pull
    fake_ollama.state.pull_delay_s = 0.05
    page.ollama.pull("phi3:mini")
    qloop.until(
        lambda: "phi3" in page.ollama.pull_text.text() and "MB" in page.ollama.pull_text.text(), what="progress"
    )
    qtbot.mouseClick(page.ollama.cancel_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.ollama.pull_cancel is None, what="the cancelled pull")
    assert "cancelled" in page.ollama.message.text() and "phi3:mini" not in fake_ollama.state.installed

    # load, see it running, unload
    def select(name: str) -> None:
        rows = page.ollama.installed.visible_records()
        page.ollama.installed.selectRow([r["name"] for r in rows].index(name))

    select("llama3.2:3b")
    qtbot.mouseClick(page.ollama.load_btn, Qt.MouseButton.LeftButton)
    qloop.until(
        lambda: "llama3.2:3b" in [r["name"] for r in page.ollama.running.source.records], what="the running list"
    )
    assert "llama3.2:3b" in fake_ollama.loaded()
    select("llama3.2:3b")
    qtbot.mouseClick(page.ollama.unload_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: "llama3.2:3b" not in fake_ollama.loaded(), what="the unload")
    # delete (confirmation answered)
    select("mistral:7b")
    page.ollama.delete_selected(confirm=False)
    qloop.until(lambda: "mistral:7b" not in installed_names(page), what="the deleted model to go")
    assert "mistral:7b" not in fake_ollama.state.installed


def test_models_page_without_ollama_says_how_to_get_it(qtbot, qloop, controller, demo):
    page = open_page(qtbot, qloop, "models", controller)
    text = page.ollama.status.text()
    assert "not running" in text or "ollama.com" in text
    assert not page.ollama.pull_btn.isEnabled() and installed_names(page) == []
    local = [r for r in page.records if r["provider"] == "ollama"]
    assert local and not any(r["available"] for r in local)


# ---------------------------------------------------------------- images


def test_images_cloud_price_before_click_then_generation_is_ledgered(qtbot, qloop, facade, data_dir):
    from router.gallery import list_gallery
    from router.store.db import database

    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "images", controller)
    st = page.studio
    st.model.setCurrentIndex(st.model.findData("gpt-image-2"))  # today's model (DALL-E 3 retired in May)
    st.size.setCurrentText("1024x1024")
    st.batch.setValue(2)
    each = facade.catalog.get("gpt-image-2").image_price("1024x1024")  # genai-prices rate x OpenAI's image tokens
    assert st.price.text().startswith(f"Costs ${2 * each:.2f} (2 × ${each:.2f})")
    said = []
    page.controller.message.connect(lambda level, text: said.append((level, text)))  # the one message bridge
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    assert said == [("error", "describe the image first")]  # empty prompt: nothing sent
    st.prompt.setPlainText("a lighthouse at dusk, watercolour")
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.busy_generating() and page.gallery.list.count() == 2, what="two images")
    assert f"2 image(s) from GPT Image 2 · ${2 * each:.2f}" in page.preview.message.text()
    rows = database.execute_sql(
        "SELECT model, cost_usd, images, outcome FROM llm_usage WHERE kind = 'image'"
    ).fetchall()
    assert rows == [("gpt-image-2", pytest.approx(2 * each), 2, "ok")]
    saved = list_gallery()
    assert len(saved) == 2 and all(r.prompt == "a lighthouse at dusk, watercolour" for r in saved)
    # reuse settings from the gallery
    st.prompt.setPlainText("")
    page.gallery.list.setCurrentRow(0)
    qtbot.mouseClick(page.gallery.reuse_btn, Qt.MouseButton.LeftButton)
    assert st.prompt.toPlainText() == "a lighthouse at dusk, watercolour" and st.model_id() == "gpt-image-2"
    controller.app = None


def test_images_local_stable_diffusion_reports_each_step(qtbot, qloop, facade, tmp_path):
    from local_models.tiny_pipeline import build_tiny_pipeline

    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "images", controller)
    st = page.studio
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    assert "Free" in st.price.text() and "Not available" in st.why.text()
    st.set_model_path(str(build_tiny_pipeline(tmp_path / "tiny")))
    assert st.why.text() == ""
    st.prompt.setPlainText("a red cat")
    st.size.setCurrentText("64x64")
    st.steps.setValue(3)
    st.random_seed.setChecked(False)
    st.seed.setValue(42)
    steps = []
    page.bridge.step.connect(lambda i, n, _png: steps.append((i, n)))
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.busy_generating(), timeout=60, what="the local image")
    assert steps and steps[-1] == (3, 3) and len(steps) == 3, page.preview.message.text()
    assert "$0 (local)" in page.preview.message.text()
    qloop.until(lambda: page.gallery.list.count() == 1, what="the gallery")
    page.gallery.list.setCurrentRow(0)
    assert "seed 42" in page.gallery.details.text() and "a red cat" in page.gallery.details.text()
    assert st.last_seed == 42
    controller.app = None


# ---------------------------------------------------------------- workflows

UI_WORKFLOW = '''name = "ui_test"
title = "UI test"
category = "Test"
description = "Two chat steps."

[inputs.topic]
label = "Topic"
expected_chars = 40

[[steps]]
id = "outline"
title = "Outline"
task = "chat_response"
max_output_tokens = 100
prompt = "Outline a post about {inputs.topic}."

[[steps]]
id = "draft"
title = "Draft"
task = "chat_response"
max_output_tokens = 100
prompt = """Write the post from this outline:
{steps.outline.output}"""
'''


@pytest.fixture
def workflows_page(qtbot, qloop, facade, data_dir):
    (data_dir / "workflows").mkdir()
    (data_dir / "workflows" / "ui_test.toml").write_text(UI_WORKFLOW, encoding="utf-8")
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "workflows", controller)
    titles = [page.list.item(i).text() for i in range(page.list.count())]
    assert "UI test" in titles and "SNS post set" in titles
    page.list.setCurrentRow(titles.index("UI test"))
    page.set_inputs({"topic": "linen shirts"})
    page.update_estimate()
    yield page
    controller.app = None


def test_workflow_estimate_run_and_results(qtbot, qloop, workflows_page, facade, fake_openai):
    from router.store.db import database

    page = workflows_page
    fake_openai.reply_text = "1. Breathable\n2. Natural colours"
    assert page.est_table.rowCount() == 2 and page.est_table.item(0, 0).text() == "Outline"
    assert page.est_summary.text().startswith("<b>~$") and "premium tier" in page.est_summary.text()
    qtbot.mouseClick(page.run_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.job is None and page.last_result is not None, what="the run")
    result = page.last_result
    assert result.status == "done" and [s.status for s in result.steps] == ["done", "done"]
    assert [r.status.text() for r in page.run_view.rows.values()] == ["done", "done"]
    assert page.run_view.outputs_box.count() == 4  # a heading and a view per step
    n = database.execute_sql(
        "SELECT COUNT(*) FROM llm_usage WHERE workflow_run_id = ? AND outcome = 'ok'", (result.run_id,)
    ).fetchone()[0]
    assert n == 2 and "spent" in page.run_view.summary.text()


def test_workflow_failed_step_is_retried(qtbot, qloop, workflows_page, facade, fake_openai):
    page = workflows_page
    fake_openai.require_key = "another-key"  # every call is refused (401): the first step fails
    qtbot.mouseClick(page.run_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.job is None and page.last_result is not None, what="the failed run")
    rows = page.run_view.rows
    assert page.last_result.status == "failed"
    assert rows["outline"].status.text() == "failed" and rows["draft"].status.text() == "skipped"
    assert not rows["outline"].retry_btn.isHidden() and rows["draft"].retry_btn.isHidden()
    assert "retry" in page.run_view.summary.text().lower()
    fake_openai.require_key = None
    page.last_result = None
    qtbot.mouseClick(rows["outline"].retry_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.job is None and page.last_result is not None, what="the retried run")
    assert page.last_result.status == "done" and page.last_result.run_id == page.run_view.run_id
    assert [s.status for s in page.last_result.steps] == ["done", "done"]


def test_workflow_cancel_stops_the_run(qtbot, qloop, workflows_page, fake_openai):
    page = workflows_page
    fake_openai.reply_text = " ".join(f"w{i}" for i in range(200))
    fake_openai.chunk_delay_s = 0.02
    qtbot.mouseClick(page.run_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.run_view.rows["outline"].status.text().startswith("running"), what="the first step")
    qtbot.mouseClick(page.cancel_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.job is None and page.last_result is not None, what="the cancelled run")
    assert page.last_result.status == "cancelled" and page.run_btn.isEnabled()
    assert page.run_view.rows["outline"].status.text() == "cancelled"


def test_models_page_refresh_marks_retired_models_and_shows_list_times(qtbot, qloop, facade, fake_openai, tmp_path):
    controller = AppController()
    controller.attach(facade)
    fake_openai.models.remove("gpt-5.2")  # OpenAI stopped serving it
    page = open_page(qtbot, qloop, "models", controller)
    rows = {r["id"]: r for r in page.records}
    assert rows["gpt-4"]["state"] == "✗ retired → gpt-5.5" and "retired GPT-4 on 2026-10-23" in rows["gpt-4"]["why"]
    assert rows["gpt-5.2"]["state"].startswith("✓ ready")  # no list yet: the catalog's dates decide
    assert page.lists.text().startswith("Model lists: none fetched yet")
    qtbot.mouseClick(page.refresh_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.refresh_btn.isEnabled() and "openai" in page.lists.text(), what="lists refreshed")
    assert "Model lists fetched: " in page.lists.text() and "openai just now" in page.lists.text()
    rows = {r["id"]: r for r in page.records}
    assert rows["gpt-5.2"]["state"].startswith("✗ retired") and "no longer names gpt-5.2" in rows["gpt-5.2"]["why"]
    assert any(r.path == "/v1/models" for r in fake_openai.requests)
    page.grab().save(str(tmp_path / "models.png"))

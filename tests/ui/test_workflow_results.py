"""The assembled result views after real runs (fake cloud servers, tiny SD): post cards, article, shot list, export."""

from __future__ import annotations

import json
import zipfile

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from router.workflows.runner import WorkflowRunner
from tests.conftest import catalog_api_models, make_cloud_app
from tests.workflow_fakes import ScriptedAnthropic, ScriptedGemini, ScriptedOpenAI
from ui.pages.workflow_results import ResultView


@pytest.fixture
def engine(data_dir, memory_keyring, qloop):
    """Cloud fakes only (no local Stable Diffusion here: images route to the fake DALL-E 3)."""
    with (
        ScriptedOpenAI(models=catalog_api_models("openai")) as o,
        ScriptedAnthropic(models=catalog_api_models("anthropic")) as a,
        ScriptedGemini(models=catalog_api_models("google")) as g,
    ):
        app = make_cloud_app(data_dir, memory_keyring, openai=o, anthropic=a, gemini=g)
        yield WorkflowRunner(app)
        qloop.run(app.aclose())


def test_post_cards_copy_save_and_export(qtbot, qloop, engine, tmp_path):
    result = qloop.run(engine.run("sns_post_set", {"brief": "Spring launch of our oat-milk latte"}), 120)
    messages: list[tuple[str, str]] = []
    view = ResultView(lambda text, kind: messages.append((kind, text)))
    qtbot.addWidget(view)
    view.resize(1240, 900)
    view.show()
    view.show_result(result)
    assert view.isVisible() and len(view.cards) == 5
    assert "5 posts ready to post" in view.title_label.text()
    card = view.cards[0]
    assert card.caption.text().startswith("Caption 1") and card.hashtags.text().startswith("#oatlatte")
    qtbot.mouseClick(card.copy_btn, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == result.output("captions")[0].strip() + "\n\n" + card.hashtags.text()
    saved = card.save_to(tmp_path)
    assert [p.name for p in saved] == ["post_1.txt", "post_1.png"] and saved[1].stat().st_size > 0
    out = view.export_to(tmp_path / "export.zip")
    assert messages[-1][0] == "ok" and out is not None
    with zipfile.ZipFile(out) as zf:
        man = json.loads(zf.read("manifest.json"))
        assert man["run_id"] == result.run_id and len([n for n in zf.namelist() if n.endswith(".png")]) == 5
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    assert view.export_to(tmp_path / "busy") is None and messages[-1][0] == "error"
    qloop.spin(0.2)
    view.grab().save(str(tmp_path / "posts.png"))


def test_article_and_storyboard_views(qtbot, qloop, engine):
    blog = qloop.run(engine.run("blog_post", {"topic": "Baking sourdough at home"}), 60)
    view = ResultView()
    qtbot.addWidget(view)
    view.show_result(blog)
    assert "Why sourdough" in view.article.toPlainText()
    buttons = {b.text(): b for b in view.findChildren(type(view.export_btn))}
    qtbot.mouseClick(buttons["Copy as HTML"], Qt.MouseButton.LeftButton)
    assert "<h2>Why sourdough" in QGuiApplication.clipboard().text()
    qtbot.mouseClick(buttons["Copy as Markdown"], Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().startswith("# ")
    story = qloop.run(engine.run("storyboard", {"idea": "A bakery wakes up before the city does"}), 60)
    view.show_result(story)
    qloop.spin()
    texts = [lab.text() for lab in view.findChildren(type(view.title_label)) if lab.text().startswith("<b>Shot")]
    assert len(texts) == 4 and "Scene 1" in texts[0]

"""Chat header (title, totals, models), export, edit-and-resend forks, the folded why-popover, and Compare
with two fake providers streaming at once (holds for both, verdict stored, learner uses it)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from router import compare
from router.store.db import database
from tests.test_compare import preference_counts
from tests.ui.conftest import open_facade
from tests.ui.test_chat import send


@pytest.fixture
def fake_anthropic():
    from tests.fakes.anthropic_server import FakeAnthropic

    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def facade(data_dir, memory_keyring, fake_openai, fake_anthropic, closed_port_url, qloop):
    """OpenAI and Anthropic fakes configured (two providers for Compare)."""
    app = open_facade(data_dir, memory_keyring, openai=fake_openai, ollama_url=closed_port_url)
    app.secrets.set("anthropic", "sk-ant-test")
    app.settings.set("endpoints", {**app.settings.get("endpoints"), "anthropic": fake_anthropic.base_url})
    fake_anthropic.models = sorted({m.api_model for m in app.catalog if m.provider == "anthropic"})
    from ui.chat.stream import warm_providers

    warm_providers(app)  # both SDKs imported up front: a loaded CI machine must not time out the first send
    yield app
    qloop.run(app.aclose())


def test_header_totals_rename_and_export(qtbot, qloop, chat, facade, fake_openai, fake_anthropic, tmp_path):
    fake_openai.reply_text = fake_anthropic.reply_text = "A short answer."
    item = send(qtbot, qloop, chat, "Name three colours")
    header = chat.header
    assert header.title.text() == "Name three colours"
    assert item.model in header.totals.text() and "tokens" in header.totals.text()
    assert header.totals.text().startswith("$") and header.export_btn.isVisible()
    header.title.setText("Colours")
    header.title.editingFinished.emit()
    assert facade.conversations.get(chat.conversation_id).title == "Colours"
    md = header.export_to(tmp_path / "colours.md")
    assert md.read_text().startswith("# Colours") and "A short answer." in md.read_text()
    data = json.loads(header.export_to(tmp_path / "colours.json").read_text())
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"] and data["models"] == [item.model]


def test_edit_and_resend_forks_and_both_branches_switch(qtbot, qloop, chat, facade, fake_openai, fake_anthropic):
    fake_openai.reply_text = fake_anthropic.reply_text = "First answer."
    send(qtbot, qloop, chat, "Write a slogan")
    original = chat.conversation_id
    prompt = chat.view.store.items[0]
    assert prompt.role == "user"
    chat.view.activate(prompt, "edit:")
    assert chat.composer.text() == "Write a slogan" and "new branch" in chat.window().status.currentMessage()
    chat.composer.edit.clear()
    fake_openai.reply_text = fake_anthropic.reply_text = "Second answer."
    answer = send(qtbot, qloop, chat, "Write a short slogan")
    assert answer.text == "Second answer." and chat.conversation_id != original
    assert [m.content for m in facade.conversations.messages(original)] == ["Write a slogan", "First answer."]
    assert [m.content for m in facade.conversations.messages(chat.conversation_id)] == [
        "Write a short slogan",
        "Second answer.",
    ]
    assert chat.header.branch.text() == "branch 2 of 2" and chat.header.prev_btn.isEnabled()
    qtbot.mouseClick(chat.header.prev_btn, Qt.MouseButton.LeftButton)
    assert chat.conversation_id == original and chat.view.store.items[-1].text == "First answer."
    assert chat.header.branch.text() == "branch 1 of 2"


def test_why_popover_shows_the_chain_and_folds_the_others(qtbot, qloop, chat, fake_openai):
    item = send(qtbot, qloop, chat, "Explain recursion")
    chat.view.activate(item, "why:")
    why = chat.why
    text = why.body.text()
    assert why.isVisible() and item.model in text and "Why not the others" in text and why.others_count > 0
    assert "Not used:" not in text
    why.body.linkActivated.emit("others")
    assert "Not used:" in why.body.text() or "Eligible, not in the chain:" in why.body.text()
    why.hide()


def test_compare_two_providers_in_parallel_and_pick_a_winner(
    qtbot, qloop, chat, facade, fake_openai, fake_anthropic, tmp_path
):
    fake_openai.reply_text = fake_anthropic.reply_text = " ".join(f"w{i}" for i in range(40))
    fake_openai.chunk_delay_s = fake_anthropic.chunk_delay_s = 0.01
    chat.composer.set_text("Write a tagline for a bakery")
    dlg = chat.open_compare()
    qtbot.addWidget(dlg)
    dlg.set_models(["gpt-4o-mini", "claude-haiku-4.5"])
    assert dlg.models() == ["gpt-4o-mini", "claude-haiku-4.5"]
    assert dlg.price_label.text().startswith("<b>Up to $") and dlg.send_btn.isEnabled()
    holds: list[int] = []
    original = dlg._update

    def watch(i, c):
        holds.append(database.execute_sql("SELECT COUNT(*) FROM reservations").fetchone()[0])
        original(i, c)

    dlg._update = watch
    qtbot.mouseClick(dlg.send_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: dlg.job is None and dlg.tie_btn.isEnabled(), what="both answers")
    assert max(holds) == 2  # both models streamed under their own budget hold at the same time
    feet = [col[2].text() for col in dlg.columns]
    assert all(f.startswith("$") and f.endswith(" s") for f in feet), feet
    assert all(col[1].toPlainText().startswith("w0") for col in dlg.columns)
    dlg.grab().save(str(tmp_path / "compare.png"))
    qtbot.mouseClick(dlg.columns[1][3], Qt.MouseButton.LeftButton)
    assert dlg.verdict == "claude-haiku-4.5" and "won" in dlg.verdict_label.text()
    counts = preference_counts()
    assert counts["claude-haiku-4.5"] == (1, 0, 0) and counts["gpt-4o-mini"] == (0, 1, 0)
    # the learner reads verdicts next to star ratings (weighted rows in its evidence)
    rows = database.execute_sql(f"SELECT model, SUM(w) FROM ({compare.EVIDENCE_SQL}) GROUP BY model").fetchall()
    assert dict(rows)["claude-haiku-4.5"] == compare.PREFERENCE_WEIGHT

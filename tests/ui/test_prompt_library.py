"""Prompt library in the GUI: Settings → Routing edits a task's system prompt (used by the next chat answer),
saves a prompt, and "/" in the composer inserts it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_chat import send


def test_settings_edit_then_chat_uses_it_and_slash_inserts_saved(qtbot, qloop, window, facade, fake_openai):
    settings = window.show_page("settings")
    card = settings.prompts
    qloop.until(lambda: card.task.count() > 0, what="the settings page to load")
    card.task.setCurrentIndex(card.task.findData("chat_response"))
    assert "shipped" in card.state.text() and card.system.toPlainText().startswith("Be friendly")
    card.system.setPlainText("Answer in one sentence.")
    qtbot.mouseClick(card.save_btn, Qt.MouseButton.LeftButton)
    assert "your edit" in card.state.text() and facade.prompts.system_for("chat_response") == "Answer in one sentence."
    card.name.setText("hello")
    card.text.setText("Say hello to my team of ")
    qtbot.mouseClick(card.add_btn, Qt.MouseButton.LeftButton)
    assert card.saved.count() == 1 and card.saved.item(0).text().startswith("/hello")
    chat = window.show_page("chat")
    chat.composer.task.setCurrentIndex(chat.composer.task.findData("chat_response"))
    assert chat.composer.task.task() == "chat_response"
    qtbot.keyClicks(chat.composer.edit, "/")
    menu = chat.slash.menu
    assert menu is not None and next(a.text() for a in menu.actions()).startswith("/hello")
    menu.actions()[0].trigger()
    assert chat.composer.text() == "Say hello to my team of "
    chat.composer.edit.clear()
    qtbot.keyClicks(chat.composer.edit, "/hello ")
    assert chat.composer.text() == "Say hello to my team of "
    chat.composer.edit.clear()
    send(qtbot, qloop, chat, "hi there, how are you?")
    assert fake_openai.last.json["messages"][0]["content"] == "Answer in one sentence."
    qtbot.mouseClick(card.reset_btn, Qt.MouseButton.LeftButton)
    assert not facade.prompts.is_edited("chat_response")

"""One way for any page to report an error or notice (AppController.error/warning/info -> the status bar), and only
the controller emits its signals: catalogChanged fires once per change."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.pages_support import open_page
from ui.controller import AppController


@pytest.fixture
def said(window):
    """(level, text) of every line the controller's message bridge carried."""
    out: list[tuple[str, str]] = []
    window.controller.message.connect(lambda level, text: out.append((level, text)))
    return out


def test_each_level_is_one_line_in_the_status_bar(window, said):
    for level, text in (("error", "The key was refused."), ("warning", "Cancelled."), ("info", "Saved.")):
        getattr(window.controller, level)(text)
        assert window.status.last_line == (level, text) and window.status.currentMessage() == text
    assert said == [("error", "The key was refused."), ("warning", "Cancelled."), ("info", "Saved.")]


def test_a_failed_background_task_is_reported_once(window, said, qloop):
    from router.errors import SparklioError

    async def boom():
        raise SparklioError("Ollama is not running")

    task = window.controller.spawn(boom())
    qloop.until(task.done, what="the task")
    qloop.spin(0.05)
    assert said == [("error", "Ollama is not running")]


def test_chat_and_page_errors_go_through_the_bridge(window, said, qtbot, qloop, facade):
    chat = window.show_page("chat")
    chat.conversations.rename(None, "")  # an empty title: the list reports it, the page does not draw its own line
    assert said[-1] == ("error", "A chat needs a title.")
    budget = window.show_page("budget")
    qloop.until(lambda: budget.editor.monthly.isVisible(), what="the budget page")
    budget.editor.monthly.setText("abc")
    qtbot.mouseClick(budget.editor.save, Qt.MouseButton.LeftButton)
    assert said[-1][0] == "error" and "monthly limit must be a number" in said[-1][1]
    assert window.status.currentMessage() == said[-1][1]


def test_catalog_changed_fires_once_per_change(qtbot, qloop, facade):
    controller = AppController()
    controller.attach(facade)
    fired: list[int] = []
    controller.catalogChanged.connect(lambda: fired.append(1))
    page = open_page(qtbot, qloop, "settings", controller)
    page.endpoints.edits["openai"].setText("http://127.0.0.1:9/v1")
    page.endpoints.save()  # two settings (endpoints, compat models) change: the models change once
    qloop.spin(0.1)
    assert fired == [1]
    controller.keys_changed()
    controller.keys_changed()
    qloop.spin(0.1)
    assert fired == [1, 1]

"""The answer footer's "wrong task?": pick the task the prompt really was; Auto learns the correction."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu


def task_menu(page: Any, item: Any, pos: QPoint) -> QMenu:
    """A menu of the 22 tasks (the current one disabled); choosing one records the correction."""
    from router.classify import TASK_TYPES

    app = page.controller.app
    menu = QMenu(page)
    current = item.meta.get("task")
    for task in TASK_TYPES:
        label = app.policy.task(task).label if app is not None else task
        act = menu.addAction(label, lambda t=task: correct_task(page, item, t))
        act.setEnabled(task != current)
    menu.popup(pos)
    return menu


def correct_task(page: Any, item: Any, task: str) -> None:
    """Store the correction (the model retrains in the background) and show it in the footer."""
    app = page.controller.app
    if app is None or item.id is None:
        return
    try:
        app.auto.correct_answer(item.id, task, source="answer", background=True)
    except Exception as exc:  # a SparklioError: one line above the composer
        page.controller.error(str(exc))
        return
    item.meta["corrected_task"] = task
    page.view.refresh_item(item)

"""Settings → Routing → Prompt library: each task's system prompt (edit, turn off, reset) and saved prompts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
)

from router.errors import SparklioError
from router.planner import estimate_tokens
from router.types import Message
from ui.widgets.card import Card, muted


class PromptsCard(Card):
    """The task's system prompt (shipped or yours) and your saved prompts ("/" in the chat composer)."""

    def __init__(self, page: Any) -> None:
        super().__init__(
            "Prompt library",
            "A short system prompt per task: says what to do and the output format"
            " (the policy document's prompt optimisation). Empty turns it off.",
        )
        self.page = page
        self.app: Any = None
        row = QHBoxLayout()
        row.addWidget(QLabel("Task"))
        self.task = QComboBox()
        self.task.currentIndexChanged.connect(self._show_task)
        row.addWidget(self.task, 1)
        self.state = muted(QLabel(""))
        row.addWidget(self.state)
        self.body.addLayout(row)
        self.system = QPlainTextEdit()
        self.system.setFixedHeight(70)
        self.body.addWidget(self.system)
        buttons = QHBoxLayout()
        self.save_btn = QPushButton("Save prompt")
        self.reset_btn = QPushButton("Back to shipped")
        self.save_btn.clicked.connect(self.save_system)
        self.reset_btn.clicked.connect(self.reset_system)
        buttons.addWidget(self.save_btn)
        buttons.addWidget(self.reset_btn)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.body.addWidget(QLabel("<b>Your saved prompts</b> — type / in the chat box to insert one"))
        self.saved = QListWidget()
        self.saved.setMaximumHeight(120)
        self.saved.currentItemChanged.connect(self._show_saved)
        self.body.addWidget(self.saved)
        new = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("name (e.g. tweet)")
        self.name.setMaximumWidth(180)
        self.text = QLineEdit()
        self.text.setPlaceholderText("the prompt text")
        self.add_btn = QPushButton("Save")
        self.del_btn = QPushButton("Delete")
        self.add_btn.clicked.connect(self.save_saved)
        self.del_btn.clicked.connect(self.delete_saved)
        for w in (self.name, self.text, self.add_btn, self.del_btn):
            new.addWidget(w, 1 if w is self.text else 0)
        self.body.addLayout(new)

    def load(self, app: Any) -> None:
        """List the tasks that take a system prompt and the saved prompts."""
        self.app = app
        keep = self.task.currentData()
        self.task.blockSignals(True)
        self.task.clear()
        from router.prompts import shipped

        for t in sorted(set(shipped()) & set(app.policy.tasks)):
            self.task.addItem(t.replace("_", " "), t)
        self.task.setCurrentIndex(max(0, self.task.findData(keep)))
        self.task.blockSignals(False)
        self._show_task()
        self._list_saved()

    def _show_task(self) -> None:
        task = self.task.currentData()
        if self.app is None or task is None:
            return
        text = self.app.prompts.system_for(task)
        self.system.setPlainText(text)
        tokens = estimate_tokens([Message("system", text)]) if text else 0
        self.state.setText(
            ("your edit" if self.app.prompts.is_edited(task) else "shipped")
            + (f" · ~{tokens} tokens a request" if text else " · off")
        )

    def save_system(self) -> None:
        """Store the edited prompt for the selected task."""
        try:
            self.app.prompts.set_system(self.task.currentData(), self.system.toPlainText())
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        self._show_task()

    def reset_system(self) -> None:
        """Use the shipped prompt again."""
        self.app.prompts.reset(self.task.currentData())
        self._show_task()

    def _list_saved(self) -> None:
        self.saved.clear()
        for p in self.app.prompts.saved():
            it = QListWidgetItem(f"/{p['name']} — {p['text'][:80]}")
            it.setData(Qt.ItemDataRole.UserRole, p)
            self.saved.addItem(it)

    def _show_saved(self, cur: QListWidgetItem | None, _prev: Any) -> None:
        if cur is not None:
            p = cur.data(Qt.ItemDataRole.UserRole)
            self.name.setText(p["name"])
            self.text.setText(p["text"])

    def save_saved(self) -> None:
        """Save (or replace) the named prompt."""
        try:
            self.app.prompts.save(self.name.text(), self.text.text())
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        self._list_saved()

    def delete_saved(self) -> None:
        """Delete the named prompt."""
        self.app.prompts.delete(self.name.text().strip())
        self._list_saved()

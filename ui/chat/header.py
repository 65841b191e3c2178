"""The chat header: editable title, the conversation's cost, tokens and models, branches, Export and Compare."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from router.errors import SparklioError
from ui.widgets.card import muted


def _tools() -> Any:
    """router.conversation_tools, imported on first use (it opens peewee: not on the start-up path)."""
    from router import conversation_tools

    return conversation_tools


def totals_text(t: Any) -> str:
    """ "$0.0123 · 1,234 tokens · gpt-4o-mini, +1" (the most used model, then how many others; all in the tooltip)."""
    models = t.models[:1] + ([f"+{len(t.models) - 1}"] if len(t.models) > 1 else [])
    cost = f"${t.cost_usd:.4f}" if t.cost_usd < 1 else f"${t.cost_usd:.2f}"
    return f"{cost} · {t.tokens:,} tokens" + (f" · {', '.join(models)}" if models else "")


class ConversationHeader(QWidget):
    """Title (click to edit), running totals, branch switcher, Export (Markdown/JSON) and Compare."""

    renamed = Signal(int)
    branchSelected = Signal(int)
    compareRequested = Signal()

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.cid: int | None = None
        self.family: list[int] = []
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 8, 24, 0)
        self.title = QLineEdit()
        self.title.setFrame(False)
        self.title.setPlaceholderText("New chat")
        self.title.setToolTip("Click to rename this conversation")
        self.title.setStyleSheet(
            "QLineEdit { font-size: 12pt; font-weight: 600; background: transparent; border: none; padding: 0px; }"
        )
        self.title.setMinimumWidth(140)
        self.title.editingFinished.connect(self._rename)
        self.totals = muted(QLabel(""))
        self.prev_btn = QToolButton(text="‹")
        self.next_btn = QToolButton(text="›")
        self.branch = muted(QLabel(""))
        self.prev_btn.clicked.connect(lambda: self._step(-1))
        self.next_btn.clicked.connect(lambda: self._step(1))
        self.export_btn = QPushButton("Export")
        menu = QMenu(self.export_btn)
        menu.addAction("Markdown with images…", lambda: self._export(".md"))
        menu.addAction("JSON…", lambda: self._export(".json"))
        self.export_btn.setMenu(menu)
        self.compare_btn = QPushButton("Compare…")
        self.compare_btn.setToolTip("Send one prompt to two or three models side by side and pick the better answer")
        self.compare_btn.clicked.connect(self.compareRequested)
        titled = QVBoxLayout()  # the title takes the row's free width; the totals sit under it, never squeezing it
        titled.setSpacing(0)
        titled.addWidget(self.title)
        titled.addWidget(self.totals)
        row.addLayout(titled, 1)
        for w in (self.prev_btn, self.branch, self.next_btn, self.export_btn, self.compare_btn):
            row.addWidget(w)
        self.show_conversation(None)

    def show_conversation(self, cid: int | None) -> None:
        """Show a conversation's title, totals and branches (a new chat shows only Compare)."""
        self.cid = cid
        app = self.controller.app
        has = cid is not None and app is not None
        for w in (self.title, self.totals, self.export_btn):
            w.setVisible(has)
        self.family = _tools().branches(cid) if has else []
        for w in (self.prev_btn, self.branch, self.next_btn):
            w.setVisible(len(self.family) > 1)
        if not has:
            self.title.setText("")
            return
        try:
            conv = app.conversations.get(cid)
        except SparklioError as exc:
            self.controller.error(str(exc))
            return
        if not self.title.hasFocus():
            self.title.setText(conv.title)
            self.title.setCursorPosition(0)  # a long title shows its beginning
        t = _tools().totals(cid)
        self.totals.setText(totals_text(t))
        self.totals.setToolTip(
            f"{t.input_tokens:,} tokens in, {t.output_tokens:,} out · models: " + (", ".join(t.models) or "none yet")
        )
        if len(self.family) > 1:
            i = self.family.index(cid)
            self.branch.setText(f"branch {i + 1} of {len(self.family)}")
            self.branch.setToolTip("Editing a sent message starts a branch; both are kept")
            self.prev_btn.setEnabled(i > 0)
            self.next_btn.setEnabled(i < len(self.family) - 1)

    def _rename(self) -> None:
        app = self.controller.app
        text = self.title.text().strip()
        if self.cid is None or app is None or not text:
            return
        try:
            if text != app.conversations.get(self.cid).title:
                app.conversations.rename(self.cid, text)
                self.renamed.emit(self.cid)
        except SparklioError as exc:
            self.controller.error(str(exc))

    def _step(self, delta: int) -> None:
        if self.cid in self.family:
            i = self.family.index(self.cid) + delta
            if 0 <= i < len(self.family):
                self.branchSelected.emit(self.family[i])

    def _export(self, suffix: str) -> None:
        if self.cid is None:
            return
        name = re.sub(r"[^\w\- ]+", "", self.title.text()).strip() or f"chat-{self.cid}"
        kind = "Markdown (*.md)" if suffix == ".md" else "JSON (*.json)"
        path, _ = QFileDialog.getSaveFileName(self, "Export conversation", name + suffix, kind)
        if path:
            self.export_to(Path(path))

    def export_to(self, dest: Path) -> Path | None:
        """Write the conversation (.md with its images beside it, or .json); errors go to the error line."""
        try:
            return _tools().export(self.controller.app, self.cid, dest)
        except SparklioError as exc:
            self.controller.error(str(exc))
            return None

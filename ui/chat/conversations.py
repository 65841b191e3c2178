"""The conversation list: search, new chat, rename (F2 / double-click), delete with confirmation."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import theme

log = logging.getLogger(__name__)
IdRole = Qt.ItemDataRole.UserRole + 1


def _field(row: Any, name: str, default: Any = None) -> Any:
    return row.get(name, default) if isinstance(row, dict) else getattr(row, name, default)


def _when(ts: float | None) -> str:
    if not ts:
        return ""
    age = time.time() - ts
    if age < 3600:
        return f"{max(int(age // 60), 1)} min ago"
    if age < 86400:
        return f"{int(age // 3600)} h ago"
    return time.strftime("%d %b %Y", time.localtime(ts))


class ConversationList(QFrame):
    """Lists app.conversations; emits `selected(id or None)` and `newRequested()`."""

    selected = Signal(object)
    newRequested = Signal()

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("ConversationPane")
        self.confirm: Callable[[str, str], bool] = self._confirm_dialog  # tests may answer for the user
        self._loading = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 12, 10, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.new_button = QPushButton(theme.current().icon("new_chat", "text", 16), " New chat", self)
        self.new_button.setToolTip("New chat (Ctrl+N)")
        self.new_button.clicked.connect(self.newRequested)
        top.addWidget(self.new_button, 1)
        lay.addLayout(top)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search chats   Ctrl+K")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.current().icon("search", "muted", 16), QLineEdit.ActionPosition.LeadingPosition)
        lay.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setObjectName("ConversationList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setWordWrap(False)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemChanged.connect(self._item_edited)
        lay.addWidget(self.list, 1)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.reload)
        self._pending_rename: tuple[int, str] | None = None
        self._rename_timer = QTimer(self, singleShot=True, interval=0)  # owned: never fires after deletion
        self._rename_timer.timeout.connect(self._apply_rename)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.setMinimumWidth(200)

    # ---- data ----
    def reload(self, select_id: int | None = None) -> None:
        """Re-read the list (keeping or setting the selection) without emitting `selected` for the same row."""
        app = self.controller.app
        if app is None:
            return
        keep = select_id if select_id is not None else self.current_id()
        try:
            rows = list(app.conversations.list(search=self.search.text().strip()))
        except Exception as exc:  # a broken store must not take the page down
            self._report(exc)
            rows = []
        self._loading = True
        try:
            self.list.clear()
            for row in rows:
                cid = _field(row, "id")
                it = QListWidgetItem(_field(row, "title") or "New chat")
                it.setData(IdRole, cid)
                it.setToolTip(_when(_field(row, "updated_at")))
                it.setFlags(it.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(it)
                if cid == keep:
                    self.list.setCurrentItem(it)
        finally:
            self._loading = False

    def current_id(self) -> int | None:
        """The selected conversation's id."""
        it = self.list.currentItem()
        return it.data(IdRole) if it is not None else None

    def ids(self) -> list[int]:
        """Ids in display order."""
        return [self.list.item(i).data(IdRole) for i in range(self.list.count())]

    def select(self, cid: int | None) -> None:
        """Select a conversation by id (None clears the selection)."""
        for i in range(self.list.count()):
            if self.list.item(i).data(IdRole) == cid:
                self.list.setCurrentRow(i)
                return
        self.list.setCurrentItem(None)

    # ---- actions ----
    def rename(self, cid: int, title: str) -> bool:
        """Rename a conversation; False (and an error line) when the title is empty or the store refuses."""
        title = " ".join(title.split())
        if not title:
            self.controller.error("A chat needs a title.")
            self.reload()
            return False
        try:
            self.controller.app.conversations.rename(cid, title)
        except Exception as exc:
            self._report(exc)
            return False
        self.reload(cid)
        return True

    def delete(self, cid: int) -> bool:
        """Delete after confirmation; True when it was deleted."""
        title = next(
            (self.list.item(i).text() for i in range(self.list.count()) if self.list.item(i).data(IdRole) == cid),
            "this chat",
        )
        if not self.confirm("Delete chat?", f"Delete “{title}” and all its messages? This cannot be undone."):
            return False
        try:
            self.controller.app.conversations.delete(cid)
        except Exception as exc:
            self._report(exc)
            return False
        was_current = cid == self.current_id()
        self.reload()
        if was_current:
            self.list.setCurrentItem(None)
            self.selected.emit(None)
        return True

    def focus_search(self) -> None:
        """Ctrl+K."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ---- internals ----
    def _current_changed(self, cur: QListWidgetItem | None, _prev: Any) -> None:
        if not self._loading:
            self.selected.emit(cur.data(IdRole) if cur is not None else None)

    def _item_edited(self, it: QListWidgetItem) -> None:
        if not self._loading:
            self._pending_rename = (it.data(IdRole), it.text())  # renamed after the edit finishes
            self._rename_timer.start()

    def _apply_rename(self) -> None:
        if self._pending_rename is not None:
            cid, title = self._pending_rename
            self._pending_rename = None
            self.rename(cid, title)

    def keyPressEvent(self, event: Any) -> None:
        cid = self.current_id()
        if event.key() == Qt.Key.Key_Delete and cid is not None and not self.search.hasFocus():
            self.delete(cid)
            return
        super().keyPressEvent(event)

    def _menu(self, pos: Any) -> None:
        it = self.list.itemAt(pos)
        if it is None:
            return
        menu = QMenu(self)
        menu.addAction("Rename", lambda: self.list.editItem(it))
        menu.addAction("Delete…", lambda: self.delete(it.data(IdRole)))
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def _confirm_dialog(self, title: str, text: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Yes,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _report(self, exc: Exception) -> None:
        from router.errors import SparklioError

        if isinstance(exc, SparklioError):
            self.controller.error(str(exc))
        else:
            log.exception("conversation list failed", exc_info=exc)
            self.controller.error(f"Could not update the chat list ({type(exc).__name__}).")

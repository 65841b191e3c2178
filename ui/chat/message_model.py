"""The chat list's model: the conversation's messages, paged in from the newest as the user scrolls up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from ui.chat.items import ChatItem, from_stored

ItemRole = Qt.ItemDataRole.UserRole + 1
PAGE = 120  # rows exposed at once; older ones are added as the user scrolls up


class MessageModel(QAbstractListModel):
    """Messages of one conversation; only the newest PAGE rows exist until the user scrolls up."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[ChatItem] = []
        self._older: list[Any] = []  # stored rows not converted yet, oldest first
        self._convert: Callable[[Any], ChatItem] = from_stored

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return item.text
        return None

    @property
    def total(self) -> int:
        """All messages of the conversation, exposed or not."""
        return len(self.items) + len(self._older)

    def reset(self, rows: list[Any], convert: Callable[[Any], ChatItem] = from_stored, page: int = PAGE) -> None:
        """Show a conversation: convert only the newest `page` rows now."""
        self.beginResetModel()
        self._convert = convert
        self._older = list(rows[:-page]) if len(rows) > page else []
        self.items = [convert(r) for r in rows[-page:]] if rows else []
        self.endResetModel()

    def has_older(self) -> bool:
        """True while older messages wait to be shown."""
        return bool(self._older)

    def load_older(self, n: int = PAGE) -> int:
        """Prepend up to `n` older messages; returns how many were added."""
        if not self._older:
            return 0
        take = self._older[-n:]
        del self._older[-n:]
        self.beginInsertRows(QModelIndex(), 0, len(take) - 1)
        self.items[:0] = [self._convert(r) for r in take]
        self.endInsertRows()
        return len(take)

    def append(self, item: ChatItem) -> int:
        """Add a message at the end; returns its row."""
        row = len(self.items)
        self.beginInsertRows(QModelIndex(), row, row)
        self.items.append(item)
        self.endInsertRows()
        return row

    def row_of(self, item: ChatItem) -> int:
        """Row of `item` (searched from the end, where live items are), -1 if absent."""
        for i in range(len(self.items) - 1, -1, -1):
            if self.items[i] is item:
                return i
        return -1

    def changed(self, item: ChatItem) -> None:
        """Tell the view `item` changed (bumps its revision)."""
        item.touch()
        row = self.row_of(item)
        if row >= 0:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx)

    def remove(self, item: ChatItem) -> None:
        """Drop `item` from the view."""
        row = self.row_of(item)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.items[row]
            self.endRemoveRows()

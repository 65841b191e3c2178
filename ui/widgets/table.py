"""Sortable record tables: a model over a list of dicts, a proxy that sorts by raw values, CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

RAW_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Column:
    """One table column: record key, header text, display formatter, numeric alignment."""

    key: str
    header: str
    fmt: Callable[[Any], str] = lambda v: "" if v is None else str(v)
    numeric: bool = False
    tooltip: str = ""


class RecordTableModel(QAbstractTableModel):
    """Rows are dicts; DisplayRole is formatted text, RAW_ROLE the raw value (used for sorting)."""

    def __init__(self, columns: list[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.records: list[dict] = []

    def set_records(self, records: Iterable[dict]) -> None:
        """Replace all rows."""
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Number of records."""
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Number of columns."""
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted text, raw value, alignment."""
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        value = self.records[index.row()].get(col.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return col.fmt(value)
        if role == RAW_ROLE:
            if value is None:
                return float("-inf") if col.numeric else ""
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            h = Qt.AlignmentFlag.AlignRight if col.numeric else Qt.AlignmentFlag.AlignLeft
            return int(h | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column headers (and tooltips)."""
        if orientation != Qt.Orientation.Horizontal or not (0 <= section < len(self.columns)):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
            return col.tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            h = Qt.AlignmentFlag.AlignRight if col.numeric else Qt.AlignmentFlag.AlignLeft
            return int(h | Qt.AlignmentFlag.AlignVCenter)
        return None


class RecordTable(QTableView):
    """A sortable read-only table over records (`.source` model, `.proxy` sorter)."""

    def __init__(
        self,
        columns: list[Column],
        parent: QWidget | None = None,
        *,
        sort_key: str | None = None,
        descending: bool = True,
        max_rows: int = 14,
    ) -> None:
        super().__init__(parent)
        self.max_rows = max_rows
        self.source = RecordTableModel(columns, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setSortRole(RAW_ROLE)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setShowGrid(False)
        self.setWordWrap(False)
        hh = self.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # the user can resize; fit_columns() sizes
        hh.setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(26)
        keys = [c.key for c in columns]
        col = keys.index(sort_key) if sort_key in keys else 0
        self.sortByColumn(col, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)

    def set_records(self, records: Iterable[dict]) -> None:
        """Replace the rows, keeping the current sort."""
        self.source.set_records(records)
        self.fit_columns()
        rows = min(max(self.source.rowCount(), 1), self.max_rows)
        frame = 2 * self.frameWidth()
        bar = self.horizontalScrollBar().sizeHint().height() if self.horizontalScrollBar().isVisible() else 0
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + 26 * rows + frame + bar + 2)

    def fit_columns(self) -> None:
        """Columns sized to their content, then narrowed to fit the view: numbers to their longest value, text
        down to its header (elided). The first (key) column keeps its width; what still does not fit scrolls."""
        self.resizeColumnsToContents()
        hh, model, fm = self.horizontalHeader(), self.model(), self.fontMetrics()
        n, rows = hh.count(), min(model.rowCount(), 200)
        widths = [hh.sectionSize(c) for c in range(n)]
        floor = list(widths)
        for c in range(1, n):
            head = fm.horizontalAdvance(str(model.headerData(c, Qt.Orientation.Horizontal))) + 22
            cells = [model.index(r, c) for r in range(rows)]
            numeric = bool(cells) and all(
                int(model.data(i, Qt.ItemDataRole.TextAlignmentRole) or 0) & int(Qt.AlignmentFlag.AlignRight)
                for i in cells
            )
            longest = max([fm.horizontalAdvance(str(model.data(i) or "")) for i in cells] + [0]) + 12
            floor[c] = min(widths[c], max(head, longest) if numeric else head)
        excess = sum(widths) - (self.viewport().width() - 2)
        slack = sum(w - f for w, f in zip(widths, floor))
        if excess <= 0 or slack <= 0:
            return
        cut = min(1.0, excess / slack)
        for c in range(1, n):
            hh.resizeSection(c, int(widths[c] - (widths[c] - floor[c]) * cut))

    def resizeEvent(self, event: Any) -> None:
        """Refit the columns to the new width."""
        super().resizeEvent(event)
        if self.source.rowCount():
            self.fit_columns()

    def visible_records(self) -> list[dict]:
        """Records in the order the view shows them (after sorting)."""
        out = []
        for r in range(self.proxy.rowCount()):
            src = self.proxy.mapToSource(self.proxy.index(r, 0))
            out.append(self.source.records[src.row()])
        return out


def write_csv(path: str | Path, columns: list[Column], records: Iterable[dict]) -> int:
    """Write `records` to `path` as CSV with raw values under the column headers; returns rows written."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([c.header for c in columns])
        for rec in records:
            w.writerow(["" if rec.get(c.key) is None else rec.get(c.key) for c in columns])
            n += 1
    return n

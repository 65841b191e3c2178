"""Workflows → a run: per-step progress, cost, errors with Retry (optionally on another model), and the outputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import palette
from ui.widgets.card import Card, muted
from ui.widgets.format import money

STATUS_TEXT = {
    "pending": "waiting",
    "running": "running",
    "done": "done",
    "failed": "failed",
    "cancelled": "cancelled",
    "skipped": "skipped",
    "no_match": "no answer in the data",
    "waiting": "waiting for its batch job",
}
STATUS_TOKEN = {"done": "ok", "failed": "danger", "cancelled": "warn", "no_match": "warn", "running": "accent"}


def output_widget(value: Any) -> QWidget:
    """A read-only view of a step output: text (Markdown), a list, a table or images."""
    if isinstance(value, dict) and "columns" in value and "rows" in value:
        t = QTableWidget(len(value["rows"]), len(value["columns"]))
        t.setHorizontalHeaderLabels([str(c) for c in value["columns"]])
        for r, row in enumerate(value["rows"]):
            for c, v in enumerate(row):
                t.setItem(r, c, QTableWidgetItem("NULL" if v is None else str(v)))
        t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        t.setMinimumHeight(min(320, 40 + 26 * len(value["rows"])))
        return t
    if isinstance(value, list) and value and all(isinstance(v, dict) and "path" in v for v in value):
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        for rec in value:
            pm = QPixmap(rec["path"])
            lab = QLabel()
            lab.setToolTip(f"{rec.get('model', '')} · {Path(rec['path']).name}")
            if not pm.isNull():
                lab.setPixmap(
                    pm.scaled(140, 140, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
                )
            else:
                lab.setText(Path(rec["path"]).name)
            lay.addWidget(lab)
        lay.addStretch(1)
        return box
    if isinstance(value, list):
        text = "\n\n".join(f"**{i}.** {v}" for i, v in enumerate(value, 1))
    elif isinstance(value, dict) and "message" in value:
        text = str(value["message"])
    else:
        text = "" if value is None else str(value)
    view = QTextBrowser()
    view.setOpenExternalLinks(True)
    view.setMarkdown(text)
    view.setMinimumHeight(90)
    view.setMaximumHeight(260)
    return view


class StepRow(QWidget):
    """One step: status, model and cost (or the error), item progress, Retry with an optional model."""

    def __init__(
        self,
        step_id: str,
        title: str,
        estimate: float | None,
        models: list[str],
        on_retry: Callable[[str, str | None], None],
    ) -> None:
        super().__init__()
        self.step_id = step_id
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(10)
        self.title = QLabel(f"<b>{title}</b>")
        self.status = QLabel("waiting")
        self.detail = muted(QLabel(f"estimate {money(estimate)}" if estimate is not None else ""))
        self.detail.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.model = QComboBox()
        self.model.addItem("same routing", None)
        for m in models:
            self.model.addItem(m, m)
        self.retry_btn = QPushButton("Retry")
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.status, 0, 1)
        grid.addWidget(self.model, 0, 2)
        grid.addWidget(self.retry_btn, 0, 3)
        grid.addWidget(self.bar, 1, 0, 1, 4)
        grid.addWidget(self.detail, 2, 0, 1, 4)
        grid.setColumnStretch(0, 1)
        self.retry_btn.clicked.connect(lambda: on_retry(step_id, self.model.currentData()))
        self.set_retry(False)

    def set_retry(self, on: bool) -> None:
        """Show Retry (and the model choice) only for a failed or cancelled step."""
        self.retry_btn.setVisible(on)
        self.model.setVisible(on)

    def set_status(self, status: str, detail: str | None = None) -> None:
        """Show a status word (coloured) and optional detail."""
        token = STATUS_TOKEN.get(status, "muted")
        self.status.setStyleSheet(f"color: {palette.color(token).name()}; font-weight: 600;")
        self.status.setText(STATUS_TEXT.get(status, status))
        if status == "running" and self.bar.maximum() <= 1:
            self.bar.setRange(0, 0)  # busy until the first item reports
        elif status in ("done", "skipped"):
            self.bar.setRange(0, 1)
            self.bar.setValue(1 if status == "done" else 0)
        elif status != "running":
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
        if detail is not None:
            self.detail.setText(detail)
        self.set_retry(status in ("failed", "cancelled"))

    def set_items(self, done: int, total: int) -> None:
        """Item progress for fan-out steps."""
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.status.setText(f"running {done}/{total}")


class RunView(Card):
    """Progress of the current run and, once finished, every step's output."""

    def __init__(self, on_retry: Callable[[str, str | None], None]) -> None:
        super().__init__("Run")
        self.on_retry = on_retry
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.steps_box = QVBoxLayout()
        self.body.addLayout(self.steps_box)
        self.outputs_box = QVBoxLayout()
        self.body.addLayout(self.outputs_box)
        self.rows: dict[str, StepRow] = {}
        self.run_id: int | None = None
        self.hide()

    @staticmethod
    def _clear(box: QVBoxLayout) -> None:
        while box.count():
            item = box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def start(self, steps: list[tuple[str, str, float | None]], models: list[str], title: str) -> None:
        """Lay out one row per step before the run begins."""
        self._clear(self.steps_box)
        self._clear(self.outputs_box)
        self.rows = {}
        for sid, label, est in steps:
            row = StepRow(sid, label, est, models, self.on_retry)
            self.rows[sid] = row
            self.steps_box.addWidget(row)
        self.title_label.setText(f"Run · {title}")
        self.summary.setText("Starting…")
        self.show()

    def progress(self, p: Any) -> None:
        """Apply one router.workflows.runner.Progress report."""
        self.run_id = p.run_id
        row = self.rows.get(p.step_id)
        if p.event == "run_started":
            self.summary.setText(
                f"Run {p.run_id} started"
                + (f" · estimate {money(p.cost_usd)}" if p.cost_usd else "")
                + (f" · {p.message}" if p.message else "")
            )
        elif row is None:
            if p.event == "run_done":
                self.summary.setText(f"Run {p.run_id}: {p.message} · spent {money(p.cost_usd)}")
        elif p.event == "step_started":
            row.set_status("running")
        elif p.event == "item_done":
            row.set_items(p.index, p.total)
        elif p.event == "step_done":
            row.set_status(
                "done", f"{p.model or 'local'} · {money(p.cost_usd)}" + (f" · {p.message}" if p.message else "")
            )
        elif p.event == "step_failed":
            row.set_status("failed", p.message)
        elif p.event == "step_skipped":
            row.set_status("skipped", "waits for the step that failed")

    def show_result(self, result: Any) -> None:
        """Final state of every step, then their outputs."""
        self.run_id = result.run_id
        for s in result.steps:
            row = self.rows.get(s.step_id)
            if row is None:
                continue
            if s.status == "done":
                row.set_status(
                    "done",
                    f"{s.model or 'local'} · {money(s.cost_usd)}"
                    + (f" (estimate {money(s.estimate_usd)})" if s.estimate_usd is not None else ""),
                )
            else:
                row.set_status(s.status, s.error or None)
        est = f" · estimate was {money(result.estimate_usd)}" if result.estimate_usd is not None else ""
        msg = f"<br>{result.message}" if result.message and result.status != "done" else ""
        colour = palette.color(STATUS_TOKEN.get(result.status, "text")).name()
        self.summary.setText(
            f"<span style='color:{colour}'><b>{STATUS_TEXT.get(result.status, result.status)}"
            f"</b></span> · spent {money(result.cost_usd)}{est}{msg}"
        )
        self._clear(self.outputs_box)
        for s in result.steps:
            if s.output in (None, "", [], {}):
                continue
            head = QLabel(f"<b>{s.title}</b>")
            self.outputs_box.addWidget(head)
            self.outputs_box.addWidget(output_widget(s.output))

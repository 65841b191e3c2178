"""Images → queue: the jobs Generate added, in run order, with progress; reorder (drag, ↑ ↓, Ctrl+Up/Down), cancel,
cancel all."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
)

from router.image_queue import (
    FAILED,
    MAX_VARIATIONS,
    QUEUED,
    RUNNING,
    ImageJob,
    ImageQueue,
)
from ui.widgets import palette
from ui.widgets.card import Card, muted, plain_spins

log = logging.getLogger(__name__)
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_MARK = {QUEUED: "•", RUNNING: "▶", "done": "✓", FAILED: "✕", "cancelled": "–"}


class JobDelegate(QStyledItemDelegate):
    """Draws the running job's progress as a thin bar along the bottom of its row."""

    def paint(self, painter: Any, option: Any, index: Any) -> None:
        super().paint(painter, option, index)
        fraction = index.data(FRACTION_ROLE)
        if fraction is None:
            return
        r = option.rect
        bar = QRect(r.x() + 6, r.bottom() - 3, r.width() - 12, 3)
        painter.fillRect(bar, palette.color("border"))
        painter.fillRect(QRect(bar.x(), bar.y(), int(bar.width() * fraction), bar.height()), palette.color("accent"))

    def sizeHint(self, option: Any, index: Any) -> QSize:
        """Room under the text for the bar."""
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), hint.height() + 8)


class JobList(QListWidget):
    """The queued jobs; queued rows can be dragged to a new place (`reordered` carries the ids in shown order) or
    moved with Ctrl+Up / Ctrl+Down (`shift_requested` carries -1 or +1)."""

    reordered = Signal(list)
    shift_requested = Signal(int)
    SHIFT_KEYS = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}

    def __init__(self) -> None:
        super().__init__()
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setItemDelegate(JobDelegate(self))
        self.setSpacing(1)

    def ids(self) -> list[int]:
        """Job ids top to bottom."""
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]

    def keyPressEvent(self, event: Any) -> None:
        """Ctrl+Up / Ctrl+Down move the selected job; other keys as usual."""
        delta = self.SHIFT_KEYS.get(Qt.Key(event.key()))
        if delta is not None and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.shift_requested.emit(delta)
            event.accept()
            return
        super().keyPressEvent(event)

    def dropEvent(self, event: Any) -> None:
        """After Qt moved the row, tell the queue the new order."""
        super().dropEvent(event)
        self.reordered.emit(self.ids())


class QueueCard(Card):
    """The queue view; the page runs the jobs (ImagesPage.pump) and this card shows and edits their order."""

    def __init__(self, page: Any) -> None:
        super().__init__("Queue", "Generate adds jobs; one runs at a time, top first (reorder: drag, ↑ ↓, Ctrl+↑/↓).")
        self.page = page
        self.queue = ImageQueue(on_change=self.render, persist=self._persist)
        self.restored = False  # the last session's unfinished jobs were offered (once per run of the app)
        self.variations = QSpinBox()
        self.variations.setRange(1, MAX_VARIATIONS)
        self.variations.setToolTip(
            "Each Generate queues this many jobs; local models give each its own seed "
            "(the fixed seed, seed+1, … or random ones)"
        )
        plain_spins(self.variations)
        self.header.addWidget(muted(QLabel("Variations per Generate")))
        self.header.addWidget(self.variations)
        self.list = JobList()
        self.list.setMinimumHeight(120)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body.addWidget(self.list)
        self.empty = muted(QLabel("Nothing queued."))
        self.body.addWidget(self.empty)
        row = QHBoxLayout()
        self.up_btn, self.down_btn = QPushButton("↑ Up"), QPushButton("↓ Down")
        self.cancel_btn, self.cancel_all_btn = QPushButton("Cancel job"), QPushButton("Cancel all")
        self.up_btn.setToolTip("Run the selected job earlier (Ctrl+Up in the list)")
        self.down_btn.setToolTip("Run the selected job later (Ctrl+Down in the list)")
        self.run_btn = QPushButton("Run queue")
        self.run_btn.setObjectName("Primary")
        self.run_btn.setToolTip("Run the jobs kept from your last session")
        for b in (self.up_btn, self.down_btn, self.cancel_btn, self.cancel_all_btn, self.run_btn):
            row.addWidget(b)
        row.addStretch(1)
        self.body.addLayout(row)
        orow = QHBoxLayout()
        self.overall = QProgressBar()
        self.overall.setRange(0, 1000)
        self.overall.setTextVisible(False)
        self.overall.setFixedHeight(8)
        self.overall_text = muted(QLabel(""))
        orow.addWidget(self.overall, 1)
        orow.addWidget(self.overall_text)
        self.body.addLayout(orow)
        self.up_btn.clicked.connect(lambda: self._shift(-1))
        self.down_btn.clicked.connect(lambda: self._shift(1))
        self.cancel_btn.clicked.connect(self.cancel_selected)
        self.cancel_all_btn.clicked.connect(lambda: self.page.cancel_all())
        self.run_btn.clicked.connect(self.resume)
        self.list.reordered.connect(self.queue.reorder)
        self.list.shift_requested.connect(self._shift)
        self.list.currentItemChanged.connect(lambda _c, _p: self._update_buttons())
        self.render()

    def _persist(self, jobs: list[ImageJob]) -> None:
        """Keep the unfinished jobs in the database (a crash or kill keeps their settings)."""
        from router.image_queue_store import save_jobs

        if self.page.app is None:
            return
        try:
            save_jobs(jobs)
        except Exception:  # never lose the running queue over a database hiccup
            log.exception("could not keep the image queue")

    def restore(self) -> None:
        """Once per run: offer the jobs the last session left unfinished (paused until Run queue or Generate)."""
        from router.image_queue_store import load_jobs

        if self.restored or self.page.app is None:
            return
        self.restored = True
        stored = load_jobs()
        if stored and not self.queue.jobs:
            self.queue.restore(stored)

    def resume(self) -> None:
        """Run the restored jobs."""
        self.queue.resume()
        self.page.pump()

    def selected(self) -> ImageJob | None:
        """The selected job, or None."""
        it = self.list.currentItem()
        return self.queue.get(it.data(Qt.ItemDataRole.UserRole)) if it is not None else None

    def select(self, job_id: int) -> None:
        """Select a job's row."""
        ids = self.list.ids()
        if job_id in ids:
            self.list.setCurrentRow(ids.index(job_id))

    def _shift(self, delta: int) -> None:
        job = self.selected()
        if job is not None and self.queue.shift(job.id, delta):
            self.select(job.id)

    def cancel_selected(self) -> None:
        """Cancel the selected job (queued: removed; running: stopped)."""
        job = self.selected()
        if job is not None:
            self.page.cancel_job(job.id)

    def render(self) -> None:
        """Show the jobs (rows updated in place while the order holds, so a drag is never interrupted)."""
        jobs = self.queue.jobs
        if self.list.ids() != [j.id for j in jobs]:
            current = self.selected()
            self.list.clear()
            for job in jobs:
                it = QListWidgetItem()
                it.setData(Qt.ItemDataRole.UserRole, job.id)
                self.list.addItem(it)
            if current is not None:
                self.select(current.id)
        for i, job in enumerate(jobs):
            self._paint_item(self.list.item(i), job)
        finished, total, fraction = self.queue.overall()
        self.overall.setValue(int(fraction * 1000))
        self.overall_text.setText(
            f"{total} job(s) kept from your last session"
            if self.queue.paused
            else f"{finished} of {total} done"
            if total
            else ""
        )
        self.run_btn.setVisible(self.queue.paused)
        self.empty.setVisible(not jobs)
        self.list.setVisible(bool(jobs))
        self._update_buttons()

    def _paint_item(self, it: QListWidgetItem, job: ImageJob) -> None:
        it.setText(f"{STATE_MARK.get(job.state, '')}  {job.label()}")
        it.setToolTip(job.prompt + (f"\n{job.message}" if job.message else ""))
        it.setData(FRACTION_ROLE, job.fraction if job.state == RUNNING else None)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if job.state == QUEUED:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        it.setFlags(flags)
        if job.state == FAILED:
            it.setForeground(palette.color("danger"))

    def _update_buttons(self) -> None:
        job = self.selected()
        queued = job is not None and job.state == QUEUED
        self.up_btn.setEnabled(queued)
        self.down_btn.setEnabled(queued)
        self.cancel_btn.setEnabled(job is not None and job.state in (QUEUED, RUNNING))
        self.cancel_all_btn.setEnabled(bool(self.queue.active()))

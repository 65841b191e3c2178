"""Settings → routing: policy weights, exploration, and the task table (primary and fallbacks per task)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from router.errors import SparklioError
from router.settings import DEFAULT_WEIGHTS
from ui.widgets import palette
from ui.widgets.card import Card, muted, plain_spins

WEIGHT_LABELS = {"complexity": "Task complexity", "budget": "Budget", "speed": "Speed", "quality": "Quality"}
NONE = "—"


class WeightsCard(Card):
    """Four sliders for the decision matrix (normalised to 100%) and the exploration rate."""

    def __init__(self, page: Any) -> None:
        super().__init__(
            "Routing weights",
            "How much each factor counts when models are scored (the policy document's matrix: 40 / 30 / 20 / 10).",
        )
        self.page = page
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.sliders: dict[str, QSlider] = {}
        self.values: dict[str, QLabel] = {}
        for i, (key, label) in enumerate(WEIGHT_LABELS.items()):
            s = QSlider(Qt.Orientation.Horizontal)
            s.setRange(0, 100)
            s.valueChanged.connect(self._update_labels)
            v = QLabel("")
            v.setMinimumWidth(44)
            v.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(QLabel(label), i, 0)
            grid.addWidget(s, i, 1)
            grid.addWidget(v, i, 2)
            self.sliders[key], self.values[key] = s, v
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        ex = QHBoxLayout()
        ex.addWidget(QLabel("Exploration (A/B) rate"))
        self.exploration = QDoubleSpinBox()
        self.exploration.setRange(0.0, 50.0)
        self.exploration.setDecimals(1)
        self.exploration.setSuffix(" %")
        self.exploration.setSingleStep(1.0)
        plain_spins(self.exploration)
        self.exploration.setMaximumWidth(100)
        ex.addWidget(self.exploration)
        ex.addWidget(muted(QLabel("of requests try another model of the same tier")))
        ex.addStretch(1)
        self.body.addLayout(ex)
        self.auto_adopt = QCheckBox("Adopt the learner's suggestions automatically")
        self.body.addWidget(self.auto_adopt)
        row = QHBoxLayout()
        self.message = muted(QLabel(""))
        row.addWidget(self.message, 1)
        self.defaults_btn = QPushButton("Defaults")
        self.save_btn = QPushButton("Save")
        self.save_btn.setObjectName("Primary")
        row.addWidget(self.defaults_btn)
        row.addWidget(self.save_btn)
        self.body.addLayout(row)
        self.defaults_btn.clicked.connect(lambda: self._set_weights(DEFAULT_WEIGHTS))
        self.save_btn.clicked.connect(self.save)

    def _set_weights(self, w: dict) -> None:
        for k, s in self.sliders.items():
            s.setValue(round(float(w.get(k, 0.0)) * 100))
        self._update_labels()

    def _update_labels(self) -> None:
        total = sum(s.value() for s in self.sliders.values()) or 1
        for k, s in self.sliders.items():
            self.values[k].setText(f"{s.value() / total * 100:.0f}%")

    def load(self, app: Any) -> None:
        """Fill from settings."""
        self._set_weights(app.settings.weights)
        self.exploration.setValue(app.settings.exploration_rate * 100)
        self.auto_adopt.setChecked(app.settings.auto_adopt)
        self.message.setText("")

    def save(self) -> None:
        """Store weights (normalised), exploration rate and auto adoption."""
        app = self.page.app
        try:
            app.settings.weights = {k: s.value() / 100 for k, s in self.sliders.items()}
            app.settings.exploration_rate = round(self.exploration.value() / 100, 4)
            app.settings.auto_adopt = self.auto_adopt.isChecked()
        except SparklioError as exc:
            self.message.setStyleSheet(f"color: {palette.color('danger').name()};")
            self.message.setText(str(exc))
            return
        self.load(app)
        self.message.setStyleSheet(f"color: {palette.color('ok').name()};")
        self.message.setText("Saved.")


class TaskTableCard(Card):
    """Primary and fallbacks per task type, as editable combos; "Reset" restores the documents' row."""

    SLOTS = ("Primary", "Fallback 1", "Fallback 2")

    def __init__(self, page: Any) -> None:
        super().__init__(
            "Task table",
            "Which model answers each task type first, and which take over when it"
            " fails. Edited rows are marked; Reset restores the policy documents' row.",
        )
        self.page = page
        self.table = QTableWidget(0, 2 + len(self.SLOTS))
        self.table.setHorizontalHeaderLabels(["Task", *self.SLOTS, ""])
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.verticalHeader().setDefaultSectionSize(34)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table)
        self.message = muted(QLabel(""))
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        self.combos: dict[str, list[QComboBox]] = {}
        self.tasks: list[str] = []
        self._loading = False

    def _choices(self, app: Any, kind: str) -> list[str]:
        want = {"chat": "chat", "image": "image", "embedding": "embedding"}.get(kind, "chat")
        return sorted(m.id for m in app.catalog if m.kind == want)

    def load(self, app: Any) -> None:
        """Build one row per task from the policy (effective rows, Settings overrides included)."""
        self._loading = True
        policy = app.policy
        self.tasks = [t for ids in policy.groups().values() for t in ids]
        self.table.setRowCount(len(self.tasks))
        self.combos.clear()
        for r, task in enumerate(self.tasks):
            row_def = policy.task(task)
            current = policy.row(task)
            edited = current != policy.default_row(task)
            item = QTableWidgetItem(f"{row_def.label}{'  • edited' if edited else ''}")
            item.setToolTip(f"{task} · {row_def.group} · {row_def.complexity}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(r, 0, item)
            choices = self._choices(app, row_def.kind)
            combos = []
            for c in range(len(self.SLOTS)):
                box = QComboBox()
                box.addItems(([] if c == 0 else [NONE]) + choices)
                value = current[c] if c < len(current) else NONE
                if box.findText(value) < 0:
                    box.addItem(value)
                box.setCurrentText(value)
                box.currentTextChanged.connect(lambda _t, t=task: self.row_edited(t))
                self.table.setCellWidget(r, 1 + c, box)
                combos.append(box)
            self.combos[task] = combos
            reset = QPushButton("Reset")
            reset.setEnabled(edited)
            reset.clicked.connect(lambda _=False, t=task: self.reset_row(t))
            self.table.setCellWidget(r, 1 + len(self.SLOTS), reset)
        self.table.setMinimumHeight(min(520, 40 + 34 * len(self.tasks)))
        self._loading = False

    def row_edited(self, task: str) -> None:
        """Save a changed row through the policy (ids checked against the catalog)."""
        if self._loading:
            return
        app = self.page.app
        models = [b.currentText() for b in self.combos[task] if b.currentText() != NONE]
        extra = [m for m in app.policy.row(task)[len(self.SLOTS) :] if m not in models]
        try:
            app.policy.set_task_row(task, list(dict.fromkeys(models + extra)), app.catalog)
        except SparklioError as exc:
            self.message.setText(str(exc))
            self.load(app)
            return
        self.message.setText(f"{task}: {' → '.join(app.policy.row(task))}")
        self._mark(task)

    def reset_row(self, task: str) -> None:
        """Restore the documents' row for `task`."""
        app = self.page.app
        app.policy.reset_task_row(task)
        self.load(app)
        self.message.setText(f"{task} is back to the policy documents' row.")

    def _mark(self, task: str) -> None:
        app = self.page.app
        r = self.tasks.index(task)
        edited = app.policy.row(task) != app.policy.default_row(task)
        self.table.item(r, 0).setText(f"{app.policy.task(task).label}{'  • edited' if edited else ''}")
        w = self.table.cellWidget(r, 1 + len(self.SLOTS))
        if isinstance(w, QWidget):
            w.setEnabled(edited)

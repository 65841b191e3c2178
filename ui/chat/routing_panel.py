"""Task selector (Auto + grouped task types) and the collapsible routing panel (tiers and a pinned model)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QFrame, QGridLayout, QLabel, QPushButton, QWidget

from ui.widgets.retry_choice import RetryChoice

GROUP_ORDER = ("Writing", "Analysis", "Code & data", "Vision & images", "Other")
_GROUP_ALIASES = {
    "writing": "Writing",
    "analysis": "Analysis",
    "code": "Code & data",
    "code & data": "Code & data",
    "code_data": "Code & data",
    "data": "Code & data",
    "vision": "Vision & images",
    "vision & images": "Vision & images",
    "images": "Vision & images",
    "vision_images": "Vision & images",
}


def group_name(raw: str | None) -> str:
    """The display group for a policy task group ('Other' when unknown)."""
    key = (raw or "").strip().lower()
    return _GROUP_ALIASES.get(key, next((g for g in GROUP_ORDER if g.lower() == key), "Other"))


def pretty(task: str) -> str:
    """`code_review` -> `Code review`."""
    return task.replace("_", " ").strip().capitalize()


class TaskSelector(QComboBox):
    """Auto plus the policy's task types under group headers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TaskSelector")
        self.setToolTip("Task type: Auto lets Sparklio detect it")
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self.set_tasks({})

    def set_tasks(self, tasks: dict[str, Any]) -> None:
        """Fill from `policy.tasks` (task -> row with .group and .description); keeps the current task."""
        keep = self.task()
        self._model.clear()
        auto = QStandardItem("Auto task")
        auto.setData(None, Qt.ItemDataRole.UserRole)
        self._model.appendRow(auto)
        groups: dict[str, list[tuple[str, str, str]]] = {g: [] for g in GROUP_ORDER}
        for name, row in tasks.items():
            if getattr(row, "kind", "chat") not in ("chat", None):
                continue
            label = getattr(row, "label", "") or pretty(name)
            desc = getattr(row, "description", "") or label
            groups[group_name(getattr(row, "group", ""))].append((label, name, desc))
        bold = QFont(self.font())
        bold.setBold(True)
        for g in GROUP_ORDER:
            if not groups[g]:
                continue
            head = QStandardItem(g)
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            head.setFont(bold)
            self._model.appendRow(head)
            for label, name, desc in sorted(groups[g]):
                it = QStandardItem("    " + label)
                it.setData(name, Qt.ItemDataRole.UserRole)
                it.setToolTip(desc)
                self._model.appendRow(it)
        self.set_task(keep)

    def task(self) -> str | None:
        """The chosen task type, None for Auto."""
        return self.currentData(Qt.ItemDataRole.UserRole) if self.count() else None

    def set_task(self, task: str | None) -> None:
        """Select a task by name (Auto when unknown)."""
        for i in range(self.count()):
            if self.itemData(i, Qt.ItemDataRole.UserRole) == task and (task is not None or i == 0):
                self.setCurrentIndex(i)
                return
        self.setCurrentIndex(0)

    def tasks(self) -> list[str]:
        """Every selectable task name."""
        return [d for i in range(self.count()) if (d := self.itemData(i, Qt.ItemDataRole.UserRole))]


def _combo(options: Iterable[str], parent: QWidget) -> QComboBox:
    box = QComboBox(parent)
    box.addItem("Auto", None)
    for o in options:
        box.addItem(o.capitalize(), o)
    return box


class RoutingPanel(QFrame):
    """Complexity, budget tier, speed, quality and a pinned model; `changed` fires on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from router.types import BUDGET_TIERS, COMPLEXITIES, QUALITIES, SPEED_TIERS

        self.setObjectName("RoutingPanel")
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        self.complexity = _combo(COMPLEXITIES, self)
        self.budget = _combo(BUDGET_TIERS, self)
        self.speed = _combo(SPEED_TIERS, self)
        self.quality = _combo(QUALITIES, self)
        self.model = QComboBox(self)
        self.model.addItem("Auto (best for the task)", None)
        self.model.setMinimumContentsLength(22)
        fields = (
            ("Complexity", self.complexity),
            ("Budget tier", self.budget),
            ("Speed", self.speed),
            ("Quality", self.quality),
        )
        for col, (label, box) in enumerate(fields):
            lab = QLabel(label, self)
            lab.setObjectName("PanelLabel")
            grid.addWidget(lab, 0, col)
            grid.addWidget(box, 1, col)
            box.currentIndexChanged.connect(self.changed)
        lab = QLabel("Model", self)
        lab.setObjectName("PanelLabel")
        grid.addWidget(lab, 0, 4)
        grid.addWidget(self.model, 1, 4)
        self.model.currentIndexChanged.connect(self.changed)
        self.reset_button = QPushButton("Reset", self)
        self.reset_button.setToolTip("Back to Auto for everything")
        self.reset_button.clicked.connect(self.reset)
        grid.addWidget(self.reset_button, 1, 5)
        self.can_wait = QCheckBox("Can wait: Batch API, half price", self)
        self.can_wait.setToolTip(
            "With speed batch: the request goes through the provider's Batch API and the "
            "answer arrives within 24 hours (a notification tells you)"
        )
        self.can_wait.setEnabled(False)
        self.can_wait.toggled.connect(self.changed)
        self.retry = RetryChoice(self)
        self.retry.setEnabled(False)
        self.can_wait.toggled.connect(self.retry.setEnabled)
        self.speed.currentIndexChanged.connect(lambda: self.can_wait.setEnabled(self.speed.currentData() == "batch"))
        grid.addWidget(self.can_wait, 2, 2, 1, 2)
        grid.addWidget(self.retry, 2, 4)
        grid.setColumnStretch(4, 1)

    def set_models(self, models: list[tuple[str, str, bool, str]]) -> None:
        """Fill the model picker from (id, label, available, why-not) tuples; keeps the pinned model."""
        keep = self.model.currentData()
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItem("Auto (best for the task)", None)
        for mid, label, ok, why in models:
            self.model.addItem(label if ok else f"{label}  (unavailable)", mid)
            self.model.setItemData(self.model.count() - 1, why or mid, Qt.ItemDataRole.ToolTipRole)
        idx = self.model.findData(keep)
        self.model.setCurrentIndex(max(idx, 0))
        self.model.blockSignals(False)

    def values(self) -> dict[str, Any]:
        """RouteRequest fields (None = Auto)."""
        return {
            "complexity": self.complexity.currentData(),
            "budget": self.budget.currentData(),
            "speed": self.speed.currentData(),
            "quality": self.quality.currentData(),
            "model": self.model.currentData(),
            "can_wait": self.can_wait.isEnabled() and self.can_wait.isChecked(),
            "batch_retry": self.retry.mode() if self.can_wait.isChecked() else None,
        }

    def set_values(self, **values: Any) -> None:
        """Set any of complexity, budget, speed, quality, model."""
        for key, val in values.items():
            box: QComboBox = getattr(self, key)
            idx = box.findData(val)
            box.setCurrentIndex(max(idx, 0))

    def reset(self) -> None:
        """Everything back to Auto."""
        for box in (self.complexity, self.budget, self.speed, self.quality, self.model):
            box.setCurrentIndex(0)
        self.can_wait.setChecked(False)
        self.retry.set_mode("live")

    def summary(self) -> str:
        """Short text for the collapsed toggle, e.g. 'complex · premium' or 'Auto'."""
        vals = [v for k, v in self.values().items() if v and isinstance(v, str) and k != "batch_retry"]
        if self.values()["can_wait"]:
            vals.append("can wait")
        return " · ".join(vals) if vals else "Auto"

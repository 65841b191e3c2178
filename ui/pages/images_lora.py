"""Images → studio → LoRAs: tick LoRAs from the LoRA folder, a weight each, trigger words as clickable chips."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from router.errors import SparklioError
from ui.widgets.card import muted, plain_spins

CHIPS_PER_ROW = 4
CHIP_STYLE = "QPushButton { border-radius: 10px; padding: 2px 10px; }"


class LoraRow:
    """One LoRA: a checkbox with its name and a weight box."""

    def __init__(self, info: Any) -> None:
        self.info = info
        self.check = QCheckBox(info.name)
        self.check.setToolTip(str(info.path))
        self.weight = QDoubleSpinBox()
        self.weight.setRange(-4.0, 4.0)
        self.weight.setSingleStep(0.05)
        self.weight.setDecimals(2)
        self.weight.setValue(1.0)
        self.weight.setMaximumWidth(80)
        plain_spins(self.weight)


class LoraPicker(QWidget):
    """The LoRAs in the folder (checkbox + weight), and the ticked ones' trigger words as chips."""

    changed = Signal()

    def __init__(self, insert_word: Callable[[str], None]) -> None:
        super().__init__()
        self.insert_word = insert_word
        self.rows: dict[str, LoraRow] = {}
        self.folder = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(2)
        lay.addLayout(self.grid)
        self.empty = muted(QLabel(""))
        self.empty.setWordWrap(True)
        lay.addWidget(self.empty)
        self.chips_box = QVBoxLayout()
        self.chips_box.setSpacing(4)
        lay.addLayout(self.chips_box)
        self.chips: list[QPushButton] = []

    def load(self, folder: str) -> None:
        """List the folder's LoRAs, keeping ticks and weights by name."""
        from local_models.lora import list_loras

        keep = {n: (r.check.isChecked(), r.weight.value()) for n, r in self.rows.items()}
        self.folder = folder or ""
        try:
            found = list_loras(self.folder)
        except SparklioError as exc:
            found, problem = [], str(exc)
        else:
            problem = ""
        for row in self.rows.values():
            for w in (row.check, row.weight):
                self.grid.removeWidget(w)
                w.hide()
                w.deleteLater()
        self.rows = {}
        for i, info in enumerate(found):
            row = LoraRow(info)
            ticked, weight = keep.get(info.name, (False, 1.0))
            row.check.setChecked(ticked)
            row.weight.setValue(weight)
            row.check.toggled.connect(lambda _on: self._changed())
            row.weight.valueChanged.connect(lambda _v: self.changed.emit())
            self.grid.addWidget(row.check, i // 2, (i % 2) * 2)
            self.grid.addWidget(row.weight, i // 2, (i % 2) * 2 + 1)
            self.rows[info.name] = row
        self.empty.setText(
            problem
            or (
                ""
                if found
                else (
                    f"No .safetensors LoRAs in {self.folder}"
                    if self.folder
                    else "No LoRA folder yet: choose one in Settings → Images"
                )
            )
        )
        self.empty.setVisible(bool(self.empty.text()))
        self._changed()

    def _changed(self) -> None:
        self._show_chips()
        self.changed.emit()

    def _show_chips(self) -> None:
        """A chip per trigger word of the ticked LoRAs; a click puts the word into the prompt."""
        for chip in self.chips:
            chip.hide()
            chip.deleteLater()
        self.chips = []
        while self.chips_box.count():
            item = self.chips_box.takeAt(0)
            if item.layout() is not None:
                item.layout().deleteLater()
        words = [(name, w) for name, row in self.rows.items() if row.check.isChecked() for w in row.info.triggers]
        line: QHBoxLayout | None = None
        for i, (name, word) in enumerate(words):
            if i % CHIPS_PER_ROW == 0:
                line = QHBoxLayout()
                line.setSpacing(6)
                self.chips_box.addLayout(line)
            chip = QPushButton(word)
            chip.setStyleSheet(CHIP_STYLE)
            chip.setToolTip(f"trigger word of {name}: click to add it to the prompt")
            chip.clicked.connect(lambda _c=False, text=word: self.insert_word(text))
            line.addWidget(chip)
            self.chips.append(chip)
        if line is not None:
            line.addStretch(1)

    def selected(self) -> list[tuple[str, float]]:
        """[(file path, weight)] of the ticked LoRAs."""
        return [(str(r.info.path), r.weight.value()) for r in self.rows.values() if r.check.isChecked()]

    def select(self, loras: list[dict]) -> list[str]:
        """Tick exactly these [{"name", "weight"}] ("reuse settings"); returns the names not in the folder."""
        wanted = {d["name"]: float(d.get("weight", 1.0)) for d in loras or []}
        for name, row in self.rows.items():
            row.check.blockSignals(True)
            row.check.setChecked(name in wanted)
            row.check.blockSignals(False)
            if name in wanted:
                row.weight.setValue(wanted[name])
        self._changed()
        return [n for n in wanted if n not in self.rows]

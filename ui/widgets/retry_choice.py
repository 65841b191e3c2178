"""The batch retry choice: what happens to items a provider's Batch API failed (live, a new batch, or nothing)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

RETRY_CHOICES = (
    ("If items fail: retry live", "live"),
    ("If items fail: retry in a new batch", "batch"),
    ("If items fail: don't retry", "none"),
)


class RetryChoice(QComboBox):
    """A combo box whose `mode()` is the batch job's retry mode ("live", "batch" or "none")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for label, mode in RETRY_CHOICES:
            self.addItem(label, mode)
        self.setToolTip(
            "Items the Batch API failed or let expire: sent again live at full price, sent again in a "
            "new batch at half price, or left as errors"
        )

    def mode(self) -> str:
        """The chosen retry mode."""
        return str(self.currentData())

    def set_mode(self, mode: str) -> None:
        """Select a retry mode by its value."""
        self.setCurrentIndex(max(self.findData(mode), 0))

"""Settings → Images: the LoRA folder the studio lists, and an optional upscaler model file (ESRGAN family)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from router.errors import SparklioError
from ui.widgets import palette
from ui.widgets.card import Card, muted

# setting -> (label, placeholder, pick a folder?)
FIELDS = {
    "lora_folder": ("LoRA folder", "a folder of .safetensors LoRAs", True),
    "upscaler_path": ("Upscaler model", "an ESRGAN-family .pth or .safetensors (empty: hires fix)", False),
}


class ImageFilesCard(Card):
    """Two paths, each validated by the router's settings when chosen or cleared."""

    def __init__(self, page: Any) -> None:
        super().__init__(
            "Local images",
            "Where your LoRAs are, and the model Upscale uses (without one, Upscale "
            "runs a tiled img2img hires fix with the Stable Diffusion model).",
        )
        self.page = page
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key, (label, hint, folder) in FIELDS.items():
            edit = QLineEdit()
            edit.setReadOnly(True)
            edit.setPlaceholderText(hint)
            pick, clear = QPushButton("Choose…"), QPushButton("Clear")
            pick.clicked.connect(lambda _c=False, k=key, f=folder: self.choose(k, f))
            clear.clicked.connect(lambda _c=False, k=key: self.store(k, ""))
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(edit, 1)
            row.addWidget(pick)
            row.addWidget(clear)
            box = QWidget()
            box.setLayout(row)
            form.addRow(label, box)
            self.edits[key] = edit
        self.body.addLayout(form)
        self.message = muted(QLabel(""))
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)

    def load(self, app: Any) -> None:
        """Fill from settings."""
        for key, edit in self.edits.items():
            edit.setText(app.settings.get(key) or "")

    def choose(self, key: str, folder: bool) -> None:
        """Pick a folder/file and store it."""
        start = self.edits[key].text()
        if folder:
            path = QFileDialog.getExistingDirectory(self, FIELDS[key][0], start)
        else:
            path, _ = QFileDialog.getOpenFileName(self, FIELDS[key][0], start, "Upscaler models (*.pth *.safetensors)")
        if path:
            self.store(key, path)

    def store(self, key: str, value: str) -> None:
        """Save one path (a bad one is refused with its one-line reason)."""
        app = self.page.app
        try:
            stored = app.settings.set(key, value)
        except SparklioError as exc:
            self.message.setStyleSheet(f"color: {palette.color('danger').name()};")
            self.message.setText(str(exc))
            return
        self.edits[key].setText(stored or "")
        self.message.setStyleSheet(f"color: {palette.color('ok').name()};")
        self.message.setText(f"{FIELDS[key][0]}: {stored or 'cleared'}")
        self.page.controller.catalogChanged.emit()  # the Images page re-reads the LoRA list

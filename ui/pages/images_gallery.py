"""Images → gallery: past images as thumbnails with their parameters, "Reuse settings", open and delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QWidget

from ui.widgets.card import Card, muted

THUMB = 132


def load_thumbnails(rows: list[Any]) -> list[tuple[Any, QImage]]:
    """Scaled QImages for gallery rows (runs in a worker thread; QImage is thread-safe, QPixmap is not)."""
    out = []
    for r in rows:
        reader = QImageReader(r.path)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio))
        out.append((r, reader.read()))
    return out


def describe(params: dict, model: str = "") -> str:
    """One readable line of an image's parameters."""
    bits = []
    if params.get("width"):
        bits.append(f"{params['width']}×{params['height']}")
    elif params.get("size"):
        bits.append(str(params["size"]))
    for key, label in (("steps", "steps"), ("guidance", "CFG"), ("sampler", ""), ("seed", "seed"),
                       ("quality", "")):
        if params.get(key) not in (None, ""):
            bits.append(f"{label} {params[key]}".strip() if label != "seed" else f"seed {params[key]}")
    return " · ".join([model or params.get("model", "")] + bits).strip(" ·")


class GalleryCard(Card):
    """Newest images first; selecting one shows its prompt and parameters."""

    def __init__(self, page: Any) -> None:
        super().__init__("Gallery", "Images made on this machine or in the cloud, newest first.")
        self.page = page
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 16, THUMB + 16))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setMinimumHeight(THUMB + 40)
        self.body.addWidget(self.list)
        self.empty = muted(QLabel("No images yet: describe one above and press Generate."))
        self.body.addWidget(self.empty)
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.details)
        row = QHBoxLayout()
        self.reuse_btn = QPushButton("Reuse settings")
        self.open_btn = QPushButton("Open")
        self.delete_btn = QPushButton("Delete…")
        self.upscale_btns = {f: QPushButton(f"Upscale {f}×") for f in (2, 4)}  # ui/pages/images_upscale.py
        self.upscale_file_btn = QPushButton("Upscale a file…")
        for b in (self.reuse_btn, self.open_btn, *self.upscale_btns.values(), self.delete_btn):
            row.addWidget(b)
        row.addStretch(1)
        self.actions = QWidget()
        self.actions.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.actions)
        self.body.addWidget(self.upscale_file_btn)
        self.rows: dict[int, Any] = {}
        self.list.currentItemChanged.connect(lambda _c, _p: self._selected())
        self.reuse_btn.clicked.connect(self.reuse)
        self.open_btn.clicked.connect(self.open_file)
        self.delete_btn.clicked.connect(self.delete)
        for f, b in self.upscale_btns.items():
            b.clicked.connect(lambda _c=False, f=f: self.current() and page.upscaler.start(self.current().path, f))
        self.upscale_file_btn.clicked.connect(lambda: page.upscaler.choose_file(2))
        self._selected()

    def reload(self) -> None:
        """Read the newest images and their thumbnails (in a worker thread)."""
        from local_models.gallery import list_gallery

        def work() -> list:
            return load_thumbnails(list_gallery(limit=120))

        self.page.in_thread(work, on_done=self.fill)

    def fill(self, items: list[tuple[Any, QImage]]) -> None:
        """Show thumbnails."""
        current = self.current()
        self.list.clear()
        self.rows = {}
        for row, image in items:
            it = QListWidgetItem(QIcon(QPixmap.fromImage(image)) if not image.isNull() else QIcon(), "")
            it.setData(Qt.ItemDataRole.UserRole, row.id)
            it.setToolTip(row.prompt)
            self.list.addItem(it)
            self.rows[row.id] = row
            if current is not None and row.id == current.id:
                self.list.setCurrentItem(it)
        self.empty.setVisible(not items)
        self.list.setVisible(bool(items))
        self.actions.setVisible(bool(items))
        self._selected()

    def current(self) -> Any:
        """The selected gallery row, or None."""
        it = self.list.currentItem()
        return self.rows.get(it.data(Qt.ItemDataRole.UserRole)) if it is not None else None

    def _selected(self) -> None:
        row = self.current()
        for b in (self.reuse_btn, self.open_btn, self.delete_btn, *self.upscale_btns.values()):
            b.setEnabled(row is not None)
        if row is None:
            self.details.setText("")
            return
        p = row.params_dict
        neg = f"<br><span style='opacity:.7'>Negative: {row.negative_prompt}</span>" if row.negative_prompt else ""
        self.details.setText(f"<b>{row.prompt}</b>{neg}<br>{describe(p, row.model)}")

    def set_upscaling(self, on: bool) -> None:
        """Disable the upscale buttons while one runs."""
        for b in (*self.upscale_btns.values(), self.upscale_file_btn):
            b.setEnabled(not on and (b is self.upscale_file_btn or self.current() is not None))

    def reuse(self) -> None:
        """Copy the selected image's settings into the studio form (LoRAs from the PNG's `<lora:…>` tags)."""
        from local_models.gallery import parse_parameters, read_png_parameters

        row = self.current()
        if row is not None:
            params = row.params_dict
            if "loras" not in params and Path(row.path).is_file():
                text = read_png_parameters(Path(row.path).read_bytes())
                params["loras"] = parse_parameters(text)["loras"] if text else []
            self.page.studio.apply_params({**params, "prompt": row.prompt,
                                           "negative_prompt": row.negative_prompt, "seed": row.seed})

    def open_file(self) -> None:
        """Open the PNG in the system viewer."""
        row = self.current()
        if row is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(row.path))

    def delete(self, *, confirm: bool = True) -> None:
        """Delete the selected image (file and row) after a confirmation."""
        from local_models.gallery import delete_from_gallery

        row = self.current()
        if row is None:
            return
        if confirm and QMessageBox.question(self, "Delete image?", f"Delete {Path(row.path).name}?") \
                != QMessageBox.StandardButton.Yes:
            return
        delete_from_gallery(row.id)
        self.reload()

"""Images → gallery: captioned thumbnails, a filter, and actions (reuse, attach to chat, copy settings, delete…)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QIcon, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.card import Card, muted

THUMB = 132
CAPTION_LINES = 2
# (button and menu label, GalleryCard method run on the selected image). One line per action: 15a/15b add
# "Send to image-to-image", "Inpaint", "Upscale" here with their method.
ACTIONS: list[tuple[str, str]] = [
    ("Reuse settings", "reuse"),
    ("Send to image-to-image", "send_to_img2img"),
    ("Send to inpaint", "send_to_inpaint"),
    ("Upscale 2×", "upscale_2x"),
    ("Upscale 4×", "upscale_4x"),
    ("Attach to chat", "attach_to_chat"),
    ("Copy settings", "copy_settings"),
    ("Open", "open_file"),
    ("Delete…", "delete"),
]

FIRST_ROW = 5  # the actions that make something new from the image; the rest keep, share or remove it


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
    for key, label in (("steps", "steps"), ("guidance", "CFG"), ("sampler", ""), ("seed", "seed"), ("quality", "")):
        if params.get(key) not in (None, ""):
            bits.append(f"{label} {params[key]}".strip() if label != "seed" else f"seed {params[key]}")
    return " · ".join([model or params.get("model", "")] + bits).strip(" ·")


def caption(row: Any, width: int, metrics: Any) -> str:
    """The text under a thumbnail: the prompt's start, then seed and model, each elided to `width` pixels."""
    second = " · ".join(x for x in (f"seed {row.seed}" if row.seed is not None else "", row.model) if x)
    return "\n".join(
        metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in (row.prompt.replace("\n", " "), second)
    )


class GalleryCard(Card):
    """Newest images first; selecting one shows its prompt and parameters."""

    def __init__(self, page: Any) -> None:
        super().__init__("Gallery", "Images made on this machine or in the cloud, newest first.")
        self.page = page
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by prompt or model")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMinimumWidth(240)
        self.header.addWidget(self.filter)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        text_h = self.list.fontMetrics().lineSpacing() * CAPTION_LINES
        self.list.setGridSize(QSize(THUMB + 32, THUMB + 20 + text_h))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(THUMB + 44 + text_h)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.body.addWidget(self.list)
        self.empty = muted(QLabel("No images yet: describe one above and press Generate."))
        self.body.addWidget(self.empty)
        self._reloads = 0  # reads started; only the newest one's result is shown
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.details)
        rows = (QHBoxLayout(), QHBoxLayout())  # make something from it / keep, share or remove it
        self.buttons: dict[str, QPushButton] = {}
        for i, (label, method) in enumerate(ACTIONS):
            b = self.buttons[label] = QPushButton(label)
            b.clicked.connect(lambda _c=False, m=method: getattr(self, m)())
            rows[0 if i < FIRST_ROW else 1].addWidget(b)
        self.reuse_btn, self.delete_btn = self.buttons["Reuse settings"], self.buttons["Delete…"]
        self.to_img2img_btn, self.to_inpaint_btn = (
            self.buttons["Send to image-to-image"],
            self.buttons["Send to inpaint"],
        )
        self.upscale_btns = {2: self.buttons["Upscale 2×"], 4: self.buttons["Upscale 4×"]}  # ui/pages/images_upscale.py
        self.upscale_file_btn = QPushButton("Upscale a file…")
        rows[1].addWidget(self.upscale_file_btn)
        self.note = muted(QLabel(""))
        rows[1].addWidget(self.note)
        both = QVBoxLayout()
        both.setContentsMargins(0, 0, 0, 0)
        for r in rows:
            r.addStretch(1)
            both.addLayout(r)
        self.actions = QWidget()
        self.actions.setLayout(both)
        self.body.addWidget(self.actions)
        self.rows: dict[int, Any] = {}
        self.list.currentItemChanged.connect(lambda _c, _p: self._selected())
        self.list.customContextMenuRequested.connect(self.context_menu)
        self.filter.textChanged.connect(lambda _t: self.reload())
        self.upscale_file_btn.clicked.connect(lambda: page.upscaler.choose_file(2))
        self._selected()

    def context_menu(self, pos: Any) -> QMenu | None:
        """Right-click on a thumbnail: the same actions as the buttons."""
        it = self.list.itemAt(pos)
        if it is None:
            return None
        self.list.setCurrentItem(it)
        menu = QMenu(self)
        for label, method in ACTIONS:
            menu.addAction(label, getattr(self, method))
        menu.popup(self.list.viewport().mapToGlobal(pos))
        return menu

    def reload(self) -> None:
        """Read the newest images and their thumbnails (in a worker thread)."""
        from router.gallery import list_gallery

        search = self.filter.text()
        self._reloads += 1
        asked = self._reloads

        def work() -> list:
            return load_thumbnails(list_gallery(limit=120, search=search))

        def done(items: list[tuple[Any, QImage]]) -> None:
            if asked == self._reloads:  # an older read that ends after a newer one (a typed filter) is dropped
                self.fill(items)

        self.page.in_thread(work, on_done=done)

    def fill(self, items: list[tuple[Any, QImage]]) -> None:
        """Show thumbnails."""
        current = self.current()
        self.list.clear()
        self.rows = {}
        for row, image in items:
            text = caption(row, THUMB + 24, self.list.fontMetrics())
            it = QListWidgetItem(QIcon(QPixmap.fromImage(image)) if not image.isNull() else QIcon(), text)
            it.setData(Qt.ItemDataRole.UserRole, row.id)
            it.setToolTip(row.prompt)
            self.list.addItem(it)
            self.rows[row.id] = row
            if current is not None and row.id == current.id:
                self.list.setCurrentItem(it)
        filtered = bool(self.filter.text().strip())
        self.empty.setText(
            "No image matches the filter." if filtered else "No images yet: describe one above and press Generate."
        )
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
        self.note.setText("")
        for b in self.buttons.values():
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
        from router.gallery import parse_parameters, read_png_parameters

        row = self.current()
        if row is not None:
            params = row.params_dict
            if "loras" not in params and Path(row.path).is_file():
                text = read_png_parameters(Path(row.path).read_bytes())
                params["loras"] = parse_parameters(text)["loras"] if text else []
            self.page.studio.apply_params(
                {**params, "prompt": row.prompt, "negative_prompt": row.negative_prompt, "seed": row.seed}
            )
            self.page.edit.apply_params(row.params_dict)

    def upscale_2x(self) -> None:
        """Upscale the selected image 2× (ui/pages/images_upscale.py)."""
        if self.current() is not None:
            self.page.upscaler.start(self.current().path, 2)

    def upscale_4x(self) -> None:
        """Upscale the selected image 4×."""
        if self.current() is not None:
            self.page.upscaler.start(self.current().path, 4)

    def send_to_img2img(self) -> None:
        """The selected image becomes the source of an image-to-image edit."""
        self.send_to_edit("img2img")

    def send_to_inpaint(self) -> None:
        """The selected image becomes the source of an inpaint edit."""
        self.send_to_edit("inpaint")

    def send_to_edit(self, mode: str) -> None:
        """Use the selected image as the source of an image-to-image or inpaint edit."""
        row = self.current()
        if row is not None:
            self.page.edit.open_path(row.path)
            self.page.edit.set_mode(mode)

    def attach_to_chat(self) -> None:
        """Put the selected image into the chat composer as an attachment (and show the chat)."""
        from router.types import ImageInput

        row = self.current()
        if row is None:
            return
        try:
            data = Path(row.path).read_bytes()
        except OSError as exc:
            self.note.setText(f"Cannot read {Path(row.path).name}: {exc.strerror or exc}")
            return
        self.page.controller.attach_to_chat([ImageInput(data, "image/png", Path(row.path).name)])

    def copy_settings(self) -> None:
        """Put the selected image's A1111 parameters text on the clipboard."""
        from router.gallery import settings_text

        row = self.current()
        if row is not None:
            QGuiApplication.clipboard().setText(settings_text(row))
            self.note.setText("Settings copied (A1111 format).")

    def open_file(self) -> None:
        """Open the PNG in the system viewer."""
        row = self.current()
        if row is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(row.path))

    def delete(self, *, confirm: bool = True) -> None:
        """Delete the selected image (file and row) after a confirmation."""
        from router.gallery import delete_from_gallery

        row = self.current()
        if row is None:
            return
        if (
            confirm
            and QMessageBox.question(self, "Delete image?", f"Delete {Path(row.path).name}?")
            != QMessageBox.StandardButton.Yes
        ):
            return
        delete_from_gallery(row.id)
        self.reload()

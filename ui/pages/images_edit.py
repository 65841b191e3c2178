"""Images → Edit: Text to image / Image to image / Inpaint, the source image (file, drop, paste, gallery, chat),
strength, and the inpainting mask painter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from router.errors import SparklioError
from ui.widgets.card import Card, muted
from ui.widgets.mask_painter import MaskPainter

MODES = (("txt2img", "Text to image"), ("img2img", "Image to image"), ("inpaint", "Inpaint"))
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"


def image_bytes_of(image: QImage) -> bytes:
    """A QImage (pasted or dropped) as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(QByteArray(buf.data()))


def chat_item_images(item: Any) -> list[bytes]:
    """Image bytes a chat message carries: live attachments, stored attachments, generated images."""
    out = [img.data for img in getattr(item, "image_data", None) or []]
    generated = ((getattr(item, "meta", None) or {}).get("image") or {}).get("paths") or []
    for p in [*(getattr(item, "image_paths", None) or []), *generated]:
        try:
            out.append(Path(p).read_bytes())
        except OSError:
            continue
    return out


class EditCard(Card):
    """The edit inputs; `apply(kw)` adds source / mask / strength to the studio's request."""

    def __init__(self, page: Any) -> None:
        super().__init__("Edit", "Start from an image: change all of it, or only the part you paint.")
        self.page = page
        self.source: bytes | None = None
        self.setAcceptDrops(True)
        top = QHBoxLayout()
        self.mode = QComboBox()
        for key, label in MODES:
            self.mode.addItem(label, key)
        self.open_btn = QPushButton("Open image…")
        self.paste_btn = QPushButton("Paste")
        self.drop_btn = QPushButton("Remove")
        self.source_label = muted(QLabel("No source image: drop, paste or open one."))
        for w in (self.mode, self.open_btn, self.paste_btn, self.drop_btn):
            top.addWidget(w)
        top.addWidget(self.source_label, 1)
        self.body.addLayout(top)
        srow = QHBoxLayout()
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(1, 100)
        self.strength.setValue(75)
        self.strength_text = QLabel("")
        self.strength_label = muted(QLabel("Strength"))
        srow.addWidget(self.strength_label)
        srow.addWidget(self.strength, 1)
        srow.addWidget(self.strength_text)
        self.strength_row = QWidget()
        self.strength_row.setLayout(srow)
        srow.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.strength_row)
        self.painter = MaskPainter()
        self.painter.setMinimumHeight(260)
        self.body.addWidget(self.painter, 1)
        tools = QHBoxLayout()
        self.brush = QSpinBox()
        self.brush.setRange(2, 512)
        self.brush.setValue(self.painter.brush)
        self.brush.setSuffix(" px brush")
        self.erase = QCheckBox("Erase")
        self.invert_btn = QPushButton("Invert")
        self.clear_btn = QPushButton("Clear")
        self.load_mask_btn = QPushButton("Load mask…")
        self.mask_text = muted(QLabel(""))
        for w in (self.brush, self.erase, self.invert_btn, self.clear_btn, self.load_mask_btn):
            tools.addWidget(w)
        tools.addWidget(self.mask_text, 1)
        self.tools = QWidget()
        self.tools.setLayout(tools)
        tools.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.tools)
        self.mode.currentIndexChanged.connect(lambda _i: self.refresh())
        self.open_btn.clicked.connect(self.choose_file)
        self.paste_btn.clicked.connect(self.paste)
        self.drop_btn.clicked.connect(lambda: self.set_source(None))
        self.strength.valueChanged.connect(lambda _v: self.refresh())
        self.brush.valueChanged.connect(lambda v: setattr(self.painter, "brush", v))
        self.erase.toggled.connect(lambda on: setattr(self.painter, "erasing", on))
        self.invert_btn.clicked.connect(self.painter.invert)
        self.clear_btn.clicked.connect(self.painter.clear)
        self.load_mask_btn.clicked.connect(self.choose_mask)
        self.painter.changed.connect(self.refresh)
        self.refresh()

    # ---- state ----
    def edit_mode(self) -> str:
        """txt2img, img2img or inpaint."""
        return self.mode.currentData()

    def set_mode(self, mode: str) -> None:
        """Switch the mode selector."""
        self.mode.setCurrentIndex(max(self.mode.findData(mode), 0))

    def strength_value(self) -> float:
        """The slider as 0.01–1.0."""
        return self.strength.value() / 100

    def refresh(self) -> None:
        """Show the controls the mode uses."""
        mode = self.edit_mode()
        spec = self.page.studio.spec() if hasattr(self.page, "studio") else None
        local = spec is None or spec.local
        for w in (self.open_btn, self.paste_btn, self.drop_btn, self.source_label):
            w.setVisible(mode != "txt2img")
        self.strength_row.setVisible(mode != "txt2img" and local)  # cloud edit APIs take no strength
        self.painter.setVisible(mode != "txt2img")
        self.tools.setVisible(mode == "inpaint")
        self.strength_text.setText(f"{self.strength_value():.2f}")
        self.mask_text.setText(f"{self.painter.painted_fraction():.0%} painted" if mode == "inpaint" else "")

    # ---- the source image ----
    def set_source(self, data: bytes | None, mode: str | None = None, name: str = "") -> None:
        """Use `data` as the source (None: drop it); errors go under the preview in one line."""
        if mode is not None:
            self.set_mode(mode)
        if data is None:
            self.source = None
            self.painter.set_image(QImage())
            self.source_label.setText("No source image: drop, paste or open one.")
            self.refresh()
            return
        from router.image_edit import check_image_bytes, local_size_for

        try:
            w, h = check_image_bytes(data, "source image", name)
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        self.source = data
        self.painter.set_image(QImage.fromData(data))
        self.source_label.setText(f"{name or 'Source'} · {w}×{h}")
        spec = self.page.studio.spec()
        if spec is not None and spec.local:  # generate at the source's aspect
            self.page.studio.size.setCurrentText(local_size_for(w, h, longest=768))
        if self.edit_mode() == "txt2img":
            self.set_mode("img2img")
        self.refresh()

    def choose_file(self) -> None:
        """Open an image file."""
        path, _ = QFileDialog.getOpenFileName(self, "Image to edit", "", IMAGE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        """Read a file as the source (one-line errors for missing, huge or non-image files)."""
        from router.image_edit import read_edit_file

        try:
            self.set_source(read_edit_file(path), name=Path(path).name)
        except SparklioError as exc:
            self.page.controller.error(str(exc))

    def paste(self) -> None:
        """The clipboard's image (or image file) as the source."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasImage():
            self.set_source(image_bytes_of(QImage(mime.imageData())), name="pasted image")
        elif mime is not None and mime.hasUrls() and mime.urls()[0].isLocalFile():
            self.open_path(mime.urls()[0].toLocalFile())
        else:
            self.page.controller.error("The clipboard holds no image")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasImage() or event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and mime.urls()[0].isLocalFile():
            self.open_path(mime.urls()[0].toLocalFile())
        elif mime.hasImage():
            self.set_source(image_bytes_of(QImage(mime.imageData())), name="dropped image")
        event.acceptProposedAction()

    def choose_mask(self) -> None:
        """Load a mask file (white = repaint)."""
        path, _ = QFileDialog.getOpenFileName(self, "Inpainting mask", "", IMAGE_FILTER)
        if path:
            self.load_mask_path(path)

    def load_mask_path(self, path: str) -> None:
        """Read a mask file into the painter (one-line errors)."""
        from router.image_edit import read_edit_file

        try:
            self.painter.load_mask(read_edit_file(path, "mask"))
        except SparklioError as exc:
            self.page.controller.error(str(exc))

    def apply_params(self, p: dict) -> None:
        """A gallery image's edit settings back ("Reuse settings"): its strength (the source stays the user's)."""
        if p.get("strength") is not None:
            self.strength.setValue(round(float(p["strength"]) * 100))

    # ---- the request ----
    def apply(self, kw: dict) -> None:
        """Add source / mask / strength to the studio's keyword arguments; SparklioError when incomplete."""
        mode = self.edit_mode()
        if mode == "txt2img":
            return
        spec = self.page.studio.spec()
        if spec is not None and "image_edit" not in spec.capabilities:
            raise SparklioError(f"{spec.name} cannot edit images: choose a model marked for editing")
        if self.source is None:
            raise SparklioError("choose the image to edit first (open, drop or paste one)")
        kw["source"] = self.source
        if spec is None or spec.local:
            kw["strength"] = self.strength_value()
        if mode == "inpaint":
            if self.painter.painted_fraction() == 0:
                raise SparklioError("paint the area to change first (or load a mask)")
            kw["mask"] = self.painter.mask_png()

"""The composer: Enter sends, Shift+Enter breaks the line; images attach by button, drop or paste; documents too."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from router.types import ImageInput
from ui import theme
from ui.chat.routing_panel import RoutingPanel, TaskSelector

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class ComposerEdit(QPlainTextEdit):
    """Plain-text input that submits on Enter and hands images from paste/drop to the composer."""

    submit = Signal()
    imagesDropped = Signal(list)  # list[ImageInput]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ComposerEdit")
        self.setPlaceholderText("Ask anything…   (Enter to send, Shift+Enter for a new line)")
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers()
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                return
            if not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                self.submit.emit()
                return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or bool(images_from_mime(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        images = images_from_mime(source)
        if images:
            self.imagesDropped.emit(images)
            return
        super().insertFromMimeData(source)


def image_from_qimage(img: QImage, name: str = "pasted.png") -> ImageInput:
    """PNG-encode a QImage (clipboard) as an ImageInput."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return ImageInput(bytes(data.data()), "image/png", name)


def image_from_file(path: str | Path) -> ImageInput | None:
    """Read an image file as an ImageInput (None when it is not an image or too large)."""
    p = Path(path)
    if p.suffix.lower() not in IMAGE_SUFFIXES or not p.is_file() or p.stat().st_size > MAX_IMAGE_BYTES:
        return None
    mime = mimetypes.guess_type(p.name)[0] or "image/png"
    return ImageInput(p.read_bytes(), mime, p.name)


def images_from_mime(source: QMimeData) -> list[ImageInput]:
    """Images carried by a drop or paste: local image files first, else a raw image."""
    out = []
    if source.hasUrls():
        for url in source.urls():
            if url.isLocalFile():
                img = image_from_file(url.toLocalFile())
                if img is not None:
                    out.append(img)
    if not out and source.hasImage():
        img = source.imageData()
        if isinstance(img, QImage) and not img.isNull():
            out.append(image_from_qimage(img))
    return out


class Composer(QFrame):
    """Input box + attachments + task selector + routing toggle + Send/Stop."""

    sendRequested = Signal(str, list)  # text, list[ImageInput]
    stopRequested = Signal()
    documentsPicked = Signal(list)  # list[str]: files or a folder to add to the conversation's documents

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = theme.current()
        self.attachments: list[ImageInput] = []
        self.busy = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        self.routing = RoutingPanel(self)
        self.routing.setVisible(False)
        outer.addWidget(self.routing)
        self.frame = QFrame(self)
        self.frame.setObjectName("ComposerFrame")
        outer.addWidget(self.frame)
        lay = QVBoxLayout(self.frame)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(4)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        self.chips.addStretch(1)
        lay.addLayout(self.chips)
        self.edit = ComposerEdit(self.frame)
        self.edit.setFixedHeight(64)
        self.edit.submit.connect(self.submit)
        self.edit.imagesDropped.connect(self.add_images)
        self.edit.textChanged.connect(self._update_send)
        lay.addWidget(self.edit)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.attach_button = QToolButton(self.frame)
        self.attach_button.setIcon(t.icon("attach", "muted", 18))
        self.attach_button.setToolTip("Attach images (or drop / paste them), documents or a folder")
        self.attach_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.attach_menu = QMenu(self.attach_button)
        self.attach_menu.addAction("Image…", self._pick_files).setToolTip("Images go with the next message")
        self.attach_menu.addAction("Documents…", self._pick_documents)
        self.attach_menu.addAction("Folder…", self._pick_folder)
        self.attach_menu.setToolTipsVisible(True)
        for act in self.attach_menu.actions()[1:]:
            act.setToolTip("The best passages are added to every question in this chat")
        self.attach_button.setMenu(self.attach_menu)
        row.addWidget(self.attach_button)
        self.task = TaskSelector(self.frame)
        row.addWidget(self.task)
        self.routing_toggle = QToolButton(self.frame)
        self.routing_toggle.setCheckable(True)
        self.routing_toggle.setIcon(t.icon("tune", "muted", 18))
        self.routing_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.routing_toggle.setToolTip("Routing: complexity, budget tier, speed, quality, a specific model")
        self.routing_toggle.toggled.connect(self.routing.setVisible)
        self.routing.changed.connect(self._update_summary)
        row.addWidget(self.routing_toggle)
        row.addStretch(1)
        self.hint = QLabel("", self.frame)
        self.hint.setObjectName("Muted")
        row.addWidget(self.hint)
        self.send_button = QPushButton("Send", self.frame)
        self.send_button.setObjectName("Primary")
        self.send_button.setIcon(t.icon("send", "accent_text", 16))
        self.send_button.clicked.connect(self._send_or_stop)
        row.addWidget(self.send_button)
        lay.addLayout(row)
        self.setAcceptDrops(True)
        t.changed.connect(self._retint)
        self._update_summary()
        self._update_send()

    # ---- public API ----
    def text(self) -> str:
        """Current input."""
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the input (cursor at the end)."""
        self.edit.setPlainText(text)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)

    def set_busy(self, busy: bool) -> None:
        """Switch Send <-> Stop."""
        self.busy = busy
        t = theme.current()
        self.send_button.setText("Stop" if busy else "Send")
        self.send_button.setObjectName("Danger" if busy else "Primary")
        self.send_button.setIcon(t.icon("stop" if busy else "send", "accent_text", 16))
        self.send_button.setToolTip("Stop the answer (Esc)" if busy else "Send (Enter)")
        self.send_button.style().unpolish(self.send_button)
        self.send_button.style().polish(self.send_button)
        self._update_send()

    def add_images(self, images: list[ImageInput]) -> None:
        """Attach images to the next message."""
        for img in images:
            self.attachments.append(img)
            chip = QPushButton(f"Image: {img.name or 'image'}  ✕", self.frame)
            chip.setObjectName("AttachmentChip")
            chip.setFlat(True)
            chip.setToolTip("Remove this image")
            chip.clicked.connect(lambda _c=False, i=img, w=chip: self._remove(i, w))
            self.chips.insertWidget(self.chips.count() - 1, chip)
        self._update_send()

    def clear(self) -> None:
        """Empty the input and drop the attachments."""
        self.edit.clear()
        for img in list(self.attachments):
            self._remove(img, None)
        while self.chips.count() > 1:
            w = self.chips.takeAt(0).widget()
            if w is not None:
                w.deleteLater()

    def submit(self) -> None:
        """Enter: send unless busy or empty."""
        text = self.text().strip()
        if self.busy or (not text and not self.attachments):
            return
        self.sendRequested.emit(text, list(self.attachments))

    # ---- internals ----
    def _send_or_stop(self) -> None:
        if self.busy:
            self.stopRequested.emit()
        else:
            self.submit()

    def _remove(self, img: ImageInput, chip: QWidget | None) -> None:
        if img in self.attachments:
            self.attachments.remove(img)
        if chip is not None:
            chip.deleteLater()
        self._update_send()

    def _pick_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Attach images", "", "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp)"
        )
        self.add_images([img for f in files if (img := image_from_file(f)) is not None])

    def _pick_documents(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Add documents to this chat",
            "",
            "Documents (*.txt *.md *.markdown *.rst *.csv *.tsv *.json *.py "
            "*.toml *.yaml *.yml *.html *.xml *.sql *.log *.pdf);;All files (*)",
        )
        if files:
            self.documentsPicked.emit(list(files))

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of documents to this chat")
        if folder:
            self.documentsPicked.emit([folder])

    def _retint(self) -> None:
        t = theme.current()
        self.attach_button.setIcon(t.icon("attach", "muted", 18))
        self.routing_toggle.setIcon(t.icon("tune", "muted", 18))
        self.set_busy(self.busy)

    def _update_send(self) -> None:
        has = bool(self.text().strip() or self.attachments)
        self.send_button.setEnabled(self.busy or has)
        n = len(self.attachments)
        self.hint.setText(f"{n} image{'s' if n != 1 else ''} attached" if n else "")

    def _update_summary(self) -> None:
        self.routing_toggle.setText(f" {self.routing.summary()}")

    def dragEnterEvent(self, event: Any) -> None:
        if images_from_mime(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        self.add_images(images_from_mime(event.mimeData()))
        event.acceptProposedAction()

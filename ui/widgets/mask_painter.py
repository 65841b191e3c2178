"""An inpainting mask painted over an image: brush, eraser, invert, clear, load from file; white = repaint."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from router.errors import SparklioError

OVERLAY = QColor(255, 40, 90, 130)  # how painted (to be repainted) areas show over the image


class MaskPainter(QWidget):
    """Shows the source image scaled to fit and keeps a same-size 8-bit mask (255 = repaint) painted with the mouse."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.mask = QImage()
        self.brush = 32  # diameter in image pixels
        self.erasing = False
        self._last: QPointF | None = None
        self.setMinimumSize(240, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)

    # ---- image and mask ----
    def set_image(self, image: QImage) -> None:
        """Start painting on `image` with an empty mask."""
        self.image = image.convertToFormat(QImage.Format.Format_RGB32)
        self.mask = QImage(self.image.size(), QImage.Format.Format_Grayscale8)
        self.mask.fill(0)
        self.update()
        self.changed.emit()

    def clear(self) -> None:
        """Nothing to repaint."""
        if not self.mask.isNull():
            self.mask.fill(0)
            self.update()
            self.changed.emit()

    def invert(self) -> None:
        """Repaint what was kept and keep what was painted."""
        if not self.mask.isNull():
            self.mask.invertPixels()
            self.update()
            self.changed.emit()

    def load_mask(self, data: bytes) -> None:
        """A mask from file bytes (white = repaint; transparent = repaint for masks with alpha), image-sized."""
        from router.image_edit import check_image_bytes, mask_image, png_of

        if self.image.isNull():
            raise SparklioError("Choose the image to inpaint before its mask")
        w, h = check_image_bytes(data, "mask")
        if (w, h) != (self.image.width(), self.image.height()):
            raise SparklioError(
                f"The mask is {w}x{h} but the image is {self.image.width()}x{self.image.height()}: "
                f"use a mask of the same size"
            )
        loaded = QImage.fromData(png_of(mask_image(data)))
        self.mask = loaded.convertToFormat(QImage.Format.Format_Grayscale8)
        self.update()
        self.changed.emit()

    def painted_fraction(self) -> float:
        """Share of the image marked for repainting (0 when empty)."""
        if self.mask.isNull():
            return 0.0
        from PIL import Image

        w, h = self.mask.width(), self.mask.height()
        gray = Image.frombytes("L", (w, h), bytes(self.mask.constBits()), "raw", "L", self.mask.bytesPerLine())
        return sum(gray.histogram()[128:]) / max(w * h, 1)

    def mask_png(self) -> bytes:
        """The mask as a grayscale PNG (white = repaint)."""
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        self.mask.save(buf, "PNG")
        return bytes(QByteArray(buf.data()))

    # ---- painting ----
    def frame_rect(self) -> QRectF:
        """Where the image is drawn: scaled to fit, centred."""
        if self.image.isNull():
            return QRectF()
        scale = min(self.width() / self.image.width(), self.height() / self.image.height())
        w, h = self.image.width() * scale, self.image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def to_image(self, pos: QPointF) -> QPointF:
        """A widget position in image pixels."""
        f = self.frame_rect()
        return QPointF(
            (pos.x() - f.x()) * self.image.width() / f.width(), (pos.y() - f.y()) * self.image.height() / f.height()
        )

    def stroke(self, a: QPointF, b: QPointF) -> None:
        """Paint (or erase) a round-capped line between two image points."""
        p = QPainter(self.mask)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        colour = QColor(0, 0, 0) if self.erasing else QColor(255, 255, 255)
        p.setPen(QPen(colour, self.brush, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        p.drawLine(a, b)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)  # a click without a drag still leaves a round dot
        p.drawEllipse(b, self.brush / 2, self.brush / 2)
        p.end()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.image.isNull():
            self._last = self.to_image(event.position())
            self.stroke(self._last, self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is not None and event.buttons() & Qt.MouseButton.LeftButton:
            here = self.to_image(event.position())
            self.stroke(self._last, here)
            self._last = here

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._last is not None:
            self._last = None
            self.changed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        if self.image.isNull():
            p.setPen(self.palette().placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Drop, paste or open an image to edit")
            return
        f = self.frame_rect()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(f, self.image)
        overlay = QImage(self.mask.size(), QImage.Format.Format_ARGB32)
        overlay.fill(OVERLAY)
        overlay.setAlphaChannel(self.mask.copy())
        tint = QImage(overlay.size(), QImage.Format.Format_ARGB32)
        tint.fill(Qt.GlobalColor.transparent)
        tp = QPainter(tint)
        tp.setOpacity(OVERLAY.alphaF())
        tp.drawImage(0, 0, overlay)
        tp.end()
        p.drawImage(f, tint)
        p.end()

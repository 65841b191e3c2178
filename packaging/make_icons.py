"""Render resources/icons/app.svg into the icons a build needs: sparklio.png (Linux), .ico (Windows), .icns (macOS)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def render(size: int):
    """The app icon as a QImage of size x size."""
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    svg = (ROOT / "resources" / "icons" / "app.svg").read_text(encoding="utf-8")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(QByteArray(svg.encode())).render(painter)
    painter.end()
    return image


def main(out: str) -> int:
    """Write the three icon files into `out`; returns 0, or 1 with one line when Qt cannot write a format."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - Qt needs it for SVG
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    ok = render(256).save(str(folder / "sparklio.png"))
    ok &= render(256).save(str(folder / "sparklio.ico"))
    ok &= render(512).save(str(folder / "sparklio.icns"))
    if not ok:
        print("make_icons: Qt could not write one of the icon formats", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "icons")))

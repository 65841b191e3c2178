"""Render the Images page in its inpaint state (source image, painted mask, strength) to PNG, offscreen.

    .venv/bin/python docs/make_edit_screenshot.py [--out docs/screenshots/images-inpaint-light.png]

A fresh data dir, a tiny randomly initialised Stable Diffusion model (so the local controls show), a drawn
source image and a brush stroke through the mask painter's real mouse events. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZE = (1100, 1000)


def source_png() -> bytes:
    """A simple product shot: a mug on a table against a soft gradient."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (512, 384))
    d = ImageDraw.Draw(im)
    for y in range(384):
        d.line([(0, y), (512, y)], fill=(236 - y // 8, 226 - y // 10, 210 - y // 6))
    d.rectangle([0, 270, 512, 384], fill=(196, 170, 140))
    d.rounded_rectangle([190, 150, 300, 285], radius=14, fill=(70, 110, 150))
    d.arc([280, 180, 340, 250], start=-90, end=90, fill=(70, 110, 150), width=12)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def paint(painter, points: list[tuple[float, float]]) -> None:
    """A real mouse drag over the mask painter at image pixel positions."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    f = painter.frame_rect()
    scale = f.width() / painter.image.width()
    kinds = [QEvent.Type.MouseButtonPress] + [QEvent.Type.MouseMove] * (len(points) - 1)
    for kind, (x, y) in zip(kinds + [QEvent.Type.MouseButtonRelease], points + points[-1:]):
        at = QPointF(f.x() + x * scale, f.y() + y * scale)
        QApplication.sendEvent(
            painter,
            QMouseEvent(
                kind,
                at,
                painter.mapToGlobal(at),
                Qt.MouseButton.LeftButton,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )


async def main(out: Path) -> int:
    """Open a facade, show the Images page in the inpaint state, grab it."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    from local_models.tiny_pipeline import build_tiny_pipeline
    from router.app import Sparklio
    from tests.fakes.keyring import MemoryKeyring
    from ui.controller import AppController
    from ui.main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="sparklio-edit-shot-") as tmp:
        app = Sparklio.open(Path(tmp) / "data", keyring=MemoryKeyring(), env={})
        app.settings.set("sd_model_path", str(build_tiny_pipeline(Path(tmp) / "tiny-sd")))
        controller = AppController()
        win = MainWindow(controller)
        win.resize(*SIZE)
        win.show()
        controller.attach(app)
        page = win.show_page("images")
        await asyncio.sleep(0.5)
        st = page.studio
        st.model.setCurrentIndex(max(st.model.findData("stable-diffusion"), 0))
        st.prompt.setPlainText("a terracotta mug with steam rising, warm morning light")
        page.edit.set_source(source_png(), "inpaint", name="mug.png")
        page.edit.strength.setValue(65)
        await asyncio.sleep(0.3)
        page.edit.brush.setValue(56)
        paint(
            page.edit.painter,
            [(205, 165), (285, 165), (285, 200), (205, 200), (205, 240), (285, 240), (285, 272), (205, 272)],
        )
        page.edit.refresh()
        area = page.findChild(__import__("PySide6.QtWidgets", fromlist=["QScrollArea"]).QScrollArea)
        if area is not None:
            area.ensureWidgetVisible(page.edit)
        await asyncio.sleep(0.3)
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        win.grab().toImage().save(buf, "PNG")
        pil = Image.open(io.BytesIO(bytes(buf.data()))).convert("RGB")
        pil.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, optimize=True)
        win._quitting = True
        win.tray.hide()
        controller.app = None
        win.close()
        await app.aclose()
    print(f"{out} {out.stat().st_size / 1000:.1f} KB")
    return 0


def run() -> int:
    """Command-line entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "images-inpaint-light.png")
    args = ap.parse_args()
    import qasync
    from PySide6.QtWidgets import QApplication

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(main(args.out))


if __name__ == "__main__":
    sys.exit(run())

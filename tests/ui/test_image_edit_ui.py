"""Images → Edit on real widgets: the mask painter (paint, erase, invert, clear, load), the inpaint flow on the tiny
local pipeline, a gallery item and a chat image sent to the studio, a cloud edit with the mask uploaded."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from tests.ui.pages_support import keep_closed_loops, open_page  # noqa: F401
from ui.controller import AppController
from ui.widgets.mask_painter import MaskPainter

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def png(size=(64, 64), colour=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def mask_array(painter: MaskPainter) -> np.ndarray:
    with Image.open(io.BytesIO(painter.mask_png())) as im:
        return np.asarray(im.convert("L")).astype(int)


def drag(widget, points, button=Qt.MouseButton.LeftButton) -> None:
    """A real press-move-release through Qt's event delivery, at image pixel positions."""
    f = widget.frame_rect()
    scale = f.width() / widget.image.width()

    def send(kind, p, buttons):
        at = QPointF(f.x() + p[0] * scale, f.y() + p[1] * scale)
        ev = QMouseEvent(kind, at, widget.mapToGlobal(at), button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, ev)

    send(QEvent.Type.MouseButtonPress, points[0], button)
    for p in points[1:]:
        send(QEvent.Type.MouseMove, p, button)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


@pytest.fixture
def painter(qtbot):
    w = MaskPainter()
    qtbot.addWidget(w)
    w.resize(300, 300)
    w.set_image(QImage.fromData(png((100, 100))))
    return w


def test_mask_painting_paint_erase_invert_clear(painter):
    painter.brush = 10
    drag(painter, [(5, 50), (50, 50), (95, 50)])  # a horizontal stroke across the middle
    m = mask_array(painter)
    assert m.shape == (100, 100)
    assert m[50, 10:90].min() == 255 and m[10, 50] == 0 and m[90, 50] == 0
    assert 0.05 < painter.painted_fraction() < 0.15
    painter.erasing = True
    painter.brush = 30
    drag(painter, [(50, 50)])  # erase a dot in the middle of the stroke
    m = mask_array(painter)
    assert m[50, 50] == 0 and m[50, 10] == 255
    painter.invert()
    inv = mask_array(painter)
    assert inv[50, 50] == 255 and inv[50, 10] == 0 and inv[5, 5] == 255
    painter.clear()
    assert mask_array(painter).max() == 0 and painter.painted_fraction() == 0


def test_mask_loads_from_file_and_refuses_the_wrong_size(painter):
    rgba = Image.new("RGBA", (100, 100), (0, 0, 0, 255))
    rgba.paste((0, 0, 0, 0), (0, 0, 50, 100))  # OpenAI style: transparent = repaint
    buf = io.BytesIO()
    rgba.save(buf, format="PNG")
    painter.load_mask(buf.getvalue())
    m = mask_array(painter)
    assert m[10, 10] == 255 and m[10, 90] == 0
    from router.errors import SparklioError

    with pytest.raises(SparklioError, match="The mask is 10x10 but the image is 100x100"):
        painter.load_mask(png((10, 10)))


def test_inpaint_from_the_images_page_on_the_tiny_pipeline(qtbot, qloop, facade, tmp_path):
    from local_models.tiny_pipeline import build_tiny_pipeline
    from router.gallery import list_gallery, parse_parameters, read_png_parameters

    ctl = AppController()
    ctl.attach(facade)
    page = open_page(qtbot, qloop, "images", ctl)
    st, ed = page.studio, page.edit
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    st.set_model_path(str(build_tiny_pipeline(tmp_path / "tiny")))
    assert not ed.painter.isVisible() and not ed.strength_row.isVisible()  # text to image: no edit controls
    source = tmp_path / "src.png"
    source.write_bytes(png())
    ed.open_path(str(source))
    assert ed.edit_mode() == "img2img" and st.size.currentText() == "64x64" and ed.strength_row.isVisible()
    ed.set_mode("inpaint")
    assert ed.tools.isVisible()
    st.prompt.setPlainText("a red cat")
    st.steps.setValue(4)
    st.random_seed.setChecked(False)
    st.seed.setValue(7)
    said: list[tuple[str, str]] = []
    page.controller.message.connect(lambda level, text: said.append((level, text)))  # the one message bridge
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    assert said and said[-1][0] == "error" and "paint the area to change first" in said[-1][1]  # nothing sent
    ed.strength.setValue(90)
    ed.painter.brush = 40
    drag(ed.painter, [(0, 0)])  # a dot in the top-left corner of the image
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.busy_generating(), timeout=60, what="the inpainted image")
    qloop.until(lambda: page.gallery.list.count() == 1, what="the gallery")
    row = list_gallery()[0]
    made = Path(row.path).read_bytes()
    fields = parse_parameters(read_png_parameters(made))
    assert fields["Mode"] == "inpaint" and fields["Denoising strength"] == "0.9", page.preview.message.text()
    with Image.open(io.BytesIO(made)) as im:
        assert np.asarray(im.convert("RGB"))[60, 60].tolist() == [30, 120, 200]  # unpainted corner kept
    # a gallery item goes back to the studio
    ed.set_source(None, "txt2img")
    page.gallery.list.setCurrentRow(0)
    qtbot.mouseClick(page.gallery.to_img2img_btn, Qt.MouseButton.LeftButton)
    assert ed.source == made and ed.edit_mode() == "img2img"
    ed.strength.setValue(20)
    qtbot.mouseClick(page.gallery.reuse_btn, Qt.MouseButton.LeftButton)  # reuse settings brings strength back
    assert ed.strength_value() == 0.9 and st.seed.value() == 7
    ctl.app = None


def test_bad_source_files_are_one_line(qtbot, qloop, facade, tmp_path):
    ctl = AppController()
    ctl.attach(facade)
    page = open_page(qtbot, qloop, "images", ctl)
    note = tmp_path / "note.png"
    note.write_text("hello")
    said: list[tuple[str, str]] = []
    ctl.message.connect(lambda level, line: said.append((level, line)))  # the one message bridge
    page.edit.open_path(str(note))
    level, text = said[-1]
    assert level == "error" and "note.png is not an image" in text and "\n" not in text and page.edit.source is None
    ctl.app = None


def test_cloud_inpaint_uploads_the_painted_mask(qtbot, qloop, facade, fake_openai, tmp_path):
    ctl = AppController()
    ctl.attach(facade)
    page = open_page(qtbot, qloop, "images", ctl)
    st, ed = page.studio, page.edit
    st.model.setCurrentIndex(st.model.findData("gpt-image-2"))
    st.size.setCurrentText("1024x1024")
    ed.set_source(png((100, 100)), "inpaint")
    assert not ed.strength_row.isVisible()  # OpenAI and Gemini edits take no strength
    ed.painter.brush = 20
    drag(ed.painter, [(50, 50)])
    st.prompt.setPlainText("a lantern in the middle")
    price = st.price.text()
    assert price.startswith("Costs $")  # priced before the click
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.busy_generating(), what="the cloud edit")
    form = fake_openai.edits[-1]
    assert form["fields"]["prompt"] == "a lantern in the middle" and "strength" not in form["fields"]
    with Image.open(io.BytesIO(form["files"]["mask"][2])) as m:
        alpha = m.getchannel("A")
        assert m.mode == "RGBA" and alpha.getpixel((50, 50)) == 0 and alpha.getpixel((2, 2)) == 255
    assert "1 image(s) from GPT Image 2" in page.preview.message.text()
    ctl.app = None


def test_a_chat_image_opens_in_the_studio(qtbot, qloop, window, chat):
    from PySide6.QtCore import QPoint

    from router.types import ImageInput
    from ui.chat.items import ChatItem

    attached = png((48, 40), (250, 200, 0))
    item = ChatItem("user", "what is in this photo?", images=["photo.png"], image_data=[ImageInput(attached)])
    chat.on_link(item, "studio:inpaint", QPoint(0, 0))  # the message's context-menu action
    images = window.pages["images"]
    assert window.current_key == "images"
    assert images.edit.source == attached and images.edit.edit_mode() == "inpaint"
    assert "48×40" in images.edit.source_label.text()

"""The gallery shows the newest read only: an older read that ends after a typed filter's is dropped."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

import ui.pages.images_gallery as gallery_module
from router.gallery import gallery_dir, save_to_gallery
from router.types import GeneratedImage
from tests.ui.pages_support import open_page
from ui.controller import AppController

pytestmark = pytest.mark.usefixtures("keep_closed_loops")


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, format="PNG")
    return out.getvalue()


def test_a_slow_unfiltered_read_never_overwrites_the_filtered_list(qtbot, qloop, facade, monkeypatch):
    save_to_gallery(
        [GeneratedImage(png((200, 20, 20 * i)), {"prompt": f"a red cat {i}", "seed": i}) for i in range(3)],
        gallery_dir(facade.data_dir),
    )
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "images", controller)
    qloop.until(lambda: page.gallery.list.count() == 3, what="three images")

    real = gallery_module.load_thumbnails

    def slow_when_there_is_something(rows):  # the unfiltered read (3 thumbnails) ends after the filtered one
        if rows:
            time.sleep(0.5)
        return real(rows)

    monkeypatch.setattr(gallery_module, "load_thumbnails", slow_when_there_is_something)
    page.gallery.reload()  # e.g. a finished generation refreshing the gallery
    page.gallery.filter.setText("no such words")  # the user types a filter meanwhile
    qloop.until(lambda: not page.busy(), what="both reads")
    assert page.gallery.list.count() == 0
    assert page.gallery.empty.isVisible() and page.gallery.empty.text() == "No image matches the filter."
    page.gallery.filter.setText("cat 1")
    qloop.until(lambda: page.gallery.list.count() == 1 and not page.busy(), what="the matching image")
    assert "a red cat 1" in page.gallery.list.item(0).toolTip()
    controller.app = None

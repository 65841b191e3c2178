"""Images page, driven through its widgets: the LoRA picker, Upscale 2x/4x, the family's controls, Settings → Images."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from router.gallery import read_png_parameters
from tests.ui.pages_support import controller, demo, demo_db, keep_closed_loops, open_page  # noqa: F401
from ui.controller import AppController

KOHYA = {"ss_tag_frequency": json.dumps({"10_ink": {"inkstyle": 9, "cat": 2}}), "modelspec.trigger_phrase": "ink art"}


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    import torch

    from local_models.tiny_pipeline import build_tiny_pipeline
    from local_models.tiny_studio import build_tiny_esrgan, build_tiny_lora
    from tests.fakes.tiny_families import build_tiny_flux

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("ui-studio")
    build_tiny_lora(root / "loras" / "ink.safetensors", metadata=KOHYA)
    build_tiny_lora(root / "loras" / "glow.safetensors", seed=7)
    return {
        "sd": build_tiny_pipeline(root / "sd"),
        "flux": build_tiny_flux(root / "flux"),
        "loras": root / "loras",
        "esrgan": build_tiny_esrgan(root / "x4.pth", scale=4),
    }


def size_of(path: str) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(Path(path).read_bytes())) as im:
        return im.size


def newest(page):
    page.gallery.list.setCurrentRow(0)
    return page.gallery.current()


def test_settings_images_tab_validates_the_paths(qtbot, qloop, facade, parts, tmp_path):
    ctl = AppController()
    ctl.attach(facade)
    page = open_page(qtbot, qloop, "settings", ctl)
    card = page.image_files
    card.store("lora_folder", str(tmp_path / "nope"))
    assert "LoRA folder not found" in card.message.text() and card.edits["lora_folder"].text() == ""
    card.store("lora_folder", str(parts["loras"]))
    assert facade.settings.get("lora_folder") == str(parts["loras"]) and "LoRA folder:" in card.message.text()
    card.store("upscaler_path", str(parts["sd"] / "model_index.json"))
    assert "is not an upscaler model" in card.message.text()
    card.store("upscaler_path", str(parts["esrgan"]))
    assert card.edits["upscaler_path"].text() == str(parts["esrgan"])
    ctl.app = None


def test_lora_picker_generate_metadata_reuse_and_upscale(qtbot, qloop, facade, parts):
    facade.settings.set("lora_folder", str(parts["loras"]))
    ctl = AppController()
    ctl.attach(facade)
    page = open_page(qtbot, qloop, "images", ctl)
    st = page.studio
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    st.set_model_path(str(parts["sd"]))
    assert sorted(st.loras.rows) == ["glow", "ink"] and st.loras.chips == []
    ink = st.loras.rows["ink"]
    ink.check.setChecked(True)
    ink.weight.setValue(0.7)
    assert [c.text() for c in st.loras.chips] == ["ink art", "inkstyle", "cat"]
    st.prompt.setPlainText("a red cat")
    qtbot.mouseClick(st.loras.chips[1], Qt.MouseButton.LeftButton)
    assert st.prompt.toPlainText() == "a red cat, inkstyle"
    st.size.setCurrentText("64x64")
    st.steps.setValue(2)
    st.random_seed.setChecked(False)
    st.seed.setValue(9)
    if os.environ.get("SPARKLIO_SCREENSHOTS"):  # the README's picture of the LoRA picker
        page.resize(1200, 900)
        qloop.spin(0.3)
        st.grab().save(os.environ["SPARKLIO_SCREENSHOTS"])
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.busy_generating(), timeout=90, what="the image")
    qloop.until(lambda: page.gallery.list.count() == 1, what="the gallery")
    row = newest(page)
    assert row.params_dict["loras"] == [{"name": "ink", "weight": 0.7}], page.preview.message.text()
    assert read_png_parameters(Path(row.path).read_bytes()).splitlines()[0] == "a red cat, inkstyle <lora:ink:0.7>"

    ink = st.loras.rows["ink"]  # the page reloaded after the generation: the rows are new, the ticks kept
    assert ink.check.isChecked()
    ink.check.setChecked(False)  # reuse settings brings the LoRA back
    qtbot.mouseClick(page.gallery.reuse_btn, Qt.MouseButton.LeftButton)
    assert ink.check.isChecked() and ink.weight.value() == pytest.approx(0.7)
    assert not st.loras.rows["glow"].check.isChecked()

    qtbot.mouseClick(page.gallery.upscale_btns[2], Qt.MouseButton.LeftButton)  # no upscaler model: hires fix
    qloop.until(lambda: not page.upscaler.busy() and page.gallery.list.count() == 2, timeout=90, what="upscale")
    up = newest(page)
    assert size_of(up.path) == (128, 128) and up.params_dict["upscaler"] == "hires fix"
    assert "Upscaled to 128x128" in page.preview.message.text()
    facade.settings.set("upscaler_path", str(parts["esrgan"]))
    page.gallery.list.setCurrentRow(1)  # the original 64x64
    qtbot.mouseClick(page.gallery.upscale_btns[4], Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.upscaler.busy() and page.gallery.list.count() == 3, timeout=90, what="upscale")
    assert size_of(newest(page).path) == (256, 256) and newest(page).params_dict["upscaler"] == "x4"
    ctl.app = None


def test_the_studio_shows_only_the_controls_the_family_takes(qtbot, qloop, facade, parts, tmp_path):
    ctl = AppController()
    ctl.attach(facade)
    page = open_page(qtbot, qloop, "images", ctl)
    st = page.studio
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    st.set_model_path(str(parts["flux"]))
    assert not st.form.isRowVisible(st.negative) and not st.scheduler.isVisibleTo(st)
    assert (st.steps.value(), st.guidance.value(), st.size.currentText()) == (28, 3.5, "1024x1024")
    st.set_model_path(str(parts["sd"]))
    assert st.form.isRowVisible(st.negative) and st.scheduler.isVisibleTo(st)
    assert (st.steps.value(), st.size.currentText()) == (25, "512x512")
    st.prompt.setPlainText("a cat <lora:missing:0.5>")  # a typed tag for a LoRA that is not there: one line
    said: list[tuple[str, str]] = []
    page.controller.message.connect(lambda level, text: said.append((level, text)))  # the one message bridge
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    assert said and said[-1][0] == "error" and "LoRA 'missing' not found" in said[-1][1]
    ctl.app = None

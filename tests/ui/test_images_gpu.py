"""Images → "Install GPU support (~N GB)": size first, progress, Cancel, resume, verified, then on sys.path."""

from __future__ import annotations

import os
import sys

import pytest
from PySide6.QtCore import Qt

from local_models import gpu_support as gs
from tests.fakes.package_index import PackageIndex, build_fake_gpu_wheels
from tests.ui.pages_support import open_page
from ui.controller import AppController


@pytest.fixture
def index(tmp_path, monkeypatch):
    """The loopback index the app resolves against (SPARKLIO_GPU_INDEX_URL: a mirror), pip isolated from config."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    with PackageIndex(build_fake_gpu_wheels(tmp_path / "wheels")) as idx:
        monkeypatch.setenv("SPARKLIO_GPU_INDEX_URL", idx.simple)
        yield idx


def test_picking_local_sd_offers_gpu_support_and_installs_it(qtbot, qloop, facade, index, tmp_path):
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "images", controller)
    st, card = page.studio, page.gpu
    st.model.setCurrentIndex(st.model.findData("dall-e-3"))
    assert not card.isVisible()  # this source checkout has torch: no offer
    card.needed = lambda: True  # as in the built app, which ships without torch and diffusers
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    assert card.isVisible()
    qloop.until(lambda: card.install_btn.isEnabled(), timeout=60, what="the download size")
    assert card.install_btn.text() == "Install GPU support (~2.0 MB)"
    assert "CPU build" in card.text.text() and "Nothing is downloaded until you click" in card.text.text()
    assert not [r for r in index.requests if r[0] == "GET" and r[1].endswith(".whl")]
    page.grab().save(os.environ.get("SPARKLIO_SHOT", str(tmp_path / "images-gpu-offer.png")))
    # a slow download, cancelled half way: the button resumes it
    index.chunk_delay_s = 0.05
    qtbot.mouseClick(card.install_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: card.progress.value() > 50, timeout=30, what="download progress")
    assert card.cancel_btn.isVisible() and "MB of 2.0 MB" in card.progress.format()
    qtbot.mouseClick(card.cancel_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: card.job is None, timeout=30, what="the cancelled download")
    assert "cancelled" in card.text.text() and card.install_btn.text() == "Resume install (~2.0 MB)"
    index.chunk_delay_s = 0.0
    qtbot.mouseClick(card.install_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: card.job is None, timeout=120, what="the install")
    try:
        assert card.text.text().startswith("GPU support installed: torch 2.14.1, diffusers 0.35.0")
        assert "CUDA available: no" in card.text.text()
        assert any(r for r in index.requests if r[2] and r[1].startswith("/files/torch"))  # resumed by Range
        assert sys.path[0] == str(gs.site_dir(facade.data_dir))  # the app now finds the installed packages
    finally:
        sys.path[:] = [p for p in sys.path if p != str(gs.site_dir(facade.data_dir))]
    controller.app = None

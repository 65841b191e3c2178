"""Images page: local Stable Diffusion studio and cloud image models, routed and priced through the facade."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from router.errors import SparklioError
from ui.pages.images_gallery import GalleryCard
from ui.pages.images_gpu import GpuSupportCard
from ui.pages.images_studio import StepBridge, StudioCard
from ui.widgets import palette
from ui.widgets.card import Card, muted
from ui.widgets.format import money
from ui.widgets.page import PageBase


class PreviewCard(Card):
    """The image being made: per-step preview, progress and Cancel; then the result."""

    def __init__(self) -> None:
        super().__init__("Preview")
        self.image = QLabel("Your image appears here.")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(300, 300)
        self.image.setObjectName("Muted")
        self.body.addWidget(self.image, 1)
        row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.step_text = muted(QLabel(""))
        self.cancel_btn = QPushButton("Cancel")
        row.addWidget(self.progress, 1)
        row.addWidget(self.step_text)
        row.addWidget(self.cancel_btn)
        self.progress_row = QWidget()
        self.progress_row.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.progress_row.hide()
        self.body.addWidget(self.progress_row)
        self.message = muted(QLabel(""))
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)

    def show_png(self, png: bytes | None) -> None:
        """Display PNG bytes scaled to fit."""
        if not png:
            return
        pm = QPixmap()
        if pm.loadFromData(png):
            self.image.setPixmap(pm.scaled(self.image.width(), self.image.height(),
                                           Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))

    def say(self, text: str, kind: str = "muted") -> None:
        """Message under the preview."""
        c = palette.color({"ok": "ok", "error": "danger", "warn": "warn"}.get(kind, "muted")).name()
        self.message.setStyleSheet(f"color: {c};")
        self.message.setText(text)


class ImagesPage(PageBase):
    """Studio (local SD and cloud models), live preview, and the gallery."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(controller, "Images", "Generate images in the cloud or on this machine.", parent=parent)
        self.studio = StudioCard(self)
        self.preview = PreviewCard()
        self.gallery = GalleryCard(self)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(self.studio, 3)
        top.addWidget(self.preview, 2)
        self.gpu = GpuSupportCard(self)  # "Install GPU support (~N GB)" when local SD lacks torch/diffusers
        self.content.addWidget(self.gpu)
        self.content.addLayout(top)
        self.content.addWidget(self.gallery)
        self.content.addStretch(1)
        self.bridge = StepBridge()
        self.bridge.step.connect(self.on_step)
        self.job: Any = None
        self.notices: list[str] = []  # GPU arbitration steps taken for the image being made
        self.cancel_event: threading.Event | None = None
        self.studio.generate_btn.clicked.connect(self.generate)
        self.studio.model.currentIndexChanged.connect(lambda _i: self.gpu.update_for(self.studio.spec()))
        self.preview.cancel_btn.clicked.connect(self.cancel)
        controller.catalogChanged.connect(lambda: self.app is not None and self.studio.load(self.app))
        controller.offlineChanged.connect(lambda _on: self.refresh())
        controller.appEvent.connect(self._on_app_event)

    def _on_app_event(self, event: Any) -> None:
        """GPU arbitration steps taken for the image being made show under the preview."""
        if event.kind == "gpu_notice" and self.job is not None:
            self.notices.append(event.message)
            self.preview.say(event.message)

    def reload(self, app: Any) -> None:
        """Models, prices and the gallery."""
        self.studio.load(app)
        self.gpu.update_for(self.studio.spec())
        if app.offline:
            self.banner.show_message("Offline mode is on: cloud image models are idle; Stable Diffusion still runs"
                                     " on this machine.", "info")
        else:
            self.banner.clear_message()
        self.gallery.reload()
        self.loaded.emit()

    def busy_generating(self) -> bool:
        """True while an image is being made."""
        return self.job is not None

    def generate(self) -> None:
        """Send the request through the facade: routed, budgeted and written to the ledger."""
        app = self.app
        if app is None or self.job is not None:
            return
        try:
            prompt, kw = self.studio.request()
        except SparklioError as exc:
            self.preview.say(str(exc), "error")
            return
        local = self.studio.spec().local
        self.cancel_event = threading.Event()
        if local:
            kw.update(on_step=lambda i, n, png: self.bridge.step.emit(i, n, png), cancel=self.cancel_event)
        self.preview.progress.setRange(0, kw.get("steps", 0) if local else 0)  # cloud: a busy bar
        self.preview.progress.setValue(0)
        self.preview.step_text.setText("starting…")
        self.preview.progress_row.show()
        self.preview.say("")
        self.studio.generate_btn.setEnabled(False)
        self.notices = []
        self.job = self.spawn(app.generate_image(prompt, **kw), lambda r: self.finished(prompt, kw, r),
                              self.failed)

    def on_step(self, i: int, total: int, png: Any) -> None:
        """Per-step progress and the latent preview."""
        self.preview.progress.setRange(0, total)
        self.preview.progress.setValue(i)
        self.preview.step_text.setText(f"step {i} of {total}")
        if png:
            self.preview.show_png(png)

    def _done(self) -> None:
        self.job = None
        self.cancel_event = None
        self.studio.generate_btn.setEnabled(True)
        self.preview.progress_row.hide()

    def finished(self, prompt: str, kw: dict, result: Any) -> None:
        """Save to the gallery, show the image, tell the budget views."""
        from local_models.gallery import gallery_dir, save_to_gallery

        self._done()
        spec, res = result
        for img in res.images:
            img.params.setdefault("prompt", prompt)
            img.params.setdefault("negative_prompt", kw.get("negative_prompt", ""))
            img.params["catalog_model"] = spec.id
            img.params.setdefault("model", spec.name)
            img.params.setdefault("size", kw.get("size"))
        try:
            save_to_gallery(res.images, gallery_dir(self.app.data_dir))
        except SparklioError as exc:
            self.preview.say(str(exc), "error")
        if res.images:
            self.preview.show_png(res.images[-1].png)
            seed = res.images[0].params.get("seed")
            if seed is not None:
                self.studio.last_seed = int(seed)
                self.studio.reuse_seed.setEnabled(True)
        cost = spec.image_price(kw.get("size", ""), kw.get("quality", "standard")) * len(res.images)
        self.preview.say(f"{len(res.images)} image(s) from {spec.name}" + (f" · {money(cost)}" if cost else
                                                                          " · $0 (local)")
                         + "".join(f"\n{n}" for n in self.notices), "ok")
        self.gallery.reload()
        self.studio.update_price()
        self.controller.ledgerChanged.emit()

    def failed(self, message: str) -> None:
        """Show why it failed (or that it was cancelled)."""
        self._done()
        self.preview.say(message, "warn" if "cancel" in message.lower() else "error")

    def cancel(self) -> None:
        """Stop the generation (between two steps for local models)."""
        if self.cancel_event is not None:
            self.cancel_event.set()
        if self.job is not None:
            self.job.cancel()
            self._done()
            self.preview.say("Cancelled.", "warn")

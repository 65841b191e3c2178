"""Images page: local Stable Diffusion studio and cloud image models, routed and priced through the facade."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from router.errors import SparklioError
from router.image_queue import CANCELLED, DONE, FAILED, ImageJob
from router.types import ImageJobHooks
from ui.pages.images_edit import EditCard
from ui.pages.images_gallery import GalleryCard
from ui.pages.images_gpu import GpuSupportCard
from ui.pages.images_queue import QueueCard
from ui.pages.images_studio import StepBridge, StudioCard
from ui.pages.images_upscale import UpscaleAction
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
            self.image.setPixmap(
                pm.scaled(
                    self.image.width(),
                    self.image.height(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def say(self, text: str, kind: str = "muted") -> None:
        """Message under the preview."""
        c = palette.color({"ok": "ok", "error": "danger", "warn": "warn"}.get(kind, "muted")).name()
        self.message.setStyleSheet(f"color: {c};")
        self.message.setText(text)


class ImagesPage(PageBase):
    """Studio (local SD and cloud models), the job queue, live preview, and the gallery."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(controller, "Images", "Generate images in the cloud or on this machine.", parent=parent)
        self.studio = StudioCard(self)
        self.preview = PreviewCard()
        self.upscaler = UpscaleAction(self)
        self.gallery = GalleryCard(self)
        self.queue = QueueCard(self)  # lives on the page, so it survives switching pages
        top = QHBoxLayout()
        top.setSpacing(14)
        left = QVBoxLayout()
        left.setSpacing(14)
        left.addWidget(self.studio, 3)
        left.addWidget(self.queue, 2)
        top.addLayout(left, 3)
        top.addWidget(self.preview, 2)
        self.gpu = GpuSupportCard(self)  # "Install GPU support (~N GB)" when local SD lacks torch/diffusers
        self.content.addWidget(self.gpu)
        self.content.addLayout(top)
        self.edit = EditCard(self)  # image to image / inpaint inputs (ui/pages/images_edit.py)
        self.content.addWidget(self.edit)
        self.content.addWidget(self.gallery)
        self.content.addStretch(1)
        self.bridge = StepBridge()
        self.bridge.step.connect(self.on_step)
        self.job: Any = None  # the asyncio task making the running queue job
        self.current: ImageJob | None = None  # the queue job being made
        self.notices: list[str] = []  # GPU arbitration steps taken for the image being made
        self.cancel_event: threading.Event | None = None
        self.studio.generate_btn.clicked.connect(self.generate)
        self.studio.model.currentIndexChanged.connect(lambda _i: self.gpu.update_for(self.studio.spec()))
        self.studio.model.currentIndexChanged.connect(lambda _i: self.edit.refresh())
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
            self.banner.show_message(
                "Offline mode is on: cloud image models are idle; Stable Diffusion still runs on this machine.", "info"
            )
        else:
            self.banner.clear_message()
        self.gallery.reload()
        self.queue.restore()
        self.loaded.emit()

    def busy_generating(self) -> bool:
        """True while an image is being made or jobs wait in the queue to run (not restored ones, paused)."""
        q = self.queue.queue
        return self.job is not None or (bool(q.active()) and not q.paused)

    def generate(self) -> None:
        """Queue the studio's request (one job per variation, each a snapshot of the form) and start the queue."""
        if self.app is None:
            return
        try:
            prompt, kw = self.studio.request()
            self.edit.apply(kw)  # source / mask / strength in the edit modes
            self.queue.queue.add(prompt, kw, local=self.studio.spec().local, variations=self.queue.variations.value())
        except SparklioError as exc:
            self.controller.error(str(exc))
            return
        self.pump()

    def pump(self) -> None:
        """Start the next queued job when none is running (one at a time: the local GPU holds one pipeline)."""
        job = self.queue.queue.next_job()
        if self.app is None or self.job is not None or job is None:
            return
        self.run_job(job)

    def run_job(self, job: ImageJob) -> None:
        """Send one job through the facade: routed, budgeted and written to the ledger."""
        prompt, kw = job.prompt, dict(job.params)
        self.cancel_event = event = threading.Event()
        if job.local:
            kw["hooks"] = ImageJobHooks(lambda i, n, png: event.is_set() or self.bridge.step.emit(i, n, png), event)
        self.current = job
        self.queue.queue.start(job, kw.get("steps", 0) if job.local else 0)
        self.preview.progress.setRange(0, kw.get("steps", 0) if job.local else 0)  # cloud: a busy bar
        self.preview.progress.setValue(0)
        self.preview.step_text.setText("starting…")
        self.preview.progress_row.show()
        self.preview.say("")
        self.notices = []
        self.job = self.spawn(
            self.app.generate_image(prompt, **kw), lambda r: self.finished(prompt, kw, r), self.failed
        )

    def on_step(self, i: int, total: int, png: Any) -> None:
        """Per-step progress and the latent preview."""
        self.preview.progress.setRange(0, total)
        self.preview.progress.setValue(i)
        self.preview.step_text.setText(f"step {i} of {total}")
        if self.current is not None:
            self.queue.queue.progress(self.current, i, total)
        if png:
            self.preview.show_png(png)

    def _done(self, state: str, message: str = "") -> None:
        """The running job ended: mark it, then start the next one."""
        job, self.current = self.current, None
        self.job = None
        self.cancel_event = None
        self.preview.progress_row.hide()
        if job is not None:
            self.queue.queue.finish(job, state, message)
        QTimer.singleShot(0, self.pump)

    def finished(self, prompt: str, kw: dict, result: Any) -> None:
        """Save to the gallery, show the image, tell the budget views."""
        from router.gallery import gallery_dir, save_to_gallery

        spec, res = result
        self._done(DONE, f"{len(res.images)} image(s) · {spec.name}")
        for img in res.images:
            img.params.setdefault("prompt", prompt)
            img.params.setdefault("negative_prompt", kw.get("negative_prompt", ""))
            img.params["catalog_model"] = spec.id
            img.params.setdefault("model", spec.name)
            img.params.setdefault("size", kw.get("size"))
        try:
            save_to_gallery(res.images, gallery_dir(self.app.data_dir))
        except SparklioError as exc:
            self.controller.error(str(exc))
        if res.images:
            self.preview.show_png(res.images[-1].png)
            seed = res.images[0].params.get("seed")
            if seed is not None:
                self.studio.last_seed = int(seed)
                self.studio.reuse_seed.setEnabled(True)
        cost = spec.image_price(kw.get("size", ""), kw.get("quality", "standard")) * len(res.images)
        self.preview.say(
            f"{len(res.images)} image(s) from {spec.name}"
            + (f" · {money(cost)}" if cost else " · $0 (local)")
            + "".join(f"\n{n}" for n in self.notices),
            "ok",
        )
        self.gallery.reload()
        self.studio.update_price()
        self.controller.ledger_changed()

    def failed(self, message: str) -> None:
        """Show why it failed (or that it was cancelled)."""
        cancelled = "cancel" in message.lower()
        self._done(CANCELLED if cancelled else FAILED, message)
        (self.controller.warning if cancelled else self.controller.error)(message)

    def cancel(self) -> None:
        """Stop the running job (between two steps for local models); the queue goes on with the next."""
        if self.cancel_event is not None:
            self.cancel_event.set()
        if self.job is not None:
            self.job.cancel()
            self._done(CANCELLED, "cancelled")
            self.controller.warning("Cancelled.")

    def cancel_job(self, job_id: int) -> None:
        """Cancel one job: a queued one leaves the queue, the running one stops."""
        job = self.queue.queue.cancel(job_id)
        if job is not None and job is self.current:
            self.cancel()

    def cancel_all(self) -> None:
        """Empty the queue and stop the running job."""
        running = self.queue.queue.cancel_all()
        if running is not None and running is self.current:
            self.cancel()

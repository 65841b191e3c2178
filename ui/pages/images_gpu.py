"""Images → "Install GPU support (~N GB)": torch + diffusers on demand, with the size first, progress and Cancel."""

from __future__ import annotations

import asyncio
import importlib
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton

from ui.widgets.card import Card, muted


class ProgressBridge(QObject):
    """Carries (bytes done, bytes total) from the download thread to the GUI thread."""

    moved = Signal(object, object)


class GpuSupportCard(Card):
    """Shown while a local Stable Diffusion model is picked and torch/diffusers are missing."""

    def __init__(self, page: Any) -> None:
        super().__init__(
            "GPU support",
            "Local Stable Diffusion needs PyTorch and diffusers. The app does not ship "
            "them (several GB); it installs them into your data folder when you ask.",
        )
        self.page = page
        self.plan: Any = None
        self.cancel_event: threading.Event | None = None
        self.job: Any = None
        self.text = muted(QLabel(""))
        self.text.setWordWrap(True)
        self.install_btn = QPushButton("Install GPU support")
        self.cancel_btn = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        row = QHBoxLayout()
        row.addWidget(self.install_btn)
        row.addWidget(self.progress, 3)
        row.addWidget(self.cancel_btn)
        row.addStretch(1)
        self.body.addWidget(self.text)
        self.body.addLayout(row)
        self.bridge = ProgressBridge()
        self.bridge.moved.connect(self.on_progress)
        self.install_btn.clicked.connect(self.install)
        self.cancel_btn.clicked.connect(self.cancel)
        self._idle()
        self.hide()

    @staticmethod
    def needed() -> bool:
        """True when torch or diffusers cannot be imported (the built app before GPU support is installed)."""
        from local_models.gpu_support import torch_importable

        return not torch_importable()

    def update_for(self, spec: Any) -> None:
        """Show the offer for a local model when GPU support is missing; work out its size once."""
        app = self.page.app
        show = app is not None and spec is not None and spec.local and self.needed()
        self.setVisible(show)
        if show and self.plan is None and self.job is None:
            if app.offline:
                self.text.setText(
                    "Offline mode is on: GPU support needs a download. Switch offline mode off to install it."
                )
                self.install_btn.setEnabled(False)
                return
            self.text.setText("Working out the download for this machine…")
            self.install_btn.setEnabled(False)
            from local_models.gpu_support import plan

            self.job = self.page.spawn(asyncio.to_thread(plan), self.planned, self.failed)

    def planned(self, plan: Any) -> None:
        """The size is known: say it on the button; nothing is downloaded before the click."""
        from local_models.gpu_support import gigabytes

        self.job = None
        if plan is None:
            return
        self.plan = plan
        self.install_btn.setText(f"Install GPU support (~{gigabytes(plan.total_bytes)})")
        self.text.setText(f"{plan.describe()}. Nothing is downloaded until you click Install.")
        self.install_btn.setEnabled(True)

    def install(self) -> None:
        """Download (resuming what an earlier try left), install, verify by importing torch."""
        app = self.page.app
        if app is None or self.job is not None:
            return
        if self.plan is None:  # working out the size failed earlier: try that again first
            self.update_for(self.page.studio.spec())
            return
        from local_models.gpu_support import install

        self.cancel_event = threading.Event()
        self.install_btn.setEnabled(False)
        self.progress.show()
        self.cancel_btn.show()
        self.text.setText("Downloading… you can keep working; Cancel keeps what has arrived.")
        self.job = self.page.spawn(
            asyncio.to_thread(
                install, self.plan, app.data_dir, progress=self.bridge.moved.emit, cancel=self.cancel_event
            ),
            self.installed,
            self.failed,
        )

    def on_progress(self, done: int, total: int) -> None:
        """Move the bar (in thousandths: byte counts exceed a QProgressBar's int)."""
        from local_models.gpu_support import gigabytes

        self.progress.setValue(int(1000 * done / total) if total else 0)
        self.progress.setFormat(f"{gigabytes(done)} of {gigabytes(total)}")

    def cancel(self) -> None:
        """Stop the download after the current chunk; the next Install resumes."""
        if self.cancel_event is not None:
            self.cancel_event.set()

    def installed(self, result: Any) -> None:
        """Put the new packages on sys.path and say what torch reported."""
        from local_models.gpu_support import activate

        self.job = None
        self._idle()
        if result is None:
            return
        activate(self.page.app.data_dir)
        importlib.invalidate_caches()
        cuda = "CUDA available: yes" if result.cuda_available else "CUDA available: no — images run on the CPU"
        self.text.setText(
            f"GPU support installed: torch {result.torch_version}, diffusers {result.diffusers_version} ({cuda})."
        )
        self.install_btn.setText("Installed")
        self.install_btn.setEnabled(False)

    def failed(self, message: str) -> None:
        """One line, and a button that resumes."""
        self.job = None
        self._idle()
        self.text.setText(message)
        self.install_btn.setEnabled(True)
        if self.plan is not None:
            self.install_btn.setText(f"Resume install (~{self._size()})")

    def _size(self) -> str:
        from local_models.gpu_support import gigabytes

        return gigabytes(self.plan.total_bytes)

    def _idle(self) -> None:
        self.progress.hide()
        self.cancel_btn.hide()

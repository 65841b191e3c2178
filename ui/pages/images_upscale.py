"""Images → Upscale 2x/4x of a gallery image or any file: the upscaler model from Settings, else the hires fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"


class UpscaleAction:
    """Runs one upscale at a time in a worker thread and saves the result to the gallery."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.job: Any = None

    def busy(self) -> bool:
        """True while an upscale runs."""
        return self.job is not None

    def choose_file(self, factor: int) -> None:
        """Upscale an image file picked from disk."""
        path, _ = QFileDialog.getOpenFileName(self.page, "Image to upscale", "", IMAGE_FILTER)
        if path:
            self.start(path, factor)

    def start(self, path: str, factor: int) -> None:
        """Upscale `path` by `factor` (progress and errors under the preview)."""
        app = self.page.app
        if app is None or self.job is not None:
            return
        model = app.settings.get("upscaler_path") or None
        how = f"with {Path(model).stem}" if model else "with the hires fix"
        self.page.preview.say(f"Upscaling {Path(path).name} {factor}x {how}…")
        self.page.gallery.set_upscaling(True)
        self.job = self.page.in_thread(self._work, app, path, factor, model, on_done=self._done, on_error=self._failed)

    @staticmethod
    def _work(app: Any, path: str, factor: int, model: str | None) -> Any:
        """The worker thread: the studio's upscale path (loads the SD model when the hires fix needs it)."""
        provider = app.registry.get("local_sd")
        img = provider.upscale_image(path, factor, upscaler_path=model, lora_folder=app.settings.get("lora_folder"))
        img.params["source"] = str(path)
        return img

    def _done(self, img: Any) -> None:
        from router.errors import SparklioError
        from router.gallery import gallery_dir, save_to_gallery

        self.job = None
        self.page.gallery.set_upscaling(False)
        try:
            save_to_gallery([img], gallery_dir(self.page.app.data_dir))
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        self.page.preview.show_png(img.png)
        self.page.preview.say(
            f"Upscaled to {img.params['width']}x{img.params['height']} with "
            f"{img.params['upscaler']} · saved to the gallery",
            "ok",
        )
        self.page.gallery.reload()

    def _failed(self, message: str) -> None:
        self.job = None
        self.page.gallery.set_upscaling(False)
        self.page.controller.error(message)

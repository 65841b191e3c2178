"""Image to image and inpainting on the loaded Stable Diffusion weights (diffusers `from_pipe`: no second copy).

The img2img/inpaint pipelines are built from the loaded text-to-image pipeline and share its UNet, VAE, text
encoder(s) and tokenizer(s) (the same tensor objects). Inpainting pastes the unmasked source back over the result,
as A1111 does, so only the painted area changes.
"""

from __future__ import annotations

from typing import Any

from router.image_edit import mask_image, source_image

_AUTO = {"img2img": "AutoPipelineForImage2Image", "inpaint": "AutoPipelineForInpainting"}


class EditPipelines:
    """img2img / inpaint pipelines derived from one base pipeline, made on first use and dropped with it."""

    def __init__(self) -> None:
        self._base: Any = None
        self._made: dict[str, Any] = {}

    def get(self, base: Any, mode: str) -> Any:
        """The pipeline for `mode` (txt2img: `base` itself) sharing `base`'s weights."""
        if mode == "txt2img":
            return base
        if base is not self._base:
            self._base, self._made = base, {}
        if mode not in self._made:
            import diffusers

            pipe = getattr(diffusers, _AUTO[mode]).from_pipe(base)
            pipe.set_progress_bar_config(disable=True)
            self._made[mode] = pipe
        return self._made[mode]

    def clear(self) -> None:
        """Forget the derived pipelines (the base was unloaded or re-placed)."""
        self._base, self._made = None, {}


def edit_inputs(source: bytes, mask: bytes | None, width: int, height: int) -> tuple[Any, Any]:
    """(RGB source, L mask or None) resized to the requested size, as the pipelines take them."""
    from PIL import Image

    image = source_image(source)
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    m = None
    if mask is not None:
        m = mask_image(mask)
        if m.size != (width, height):
            m = m.resize((width, height), Image.Resampling.NEAREST)
    return image, m


def call_kwargs(mode: str, base: dict, source: bytes | None, mask: bytes | None, strength: float) -> dict:
    """The pipeline call's keyword arguments for `mode` (img2img takes its size from the image)."""
    if mode == "txt2img" or source is None:
        return base
    image, m = edit_inputs(source, mask, base["width"], base["height"])
    kw = {**base, "image": image, "strength": strength}
    if mode == "img2img":
        kw.pop("width"), kw.pop("height")
    else:
        kw["mask_image"] = m
    return kw


def paste_unmasked(result: Any, source: bytes, mask: bytes) -> Any:
    """The result with the source's unmasked pixels put back (mask white = keep the result)."""
    from PIL import Image

    image, m = edit_inputs(source, mask, result.width, result.height)
    return Image.composite(result.convert("RGB"), image, m)


def check_edit(source: bytes | None, mask: bytes | None, strength: float, steps: int) -> None:
    """One-line SparklioError for a bad source/mask pair or a strength that leaves no denoising step."""
    from router.errors import SparklioError
    from router.image_edit import check_edit_inputs

    check_edit_inputs(source, mask)
    if source is None:
        return
    if not 0.0 < float(strength) <= 1.0:
        raise SparklioError(f"Strength (denoising) must be above 0 and at most 1 (got {strength})")
    if int(steps * float(strength)) < 1:
        raise SparklioError(f"{steps} steps at strength {strength:g} leave no step to run: raise either")

"""Image edits (image to image, inpaint): reading and checking the source and mask, and each provider's mask format.

Sparklio's mask convention (the A1111/diffusers one): white = repaint, black = keep. A mask with transparency
(OpenAI's convention) is read as transparent = repaint. Pillow is imported lazily (never on the startup path).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from router.errors import SparklioError
from router.vision import sniff_mime

MB = 1024 * 1024
MAX_EDIT_BYTES = 50 * MB  # OpenAI's limit for gpt-image edits; larger files are refused before any work
MAX_EDIT_SIDE = 4096
EDIT_MODES = ("txt2img", "img2img", "inpaint")


def read_edit_file(path: str | Path, what: str = "source image") -> bytes:
    """The bytes of an image file for an edit; one-line SparklioError for missing, huge or non-image files."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise SparklioError(f"The {what} {p} is a folder: choose a PNG, JPEG or WebP file")
    if not p.is_file():
        raise SparklioError(f"The {what} {p} does not exist")
    size = p.stat().st_size
    if size > MAX_EDIT_BYTES:
        raise SparklioError(f"The {what} {p.name} is {size / MB:.0f} MB: the limit is {MAX_EDIT_BYTES // MB} MB")
    data = p.read_bytes()
    check_image_bytes(data, what, p.name)
    return data


def check_image_bytes(data: bytes, what: str = "source image", name: str = "") -> tuple[int, int]:
    """(width, height) of image bytes; one-line SparklioError when they are empty, huge or not a readable image."""
    label = f"The {what}" + (f" {name}" if name else "")
    if not data:
        raise SparklioError(f"{label} is empty (0 bytes)")
    if len(data) > MAX_EDIT_BYTES:
        raise SparklioError(f"{label} is {len(data) / MB:.0f} MB: the limit is {MAX_EDIT_BYTES // MB} MB")
    if sniff_mime(data) is None:
        raise SparklioError(f"{label} is not an image Sparklio can read (PNG, JPEG or WebP expected)")
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            im.load()
            w, h = im.size
    except Exception as exc:
        raise SparklioError(f"{label} cannot be decoded: {str(exc)[:120] or type(exc).__name__}") from exc
    if max(w, h) > MAX_EDIT_SIDE:
        raise SparklioError(f"{label} is {w}x{h}: the largest side Sparklio edits is {MAX_EDIT_SIDE} pixels")
    return w, h


def check_edit_inputs(source: bytes | None, mask: bytes | None) -> tuple[int, int] | None:
    """Checks source and mask together (a mask needs a source of the same size); the source's size or None."""
    if source is None:
        if mask is not None:
            raise SparklioError("A mask needs a source image: choose the image to inpaint first")
        return None
    size = check_image_bytes(source)
    if mask is not None:
        msize = check_image_bytes(mask, "mask")
        if msize != size:
            raise SparklioError(
                f"The mask is {msize[0]}x{msize[1]} but the image is {size[0]}x{size[1]}: use a mask of the same size"
            )
    return size


def edit_mode(source: bytes | None, mask: bytes | None) -> str:
    """txt2img, img2img or inpaint from which inputs are present."""
    return "txt2img" if source is None else ("inpaint" if mask is not None else "img2img")


def mask_image(mask: bytes) -> Any:
    """The mask as a Pillow "L" image, white = repaint (an alpha channel with transparency: transparent = repaint)."""
    from PIL import Image, ImageChops, ImageOps

    with Image.open(io.BytesIO(mask)) as im:
        im.load()
        if "A" in im.getbands() or (im.mode == "P" and "transparency" in im.info):
            alpha = im.convert("RGBA").getchannel("A")
            low = alpha.getextrema()[0]  # one band: (min, max)
            if isinstance(low, (int, float)) and low < 255:
                return ImageChops.invert(alpha)
        return ImageOps.grayscale(im.convert("RGB"))


def source_image(source: bytes) -> Any:
    """The source as an RGB Pillow image (transparency flattened onto white)."""
    from PIL import Image

    with Image.open(io.BytesIO(source)) as im:
        im.load()
        if "A" in im.getbands() or im.mode == "P":
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return im.convert("RGB")


def png_of(image: Any) -> bytes:
    """A Pillow image as PNG bytes."""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def openai_mask_png(mask: bytes) -> bytes:
    """OpenAI's mask format: an RGBA PNG, fully transparent (alpha 0) where the image should change."""
    from PIL import Image, ImageChops

    repaint = mask_image(mask).point(lambda v: 255 if v >= 128 else 0)
    rgba = Image.new("RGBA", repaint.size, (0, 0, 0, 255))
    rgba.putalpha(ImageChops.invert(repaint))
    return png_of(rgba)


def as_png(data: bytes) -> bytes:
    """The image re-encoded as PNG (unchanged when it already is one)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return png_of(im)


def source_input(source: bytes | None, mask: bytes | None) -> list:
    """The source as the request message's image (so the planner asks for image_edit), after checking both."""
    from router.types import ImageInput

    size = check_edit_inputs(source, mask)  # raises for a mask without a source, or of another size
    if source is None or size is None:
        return []
    return [ImageInput(data=source, mime=sniff_mime(source) or "image/png", name="source")]


def local_size_for(width: int, height: int, longest: int = 1024) -> str:
    """A Stable Diffusion size for a source image: its aspect, longest side at most `longest`, multiples of 8."""
    scale = min(1.0, longest / max(width, height))
    w, h = (max(64, int(v * scale) // 8 * 8) for v in (width, height))
    return f"{w}x{h}"

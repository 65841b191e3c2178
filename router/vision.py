"""Image inputs for vision models: format sniffing, per-provider size/format limits, clear refusals."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from router.catalog import ModelSpec
from router.errors import SparklioError
from router.types import ImageInput

MB = 1024 * 1024
_FORMAT_NAMES = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/heic": "HEIC",
    "image/heif": "HEIF",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
}


@dataclass(frozen=True)
class ImageLimits:
    """What one provider accepts per attached image (documented API limits)."""

    max_bytes: int
    max_side: int | None
    formats: frozenset[str]
    source: str


_COMMON = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
PROVIDER_LIMITS: dict[str, ImageLimits] = {
    "openai": ImageLimits(20 * MB, None, _COMMON, "OpenAI: 20 MB per image; PNG, JPEG, WebP, non-animated GIF"),
    "compat": ImageLimits(20 * MB, None, _COMMON, "OpenAI-compatible endpoints: assumed as OpenAI"),
    "anthropic": ImageLimits(5 * MB, 8000, _COMMON, "Anthropic: 5 MB and 8000 px a side per image"),
    "google": ImageLimits(
        20 * MB,
        None,
        _COMMON | {"image/heic", "image/heif"},
        "Gemini: inline images up to 20 MB per request; PNG, JPEG, WebP, HEIC, HEIF",
    ),
    "ollama": ImageLimits(100 * MB, None, _COMMON | {"image/bmp"}, "Ollama: local, 100 MB sanity cap"),
}


def sniff_mime(data: bytes) -> str | None:
    """The image MIME type from magic bytes, or None when the bytes are not a known image format."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "image/heic" if data[8:12] in (b"heic", b"heix") else "image/heif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return None


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header (PNG/GIF directly, others through Pillow); None when unreadable."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return int(im.width), int(im.height)
    except Exception:
        return None


def limits_for(model: ModelSpec) -> ImageLimits:
    """The image limits that apply to a model (by provider)."""
    return PROVIDER_LIMITS.get(model.provider, PROVIDER_LIMITS["openai"])


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB" if n % MB else f"{n // MB} MB"


def refusal(model: ModelSpec, image: ImageInput) -> str | None:
    """Why `model` cannot take `image` (size, dimensions or format), or None when it can."""
    lim = limits_for(model)
    mime = sniff_mime(image.data) or image.mime
    if mime not in lim.formats:
        accepted = ", ".join(sorted(_FORMAT_NAMES.get(f, f) for f in lim.formats))
        return f"{model.provider} does not accept {_FORMAT_NAMES.get(mime, mime)} (accepts {accepted})"
    if len(image.data) > lim.max_bytes:
        return f"{model.provider} accepts at most {_mb(lim.max_bytes)} per image"
    if lim.max_side:
        dims = image_dimensions(image.data)
        if dims and max(dims) > lim.max_side:
            return f"{model.provider} accepts at most {lim.max_side} px a side"
    return None


def vision_models(models: Iterable[ModelSpec]) -> list[ModelSpec]:
    """Chat models that can read images."""
    return [m for m in models if m.kind == "chat" and "vision" in m.capabilities]


def check_images(images: list[ImageInput], models: Iterable[ModelSpec]) -> list[ModelSpec]:
    """The vision models that accept every image; raises SparklioError naming the limit when none does."""
    candidates = vision_models(models)
    if not images:
        return candidates
    if not candidates:
        raise SparklioError(
            "No model that can read images is available: add an OpenAI, Anthropic or Google key, "
            "or install a vision model in Ollama (e.g. ollama pull llava)"
        )
    for img in images:
        name = img.name or "the image"
        if not img.data:
            raise SparklioError(f"{name} is empty (0 bytes)")
        mime = sniff_mime(img.data)
        if mime is None:
            raise SparklioError(f"{name} is not an image Sparklio can read (PNG, JPEG, WebP or GIF expected)")
    ok = [m for m in candidates if all(refusal(m, img) is None for img in images)]
    if ok:
        return ok
    for img in images:
        reasons = {m.provider: refusal(m, img) for m in candidates}
        reasons = {p: r for p, r in reasons.items() if r}
        if len(reasons) < len({m.provider for m in candidates}):
            continue  # some provider takes this image; another image is the problem
        name = img.name or "the image"
        size = _mb(len(img.data))
        dims = image_dimensions(img.data)
        shape = f", {dims[0]}×{dims[1]} px" if dims else ""
        biggest = max(limits_for(m).max_bytes for m in candidates)
        if len(img.data) > biggest:
            raise SparklioError(
                f"{name} ({size}{shape}) is too large for every vision model: the limit is "
                f"{_mb(biggest)} per image; shrink or crop it and attach it again"
            )
        raise SparklioError(
            f"{name} ({size}{shape}) cannot be sent to any vision model: " + "; ".join(reasons.values())
        )
    raise SparklioError("No single vision model accepts all the attached images; send them in separate messages")


def load_image(path: Path | str) -> ImageInput:
    """Read an image file into an ImageInput (MIME from its bytes); clear errors for missing or non-image files."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise SparklioError(f"{path} is a folder: attach an image file (PNG, JPEG, WebP or GIF)")
    if not path.is_file():
        raise SparklioError(f"Image {path} does not exist")
    data = path.read_bytes()
    if not data:
        raise SparklioError(f"{path.name} is empty (0 bytes)")
    mime = sniff_mime(data)
    if mime is None:
        raise SparklioError(f"{path.name} is not an image Sparklio can read (PNG, JPEG, WebP or GIF expected)")
    return ImageInput(data=data, mime=mime, name=path.name)

"""Vision inputs: real image bytes checked against each provider's limits; clear refusals naming the limit."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from router.catalog import ModelSpec
from router.errors import SparklioError
from router.paths import RESOURCES
from router.pricing import load_catalog
from router.types import ImageInput
from router.vision import MB, check_images, image_dimensions, load_image, refusal, sniff_mime, vision_models


def _png(w: int, h: int, noise: bool = False) -> bytes:
    if noise:
        im = Image.frombytes("RGB", (w, h), os.urandom(w * h * 3))
    else:
        im = Image.new("RGB", (w, h), (200, 30, 60))
    out = io.BytesIO()
    im.save(out, format="PNG", compress_level=0 if noise else 6)
    return out.getvalue()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(RESOURCES / "catalog.toml")


def test_sniff_and_dimensions():
    png = _png(40, 30)
    assert sniff_mime(png) == "image/png"
    assert image_dimensions(png) == (40, 30)
    jpg = io.BytesIO()
    Image.new("RGB", (12, 9)).save(jpg, format="JPEG")
    assert sniff_mime(jpg.getvalue()) == "image/jpeg"
    assert image_dimensions(jpg.getvalue()) == (12, 9)
    assert sniff_mime(b"hello world, not an image") is None


def test_small_logo_is_accepted_by_every_vision_model(catalog):
    models = check_images([ImageInput(_png(256, 256), "image/png", "logo.png")], catalog)
    providers = {m.provider for m in models}
    assert {"openai", "anthropic", "google"} <= providers
    assert all("vision" in m.capabilities for m in models)


def test_six_megabyte_image_skips_anthropic_only(catalog):
    img = ImageInput(_png(1450, 1450, noise=True), "image/png", "photo.png")
    assert 5 * MB < len(img.data) < 20 * MB
    models = check_images([img], catalog)
    assert "anthropic" not in {m.provider for m in models}
    assert "openai" in {m.provider for m in models}
    claude = next(m for m in vision_models(catalog) if m.provider == "anthropic")
    assert refusal(claude, img) == "anthropic accepts at most 5 MB per image"


def test_image_too_large_for_every_vision_model_names_the_limit(catalog):
    img = ImageInput(_png(2700, 2700, noise=True), "image/png", "poster.png")
    assert len(img.data) > 20 * MB
    cloud = [m for m in catalog if m.provider != "ollama"]
    with pytest.raises(SparklioError) as info:
        check_images([img], cloud)
    msg = str(info.value)
    assert "poster.png" in msg and "too large for every vision model" in msg and "20 MB" in msg
    assert "2700×2700 px" in msg


def test_wrong_format_for_every_model(catalog):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="TIFF")
    img = ImageInput(out.getvalue(), "image/tiff", "scan.tiff")
    with pytest.raises(SparklioError, match="scan.tiff .* cannot be sent to any vision model: .*TIFF"):
        check_images([img], [m for m in catalog if m.provider != "ollama"])


def test_too_many_pixels_for_anthropic():
    claude = ModelSpec("c", "anthropic", "claude", capabilities=frozenset({"text", "vision"}))
    img = ImageInput(_png(8200, 10), "image/png", "strip.png")
    assert refusal(claude, img) == "anthropic accepts at most 8000 px a side"
    with pytest.raises(SparklioError, match="strip.png .* cannot be sent to any vision model: .*8000 px"):
        check_images([img], [claude])


def test_no_vision_model_at_all():
    text_only = ModelSpec("t", "openai", "t", capabilities=frozenset({"text"}))
    with pytest.raises(SparklioError, match="No model that can read images"):
        check_images([ImageInput(_png(8, 8))], [text_only])


def test_load_image_errors(tmp_path):
    with pytest.raises(SparklioError, match="does not exist"):
        load_image(tmp_path / "missing.png")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(SparklioError, match="empty.png is empty"):
        load_image(empty)
    text = tmp_path / "notes.png"
    text.write_text("not really a png")
    with pytest.raises(SparklioError, match="notes.png is not an image"):
        load_image(text)
    good = tmp_path / "logo.png"
    good.write_bytes(_png(16, 16))
    assert load_image(good).mime == "image/png"

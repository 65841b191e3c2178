"""Cloud image edits against the fake servers: OpenAI images.edit (multipart, alpha mask), Gemini inline_data,
routing to image_edit rows only, prices before the click, one-line refusals for bad inputs."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from router.catalog import ModelSpec
from router.errors import SparklioError
from router.image_edit import MAX_EDIT_BYTES, openai_mask_png, read_edit_file
from router.providers.google_provider import MASK_NOTE, GoogleProvider
from router.providers.openai_provider import OpenAIProvider
from router.types import ImageInput, Message, RouteRequest
from tests.fakes.fixtures import (  # noqa: F401
    CLIENT_TIMEOUT_S,
    GOOGLE_KEY,
    OPENAI_KEY,
    gemini_server,
    openai_server,
)

GPT_IMAGE = ModelSpec(id="oa-image", provider="openai", api_model="gpt-image-fake", kind="image")
NANO = ModelSpec(id="nanobanana", provider="google", api_model="gemini-fake-flash-image", kind="image")


def png(size=(32, 32), colour=(200, 30, 30), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, format="PNG")
    return buf.getvalue()


def left_half_mask(size=(32, 32)) -> bytes:
    """White (repaint) on the left half, black (keep) on the right."""
    m = Image.new("L", size, 0)
    m.paste(255, (0, 0, size[0] // 2, size[1]))
    buf = io.BytesIO()
    m.save(buf, format="PNG")
    return buf.getvalue()


def alpha_of(data: bytes):
    with Image.open(io.BytesIO(data)) as im:
        return im.format, im.mode, im.getchannel("A").copy()


def test_openai_mask_is_transparent_where_to_change():
    fmt, mode, alpha = alpha_of(openai_mask_png(left_half_mask()))
    assert (fmt, mode) == ("PNG", "RGBA")
    assert alpha.getpixel((2, 5)) == 0 and alpha.getpixel((30, 5)) == 255
    # an OpenAI-style mask (already transparent where to change) is read the same way, not inverted twice
    _, _, again = alpha_of(openai_mask_png(openai_mask_png(left_half_mask())))
    assert list(again.getdata()) == list(alpha.getdata())


async def test_openai_edit_uploads_image_and_alpha_mask_as_multipart(openai_server):  # noqa: F811
    provider = OpenAIProvider(OPENAI_KEY, base_url=openai_server.base_url, timeout=CLIENT_TIMEOUT_S)
    source = png()
    res = await provider.generate_image(
        GPT_IMAGE, "paint the left side blue", size="1024x1024", quality="hd", n=2, source=source, mask=left_half_mask()
    )
    await provider.aclose()
    assert len(res.images) == 2 and res.images[0].png.startswith(b"\x89PNG") and res.usage.images == 2
    req = openai_server.last
    assert req.path == "/v1/images/edits" and req.headers["content-type"].startswith("multipart/form-data")
    form = openai_server.edits[-1]
    assert form["fields"]["prompt"] == "paint the left side blue" and form["fields"]["model"] == "gpt-image-fake"
    assert form["fields"]["quality"] == "high" and form["fields"]["n"] == "2"
    name, ctype, data = form["files"]["image"]
    assert (name, ctype, data) == ("source.png", "image/png", source)
    _, ctype, mask = form["files"]["mask"]
    fmt, mode, alpha = alpha_of(mask)
    assert ctype == "image/png" and (fmt, mode) == ("PNG", "RGBA")
    assert alpha.getpixel((1, 1)) == 0 and alpha.getpixel((31, 31)) == 255


async def test_openai_refuses_a_mask_of_another_size_in_one_line(openai_server):  # noqa: F811
    provider = OpenAIProvider(OPENAI_KEY, base_url=openai_server.base_url, timeout=CLIENT_TIMEOUT_S)
    with pytest.raises(SparklioError) as info:  # the fake answers as the API does; the provider maps it
        await provider.generate_image(GPT_IMAGE, "x", source=png((32, 32)), mask=left_half_mask((16, 16)))
    await provider.aclose()
    assert "mask size does not match" in str(info.value) and "\n" not in str(info.value)


async def test_gemini_edit_sends_source_and_mask_inline(gemini_server):  # noqa: F811
    provider = GoogleProvider(GOOGLE_KEY, base_url=gemini_server.url, timeout=CLIENT_TIMEOUT_S)
    source = png()
    res = await provider.generate_image(NANO, "make it night", source=source, mask=left_half_mask())
    await provider.aclose()
    assert res.images[0].png.startswith(b"\x89PNG")
    parts = gemini_server.last.json["contents"][0]["parts"]
    inline = [p["inlineData"] for p in parts if "inlineData" in p]
    assert [b.get("mimeType", b.get("mime_type")) for b in inline] == ["image/png", "image/png"]
    assert base64.b64decode(inline[0]["data"]) == source
    with Image.open(io.BytesIO(base64.b64decode(inline[1]["data"]))) as m:
        assert m.mode == "L" and m.getpixel((1, 1)) == 255 and m.getpixel((31, 1)) == 0
    text = next(p["text"] for p in parts if "text" in p)
    assert text.startswith(MASK_NOTE) and text.endswith("make it night")


async def test_gemini_image_to_image_without_mask(gemini_server):  # noqa: F811
    provider = GoogleProvider(GOOGLE_KEY, base_url=gemini_server.url, timeout=CLIENT_TIMEOUT_S)
    await provider.generate_image(NANO, "as a watercolour", source=png())
    await provider.aclose()
    parts = gemini_server.last.json["contents"][0]["parts"]
    assert len([p for p in parts if "inlineData" in p]) == 1 and parts[-1]["text"] == "as a watercolour"


# ---- through the facade: routed, priced, in the ledger ----


def test_an_edit_plans_only_models_that_edit(cloud_app):
    edit = RouteRequest([Message("user", "x", [ImageInput(png())])], task="image_generation_bulk")
    plan = cloud_app.plan(edit)
    served = [cloud_app.catalog.get(e.serves or e.model) for e in plan.chain]  # a retired row: its successor
    assert served and all("image_edit" in m.capabilities for m in served)
    plain = cloud_app.plan(RouteRequest([Message("user", "x")], task="image_generation_bulk"))
    assert plain.chain  # the same row without a source plans too (image_edit is asked only for edits)


async def test_facade_edit_is_routed_priced_and_recorded(cloud_app, fake_openai):
    before = cloud_app.budget.status().spent_usd
    spec, res = await cloud_app.generate_image(
        "blue sky", model="gpt-image-2", size="1024x1024", source=png(), mask=left_half_mask(), strength=0.4
    )
    assert spec.id == "gpt-image-2" and len(res.images) == 1
    form = fake_openai.edits[-1]
    assert "strength" not in form["fields"] and "mask" in form["files"]  # SD-only fields stay local
    spent = cloud_app.budget.status().spent_usd - before
    assert spent == pytest.approx(spec.image_price("1024x1024", "standard"))


async def test_a_pinned_retired_model_is_served_by_a_successor_that_edits(cloud_app, fake_openai):
    spec, _ = await cloud_app.generate_image("x", model="dall-e-3", source=png())  # dall-e-3 cannot edit (retired)
    assert spec.id != "dall-e-3" and "image_edit" in spec.capabilities
    assert fake_openai.last.path == "/v1/images/edits"


@pytest.mark.parametrize(
    "source,mask,why",
    [
        (b"not an image at all", None, "is not an image"),
        (png((32, 32)), left_half_mask((16, 16)), "The mask is 16x16 but the image is 32x32"),
        (None, left_half_mask(), "A mask needs a source image"),
        (png()[:40], None, "cannot be decoded"),
    ],
)
async def test_facade_bad_inputs_are_one_line(cloud_app, source, mask, why):
    with pytest.raises(SparklioError) as info:
        await cloud_app.generate_image("x", model="gpt-image-2", source=source, mask=mask)
    assert why in str(info.value) and "\n" not in str(info.value)


def test_huge_or_missing_files_are_refused_before_reading(tmp_path):
    huge = tmp_path / "huge.png"
    with huge.open("wb") as f:
        f.truncate(MAX_EDIT_BYTES + 1)
    for path, why in (
        (huge, "the limit is 50 MB"),
        (tmp_path / "nope.png", "does not exist"),
        (tmp_path, "is a folder"),
    ):
        with pytest.raises(SparklioError) as info:
            read_edit_file(path)
        assert why in str(info.value)

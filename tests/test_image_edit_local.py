"""Image to image and inpaint on the tiny random SD pipeline: shared weights, masked-only changes, PNG parameters,
the provider path and one-line refusals."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from local_models.diffusion import GenerationParams, SdPipelineHost
from local_models.sd_provider import LocalDiffusionProvider
from local_models.tiny_pipeline import build_tiny_pipeline
from router.catalog import ModelSpec
from router.errors import PermanentError, SparklioError
from router.gallery import parse_parameters, read_png_parameters

SD = ModelSpec(
    id="local-sd",
    provider="local_sd",
    api_model="sd",
    kind="image",
    capabilities=frozenset({"image_gen", "image_edit"}),
)
pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB")).astype(int)


SOURCE = png(Image.fromarray((np.random.RandomState(0).rand(64, 64, 3) * 255).astype("uint8")))
MASK_IMG = Image.new("L", (64, 64), 0)
MASK_IMG.paste(255, (0, 0, 32, 32))  # repaint the top-left quarter
MASK = png(MASK_IMG)


def edit(**kw) -> GenerationParams:
    base = {
        "prompt": "a red cat",
        "width": 64,
        "height": 64,
        "steps": 4,
        "seed": 3,
        "scheduler": "ddim",
        "source": SOURCE,
        "strength": 0.5,
    }
    return GenerationParams(**{**base, **kw})


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return build_tiny_pipeline(tmp_path_factory.mktemp("sd") / "tiny")


@pytest.fixture(scope="module")
def engine(model):
    e = SdPipelineHost(preview_every=1)
    e.load(model)
    return e


def test_edit_pipelines_share_the_loaded_weights(engine):
    engine.generate(edit())
    engine.generate(edit(mask=MASK))
    base = engine._pipe
    for mode in ("img2img", "inpaint"):
        derived = engine._edits.get(base, mode)
        assert (
            type(derived).__name__
            == {"img2img": "StableDiffusionImg2ImgPipeline", "inpaint": "StableDiffusionInpaintPipeline"}[mode]
        )
        for name in ("unet", "vae", "text_encoder", "tokenizer"):
            assert getattr(derived, name) is getattr(base, name)
        assert next(derived.unet.parameters()).data_ptr() == next(base.unet.parameters()).data_ptr()
    assert engine._edits.get(base, "inpaint") is engine._edits.get(base, "inpaint")  # made once


def test_img2img_follows_the_source_and_records_strength(engine):
    steps = []
    low = engine.generate(edit(strength=0.3), on_step=lambda i, n, p: steps.append((i, n)))[0]
    high = engine.generate(edit(strength=1.0))[0]
    assert steps == [(1, 1)]  # 4 steps at strength 0.3: one denoising step, as diffusers counts it
    src = pixels(SOURCE)
    assert np.abs(pixels(low.png) - src).mean() != np.abs(pixels(high.png) - src).mean()
    text = read_png_parameters(low.png)
    fields = parse_parameters(text)
    assert fields["Denoising strength"] == "0.3" and fields["Mode"] == "img2img" and fields["Seed"] == "3"
    assert low.params["edit_mode"] == "img2img" and low.params["strength"] == 0.3


def test_inpaint_changes_only_the_masked_area(engine):
    out = engine.generate(edit(mask=MASK, strength=0.9))[0]
    diff = np.abs(pixels(out.png) - pixels(SOURCE))
    assert diff[:32, :32].mean() > 10  # repainted
    assert diff[32:, 32:].max() == 0 and diff[:32, 32:].max() == 0  # kept exactly, as A1111 pastes it back
    assert parse_parameters(read_png_parameters(out.png))["Mode"] == "inpaint"


def test_a_source_of_another_size_is_resized_to_the_request(engine):
    small = png(Image.new("RGB", (40, 24), (10, 200, 10)))
    out = engine.generate(edit(source=small, width=96, height=64))[0]
    assert pixels(out.png).shape == (64, 96, 3)


def test_txt2img_still_uses_the_base_pipeline(engine):
    out = engine.generate(edit(source=None, strength=0.75))[0]
    assert "edit_mode" not in out.params and "Denoising" not in read_png_parameters(out.png)


@pytest.mark.parametrize(
    "kw,why",
    [
        ({"source": b"hello"}, "is not an image"),
        ({"mask": png(Image.new("L", (32, 32)))}, "The mask is 32x32 but the image is 64x64"),
        ({"strength": 0.0}, "Strength (denoising) must be above 0"),
        ({"strength": 1.5}, "Strength (denoising) must be above 0"),
        ({"steps": 2, "strength": 0.2}, "leave no step to run"),
        ({"source": None, "mask": MASK}, "A mask needs a source image"),
    ],
)
def test_bad_edit_inputs_are_one_line(kw, why):
    with pytest.raises(SparklioError) as info:
        edit(**kw).validated()
    assert why in str(info.value) and "\n" not in str(info.value)


async def test_provider_path_takes_source_mask_and_strength(model):
    provider = LocalDiffusionProvider(base_url=model)
    res = await provider.generate_image(
        SD, "a red cat", size="64x64", steps=4, seed=2, scheduler="ddim", source=SOURCE, mask=MASK, strength=0.8
    )
    assert res.images[0].params["edit_mode"] == "inpaint" and res.usage.images == 1
    with pytest.raises(PermanentError) as info:
        await provider.generate_image(SD, "a red cat", size="64x64", source=SOURCE, mask=png(Image.new("L", (8, 8))))
    assert info.value.reason == "bad_request"
    await provider.aclose()


def test_an_edit_stops_between_steps_when_cancelled(engine):
    import threading

    from local_models.diffusion import GenerationCancelled

    cancel = threading.Event()
    seen = []

    def on_step(i, n, _png):
        seen.append(i)
        cancel.set()  # the user pressed Cancel during the first step

    with pytest.raises(GenerationCancelled):
        engine.generate(edit(mask=MASK, strength=1.0), on_step=on_step, cancel=cancel)
    assert seen == [1]
    assert engine.generate(edit())[0].png.startswith(b"\x89PNG")  # the engine is usable afterwards


def tiny_sdxl(folder):
    """A tiny random SDXL pipeline (two text encoders, text_time embedding) saved as a Diffusers folder."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        CLIPTextModelWithProjection,
        CLIPTokenizer,
    )

    from local_models.tiny_pipeline import write_tokenizer_files

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        vocab = write_tokenizer_files(folder / "tok")
        tok = CLIPTokenizer.from_pretrained(str(folder / "tok"), model_max_length=77)
        unet = UNet2DConditionModel(
            block_out_channels=(4, 8),
            layers_per_block=1,
            sample_size=8,
            in_channels=4,
            out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            attention_head_dim=(2, 4),
            use_linear_projection=True,
            addition_embed_type="text_time",
            addition_time_embed_dim=8,
            transformer_layers_per_block=(1, 1),
            projection_class_embeddings_input_dim=56,
            cross_attention_dim=16,
            norm_num_groups=2,
        )  # 6 x 8 + 8
        vae = AutoencoderKL(
            block_out_channels=(4, 8),
            in_channels=3,
            out_channels=3,
            latent_channels=4,
            down_block_types=("DownEncoderBlock2D",) * 2,
            up_block_types=("UpDecoderBlock2D",) * 2,
            norm_num_groups=2,
            sample_size=32,
        )
        cfg = CLIPTextConfig(
            vocab_size=vocab,
            hidden_size=8,
            intermediate_size=16,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=77,
            projection_dim=8,
            bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id,
            pad_token_id=tok.pad_token_id,
        )
        pipe = StableDiffusionXLPipeline(
            vae=vae,
            text_encoder=CLIPTextModel(cfg),
            text_encoder_2=CLIPTextModelWithProjection(cfg),
            tokenizer=tok,
            tokenizer_2=tok,
            unet=unet,
            scheduler=EulerDiscreteScheduler(
                beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1
            ),
        )
    pipe.save_pretrained(str(folder / "sdxl"), safe_serialization=True)
    for sub in ("tokenizer", "tokenizer_2"):
        write_tokenizer_files(folder / "sdxl" / sub)
    return folder / "sdxl"


def test_sdxl_edits_share_weights_and_keep_the_unmasked_area(tmp_path):
    e = SdPipelineHost()
    e.load(tiny_sdxl(tmp_path))
    assert type(e._pipe).__name__ == "StableDiffusionXLPipeline"
    out = e.generate(edit(mask=MASK, strength=0.8, scheduler="euler"))[0]
    assert np.abs(pixels(out.png) - pixels(SOURCE))[32:, :].max() == 0
    inpaint = e._edits.get(e._pipe, "inpaint")
    assert type(inpaint).__name__ == "StableDiffusionXLInpaintPipeline"
    assert inpaint.unet is e._pipe.unet and inpaint.text_encoder_2 is e._pipe.text_encoder_2
    img = e.generate(edit(strength=0.5, scheduler="euler"))[0]
    assert img.params["edit_mode"] == "img2img" and pixels(img.png).shape == (64, 64, 3)

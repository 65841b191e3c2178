"""Real diffusers on a tiny random Stable Diffusion pipeline: loading, generation, PNG metadata, gallery, provider."""

from __future__ import annotations

import io
import json
import shutil
import threading

import pytest

from local_models.diffusion import (
    CPU_WARNING,
    GenerationCancelled,
    GenerationParams,
    SdPipelineHost,
    normalize_scheduler,
)
from local_models.sd_provider import NO_MODEL, LocalDiffusionProvider
from local_models.tiny_pipeline import build_tiny_pipeline, config_dir_for
from router.catalog import ModelSpec
from router.errors import PermanentError, SparklioError
from router.gallery import (
    GalleryImage,
    delete_from_gallery,
    gallery_dir,
    list_gallery,
    parse_parameters,
    read_png_parameters,
    save_to_gallery,
)
from router.providers.base import Provider
from router.store import open_store

SD_MODEL = ModelSpec(
    id="local-sd", provider="local_sd", api_model="sd", kind="image", capabilities=frozenset({"image_gen"})
)


def small(**kw) -> GenerationParams:
    """A fast request: 64x64, 2 steps."""
    base = {"prompt": "a red cat", "width": 64, "height": 64, "steps": 2, "seed": 1, "scheduler": "ddim"}
    return GenerationParams(**{**base, **kw})


def pixels(png: bytes):
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB")).copy()


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("sd")
    return {
        "folder": build_tiny_pipeline(root / "tiny-folder"),
        "single": build_tiny_pipeline(root / "single", single_file=True),
    }


@pytest.fixture(scope="module")
def engine(models):
    e = SdPipelineHost(preview_every=2)
    e.load(models["folder"])
    return e


# ---- loading and formats ----


def test_tiny_pipeline_files(models):
    assert (models["folder"] / "model_index.json").is_file()
    single = models["single"]
    assert single.suffix == ".safetensors" and single.is_file()
    cfg = config_dir_for(single)
    assert (cfg / "model_index.json").is_file() and not list(cfg.glob("*/*.safetensors"))


def test_tiny_pipeline_is_seeded():
    from local_models.tiny_pipeline import make_tiny_pipeline

    a, b, c = make_tiny_pipeline(0), make_tiny_pipeline(0), make_tiny_pipeline(1)
    sa, sb, sc = a.unet.state_dict(), b.unet.state_dict(), c.unet.state_dict()
    assert all((sa[k] == sb[k]).all() for k in sa)
    assert any((sa[k] != sc[k]).any() for k in sa)
    assert a.tokenizer("a photo of a cat").input_ids == b.tokenizer("a photo of a cat").input_ids


def test_device_choice_and_cpu_warning(engine):
    import torch

    if torch.cuda.is_available():
        assert engine.device == "cuda" and engine.dtype == torch.float16
    else:
        assert engine.device == "cpu" and engine.dtype == torch.float32
        assert engine.warnings[0] == CPU_WARNING == "No NVIDIA GPU: generating on the CPU is slow"


def test_folder_and_single_file_give_the_same_image(engine, models):
    other = SdPipelineHost()
    other.load(models["single"])
    assert other.model_name == "tiny-sd" and engine.model_name == "tiny-folder"
    a = engine.generate(small())[0]
    b = other.generate(small())[0]
    assert a.png.startswith(b"\x89PNG")
    assert (pixels(a.png) == pixels(b.png)).all()  # same weights through both loaders
    assert pixels(a.png).shape == (64, 64, 3)


def test_same_seed_same_png_and_different_seeds_differ(engine):
    a = engine.generate(small(seed=42))[0]
    b = engine.generate(small(seed=42))[0]
    c = engine.generate(small(seed=43))[0]
    assert a.png == b.png
    assert not (pixels(a.png) == pixels(c.png)).all()


def test_random_seed_is_reported_and_reproducible(engine):
    first = engine.generate(small(seed=None))[0]
    seed = first.params["seed"]
    assert isinstance(seed, int) and seed >= 0
    assert engine.generate(small(seed=seed))[0].png == first.png


def test_batch_uses_consecutive_seeds(engine):
    batch = engine.generate(small(seed=7, batch=2))
    assert [img.params["seed"] for img in batch] == [7, 8]
    single = engine.generate(small(seed=8))[0]
    diff = abs(pixels(batch[1].png).astype(int) - pixels(single.png).astype(int))
    assert diff.max() <= 2  # same noise; batched matmuls may round the last bit differently


@pytest.mark.parametrize("scheduler", ["euler", "euler_a", "ddim", "dpm++ 2m", "pndm"])
def test_every_scheduler_runs(engine, scheduler):
    img = engine.generate(small(scheduler=scheduler))[0]
    assert img.params["scheduler"] == scheduler
    assert pixels(img.png).shape == (64, 64, 3)


def test_scheduler_aliases():
    assert normalize_scheduler("DPM++ 2M") == normalize_scheduler("dpmpp_2m") == "dpm++ 2m"
    assert normalize_scheduler("Euler a") == "euler_a"
    with pytest.raises(SparklioError, match="Unknown sampler 'lms'"):
        normalize_scheduler("lms")


# ---- progress and cancel ----


def test_progress_callback_per_step_with_previews(engine):
    calls = []
    engine.generate(small(steps=3), on_step=lambda step, total, preview: calls.append((step, total, preview)))
    assert [(s, t) for s, t, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert calls[1][2].startswith(b"\x89PNG")  # preview every 2 steps
    assert calls[0][2] is None and calls[2][2] is None


def test_cancel_stops_between_steps(engine):
    cancel = threading.Event()
    steps = []

    def on_step(step, total, preview):
        steps.append(step)
        if step == 2:
            cancel.set()

    with pytest.raises(GenerationCancelled, match="cancelled"):
        engine.generate(small(steps=6), on_step=on_step, cancel=cancel)
    assert steps == [1, 2]
    assert engine.generate(small())[0].png  # still usable afterwards


def test_cancel_before_start(engine):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(GenerationCancelled):
        engine.generate(small(), on_step=lambda *a: pytest.fail("no step should run"), cancel=cancel)


def test_out_of_memory_retries_once_then_fails_clearly(engine):
    import torch

    hits = []

    def oom_once(step, total, preview):
        hits.append(step)
        if len(hits) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    img = engine.generate(small(seed=5), on_step=oom_once)[0]
    assert hits == [1, 1, 2]  # step 1 failed, then one full retry
    assert engine.last_choice is not None and "retrying" in engine.last_choice.why
    assert engine.last_choice.vae_tiling  # the retry runs leaner
    assert img.png == engine.generate(small(seed=5))[0].png  # the retry kept the seed

    def oom_always(step, total, preview):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(SparklioError, match="Not enough GPU memory for 64x64"):
        engine.generate(small(), on_step=oom_always)


# ---- PNG metadata ----


def test_png_parameters_chunk_is_a1111_text(engine):
    p = small(prompt="a cat, on the sea", negative_prompt="blurry, dark", scheduler="euler_a", seed=99, steps=2)
    img = engine.generate(p)[0]
    text = read_png_parameters(img.png)
    assert text.splitlines()[0] == "a cat, on the sea"
    assert text.splitlines()[1] == "Negative prompt: blurry, dark"
    parsed = parse_parameters(text)
    assert parsed["prompt"] == "a cat, on the sea" and parsed["negative_prompt"] == "blurry, dark"
    assert (parsed["Steps"], parsed["Sampler"], parsed["Seed"], parsed["Size"]) == ("2", "Euler a", "99", "64x64")
    assert parsed["CFG scale"] == "7" and parsed["Model"] == "tiny-folder"


# ---- validation and load errors ----


@pytest.mark.parametrize(
    "kw,message",
    [
        ({"width": 100}, "width must be a multiple of 8"),
        ({"height": 4096}, "height must be a multiple of 8 between 64 and 2048"),
        ({"width": 32}, "between 64 and 2048"),
        ({"steps": 0}, "Steps must be between 1 and 150"),
        ({"steps": 151}, "Steps must be between 1 and 150"),
        ({"batch": 0}, "Batch size must be between 1 and 8"),
        ({"batch": 9}, "Batch size must be between 1 and 8"),
        ({"guidance": -1.0}, "Guidance"),
        ({"prompt": "  "}, "Enter a prompt"),
        ({"scheduler": "warp"}, "Unknown sampler"),
    ],
)
def test_bad_parameters(engine, kw, message):
    with pytest.raises(SparklioError, match=message):
        engine.generate(small(**kw))


def test_load_errors(tmp_path, models):
    e = SdPipelineHost()
    with pytest.raises(SparklioError, match="model not found"):
        e.load(tmp_path / "nothing-here")
    with pytest.raises(SparklioError, match="no model_index.json"):
        e.load(tmp_path)
    ckpt = tmp_path / "old.ckpt"
    ckpt.write_bytes(b"pickle")
    with pytest.raises(SparklioError, match="not a valid .ckpt file"):
        e.load(ckpt)
    (tmp_path / "notes.txt").write_text("a model?")
    with pytest.raises(SparklioError, match="notes.txt is not a model"):
        e.load(tmp_path / "notes.txt")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(SparklioError, match="not a valid .safetensors file"):
        e.load(junk)
    data = models["single"].read_bytes()
    truncated = tmp_path / "half.safetensors"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(SparklioError, match="not a valid .safetensors file"):
        e.load(truncated)
    lonely = tmp_path / "lonely.safetensors"
    shutil.copy(models["single"], lonely)  # no lonely.config/ beside it, and the Hub is offline
    with pytest.raises(SparklioError, match="needs its Diffusers configuration"):
        e.load(lonely)
    assert not e.loaded
    with pytest.raises(SparklioError, match="No Stable Diffusion model loaded"):
        e.generate(small())


def test_corrupt_weights_in_a_folder(tmp_path, models):
    broken = tmp_path / "broken"
    shutil.copytree(models["folder"], broken)
    weights = broken / "unet" / "diffusion_pytorch_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:300])
    with pytest.raises(SparklioError, match="Could not load the Stable Diffusion model broken"):
        SdPipelineHost().load(broken)


# ---- gallery ----


def test_gallery_rows_and_files(engine, data_dir):
    store = open_store(data_dir)
    try:
        images = engine.generate(small(seed=11, batch=2, negative_prompt="ugly"))
        rows = save_to_gallery(images, gallery_dir(data_dir))
        assert len(rows) == 2
        for row, img in zip(rows, images):
            saved = GalleryImage.get_by_id(row.id)
            assert saved.path.startswith(str(data_dir / "images"))
            with open(saved.path, "rb") as f:
                assert f.read() == img.png
            assert (saved.prompt, saved.negative_prompt, saved.model) == ("a red cat", "ugly", "tiny-folder")
            assert saved.seed == img.params["seed"]
            assert json.loads(saved.params)["steps"] == 2 and saved.created_at > 0
        assert {r.seed for r in list_gallery()} == {11, 12}
        assert delete_from_gallery(rows[0].id)
        assert [r.id for r in list_gallery()] == [rows[1].id]
    finally:
        store.close()


# ---- the local_sd provider ----


async def test_provider_without_model_path():
    p = LocalDiffusionProvider()
    assert isinstance(p, Provider) and p.name == "local_sd"
    with pytest.raises(PermanentError) as info:
        await p.generate_image(SD_MODEL, "a cat", size="64x64")
    assert str(info.value) == NO_MODEL


async def test_provider_generates_images_with_usage(models):
    p = LocalDiffusionProvider(base_url=models["folder"], engine=SdPipelineHost())  # as the registry builds it
    model = ModelSpec(
        id="local-sd", provider="local_sd", api_model="sd", kind="image", params={"scheduler": "ddim", "steps": 3}
    )
    result = await p.generate_image(model, "a blue dog", size="64x64", n=2, steps=2, seed=3)
    assert result.images[0].params["scheduler"] == "ddim"  # from the catalog params
    assert result.images[0].params["steps"] == 2  # the call overrides the catalog
    assert len(result.images) == 2 and all(i.png.startswith(b"\x89PNG") for i in result.images)
    assert [i.params["seed"] for i in result.images] == [3, 4]
    assert result.usage.images == 2 and result.usage.image_size == "64x64"
    assert result.usage.gpu_seconds > 0
    assert SD_MODEL.cost(result.usage) == 0.0
    assert "tiny-folder ready" in await p.check()
    with pytest.raises(PermanentError, match="width must be a multiple of 8"):
        await p.generate_image(SD_MODEL, "a cat", size="100x64", steps=2)
    with pytest.raises(PermanentError, match="size must look like"):
        await p.generate_image(SD_MODEL, "a cat", size="big")
    with pytest.raises(PermanentError, match="cannot chat"):
        async for _ in p.stream_chat(SD_MODEL, [], max_tokens=None, temperature=None):
            pass
    await p.aclose()
    assert not p.engine.loaded


async def test_provider_bad_model_path_is_permanent(tmp_path):
    p = LocalDiffusionProvider(base_url=tmp_path / "missing")
    with pytest.raises(PermanentError, match="model not found"):
        await p.check()

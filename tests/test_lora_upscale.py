"""LoRA, upscale and the newer families on real diffusers/peft/spandrel with tiny random models (no downloads)."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import pytest

from local_models.diffusion import GenerationParams, SdPipelineHost
from local_models.lora import list_loras, resolve, trigger_words
from local_models.sd_families import FAMILIES, family_for_keys, family_for_path
from local_models.tiny_pipeline import build_tiny_pipeline
from local_models.tiny_studio import build_tiny_esrgan, build_tiny_lora
from local_models.upscale import read_image, tile_side, upscale
from router.cli import main
from router.cli.studio_cmds import alias_argv, parse_lora_flag
from router.errors import SparklioError
from router.gallery import parse_parameters, read_png_parameters, split_tags
from router.sd_path import LoraError, UpscaleError, check_upscaler_path
from router.sd_path import check_lora_folder as check_folder
from tests.fakes.tiny_families import build_tiny_flux, build_tiny_sd3

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py
KOHYA = {
    "ss_tag_frequency": json.dumps({"10_ink": {"inkstyle": 9, "cat": 2}, "5_x": {"cat": 3}}),
    "modelspec.trigger_phrase": "ink art",
}


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    root = tmp_path_factory.mktemp("studio")
    loras = root / "loras"
    build_tiny_lora(loras / "ink.safetensors", metadata=KOHYA)
    build_tiny_lora(loras / "glow.safetensors", seed=7)
    (loras / "broken.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    return {
        "sd": build_tiny_pipeline(root / "sd"),
        "loras": loras,
        "esrgan2": build_tiny_esrgan(root / "x2.safetensors", scale=2),
        "esrgan4": build_tiny_esrgan(root / "x4.pth", scale=4),
    }


@pytest.fixture(scope="module")
def engine(parts):
    e = SdPipelineHost(preview_every=0)
    e.load(parts["sd"])
    return e


def small(**kw) -> GenerationParams:
    return GenerationParams(
        **{"prompt": "a red cat", "width": 64, "height": 64, "steps": 2, "seed": 1, "scheduler": "ddim", **kw}
    )


def size_of(png: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.size


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- LoRA ----


def test_trigger_words_come_from_the_header_and_broken_files_are_skipped(parts):
    found = {f.name: f for f in list_loras(parts["loras"])}
    assert set(found) == {"glow", "ink"}  # broken.safetensors is left out
    assert found["ink"].triggers == ("ink art", "inkstyle", "cat")  # trigger phrase, then tags by count (9, 5)
    assert found["glow"].triggers == ()
    assert trigger_words({"ss_tag_frequency": "not json"}) == ()
    with pytest.raises(LoraError, match="LoRA folder not found"):
        check_folder(parts["loras"] / "nope")
    with pytest.raises(LoraError, match="LoRA 'nope' not found in"):
        resolve(parts["loras"], "nope")
    with pytest.raises(LoraError, match="broken.safetensors is not a valid .safetensors LoRA"):
        resolve(parts["loras"], "broken")


def test_a_lora_changes_the_image_lands_in_the_png_and_comes_back(parts, engine):
    ink = resolve(parts["loras"], "ink", 0.8)
    bare = engine.generate(small())[0]
    with_lora = engine.generate(small(loras=(ink,)))[0]
    assert with_lora.png != bare.png  # the adapter changed the UNet's output
    half = engine.generate(small(loras=((ink[0], 0.3),)))[0]
    assert half.png not in (bare.png, with_lora.png)  # the weight matters
    assert engine.generate(small(loras=((ink[0], 0.3),)))[0].png == half.png  # unchanged: set_adapters skipped
    assert engine.generate(small(loras=(ink,)))[0].png == with_lora.png  # the weight changed back: set again
    two = engine.generate(small(loras=(ink, resolve(parts["loras"], "glow", 1.0))))[0]
    assert two.png != with_lora.png
    assert engine.generate(small())[0].png == bare.png  # deselected: unloaded, the model is as before
    text = read_png_parameters(with_lora.png)
    assert text.splitlines()[0] == "a red cat <lora:ink:0.8>"
    back = parse_parameters(text)
    assert back["prompt"] == "a red cat" and back["loras"] == [{"name": "ink", "weight": 0.8}]
    assert with_lora.params["loras"] == [{"name": "ink", "weight": 0.8}]


def test_bad_lora_requests_are_one_line(parts, engine, tmp_path):
    with pytest.raises(SparklioError, match="LoRA ink weight must be between -4 and 4"):
        engine.generate(small(loras=((str(parts["loras"] / "ink.safetensors"), 9.0),)))
    import torch
    from safetensors.torch import save_file

    odd = tmp_path / "odd.safetensors"  # a LoRA for some other, bigger model
    save_file(
        {
            "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight": torch.ones(4, 320),
            "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight": torch.ones(320, 4),
        },
        str(odd),
    )
    with pytest.raises(LoraError, match="odd.safetensors does not fit this model"):
        engine.generate(small(loras=((str(odd), 1.0),)))
    assert engine.generate(small())[0].params["loras"] == []  # the engine still works afterwards


def test_prompt_tags_and_flags_parse():
    assert split_tags("a cat <lora:ink:0.5>, <LORA:glow> sea") == ("a cat , sea", [("ink", 0.5), ("glow", 1.0)])
    assert split_tags("no  tags") == ("no  tags", [])
    assert parse_lora_flag("ink") == ("ink", 1.0) and parse_lora_flag("my:ink:0.7") == ("my:ink", 0.7)
    with pytest.raises(SparklioError, match="--lora must look like NAME or NAME:WEIGHT"):
        parse_lora_flag("ink:lots")


def test_cli_lora_folder_tags_and_flags(data_dir, capsys, parts, memory_keyring, tmp_path):
    base = ("--data-dir", str(data_dir))
    run(capsys, *base, "config", "sd-model", str(parts["sd"]))
    code, out, err = run(capsys, *base, "config", "lora-folder", str(tmp_path / "nope"))
    assert code == 1 and err.count("\n") == 1 and "LoRA folder not found" in err
    code, out, _ = run(capsys, *base, "config", "lora-folder", str(parts["loras"]))
    assert code == 0 and out.strip() == str(parts["loras"])
    flags = ("--size", "64x64", "--steps", "2", "--seed", "3", "--sampler", "ddim", "--out", str(tmp_path))
    code, out, err = run(capsys, *base, "image", "a red cat <lora:ink:0.6>", "--lora", "glow:0.4", *flags)
    assert code == 0, err
    text = read_png_parameters(Path(out.split()[0]).read_bytes())
    assert text.splitlines()[0] == "a red cat <lora:ink:0.6> <lora:glow:0.4>"
    code, out, err = run(capsys, *base, "image", "a red cat", "--lora", "missing", *flags)
    assert code == 1 and out == "" and err.count("\n") == 1 and "LoRA 'missing' not found in" in err


# ---- upscale ----


@pytest.mark.parametrize("model,factor", [("esrgan2", 2), ("esrgan2", 4), ("esrgan4", 2), ("esrgan4", 4)])
def test_esrgan_files_upscale_2x_and_4x(parts, engine, model, factor):
    src = engine.generate(small())[0].png
    out = upscale(src, factor, model_path=parts[model], tile=24)  # 24 px tiles: the blending path runs too
    assert size_of(out.png) == (64 * factor, 64 * factor)
    back = parse_parameters(read_png_parameters(out.png))
    assert back["prompt"] == "a red cat" and back["Hires upscale"] == str(factor)
    assert back["Hires upscaler"] == parts[model].stem


def test_hires_fix_uses_the_loaded_pipeline_in_tiles_and_keeps_the_loras(parts, engine):
    src = engine.generate(small(loras=(resolve(parts["loras"], "ink", 0.8),)))[0].png
    whole = upscale(src, 2, engine=engine, tile=128, lora_folder=str(parts["loras"]))
    tiles = upscale(src, 2, engine=engine, tile=64, lora_folder=str(parts["loras"]))
    assert size_of(whole.png) == size_of(tiles.png) == (128, 128)
    assert whole.png != tiles.png  # four overlapping img2img tiles, blended, differ from one pass
    assert whole.params["loras"] == [{"name": "ink", "weight": 0.8}] and whole.params["upscaler"] == "hires fix"
    assert parse_parameters(read_png_parameters(whole.png))["loras"] == [{"name": "ink", "weight": 0.8}]


def test_tile_side_follows_free_vram():
    assert tile_side(None) == 512
    assert tile_side(24000) == 1024 and tile_side(500) == 256
    assert tile_side(24000) >= tile_side(6000) >= tile_side(3000)


def test_bad_upscale_inputs_are_one_line(parts, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("hello")
    fake = tmp_path / "fake.pth"
    fake.write_bytes(b"\x80\x02garbage")
    cases = [
        (lambda: upscale(text, 2, model_path=parts["esrgan2"]), "notes.png is not an image Sparklio can read"),
        (lambda: upscale(tmp_path / "gone.png", 2), "Image not found"),
        (lambda: read_image(b"xx"), "the image is not an image"),
        (lambda: upscale(b"", 3), "Upscale factor must be 2 or 4"),
        (lambda: check_upscaler_path(text), "notes.png is not an upscaler model"),
        (lambda: upscale(_png(), 2, model_path=fake), "fake.pth cannot be read as an upscaler model"),
        (
            lambda: upscale(_png(), 2, model_path=parts["sd"] / "unet" / "diffusion_pytorch_model.safetensors"),
            "not an upscaler architecture",
        ),
        (lambda: upscale(_png(), 2), "Upscaling needs a Stable Diffusion model"),
    ]
    for call, why in cases:
        with pytest.raises(UpscaleError, match=why):
            call()


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buf, format="PNG")
    return buf.getvalue()


def test_cli_image_upscale(data_dir, capsys, parts, memory_keyring, tmp_path):
    base = ("--data-dir", str(data_dir))
    assert alias_argv(["--data-dir", "x", "image", "upscale", "p"]) == ["--data-dir", "x", "image-upscale", "p"]
    assert alias_argv(["image", "a cat"]) == ["image", "a cat"]
    src = tmp_path / "src.png"
    src.write_bytes(_png())
    code, out, err = run(capsys, *base, "image", "upscale", str(src))  # neither model yet
    assert code == 1 and err.count("\n") == 1 and "Upscaling needs a Stable Diffusion model" in err
    code, out, err = run(
        capsys, *base, "image", "upscale", str(src), "--factor", "4", "--upscaler", str(parts["esrgan2"])
    )
    assert code == 0, err
    assert size_of(Path(out.strip()).read_bytes()) == (64, 64) and "4x with x2" in err
    run(capsys, *base, "config", "sd-model", str(parts["sd"]))
    code, out, err = run(capsys, *base, "image", "upscale", str(src), "--json")  # no upscaler set: hires fix
    assert code == 0, err
    facts = json.loads(out)
    assert facts["size"] == "32x32" and facts["upscaler"] == "hires fix"
    from router.gallery import list_gallery

    assert {Path(r.path) for r in list_gallery()} >= {Path(facts["path"])}
    code, out, err = run(capsys, *base, "image", "upscale", str(src), "--factor", "3")  # a typed choice: usage, 2
    assert code == 2 and out == "" and err.count("\n") == 1 and "'3' is not one of '2', '4'" in err, err
    code, out, err = run(capsys, *base, "image", "upscale", str(src), "--upscaler", str(src))
    assert code == 1 and out == "" and err.count("\n") == 1 and "src.png is not an upscaler model" in err, err
    code, out, err = run(capsys, *base, "image", "upscale", str(tmp_path / "nope.png"))
    assert code == 1 and err.count("\n") == 1 and "Image not found" in err


# ---- Flux and SD 3 ----


@pytest.mark.parametrize(
    "build,key,pipeline",
    [(build_tiny_flux, "flux", "FluxPipeline"), (build_tiny_sd3, "sd3", "StableDiffusion3Pipeline")],
)
def test_flux_and_sd3_folders_load_and_generate(tmp_path, build, key, pipeline):
    folder = build(tmp_path / key)
    assert family_for_path(folder) is FAMILIES[key]
    e = SdPipelineHost(preview_every=1)
    e.load(folder)
    steps = []
    img = e.generate(
        GenerationParams(
            "a red cat", negative_prompt="blurry", width=64, height=64, steps=2, seed=4, guidance=FAMILIES[key].guidance
        ),
        on_step=lambda i, n, png: steps.append((i, n)),
    )[0]
    assert type(e._pipe).__name__ == pipeline and steps == [(1, 2), (2, 2)] and size_of(img.png) == (64, 64)
    text = read_png_parameters(img.png)
    assert "Sampler: Euler (flow matching)" in text and img.params["family"] == key
    assert ("Negative prompt: blurry" in text) is FAMILIES[key].negative  # Flux takes no negative prompt
    again = e.generate(
        GenerationParams("a red cat", width=64, height=64, steps=2, seed=4, guidance=FAMILIES[key].guidance)
    )[0]
    assert (again.png == img.png) is (key == "flux")  # same seed: same image (SD 3 used the negative prompt)
    up = upscale(img.png, 2, engine=e, tile=64)  # the hires fix works with the flow-matching img2img pipelines
    assert size_of(up.png) == (128, 128)


def _header_only(path: Path, keys: list[str]) -> Path:
    """A valid .safetensors with these (1-byte) tensors: enough for header-based detection."""
    header = {k: {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i, k in enumerate(keys)}
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(len(keys)))
    return path


def test_single_file_family_detection(tmp_path):
    assert family_for_keys(["model.diffusion_model.double_blocks.0.img_attn.qkv.weight"]).key == "flux"
    assert family_for_keys(["double_blocks.0.img_attn.qkv.weight"]).key == "flux"
    assert family_for_keys(["model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight"]).key == "sd3"
    assert family_for_keys(["conditioner.embedders.1.model.ln_final.weight"]).key == "sdxl"
    assert family_for_keys(["model.diffusion_model.input_blocks.0.0.weight"]).key == "sd"
    flux = _header_only(tmp_path / "flux1-dev.safetensors", ["double_blocks.0.img_attn.qkv.weight"])
    assert family_for_path(flux).key == "flux" and family_for_path("") is None

"""Single-file SD 3 checkpoints through the studio's path: a tiny SD 3 transformer saved in Stability's original
MMDiT key layout as one `.safetensors`, its Diffusers config folder (`NAME.config/`) beside it, offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from local_models.diffusion import GenerationParams, SdPipelineHost
from local_models.sd_families import FAMILIES, components_beside, family_for_path
from local_models.tiny_pipeline import config_dir_for
from router.cli import main
from router.gallery import parse_parameters, read_png_parameters
from router.sd_path import safetensors_keys
from tests.fakes.tiny_families import build_sd3_single_file

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def sd3_file(tmp_path_factory):
    return build_sd3_single_file(tmp_path_factory.mktemp("sd3") / "tiny-sd3.safetensors")


def test_the_file_holds_only_the_transformer_in_the_original_layout(sd3_file):
    path, _state = sd3_file
    keys = safetensors_keys(path)
    assert keys and all(k.startswith("model.diffusion_model.") for k in keys)
    assert "model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight" in keys
    assert family_for_path(path) is FAMILIES["sd3"]
    beside = components_beside(path, config_dir_for(path), "StableDiffusion3Pipeline", torch.float32)
    assert sorted(beside) == ["text_encoder", "text_encoder_2", "text_encoder_3", "vae"]  # all but the transformer


def test_sd3_single_file_loads_the_file_s_transformer_and_generates(sd3_file, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path, state = sd3_file
    engine = SdPipelineHost(preview_every=0)
    engine.load(path)  # from_single_file with the local config folder: no hub access
    assert type(engine._pipe).__name__ == "StableDiffusion3Pipeline" and engine.config_dir == config_dir_for(path)
    loaded = engine._pipe.transformer.state_dict()
    assert set(loaded) == set(state) and all(torch.equal(loaded[k].float(), state[k].float()) for k in state)
    img = engine.generate(GenerationParams("a red cat", width=64, height=64, steps=2, seed=4, guidance=4.5))[0]
    assert img.params["family"] == "sd3" and "Sampler: Euler (flow matching)" in read_png_parameters(img.png)


def test_sd3_single_file_from_the_command_line(sd3_file, data_dir, capsys, memory_keyring, tmp_path):
    path, _state = sd3_file
    base = ("--data-dir", str(data_dir))
    assert main([*base, "config", "sd-model", str(path)]) == 0
    capsys.readouterr()
    code = main([*base, "image", "a red cat", "--size", "64x64", "--steps", "2", "--seed", "3", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    made = Path(out.split()[0])
    params = parse_parameters(read_png_parameters(made.read_bytes()))
    assert params["Size"] == "64x64" and params["Seed"] == "3" and params["Model"] == "tiny-sd3"

"""Images from the terminal and the SD model path as configuration: `sparklio image`, `config sd-model`, pinning."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from local_models.tiny_pipeline import build_tiny_pipeline
from router.app import Sparklio
from router.cli import main
from router.cli.image_cmds import StepBar, parse_size
from router.errors import SparklioError
from router.sd_path import check_sd_model_path, sd_path_problem
from router.types import Message, RouteRequest

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("sd")
    return {"folder": build_tiny_pipeline(root / "tiny"), "single": build_tiny_pipeline(root / "one", single_file=True)}


@pytest.fixture
def bad_paths(tmp_path, tiny):
    """The three paths a new user tried: a missing folder, a corrupt checkpoint, a text file."""
    corrupt = tmp_path / "model.safetensors"
    corrupt.write_bytes(tiny["single"].read_bytes()[:400])
    text = tmp_path / "readme.txt"
    text.write_text("not a model")
    return {"missing": tmp_path / "no-such-folder", "corrupt": corrupt, "text": text}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- the path is checked from headers alone ----


def test_path_checks(tmp_path, tiny, bad_paths):
    assert check_sd_model_path(tiny["folder"]) == tiny["folder"]
    assert check_sd_model_path(tiny["single"]) == tiny["single"]
    assert "not found" in sd_path_problem(bad_paths["missing"])
    assert "not a valid .safetensors file" in sd_path_problem(bad_paths["corrupt"])
    assert "readme.txt is not a model" in sd_path_problem(bad_paths["text"])
    assert "no model_index.json" in sd_path_problem(tmp_path)
    import torch

    good_ckpt = tmp_path / "old.ckpt"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, good_ckpt)  # the zip format torch has written since 1.6
    assert sd_path_problem(good_ckpt) == ""
    bad_ckpt = tmp_path / "bad.ckpt"
    bad_ckpt.write_bytes(good_ckpt.read_bytes()[:100])
    assert "not a valid .ckpt file" in sd_path_problem(bad_ckpt)


def test_config_sd_model_refuses_bad_paths_in_one_line(data_dir, capsys, bad_paths, tiny, memory_keyring):
    for path, why in (
        (bad_paths["missing"], "Stable Diffusion model not found"),
        (bad_paths["corrupt"], "is not a valid .safetensors file"),
        (bad_paths["text"], "readme.txt is not a model"),
    ):
        code, out, err = run(capsys, "--data-dir", str(data_dir), "config", "sd-model", str(path))
        assert code == 1 and out == "" and err.count("\n") == 1 and why in err, err
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "config", "sd-model")
    assert out.strip() == "(not set)"
    code, out, err = run(capsys, "--data-dir", str(data_dir), "models")
    line = next(x for x in out.splitlines() if x.startswith("stable-diffusion"))
    assert "✗ no Stable Diffusion model chosen" in line and "sparklio config sd-model PATH" in line
    code, out, err = run(capsys, "--data-dir", str(data_dir), "config", "sd-model", str(tiny["folder"]))
    assert code == 0 and str(tiny["folder"]) in out
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "models")
    assert "✓ ready" in next(x for x in out.splitlines() if x.startswith("stable-diffusion"))


def test_a_path_that_went_bad_is_a_reason_not_a_failure(data_dir, tmp_path, tiny, memory_keyring):
    moved = tmp_path / "moved"
    shutil.copytree(tiny["folder"], moved)
    app = Sparklio(data_dir, keyring=memory_keyring, env={})
    try:
        app.settings.set("sd_model_path", str(moved))
        shutil.rmtree(moved)  # the drive was unplugged, the folder renamed…
        status = {s.model.id: s for s in app.model_status()}["stable-diffusion"]
        assert not status.available and status.why == f"Stable Diffusion model not found: {moved}"
        with pytest.raises(SparklioError, match=r"\(stable-diffusion: Stable Diffusion model not found: "):
            app.plan(RouteRequest([Message("user", "a red cat")], task="image_generation_bulk"))
        with pytest.raises(
            SparklioError, match="stable-diffusion cannot take this request: Stable Diffusion model not found"
        ):
            app.plan(RouteRequest([Message("user", "a red cat")], model="stable-diffusion"))
        assert app.engine.health.cooldowns() == {}
    finally:
        app.store.close()


async def test_a_load_failure_never_cools_down_and_a_new_path_starts_clean(data_dir, tmp_path, tiny, memory_keyring):
    lonely = tmp_path / "lonely.safetensors"  # a valid header, but its Diffusers config is not on this computer
    shutil.copy(tiny["single"], lonely)
    app = Sparklio(data_dir, keyring=memory_keyring, env={})
    try:
        app.settings.set("sd_model_path", str(lonely))
        for _ in range(4):
            with pytest.raises(SparklioError, match="needs its Diffusers configuration") as info:
                await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2)
            assert "Check your keys" not in str(info.value)  # nothing about keys or network helps here
        assert "stable-diffusion" not in app.engine.health.cooldowns()  # the path's fault, not the model's
        app.settings.set("sd_model_path", str(tiny["folder"]))
        _, result = await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1)
        sd = app.registry.get("local_sd")
        assert sd.engine.loaded and len(result.images) == 1
        for _ in range(3):  # say a generation kept failing: the third failure cools the model down
            app.engine.health.note_failure("stable-diffusion", "out of memory")
        assert "stable-diffusion" in app.engine.health.cooldowns()
        app.settings.set("sd_model_path", str(tiny["single"]))
        assert "stable-diffusion" not in app.engine.health.cooldowns()  # a new model: old failures forgotten
        assert app.registry.get("local_sd") is sd and not sd.engine.loaded  # the old pipeline is dropped at once
        _, result = await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1)
        assert sd.engine.path == tiny["single"] and len(result.images) == 1
    finally:
        await app.aclose()


# ---- pinning an image model means an image ----


def test_pinned_image_model_implies_an_image_task(data_dir, memory_keyring, tiny):
    app = Sparklio(data_dir, keyring=memory_keyring, env={})
    try:
        app.settings.set("sd_model_path", str(tiny["folder"]))
        plan = app.plan(RouteRequest([Message("user", "a red cat")], model="stable-diffusion"))
        assert (plan.task, plan.kind, plan.chain[0].model) == ("image_generation_bulk", "image", "stable-diffusion")
        with pytest.raises(SparklioError, match="gpt-image-2 cannot take this request: no OpenAI API key"):
            app.plan(RouteRequest([Message("user", "a red cat")], model="gpt-image-2"))
    finally:
        app.store.close()


def test_ask_with_a_pinned_cloud_image_model_draws(data_dir, capsys, memory_keyring, fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-openai")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    code, out, err = run(capsys, "--data-dir", str(data_dir), "ask", "--model", "gpt-image-2", "a red cat")
    assert code == 0, err
    assert "![a red cat](file://" in out and "Saved to" in out
    footer = err.strip().splitlines()[-1]
    assert footer.startswith("— gpt-image-2 · 1024x1024") and "$0.0317" in footer and "tokens" not in footer
    code, out, err = run(capsys, "--data-dir", str(data_dir), "image", "a blue dog", "--model", "gpt-image-2", "--json")
    facts = json.loads(out)
    assert code == 0 and facts["model"] == "gpt-image-2" and facts["size"] == "1024x1024"
    assert facts["cost_usd"] == pytest.approx(0.03168) and Path(facts["images"][0]["path"]).is_file()


# ---- sparklio image ----


def test_image_command_local(data_dir, tmp_path, capsys, tiny, memory_keyring):
    run(capsys, "--data-dir", str(data_dir), "config", "sd-model", str(tiny["folder"]))
    out_dir = tmp_path / "out"
    code, out, err = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "image",
        "a red cat",
        "--size",
        "64x64",
        "--steps",
        "2",
        "--seed",
        "5",
        "--sampler",
        "DPM++ 2M",
        "--negative",
        "blurry",
        "--count",
        "2",
        "--out",
        str(out_dir),
    )
    assert code == 0, err
    paths = [Path(p) for p in out.split()]
    assert len(paths) == 2 and all(p.parent == out_dir and p.read_bytes().startswith(b"\x89PNG") for p in paths)
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("— stable-diffusion · 64x64 · 2 steps · ") and "seed 5 · $0.0000" in summary
    from router.gallery import read_png_parameters

    text = read_png_parameters(paths[0].read_bytes())
    assert "Negative prompt: blurry" in text and "Sampler: DPM++ 2M" in text and "Seed: 5" in text


@pytest.mark.parametrize(
    "argv,why",
    [
        (["--size", "big"], "--size must look like 512x512"),
        (["--size", "65x64"], "width must be a multiple of 8"),
        (["--steps", "0"], "Steps must be between 1 and 150"),
        (["--sampler", "warp"], "Unknown sampler 'warp'"),
        (["--count", "9"], "--count must be between 1 and 8"),
        (["--seed", "-1"], "--seed must be a whole number"),
        (["--model", "gpt-4o-mini"], "gpt-4o-mini is a chat model: choose an image model"),
        (["--model", "nope"], "unknown model id 'nope'"),
    ],
)
def test_image_command_bad_input_is_one_line(data_dir, capsys, tiny, memory_keyring, argv, why):
    run(capsys, "--data-dir", str(data_dir), "config", "sd-model", str(tiny["folder"]))
    code, out, err = run(capsys, "--data-dir", str(data_dir), "image", "a red cat", *argv)
    assert code == 1 and out == "" and why in err and err.count("\n") == 1, err


def test_step_bar_draws_on_a_terminal_only():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    bar = StepBar(tty)
    for i in (1, 2, 4):
        bar(i, 4, None)
    bar.close()
    text = tty.getvalue()
    assert text.count("\r") == 3 and "step 4/4" in text and "[" + "#" * 24 + "]" in text and text.endswith("\n")
    pipe = io.StringIO()
    piped = StepBar(pipe)
    piped(1, 4, None)
    piped.close()
    assert pipe.getvalue() == ""
    assert parse_size(" 512 × 768 ") == "512x768"


def test_library_noise_stays_off_the_terminal(tmp_path, tiny):
    """A fresh process, as a user runs it: stderr holds our lines only; transformers' warnings are in the log."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPARKLIO_HOME=str(tmp_path / "data"))
    base = [sys.executable, str(ROOT / "main.py")]
    subprocess.run(
        base + ["config", "sd-model", str(tiny["folder"])], env=env, check=True, capture_output=True, timeout=120
    )
    done = subprocess.run(
        base + ["image", "a red cat", "--size", "64x64", "--steps", "2", "--seed", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("sparklio: GPU: No NVIDIA GPU found")  # said once, no GPU on this machine
    assert len(lines) == 2 and lines[1].startswith("— stable-diffusion · 64x64 · 2 steps"), done.stderr
    log = (tmp_path / "data" / "logs" / "sparklio.log").read_text(encoding="utf-8")
    assert "VRAM arbitration: No NVIDIA GPU found" in log

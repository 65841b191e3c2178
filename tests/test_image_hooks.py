"""Image-job hooks (progress, cancel) travel beside request parameters: a local model gets them, a cloud never."""

from __future__ import annotations

import threading

import pytest

from local_models.tiny_pipeline import build_tiny_pipeline
from router.app import Sparklio
from router.errors import SparklioError
from router.types import ImageJobHooks

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


async def test_hooks_and_sd_parameters_never_reach_a_cloud_request(cloud_app, fake_openai):
    steps: list = []
    hooks = ImageJobHooks(on_step=lambda *a: steps.append(a), cancel=threading.Event())
    model, result = await cloud_app.generate_image(
        "a loaf of bread", task="image_generation_quality", hooks=hooks, steps=4, seed=1, negative_prompt="blur"
    )
    assert not model.local and result.images
    body = [r.json for r in fake_openai.requests if r.path == "/v1/images/generations"][-1]
    assert body["prompt"] == "a loaf of bread"
    assert not {"hooks", "on_step", "cancel", "steps", "seed", "negative_prompt"} & set(body)
    assert steps == []  # a cloud job has no steps to report


async def test_a_local_job_reports_each_step_and_stops_when_cancelled(data_dir, tmp_path, memory_keyring):
    app = Sparklio(data_dir, keyring=memory_keyring, env={})
    try:
        app.settings.set("sd_model_path", str(build_tiny_pipeline(tmp_path / "tiny")))
        steps: list = []
        hooks = ImageJobHooks(on_step=lambda i, n, _png: steps.append((i, n)))
        _, result = await app.generate_image(
            "a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1, hooks=hooks
        )
        assert len(result.images) == 1 and steps == [(1, 2), (2, 2)]
        stop = threading.Event()
        stop.set()
        with pytest.raises(SparklioError, match="(?i)cancel"):
            await app.generate_image(
                "a red cat", model="stable-diffusion", size="64x64", steps=2, hooks=ImageJobHooks(cancel=stop)
            )
    finally:
        await app.aclose()

"""VRAM arbitration through the live request paths: Images → local_sd and chat → Ollama, on a fake NVML GPU.

The GPU is a pynvml-compatible fake whose used memory is what the fake Ollama server has loaded plus what the
Stable Diffusion provider says it holds; the providers, engine, registry and facade are the app's own.
"""

from __future__ import annotations

import logging

import pytest

from local_models.diffusion import SdPipelineHost
from local_models.gpu import GpuMonitor
from local_models.sd_provider import LocalDiffusionProvider
from local_models.tiny_pipeline import build_tiny_pipeline
from local_models.vram_arbiter import NO_GPU_NOTICE
from router.app import Sparklio
from router.types import Message, RouteRequest
from tests.fakes.nvml import FakeNvml, ollama_vram_mib
from tests.fakes.ollama_server import FakeOllama
from tests.test_gpu import MissingNvml

SD15_FP16_MIB = 5000  # what the pretend-resident pipeline reports (SD 1.5 in fp16 with its context)


class PretendGpuEngine(SdPipelineHost):
    """The real engine on the tiny pipeline; this machine has no GPU, so its weights report a GPU-sized figure."""

    def weights_mib(self) -> int | None:
        return SD15_FP16_MIB if self.loaded else None


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_pipeline(tmp_path_factory.mktemp("sd") / "tiny")


@pytest.fixture
def ollama():
    with FakeOllama() as server:
        yield server


def make_app(data_dir, keyring, ollama, tiny, *, total_mib: int | None = 8192, nvml=None):
    """The facade with Ollama on the fake server, SD on the tiny pipeline, and a fake GPU of `total_mib`."""
    sd = LocalDiffusionProvider(base_url=tiny, engine=PretendGpuEngine())
    app = Sparklio(data_dir, keyring=keyring, env={}, provider_overrides={"local_sd": sd})
    app.settings.set("endpoints", {"ollama": ollama.url})
    app.settings.set("exploration_rate", 0.0)
    nvml = nvml or FakeNvml(total_mib, lambda: ollama_vram_mib(ollama) + sd.vram_held_mib())
    app.registry.arbiter.gpu = GpuMonitor(nvml=nvml)
    notices: list[str] = []
    app.events.subscribe(lambda e: notices.append(e.message) if e.kind == "gpu_notice" else None)
    return app, sd, notices


def keep_alive_zero(ollama) -> list[str]:
    """Models the fake Ollama was asked to unload."""
    return [b["model"] for b in ollama.requests_to("/api/generate") if b.get("keep_alive") == 0]


async def test_image_request_unloads_only_the_largest_ollama_model(data_dir, memory_keyring, ollama, tiny, caplog):
    for name in ("qwen2.5:7b", "llama3.2:3b"):  # 4.9 + 2.4 GiB held: 0.8 GiB of 8 left
        ollama.state.loaded[name] = float("inf")
    app, _sd, notices = make_app(data_dir, memory_keyring, ollama, tiny)
    caplog.set_level(logging.INFO, logger="local_models.vram_arbiter")
    try:
        spec, result = await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1)
    finally:
        await app.aclose()
    assert spec.id == "stable-diffusion" and len(result.images) == 1
    assert keep_alive_zero(ollama) == ["qwen2.5:7b"]  # the largest, and enough on its own
    assert ollama.loaded() == {"llama3.2:3b"}
    assert len(notices) == 1 and notices[0].startswith("Unloading qwen2.5:7b from the GPU to make room for image")
    assert any("Unloading qwen2.5:7b" in r.getMessage() for r in caplog.records)


async def test_image_request_with_room_to_spare_touches_nothing(data_dir, memory_keyring, ollama, tiny):
    ollama.state.loaded["llama3.2:3b"] = float("inf")
    app, _sd, notices = make_app(data_dir, memory_keyring, ollama, tiny, total_mib=12288)
    try:
        await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1)
    finally:
        await app.aclose()
    assert keep_alive_zero(ollama) == [] and ollama.loaded() == {"llama3.2:3b"} and notices == []


async def test_too_little_vram_even_after_unloading_says_so(data_dir, memory_keyring, ollama, tiny):
    ollama.state.loaded["llama3.2:3b"] = float("inf")
    app, _sd, notices = make_app(data_dir, memory_keyring, ollama, tiny, total_mib=3000)  # a 3 GB card
    try:
        await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1)
    finally:
        await app.aclose()
    assert keep_alive_zero(ollama) == []  # unloading would not be enough: Ollama keeps its model
    assert len(notices) == 1 and "using slower CPU offload" in notices[0]


async def test_local_chat_moves_a_resident_sd_pipeline_off_the_gpu(data_dir, memory_keyring, ollama, tiny, caplog):
    app, sd, notices = make_app(data_dir, memory_keyring, ollama, tiny)
    caplog.set_level(logging.INFO, logger="local_models.vram_arbiter")
    try:
        await app.refresh_local()
        await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1)
        sd.engine.mode = "gpu_fp16"  # as after a full-speed generation on a real GPU
        assert sd.vram_held_mib() == SD15_FP16_MIB
        request = RouteRequest([Message("user", "Say hi")], model="qwen2.5", use_cache=False)
        answer = await app.ask(request)
        assert answer.model == "qwen2.5" and answer.text
        assert sd.engine.mode == "parked" and sd.vram_held_mib() == 0  # weights in RAM; loaded, not dropped
        assert sd.engine.loaded
        assert notices == [
            "Moving the image model off the GPU to make room for the local chat model (~5.4 GiB needed, 3.1 GiB free)"
        ]
        assert any("Moving the image model off the GPU" in r.getMessage() for r in caplog.records)
        await app.ask(RouteRequest([Message("user", "Again")], model="qwen2.5", use_cache=False))
        assert len(notices) == 1  # SD no longer holds the GPU: nothing more to do
    finally:
        await app.aclose()
    assert len(ollama.requests_to("/api/chat")) == 2


async def test_local_chat_beside_a_small_sd_leaves_it_alone(data_dir, memory_keyring, ollama, tiny):
    app, sd, notices = make_app(data_dir, memory_keyring, ollama, tiny, total_mib=24576)
    try:
        await app.refresh_local()
        await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=1)
        sd.engine.mode = "gpu_fp16"
        await app.ask(RouteRequest([Message("user", "Say hi")], model="qwen2.5", use_cache=False))
    finally:
        await app.aclose()
    assert sd.engine.mode == "gpu_fp16" and notices == []


async def test_without_an_nvidia_gpu_nothing_happens_and_it_is_said_once(data_dir, memory_keyring, ollama, tiny):
    ollama.state.loaded["qwen2.5:7b"] = float("inf")
    app, _sd, notices = make_app(data_dir, memory_keyring, ollama, tiny, nvml=MissingNvml())
    try:
        for seed in (1, 2):
            await app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2, seed=seed)
    finally:
        await app.aclose()
    assert notices == [NO_GPU_NOTICE]
    assert ollama.requests_to("/api/ps") == [] and keep_alive_zero(ollama) == []
    assert ollama.loaded() == {"qwen2.5:7b"}

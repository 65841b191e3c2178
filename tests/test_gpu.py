"""GPU monitor (NVML absent, a scripted NVML, the real one) and the pure VRAM arbitration decisions."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pynvml
import pytest

from local_models.arbitration import (
    SD_MODES,
    choose_sd_mode,
    leaner_mode,
    plan_before_local_text,
    plan_before_sd,
    sd_needed_mib,
)
from local_models.gpu import NO_GPU_MESSAGE, FakeVramSource, GpuMonitor, VramSource

MIB = 1024 * 1024


class MissingNvml:
    """pynvml as it behaves without the NVIDIA driver."""

    NVML_TEMPERATURE_GPU = 0

    def nvmlInit(self):
        raise pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)


class ScriptedNvml:
    """A pynvml-compatible object with fixed readings (temperature unsupported, one process unnamed)."""

    NVML_TEMPERATURE_GPU = 0

    def __init__(self):
        self.shutdown_called = False

    def nvmlInit(self):
        pass

    def nvmlShutdown(self):
        self.shutdown_called = True

    def nvmlDeviceGetCount(self):
        return 1

    def nvmlDeviceGetHandleByIndex(self, index):
        return ("gpu", index)

    def nvmlDeviceGetName(self, handle):
        return b"NVIDIA GeForce RTX 4060"

    def nvmlDeviceGetMemoryInfo(self, handle):
        return SimpleNamespace(total=8188 * MIB, used=5000 * MIB, free=3188 * MIB)

    def nvmlDeviceGetUtilizationRates(self, handle):
        return SimpleNamespace(gpu=87, memory=40)

    def nvmlDeviceGetTemperature(self, handle, sensor):
        raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)

    def nvmlDeviceGetPowerUsage(self, handle):
        return 112_345  # milliwatts

    def nvmlDeviceGetComputeRunningProcesses(self, handle):
        return [
            SimpleNamespace(pid=4242, usedGpuMemory=4200 * MIB),
            SimpleNamespace(pid=os.getpid(), usedGpuMemory=None),
        ]

    def nvmlDeviceGetGraphicsRunningProcesses(self, handle):
        return [SimpleNamespace(pid=4242, usedGpuMemory=4200 * MIB)]

    def nvmlSystemGetProcessName(self, pid):
        if pid == 4242:
            return b"/usr/local/bin/ollama"
        raise pynvml.NVMLError(pynvml.NVML_ERROR_NO_PERMISSION)


# ---- monitor ----


def test_nvml_absent_means_no_gpu_and_never_raises():
    mon = GpuMonitor(nvml=MissingNvml())
    assert mon.available is False
    assert mon.message == NO_GPU_MESSAGE == "No NVIDIA GPU found — local images run on the CPU (slow)"
    assert mon.snapshot() is None and mon.free_mib() is None
    mon.close()


def test_snapshot_maps_nvml_readings():
    nv = ScriptedNvml()
    mon = GpuMonitor(nvml=nv)
    assert mon.available and mon.message == ""
    snap = mon.snapshot()
    assert (snap.name, snap.total_mib, snap.used_mib, snap.free_mib) == ("NVIDIA GeForce RTX 4060", 8188, 5000, 3188)
    assert snap.utilization_pct == 87 and snap.power_w == 112.3
    assert snap.temperature_c is None  # unsupported on this board: left empty, not an error
    procs = {p.pid: p for p in snap.processes}
    assert set(procs) == {4242, os.getpid()}  # listed once even though it is compute and graphics
    assert procs[4242].name == "ollama" and procs[4242].used_mib == 4200
    assert procs[os.getpid()].name != "" and procs[os.getpid()].used_mib is None  # name from /proc
    assert mon.free_mib() == 3188
    mon.close()
    assert nv.shutdown_called


def test_real_nvml_never_raises():
    mon = GpuMonitor()
    snap = mon.snapshot()
    if mon.available:
        assert snap is not None and snap.total_mib > 0 and 0 <= snap.free_mib <= snap.total_mib
    else:
        assert snap is None and mon.message == NO_GPU_MESSAGE
    mon.close()


def test_vram_sources():
    assert isinstance(FakeVramSource(4096), VramSource)
    assert isinstance(GpuMonitor(nvml=MissingNvml()), VramSource)
    src = FakeVramSource(6000)
    assert src.free_mib() == 6000
    src.free = 1000
    assert choose_sd_mode(src.free_mib(), 512, 512).mode == "sequential_offload"


# ---- arbitration ----


def test_choose_sd_mode_by_free_vram():
    assert choose_sd_mode(20_000, 512, 512).mode == "gpu_fp16"
    full = sd_needed_mib("gpu_fp16", 512, 512)
    offload = sd_needed_mib("model_offload", 512, 512)
    assert offload < full
    assert choose_sd_mode(full, 512, 512).mode == "gpu_fp16"
    assert choose_sd_mode(full - 1, 512, 512).mode == "model_offload"
    assert choose_sd_mode(offload - 1, 512, 512).mode == "sequential_offload"
    assert choose_sd_mode(None, 512, 512).mode == "gpu_fp16"  # unknown: try, the OOM retry is the backstop


def test_more_vram_never_picks_a_leaner_mode():
    order = {m: i for i, m in enumerate(SD_MODES)}
    previous = len(SD_MODES)
    for free in range(0, 16_000, 250):
        rank = order[choose_sd_mode(free, 768, 768).mode]
        assert rank <= previous
        previous = rank


def test_vae_tiling_for_large_images_and_tight_memory():
    assert not choose_sd_mode(20_000, 512, 512).vae_tiling
    assert choose_sd_mode(80_000, 2048, 2048).vae_tiling  # large sizes always tile
    tight = sd_needed_mib("gpu_fp16", 1024, 1024, vae_tiling=True)
    choice = choose_sd_mode(tight, 1024, 1024)
    assert choice.mode == "gpu_fp16" and choice.vae_tiling


def test_pinned_mode():
    assert choose_sd_mode(80_000, 512, 512, pinned="sequential_offload").mode == "sequential_offload"
    assert choose_sd_mode(100, 512, 512, pinned="gpu_fp16").vae_tiling  # pinned but tight: tile the VAE
    assert choose_sd_mode(20_000, 512, 512, pinned="auto").mode == "gpu_fp16"
    with pytest.raises(ValueError, match="unknown SD mode"):
        choose_sd_mode(20_000, 512, 512, pinned="turbo")


def test_leaner_mode_chain():
    assert leaner_mode("gpu_fp16") == "model_offload"
    assert leaner_mode("model_offload") == "sequential_offload"
    assert leaner_mode("sequential_offload") is None and leaner_mode("cpu") is None


def test_plan_before_sd_unloads_fewest_ollama_models():
    running = {"qwen2.5:7b": 5200, "llama3.2:3b": 2600, "nomic-embed-text:latest": 300}
    assert plan_before_sd(8000, 4400, running).unload == ()
    plan = plan_before_sd(1000, 4400, running)
    assert plan.unload == ("qwen2.5:7b",) and plan.enough
    assert "Unloading qwen2.5:7b from the GPU" in plan.message
    plan = plan_before_sd(0, 7500, running)
    assert plan.unload == ("qwen2.5:7b", "llama3.2:3b") and plan.enough
    hopeless = plan_before_sd(500, 20_000, running)
    assert hopeless.unload == () and not hopeless.enough and "CPU offload" in hopeless.message
    assert plan_before_sd(None, 4400, running).unload == ()  # no GPU reading: nothing to arbitrate


def test_plan_before_local_text():
    assert not plan_before_local_text(False, 1000, 6000).offload_sd
    assert not plan_before_local_text(True, 8000, 6000).offload_sd
    plan = plan_before_local_text(True, 3000, 6000)
    assert plan.offload_sd and "image model off the GPU" in plan.message

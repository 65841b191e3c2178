"""A pynvml-compatible fake GPU whose used memory comes from a callable (e.g. what the fake Ollama has loaded)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

MIB = 1024 * 1024


class FakeNvml:
    """One NVIDIA GPU of `total_mib`; `used_mib()` is read on every memory query, so unloads show up at once."""

    NVML_TEMPERATURE_GPU = 0

    def __init__(self, total_mib: int, used_mib: Callable[[], int], name: str = "NVIDIA GeForce RTX 4070 SUPER"):
        self.total_mib = total_mib
        self.used_mib = used_mib
        self.name = name
        self.memory_reads = 0

    def nvmlInit(self) -> None:
        pass

    def nvmlShutdown(self) -> None:
        pass

    def nvmlDeviceGetCount(self) -> int:
        return 1

    def nvmlDeviceGetHandleByIndex(self, index: int) -> tuple:
        return ("gpu", index)

    def nvmlDeviceGetName(self, handle) -> str:
        return self.name

    def nvmlDeviceGetMemoryInfo(self, handle) -> SimpleNamespace:
        self.memory_reads += 1
        used = min(max(int(self.used_mib()), 0), self.total_mib)
        return SimpleNamespace(total=self.total_mib * MIB, used=used * MIB, free=(self.total_mib - used) * MIB)


def ollama_vram_mib(fake_ollama) -> int:
    """MiB the fake Ollama's loaded models hold (what its /api/ps reports as size_vram)."""
    loaded = fake_ollama.loaded()
    return sum((m.size + 500_000_000) // MIB for name, m in fake_ollama.state.installed.items() if name in loaded)

"""Live VRAM arbitration on one GPU: Ollama steps aside before Stable Diffusion, SD before a local chat model.

Called by the `ollama` and `local_sd` providers just before they use the GPU; decisions come from
`local_models.arbitration`, free VRAM from the NVML monitor, and every step is logged and told to the user
through `notify` (the app turns it into a `gpu_notice` event: status bar, chat, CLI stderr line).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from local_models.arbitration import plan_before_local_text, plan_before_sd
from local_models.gpu import VramSource
from router.errors import SparklioError

log = logging.getLogger(__name__)

NO_GPU_NOTICE = "No NVIDIA GPU found: Ollama and Stable Diffusion are not arbitrated (nothing is unloaded or offloaded)"
KV_CACHE_MIB = 1024  # context and compute buffers Ollama adds on top of the weights
_MIB = 1024 * 1024


class SdHolder(Protocol):
    """What the arbiter needs from the Stable Diffusion provider."""

    def vram_held_mib(self) -> int:
        """MiB its pipeline holds on the GPU now (0 when offloaded, parked or not loaded)."""
        ...

    def release_vram(self) -> None:
        """Move the pipeline off the GPU (CPU offload, else park it in RAM); blocking."""
        ...


def vram_by_model(running: Iterable[Any]) -> dict[str, int]:
    """Name -> MiB of VRAM held, from Ollama's running models (`OllamaManager.running`)."""
    return {r.name: int(r.size_vram) // _MIB for r in running}


class VramArbiter:
    """One per app: makes room on the GPU before a local model runs; does nothing (and says so once) without one."""

    def __init__(
        self,
        ollama_host: Callable[[], str],
        *,
        gpu: VramSource | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.ollama_host = ollama_host
        self.gpu = gpu  # None: the NVML monitor, created on first use
        self.notify = notify or (lambda _text: None)
        self.sd: SdHolder | None = None  # the local_sd provider registers itself
        self._said_no_gpu = False
        self._lock = asyncio.Lock()

    def _tell(self, text: str) -> None:
        log.info("VRAM arbitration: %s", text)
        self.notify(text)

    async def _free_mib(self) -> int | None:
        """Free VRAM now, or None (said once) without an NVIDIA GPU."""
        if self.gpu is None:
            from local_models.gpu import GpuMonitor

            self.gpu = GpuMonitor()
        free = await asyncio.to_thread(self.gpu.free_mib)
        if free is None and not self._said_no_gpu:
            self._said_no_gpu = True
            self._tell(NO_GPU_NOTICE)
        return free

    def _manager(self) -> Any:
        from local_models.ollama import OllamaManager

        return OllamaManager(self.ollama_host(), timeout=10.0)

    async def before_sd(self, needed_mib: int) -> None:
        """Unload Ollama models (largest first, only as many as needed) when SD would not fit."""
        async with self._lock:
            free = await self._free_mib()
            if free is None:
                return
            free += self.sd.vram_held_mib() if self.sd is not None else 0  # our own weights are room too
            if free >= needed_mib:
                return
            mgr = self._manager()
            try:
                running = await mgr.running()
                plan = plan_before_sd(free, needed_mib, vram_by_model(running))
                if plan.message:
                    self._tell(plan.message)
                for name in plan.unload:
                    await mgr.unload(name)
            except SparklioError as exc:  # Ollama down or refusing: SD still runs, in a leaner mode
                log.info("VRAM arbitration: Ollama not asked (%s)", exc)
            finally:
                await mgr.aclose()

    async def before_local_text(self, model: str) -> None:
        """Move a GPU-resident SD pipeline aside when `model` is not loaded and would not fit beside it."""
        sd = self.sd
        if sd is None or sd.vram_held_mib() <= 0:
            return
        async with self._lock:
            free = await self._free_mib()
            if free is None:
                return
            mgr = self._manager()
            try:
                if any(r.name == model for r in await mgr.running()):
                    return  # already in VRAM: nothing to make room for
                sizes = {m.name: m.size_bytes for m in await mgr.list_models()}
            except SparklioError as exc:
                log.info("VRAM arbitration: Ollama not asked (%s)", exc)
                return
            finally:
                await mgr.aclose()
            needed = sizes.get(model, 0) // _MIB + KV_CACHE_MIB
            plan = plan_before_local_text(True, free, needed)
            if plan.offload_sd:
                self._tell(plan.message)
                await asyncio.to_thread(sd.release_vram)

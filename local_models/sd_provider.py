"""The `local_sd` provider: Stable Diffusion on this machine through SdPipelineHost, run in a worker thread."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from router.catalog import ModelSpec
from router.errors import PermanentError, SparklioError
from router.types import EmbeddingResult, ImageJobHooks, ImageResult, Usage

NO_MODEL = (
    "No Stable Diffusion model configured: choose a model folder or .safetensors file in Images → Model "
    "(or `sparklio config sd-model PATH`)"
)
QUALITY_STEPS = {"draft": 15, "standard": 25, "hd": 40, "high": 40, "production": 40}


def parse_size(size: str) -> tuple[int, int]:
    """ "512x768" -> (512, 768); PermanentError otherwise."""
    try:
        w, h = (int(x) for x in str(size).lower().split("x", 1))
    except ValueError:
        raise PermanentError(f"Image size must look like 512x512 (got {size!r})", provider="local_sd") from None
    return w, h


class LocalDiffusionProvider:
    """Implements the Provider protocol for images only; chat and embeddings are refused."""

    name = "local_sd"

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | Path | None = None,
        timeout: float = 3600.0,
        *,
        engine: Any = None,
    ) -> None:
        self.timeout = timeout  # the provider contract; api_key is unused (a local model needs none)
        self.model_path = str(base_url or "")  # where the model is: its folder or checkpoint file
        self._engine = engine  # a SdPipelineHost; built lazily (imports torch only then)
        self._load_lock = threading.Lock()
        self.arbiter: Any = None  # a VramArbiter (set by the registry): makes room on the GPU first

    def set_model_path(self, path: str | Path | None) -> None:
        """Use another model from the next call on (the `sd_model_path` setting changed): the old one is dropped."""
        self.model_path = str(path or "")
        if self._engine is not None and self._engine.loaded:
            self._engine.unload_if_idle()  # never waits for a running generation (the GUI thread calls this)

    def vram_held_mib(self) -> int:
        """MiB the pipeline holds on the GPU now (0 unless loaded and fully resident)."""
        engine = self._engine
        if engine is None or not engine.loaded or not engine.resident:
            return 0
        return engine.weights_mib() or 0

    def release_vram(self) -> None:
        """Step aside for a local chat model: CPU offload, else park the weights in RAM."""
        if self._engine is not None:
            self._engine.release_vram()

    def _needed_mib(self, width: int, height: int, batch: int) -> int:
        """VRAM the generation wants at full speed (the loaded model's size when known)."""
        from local_models.arbitration import sd_needed_mib

        engine = self._engine
        weights = engine.weights_mib() if engine is not None and engine.loaded else None
        return sd_needed_mib("gpu_fp16", width, height, batch, weights_mib=weights)

    @property
    def engine(self) -> Any:
        """The SdPipelineHost (created on first use)."""
        if self._engine is None:
            from local_models.diffusion import SdPipelineHost

            self._engine = SdPipelineHost()
        return self._engine

    def _ensure_loaded(self) -> Any:
        """Load (or switch to) the configured model; runs in the worker thread. Path faults: reason model_path."""
        if not self.model_path.strip():
            raise PermanentError(NO_MODEL, provider=self.name, reason="model_path")
        with self._load_lock:
            engine = self.engine
            wanted = Path(self.model_path).expanduser().absolute()
            if not engine.loaded or engine.path != wanted:
                try:
                    engine.load(wanted)
                except SparklioError as exc:  # the configuration's fault, not the model's: no cool-down
                    raise PermanentError(str(exc), provider=self.name, reason="model_path") from exc
            return engine

    def upscaler_for(self, upscaler_path: str | None) -> str:
        """How an upscale would run (no torch): the upscaler model's name, "hires fix" with the configured SD
        model, or UpscaleError when there is neither."""
        from local_models.upscale import NEEDS_MODEL, UpscaleError

        if upscaler_path:
            return Path(upscaler_path).stem
        if self.model_path.strip():
            return "hires fix"
        raise UpscaleError(NEEDS_MODEL)

    def upscale_image(
        self,
        source: str | Path | bytes,
        factor: int,
        *,
        upscaler_path: str | None = None,
        lora_folder: str | None = None,
        prompt: str = "",
    ) -> Any:
        """The studio's one upscale path (GUI, CLI, workflows); worker thread. A GeneratedImage 2x/4x: the
        upscaler model file when given, else the hires fix with the configured model (loaded here); `prompt`
        guides the hires fix when the image carries none (a cloud image)."""
        from local_models.upscale import check_factor, read_image, upscale

        times = check_factor(factor)
        read_image(source)  # a bad file is reported before any model loads
        self.upscaler_for(upscaler_path)
        engine = None if upscaler_path else self._ensure_loaded()
        return upscale(
            source, times, model_path=upscaler_path or None, engine=engine, lora_folder=lora_folder, prompt=prompt
        )

    @staticmethod
    def _as_provider_error(exc: SparklioError) -> SparklioError:
        """Engine errors become PermanentError (same text) so the router falls back; cancel stays as is."""
        from local_models.diffusion import GenerationCancelled

        if isinstance(exc, (GenerationCancelled, PermanentError)):
            return exc
        return PermanentError(str(exc), provider="local_sd", reason=type(exc).__name__)

    async def generate_image(
        self,
        model: ModelSpec,
        prompt: str,
        *,
        size: str = "1024x1024",
        quality: str = "standard",
        n: int = 1,
        hooks: ImageJobHooks | None = None,
        **params: Any,
    ) -> ImageResult:
        """Generate `n` images; params: negative_prompt, steps, guidance, scheduler, seed, loras, and for edits
        source (image bytes), mask (white = repaint), strength; hooks: progress, cancel."""
        from local_models.diffusion import GenerationParams

        if not self.model_path.strip():
            raise PermanentError(NO_MODEL, provider=self.name, reason="model_path")
        params = {**(model.params or {}), **params}  # catalog params (steps, scheduler…) are defaults
        width, height = parse_size(size)
        hooks = hooks or ImageJobHooks()
        cancel = hooks.cancel or threading.Event()
        on_step = hooks.on_step
        gp = GenerationParams(
            prompt=prompt,
            negative_prompt=str(params.pop("negative_prompt", "") or ""),
            width=width,
            height=height,
            steps=int(params.pop("steps", QUALITY_STEPS.get(quality, 25))),
            guidance=float(params.pop("guidance", 7.0)),
            scheduler=str(params.pop("scheduler", "euler_a")),
            seed=params.pop("seed", None),
            batch=int(n),
            source=params.pop("source", None),
            mask=params.pop("mask", None),
            strength=float(params.pop("strength", 0.75) or 0.75),
            loras=tuple(tuple(x) for x in params.pop("loras", ()) or ()),
        )
        try:
            gp = gp.validated()
        except SparklioError as exc:  # the request's fault: no cool-down for the model
            raise PermanentError(str(exc), provider=self.name, reason="bad_request") from exc
        if self.arbiter is not None:
            await self.arbiter.before_sd(self._needed_mib(width, height, int(n)))

        def work() -> tuple[list, float]:
            engine = self._ensure_loaded()
            start = time.perf_counter()
            images = engine.generate(gp, on_step=on_step, cancel=cancel)
            return images, time.perf_counter() - start

        try:
            images, seconds = await asyncio.to_thread(work)
        except asyncio.CancelledError:
            cancel.set()  # the worker stops at the next step
            raise
        except SparklioError as exc:
            raise self._as_provider_error(exc) from exc
        usage = Usage(images=len(images), image_size=f"{width}x{height}", image_quality=quality, gpu_seconds=seconds)
        return ImageResult(images=images, usage=usage)

    async def stream_chat(
        self, model: ModelSpec, messages: list, *, max_tokens: int | None = None, temperature: float | None = None
    ):
        """Not supported: local_sd only makes images."""
        raise PermanentError(f"{model.id} cannot chat", provider=self.name, reason="unsupported")
        yield  # pragma: no cover

    async def embed(self, model: ModelSpec, texts: list[str]) -> EmbeddingResult:
        """Not supported: local_sd only makes images."""
        raise PermanentError(f"{model.id} cannot embed text", provider=self.name, reason="unsupported")

    async def check(self) -> str:
        """Loads the configured model: "Stable Diffusion <name> ready on cuda/cpu" or a PermanentError."""
        try:
            engine = await asyncio.to_thread(self._ensure_loaded)
        except SparklioError as exc:
            raise self._as_provider_error(exc) from exc
        note = f" ({engine.warnings[0]})" if engine.warnings else ""
        return f"Stable Diffusion model {engine.model_name} ready on {engine.device}{note}"

    async def aclose(self) -> None:
        """Free the model's memory."""
        if self._engine is not None:
            await asyncio.to_thread(self._engine.unload)

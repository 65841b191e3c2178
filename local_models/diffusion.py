"""Stable Diffusion through diffusers: load a local model, place it on the GPU/CPU, generate PNGs.

torch and diffusers are imported inside functions only. `generate` is synchronous: the app runs it in a
worker thread. PNGs carry the A1111 `parameters` text chunk that other SD tools read.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from local_models.arbitration import SdModeChoice, choose_sd_mode, leaner_mode
from local_models.edit import EditPipelines, call_kwargs, check_edit, paste_unmasked
from local_models.gallery import latent_preview_png
from local_models.gpu import VramSource
from local_models.sd_families import BY_PIPELINE, PIPELINES, components_beside, family_of, pipeline_class
from local_models.tiny_pipeline import config_dir_for
from router.errors import SparklioError
from router.gallery import format_parameters, png_bytes
from router.sd_path import check_sd_model_path
from router.types import GeneratedImage

log = logging.getLogger(__name__)

CPU_WARNING = "No NVIDIA GPU: generating on the CPU is slow"
NO_ACCELERATE = "Install the `accelerate` package to fit large images on small GPUs (offload modes)"
# canonical name -> (diffusers class, overrides, A1111 sampler name)
SCHEDULERS: dict[str, tuple[str, dict, str]] = {
    "euler": ("EulerDiscreteScheduler", {}, "Euler"),
    "euler_a": ("EulerAncestralDiscreteScheduler", {}, "Euler a"),
    "ddim": ("DDIMScheduler", {}, "DDIM"),
    "dpm++ 2m": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++", "solver_order": 2}, "DPM++ 2M"),
    "pndm": ("PNDMScheduler", {"skip_prk_steps": True}, "PLMS"),
}
StepCallback = Callable[[int, int, "bytes | None"], None]


class GenerationCancelled(SparklioError):
    """The user stopped a generation between two steps."""


def normalize_scheduler(name: str) -> str:
    """ "DPM++ 2M" / "dpmpp_2m" / "Euler a" -> the canonical key of SCHEDULERS."""
    key = re.sub(r"[\s_\-]+", " ", (name or "").strip().lower()).replace("dpmpp", "dpm++")
    key = {"euler a": "euler_a", "euler ancestral": "euler_a", "plms": "pndm", "dpm++2m": "dpm++ 2m"}.get(key, key)
    if key not in SCHEDULERS:
        raise SparklioError(f"Unknown sampler {name!r}: choose euler, euler_a, ddim, dpm++ 2m or pndm")
    return key


@dataclass
class GenerationParams:
    """What to generate; seed None means a random seed (reported back in each image's params)."""

    prompt: str
    negative_prompt: str = ""
    width: int = 512
    height: int = 512
    steps: int = 25
    guidance: float = 7.0
    scheduler: str = "euler_a"
    seed: int | None = None
    batch: int = 1
    loras: tuple[tuple[str, float], ...] = ()  # (LoRA file path, weight): local_models/lora.py
    source: bytes | None = None  # image to image / inpaint: the starting image
    mask: bytes | None = None  # inpaint: white = repaint (same size as the source)
    strength: float = 0.75  # denoising strength for image to image / inpaint

    @property
    def mode(self) -> str:
        """txt2img, img2img or inpaint."""
        return "txt2img" if self.source is None else ("inpaint" if self.mask is not None else "img2img")

    def validated(self) -> GenerationParams:
        """A checked copy (canonical scheduler name); SparklioError with a one-line reason otherwise."""
        if not (self.prompt or "").strip():
            raise SparklioError("Enter a prompt describing the image")
        for side, value in (("width", self.width), ("height", self.height)):
            if not isinstance(value, int) or value % 8 or not 64 <= value <= 2048:
                raise SparklioError(f"Image {side} must be a multiple of 8 between 64 and 2048 (got {value})")
        if not isinstance(self.steps, int) or not 1 <= self.steps <= 150:
            raise SparklioError(f"Steps must be between 1 and 150 (got {self.steps})")
        if not isinstance(self.batch, int) or not 1 <= self.batch <= 8:
            raise SparklioError(f"Batch size must be between 1 and 8 (got {self.batch})")
        if not 0.0 <= float(self.guidance) <= 30.0:
            raise SparklioError(f"Guidance (CFG scale) must be between 0 and 30 (got {self.guidance})")
        if self.seed is not None and not (isinstance(self.seed, int) and 0 <= self.seed < 2**63):
            raise SparklioError(f"Seed must be a whole number from 0 (got {self.seed})")
        check_edit(self.source, self.mask, self.strength, self.steps)
        from local_models.lora import check_weight

        loras = tuple((str(path), check_weight(Path(path).stem, w)) for path, w in self.loras)
        return replace(self, scheduler=normalize_scheduler(self.scheduler), guidance=float(self.guidance), loras=loras)


def choose_device(prefer: str | None = None) -> tuple[str, str, str]:
    """(device, dtype name, warning): cuda fp16 when available, else cpu fp32 with the slow-CPU warning."""
    import torch

    if prefer == "cpu" or not torch.cuda.is_available():
        return "cpu", "float32", CPU_WARNING
    return prefer or "cuda", "float16", ""


def route_library_logs() -> None:
    """transformers/diffusers messages, warnings and progress bars go to Python logging (the log), not to stderr."""
    import diffusers.utils.logging as diffusers_logging
    import transformers.utils.logging as transformers_logging

    for lib in (transformers_logging, diffusers_logging):
        lib.disable_default_handler()
        lib.enable_propagation()
        lib.disable_progress_bar()
    logging.captureWarnings(True)


def _short(exc: BaseException) -> str:
    """First line of an exception, trimmed."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text[:200]


class _Cancelled(Exception):
    """Raised from the step callback to stop the pipeline at once."""


class SdPipelineHost:
    """One loaded Stable Diffusion pipeline and how it is placed on the hardware (thread-safe)."""

    def __init__(
        self,
        *,
        vram: VramSource | None = None,
        pinned_mode: str | None = None,
        device: str | None = None,
        preview_every: int = 5,
    ) -> None:
        self.device, self._dtype_name, warning = choose_device(device)
        self.warnings: list[str] = [warning] if warning else []
        self.vram = vram
        self.pinned_mode = pinned_mode
        self.preview_every = preview_every
        self.path: Path | None = None
        self.config_dir: Path | None = None
        self.mode = "cpu"  # cpu | parked | gpu_fp16 | model_offload | sequential_offload
        self.vae_tiling = False
        self.last_choice: SdModeChoice | None = None
        self._pipe: Any = None
        self._scheduler_config: Any = None
        self._edits = EditPipelines()  # img2img / inpaint pipelines sharing the loaded weights
        self._lock = threading.RLock()

    # ---- loading ----

    @property
    def loaded(self) -> bool:
        """True when a model is ready."""
        return self._pipe is not None

    @property
    def model_name(self) -> str:
        """Folder or file name of the loaded model."""
        return "" if self.path is None else (self.path.stem if self.path.is_file() else self.path.name)

    @property
    def dtype(self) -> Any:
        """torch dtype used for the weights."""
        import torch

        return getattr(torch, self._dtype_name)

    def load(self, path: str | Path, *, config: str | Path | None = None) -> None:
        """Load a Diffusers folder or a .safetensors checkpoint (offline); clear SparklioError on failure."""
        p = check_sd_model_path(path)  # header checks: one reason per bad path
        cfg = Path(config).expanduser() if config else None
        if p.is_file():
            cfg = cfg or (config_dir_for(p) if config_dir_for(p).is_dir() else None)
        with self._lock:
            self.unload()
            self._pipe = self._read(p, cfg)
            self.path, self.config_dir = p, cfg
            self._scheduler_config = self._pipe.scheduler.config
            self._pipe.set_progress_bar_config(disable=True)
            self.mode, self.vae_tiling = "cpu", False

    def _read(self, p: Path, cfg: Path | None) -> Any:
        """Build the pipeline from disk (no network)."""
        route_library_logs()
        import diffusers
        import torch

        cls_name = pipeline_class(p, cfg)
        if cls_name not in PIPELINES:
            raise SparklioError(
                f"{p.name} is a {cls_name}; Sparklio runs Stable Diffusion 1.x/2.x, SDXL, SD 3.x and Flux models"
            )
        cls = getattr(diffusers, cls_name)
        half = BY_PIPELINE[cls_name].half if self._dtype_name == "float16" else self._dtype_name
        kwargs: dict[str, Any] = {"dtype": getattr(torch, half), "local_files_only": True}
        if cls_name == "StableDiffusionPipeline":
            kwargs.update(safety_checker=None, requires_safety_checker=False)
        try:
            if p.is_dir():
                return cls.from_pretrained(str(p), **kwargs)
            kwargs.update(components_beside(p, cfg, cls_name, kwargs["dtype"]))  # SD 3/Flux: the rest from cfg
            return cls.from_single_file(str(p), config=str(cfg) if cfg else None, **kwargs)
        except Exception as exc:
            log.debug("loading %s failed", p, exc_info=True)
            if p.is_file() and cfg is None:
                raise SparklioError(
                    f"{p.name} needs its Diffusers configuration, which is not on this computer: put the model's "
                    f"config folder next to it as {config_dir_for(p).name}/ or connect to the internet once"
                ) from exc
            raise SparklioError(f"Could not load the Stable Diffusion model {p.name}: {_short(exc)}") from exc

    def derived(self, pipe: Any, mode: str) -> Any:
        """`pipe` as its img2img or inpaint twin, sharing its weights (made once per loaded pipeline)."""
        return self._edits.get(pipe, mode)

    def unload(self) -> None:
        """Drop the pipeline and free its memory."""
        with self._lock:
            self._pipe, self.path, self.mode = None, None, "cpu"
            self._edits.clear()
            self._free_memory()

    def unload_if_idle(self) -> bool:
        """Drop the pipeline now unless a generation holds it (the next load replaces it then); True if dropped."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self.unload()
        finally:
            self._lock.release()
        return True

    # ---- placement ----

    def _free_memory(self) -> None:
        """Give freed weights back; cyclic GC only on the main thread (the GUI's rule: a collection in a worker
        may delete Qt objects off their thread and crash Qt later), CUDA's cache always."""
        if threading.current_thread() is threading.main_thread():
            gc.collect()
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def weights_mib(self) -> int | None:
        """Size of the loaded UNet + VAE + text encoder(s) in this dtype."""
        if self._pipe is None:
            return None
        total = 0
        for name, comp in self._pipe.components.items():
            if hasattr(comp, "parameters") and name not in ("safety_checker", "image_encoder"):
                total += sum(t.numel() * t.element_size() for t in comp.parameters())
        return total // (1024 * 1024)

    @property
    def resident(self) -> bool:
        """True when the weights sit on the GPU (so a local LLM would compete for VRAM)."""
        return self.mode == "gpu_fp16"

    def free_vram_mib(self) -> int | None:
        """Free VRAM now, counting our own resident weights as free (they can be moved)."""
        if self.device == "cpu":
            return None
        if self.vram is not None:
            free = self.vram.free_mib()
        else:
            import torch

            free = torch.cuda.mem_get_info()[0] // (1024 * 1024)
        if free is not None and self.resident:
            free += self.weights_mib() or 0
        return free

    def choose(self, params: GenerationParams) -> SdModeChoice:
        """Placement for this generation from free VRAM (or the pinned mode)."""
        if self.device == "cpu":
            return SdModeChoice("cpu", False, CPU_WARNING)
        try:
            return choose_sd_mode(
                self.free_vram_mib(), params.width, params.height, self.pinned_mode, params.batch, self.weights_mib()
            )
        except ValueError as exc:
            raise SparklioError(str(exc)) from exc

    def _place(self, mode: str, tiling: bool) -> None:
        """Move/offload the pipeline for `mode` (reloading after sequential offload, which cannot be undone)."""
        pipe = self._pipe
        if mode in ("model_offload", "sequential_offload") and importlib.util.find_spec("accelerate") is None:
            if NO_ACCELERATE not in self.warnings:
                self.warnings.append(NO_ACCELERATE)
            mode = "gpu_fp16"
        if mode != self.mode:
            if self.mode == "sequential_offload":
                pipe = self._pipe = self._read(self.path, self.config_dir)  # type: ignore[arg-type]
                pipe.set_progress_bar_config(disable=True)
            elif self.mode == "model_offload":
                pipe.remove_all_hooks()
            if mode == "model_offload":
                pipe.enable_model_cpu_offload(device=self.device)
            elif mode == "sequential_offload":
                pipe.enable_sequential_cpu_offload(device=self.device)
            else:
                pipe.to(self.device if mode == "gpu_fp16" else "cpu")
            self.mode = mode
            self._edits.clear()  # derived pipelines are re-made around the re-placed weights
        if tiling != self.vae_tiling:
            pipe.vae.enable_tiling() if tiling else pipe.vae.disable_tiling()
            self.vae_tiling = tiling

    def release_vram(self) -> None:
        """Make room for a local LLM: CPU offload when possible, else park the weights in RAM."""
        with self._lock:
            if self._pipe is None or not self.resident:
                return
            if self.device != "cpu" and importlib.util.find_spec("accelerate") is not None:
                self._place("model_offload", self.vae_tiling)
            else:
                self._pipe.to("cpu")
                self.mode = "parked"
            self._free_memory()

    @contextmanager
    def placed_pipe(self, width: int, height: int) -> Iterator[Any]:
        """The loaded pipeline, placed for a width x height pass and held (lock) while the caller uses it."""
        with self._lock:
            if self._pipe is None:
                raise SparklioError("No Stable Diffusion model loaded: choose one in Images → Model")
            choice = self.choose(GenerationParams("x", width=width, height=height))
            self._place(choice.mode, choice.vae_tiling)
            yield self._pipe

    def _scheduler(self, key: str) -> Any:
        import diffusers

        cls_name, overrides, _ = SCHEDULERS[key]
        return getattr(diffusers, cls_name).from_config(self._scheduler_config, **overrides)

    # ---- generation ----

    def generate(
        self, params: GenerationParams, on_step: StepCallback | None = None, cancel: threading.Event | None = None
    ) -> list[GeneratedImage]:
        """Generate `params.batch` PNGs; retries once in a leaner mode after a CUDA out-of-memory error."""
        import torch

        p = params.validated()
        with self._lock:
            if self._pipe is None:
                raise SparklioError("No Stable Diffusion model loaded: choose one in Images → Model")
            seed = p.seed if p.seed is not None else secrets.randbelow(2**32)
            choice = self.choose(p)
            try:
                return self._attempt(p, seed, choice, on_step, cancel)
            except torch.cuda.OutOfMemoryError:
                self._free_memory()
            leaner = leaner_mode(choice.mode) or choice.mode
            retry = SdModeChoice(leaner, True, f"out of GPU memory in {choice.mode}: retrying with {leaner}")
            log.warning(retry.why)
            try:
                return self._attempt(p, seed, retry, on_step, cancel)
            except torch.cuda.OutOfMemoryError as exc:
                self._free_memory()
                raise SparklioError(
                    f"Not enough GPU memory for {p.width}x{p.height} (batch {p.batch}) even with "
                    f"{leaner.replace('_', ' ')}: try a smaller size or batch, or close other GPU apps"
                ) from exc

    def _attempt(
        self,
        p: GenerationParams,
        seed: int,
        choice: SdModeChoice,
        on_step: StepCallback | None,
        cancel: threading.Event | None,
    ) -> list[GeneratedImage]:
        """One run of the pipeline; maps cancel and unexpected failures to SparklioError subclasses."""
        import torch

        if cancel is not None and cancel.is_set():
            raise GenerationCancelled("Image generation cancelled")
        self.last_choice = choice
        if choice.mode != "cpu":
            self._place(choice.mode, choice.vae_tiling)
        from local_models import lora

        family = family_of(self._pipe)
        lora.apply(self._pipe, p.loras)  # adapters live on the shared UNet/transformer, so edits get them too
        pipe = self._edits.get(self._pipe, p.mode)  # the loaded weights, as img2img/inpaint when asked
        if family.samplers:
            pipe.scheduler = self._scheduler(p.scheduler)
        generators = [torch.Generator("cpu").manual_seed(seed + i) for i in range(p.batch)]

        def step_end(pipe_: Any, i: int, t: Any, kwargs: dict) -> dict:
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            if on_step is not None:
                total = int(getattr(pipe_, "num_timesteps", 0) or p.steps)
                every = self.preview_every
                preview = (
                    latent_preview_png(kwargs["latents"]) if every and (i + 1) % every == 0 and i + 1 < total else None
                )
                on_step(i + 1, total, preview)
            return {}

        try:
            negative = {"negative_prompt": p.negative_prompt or None} if family.negative else {}
            kw = dict(
                prompt=p.prompt,
                width=p.width,
                height=p.height,
                num_inference_steps=p.steps,
                guidance_scale=p.guidance,
                num_images_per_prompt=p.batch,
                generator=generators,
                callback_on_step_end=step_end,
                callback_on_step_end_tensor_inputs=["latents"],
                output_type="pil",
                **negative,
            )
            out = pipe(**call_kwargs(p.mode, kw, p.source, p.mask, p.strength))
        except _Cancelled:
            pipe.maybe_free_model_hooks()
            raise GenerationCancelled("Image generation cancelled") from None
        except (torch.cuda.OutOfMemoryError, SparklioError):
            raise
        except Exception as exc:
            if isinstance(exc, (RuntimeError, MemoryError)) and (
                isinstance(exc, MemoryError) or "can't allocate memory" in str(exc)
            ):
                raise SparklioError(
                    f"Not enough memory for {p.width}x{p.height} images: try a smaller size or batch"
                ) from exc
            log.exception("image generation failed")
            raise SparklioError(f"Image generation failed: {_short(exc)}") from exc
        images = out.images
        if p.mode == "inpaint" and p.source is not None and p.mask is not None:
            images = [paste_unmasked(img, p.source, p.mask) for img in images]
        return [self._image(img, p, seed + i, choice) for i, img in enumerate(images)]

    def _image(self, image: Any, p: GenerationParams, seed: int, choice: SdModeChoice) -> GeneratedImage:
        """PNG + parameters for one output image."""
        from local_models.lora import active

        family = family_of(self._pipe)
        params = {
            "prompt": p.prompt,
            "negative_prompt": p.negative_prompt if family.negative else "",
            "width": p.width,
            "height": p.height,
            "steps": p.steps,
            "guidance": p.guidance,
            "scheduler": p.scheduler if family.samplers else family.sampler_name,
            "sampler": SCHEDULERS[p.scheduler][2] if family.samplers else family.sampler_name,
            "seed": seed,
            "model": self.model_name,
            "family": family.key,
            "device": self.device,
            "mode": choice.mode,
            "vae_tiling": choice.vae_tiling,
            "loras": active(p.loras),
        }
        if p.mode != "txt2img":
            params.update(edit_mode=p.mode, strength=p.strength)
        return GeneratedImage(png=png_bytes(image, format_parameters(params)), params=params)

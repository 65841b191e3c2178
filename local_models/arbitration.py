"""Pure VRAM arbitration between Stable Diffusion and local LLMs (Ollama): decisions from numbers only.

Figures are for Stable Diffusion 1.x/2.x in fp16 (UNet ~1.7 GB, VAE ~0.2 GB, CLIP ~0.25 GB) and grow with
the pixel count; they are deliberately a little generous so the first attempt rarely runs out of memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SD_MODES = ("gpu_fp16", "model_offload", "sequential_offload")
WEIGHTS_MIB = 2600  # all SD components resident in fp16, with the CUDA context
UNET_MIB = 1800  # model offload keeps only the active component (the UNet is the largest)
SEQUENTIAL_MIB = 900  # sequential offload: one layer at a time plus activations floor
MARGIN_MIB = 512
BASE_PIXELS = 512 * 512
ACTIVATIONS_MIB = 700  # UNet activations at 512x512, batch 1, with classifier-free guidance
VAE_DECODE_MIB = 1300  # VAE decode at 512x512 without tiling
TILING_PIXELS = 1024 * 1024  # above this the VAE decodes in tiles regardless


@dataclass(frozen=True)
class SdModeChoice:
    """How to place the SD pipeline for one generation."""

    mode: str  # one of SD_MODES
    vae_tiling: bool
    why: str


@dataclass(frozen=True)
class SdPlan:
    """What to free before image generation."""

    unload: tuple[str, ...] = ()  # Ollama models to unload (keep_alive 0)
    enough: bool = True  # will the free VRAM cover `needed_mib` after the unloads?
    message: str = ""  # shown to the user when not empty


@dataclass(frozen=True)
class TextPlan:
    """What to free before a local LLM answers."""

    offload_sd: bool = False  # move the resident SD pipeline to CPU offload
    message: str = ""


def _scale(width: int, height: int) -> float:
    return max(width * height / BASE_PIXELS, 0.25)


def activations_mib(width: int, height: int, batch: int = 1) -> int:
    """UNet working memory for one denoising step."""
    return int(ACTIVATIONS_MIB * _scale(width, height) * max(batch, 1))


def vae_decode_mib(width: int, height: int, batch: int = 1, tiling: bool = False) -> int:
    """VAE decode peak (tiling caps it at one 512x512 tile)."""
    return VAE_DECODE_MIB if tiling else int(VAE_DECODE_MIB * _scale(width, height) * max(batch, 1))


def sd_needed_mib(
    mode: str, width: int, height: int, batch: int = 1, vae_tiling: bool = False, weights_mib: int | None = None
) -> int:
    """Peak VRAM estimate for a generation in `mode` (`weights_mib`: the loaded model's fp16 weights)."""
    act = activations_mib(width, height, batch)
    vae = vae_decode_mib(width, height, batch, vae_tiling)
    weights = WEIGHTS_MIB if weights_mib is None else weights_mib + 300  # + CUDA context
    if mode == "gpu_fp16":
        return weights + max(act, vae) + MARGIN_MIB
    if mode == "model_offload":
        unet = UNET_MIB if weights_mib is None else int(weights_mib * 0.8)
        return unet + max(act, vae) + MARGIN_MIB
    return SEQUENTIAL_MIB + max(act // 2, vae // 2)


def choose_sd_mode(
    free_mib: int | None,
    width: int,
    height: int,
    pinned: str | None = None,
    batch: int = 1,
    weights_mib: int | None = None,
) -> SdModeChoice:
    """The fastest placement that fits `free_mib` (unless `pinned`), plus VAE tiling for large images."""
    big = width * height > TILING_PIXELS
    if pinned and pinned != "auto":
        if pinned not in SD_MODES:
            raise ValueError(f"unknown SD mode {pinned!r}: choose one of {', '.join(SD_MODES)}")
        need = sd_needed_mib(pinned, width, height, batch, weights_mib=weights_mib)
        return SdModeChoice(pinned, big or (free_mib is not None and need > free_mib), "pinned in settings")
    if free_mib is None:
        return SdModeChoice("gpu_fp16", big, "free VRAM unknown: trying the full GPU")
    for mode in SD_MODES:
        if sd_needed_mib(mode, width, height, batch, vae_tiling=big, weights_mib=weights_mib) <= free_mib:
            why = f"{free_mib} MiB free"
            return SdModeChoice(mode, big, why if mode == "gpu_fp16" else f"{why}: {mode.replace('_', ' ')}")
        tiled = sd_needed_mib(mode, width, height, batch, vae_tiling=True, weights_mib=weights_mib)
        if mode != "sequential_offload" and tiled <= free_mib:
            return SdModeChoice(mode, True, f"{free_mib} MiB free: {mode.replace('_', ' ')} with VAE tiling")
    return SdModeChoice("sequential_offload", True, f"only {free_mib} MiB free: slow sequential offload")


def leaner_mode(mode: str) -> str | None:
    """The next placement that uses less VRAM, or None when there is none."""
    if mode in SD_MODES[:-1]:
        return SD_MODES[SD_MODES.index(mode) + 1]
    return None


def _gib(mib: float) -> str:
    return f"{mib / 1024:.1f} GiB"


def plan_before_sd(free_mib: int | None, needed_mib: int, ollama_running: Mapping[str, int]) -> SdPlan:
    """Unload the fewest Ollama models (largest first) that make room for SD; nothing if that cannot suffice.

    `ollama_running` maps each loaded model to the VRAM it holds in MiB (see `vram_arbiter.vram_by_model`).
    """
    if free_mib is None or free_mib >= needed_mib:
        return SdPlan()
    held = sorted(((mib, name) for name, mib in ollama_running.items() if mib > 0), reverse=True)
    if free_mib + sum(m for m, _ in held) < needed_mib:
        return SdPlan(
            (),
            False,
            f"Not enough GPU memory for full-speed images ({_gib(free_mib)} free, "
            f"~{_gib(needed_mib)} needed): using slower CPU offload",
        )
    chosen, freed = [], 0
    for mib, name in held:
        if free_mib + freed >= needed_mib:
            break
        chosen.append(name)
        freed += mib
    names = ", ".join(chosen)
    return SdPlan(
        tuple(chosen),
        True,
        f"Unloading {names} from the GPU to make room for image generation "
        f"(~{_gib(needed_mib)} needed, {_gib(free_mib)} free)",
    )


def plan_before_local_text(sd_resident: bool, free_mib: int | None, needed_mib: int) -> TextPlan:
    """Move a resident SD pipeline to CPU offload when the LLM would not fit beside it."""
    if not sd_resident or free_mib is None or free_mib >= needed_mib:
        return TextPlan()
    return TextPlan(
        True,
        f"Moving the image model off the GPU to make room for the local chat model "
        f"(~{_gib(needed_mib)} needed, {_gib(free_mib)} free)",
    )

"""2x/4x upscaling: a dedicated ESRGAN-family model file (spandrel), or a tiled img2img "hires fix" at low strength
with the loaded diffusion pipeline (`from_pipe`: the same weights). Tile sizes follow free VRAM (NVML)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from router.gallery import format_parameters, parse_parameters, png_bytes
from router.sd_path import UpscaleError, check_upscaler_path
from router.types import GeneratedImage

FACTORS = (2, 4)
MAX_SIDE = 8192
OVERLAP = 32  # pixels two neighbouring tiles share (blended linearly)
NEEDS_MODEL = (
    "Upscaling needs a Stable Diffusion model (for the hires fix) or an upscaler model file: Images → "
    "Model or Settings → Images (`sparklio config sd-model PATH` / `sparklio config upscaler FILE`)"
)
HIRES_STRENGTH = 0.3
HIRES_STEPS = 20
TILE_SIDES = (1024, 768, 512, 384, 256)
Tiler = Callable[[Any], Any]  # PIL tile -> PIL tile (scaled)


def check_factor(factor: Any) -> int:
    """2 or 4."""
    if factor not in FACTORS:
        raise UpscaleError(f"Upscale factor must be 2 or 4 (got {factor})")
    return int(factor)


def read_image(source: str | Path | bytes) -> tuple[Any, dict]:
    """(RGB PIL image, its A1111 parameters parsed or {}) from a path or PNG bytes; UpscaleError when unreadable."""
    from PIL import Image, UnidentifiedImageError

    name = "the image" if isinstance(source, bytes) else Path(source).name
    try:
        data = source if isinstance(source, bytes) else Path(source).expanduser().read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            text = im.info.get("parameters")
            image = im.convert("RGB")
    except FileNotFoundError:
        raise UpscaleError(f"Image not found: {source}") from None
    except (OSError, UnidentifiedImageError, ValueError):
        raise UpscaleError(f"{name} is not an image Sparklio can read (PNG, JPEG or WebP)") from None
    return image, (parse_parameters(text) if text else {})


def tile_side(free_mib: int | None, weights_mib: int | None = None) -> int:
    """The largest square tile whose img2img pass fits the free VRAM (512 on the CPU)."""
    from local_models.arbitration import sd_needed_mib

    if free_mib is None:
        return 512
    for side in TILE_SIDES:
        if sd_needed_mib("gpu_fp16", side, side, 1, weights_mib=weights_mib) <= free_mib:
            return side
    return TILE_SIDES[-1]


def _boxes(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles covering `length` with at least `overlap` shared pixels."""
    if length <= tile:
        return [0]
    step = max(tile - overlap, 8)
    starts = list(range(0, length - tile, step)) + [length - tile]
    return sorted(set(starts))


def tiled(image: Any, tile: int, scale: int, fn: Tiler, overlap: int = OVERLAP) -> Any:
    """Run `fn` over overlapping tiles of `image` and blend the results (each `scale` times larger)."""
    import numpy as np
    from PIL import Image

    w, h = image.size
    if w <= tile and h <= tile:
        return fn(image)
    out = np.zeros((h * scale, w * scale, 3), dtype=np.float64)
    weight = np.zeros((h * scale, w * scale, 1), dtype=np.float64)
    for top in _boxes(h, tile, overlap):
        for left in _boxes(w, tile, overlap):
            box = (left, top, min(left + tile, w), min(top + tile, h))
            piece = np.asarray(fn(image.crop(box)).convert("RGB"), dtype=np.float64)
            ramp = (
                _ramp(piece.shape[1], overlap * scale, left > 0, box[2] < w)[None, :, None]
                * _ramp(piece.shape[0], overlap * scale, top > 0, box[3] < h)[:, None, None]
            )
            ys, xs = top * scale, left * scale
            out[ys : ys + piece.shape[0], xs : xs + piece.shape[1]] += piece * ramp
            weight[ys : ys + piece.shape[0], xs : xs + piece.shape[1]] += ramp
    return Image.fromarray((out / np.maximum(weight, 1e-6)).clip(0, 255).astype(np.uint8), "RGB")


def _ramp(n: int, fade: int, fade_in: bool, fade_out: bool) -> Any:
    """1-D blend weights: linear ramps over `fade` pixels at the shared edges."""
    import numpy as np

    r = np.ones(n)
    fade = min(fade, n // 2)
    if fade > 0 and fade_in:
        r[:fade] = np.linspace(1 / (fade + 1), 1, fade)
    if fade > 0 and fade_out:
        r[-fade:] = np.linspace(1, 1 / (fade + 1), fade)
    return r


# ---- (b) a dedicated upscaler model (ESRGAN family through spandrel) ----


def load_upscaler(path: str | Path) -> Any:
    """A spandrel ImageModelDescriptor from a .pth/.safetensors file; UpscaleError with the reason otherwise."""
    p = Path(check_upscaler_path(path) or "-")
    try:
        import spandrel
    except ImportError:
        raise UpscaleError("Upscaler models need GPU support: run `sparklio gpu install`") from None
    try:
        model = spandrel.ModelLoader().load_from_file(str(p))
    except spandrel.UnsupportedModelError:
        raise UpscaleError(f"{p.name} is not an upscaler architecture Sparklio knows (ESRGAN, SwinIR, …)") from None
    except Exception as exc:
        raise UpscaleError(f"{p.name} cannot be read as an upscaler model (damaged or incomplete download?)") from exc
    if not isinstance(model, spandrel.ImageModelDescriptor) or model.scale < 2:
        raise UpscaleError(f"{p.name} is a {model.architecture.name} model, not an upscaler")
    return model.eval()


def model_upscale(image: Any, model: Any, factor: int, *, device: str = "cpu", tile: int = 512) -> Any:
    """Upscale with the model (repeated when its scale is below `factor`), then resize to exactly `factor`x."""
    import numpy as np
    import torch
    from PIL import Image

    model.to(device)

    def run(piece: Any) -> Any:
        arr = torch.from_numpy(np.asarray(piece, dtype=np.float32) / 255.0).permute(2, 0, 1)[None].to(device)
        with torch.inference_mode():
            out = model(arr)[0].clamp(0, 1).permute(1, 2, 0).float().cpu().numpy()
        return Image.fromarray((out * 255.0).round().astype(np.uint8), "RGB")

    target = (image.width * factor, image.height * factor)
    while image.width < target[0]:
        image = tiled(image, tile, model.scale, run)
    return image if image.size == target else image.resize(target, Image.Resampling.LANCZOS)


# ---- (a) hires fix: tiled img2img with the loaded pipeline ----


def hires_fix(
    engine: Any,
    image: Any,
    factor: int,
    params: dict,
    *,
    strength: float = HIRES_STRENGTH,
    steps: int = HIRES_STEPS,
    tile: int | None = None,
    loras: tuple = (),
) -> Any:
    """Lanczos to `factor`x (multiples of 8), then img2img each tile at low strength with the same weights
    (and the source's LoRAs, `loras` = ((path, weight), ...))."""
    import torch
    from PIL import Image

    from local_models import lora

    target = (image.width * factor // 8 * 8, image.height * factor // 8 * 8)
    big = image.resize(target, Image.Resampling.LANCZOS)
    seed = int(params.get("seed") or 0)
    guidance = float(params.get("CFG scale") or params.get("guidance") or 5.0)
    with engine.placed_pipe(min(target[0], 1024), min(target[1], 1024)) as pipe:
        lora.apply(pipe, loras)
        img2img = engine.derived(pipe, "img2img")  # the image studio's own img2img twin: no second copy of weights
        side = tile or tile_side(engine.free_vram_mib(), engine.weights_mib())
        negative = (
            {"negative_prompt": params.get("negative_prompt") or None}
            if "negative_prompt" in _call_args(img2img)
            else {}
        )

        def run(piece: Any) -> Any:
            gen = torch.Generator("cpu").manual_seed(seed)
            return img2img(
                prompt=params.get("prompt", ""),
                image=piece,
                strength=strength,
                num_inference_steps=steps,
                guidance_scale=guidance,
                width=piece.width,
                height=piece.height,
                generator=gen,
                **negative,
            ).images[0]

        return tiled(big, side, 1, run)


def _call_args(pipe: Any) -> set[str]:
    import inspect

    return set(inspect.signature(pipe.__call__).parameters)


# ---- one call for the CLI and the GUI ----


def upscale(
    source: str | Path | bytes,
    factor: int,
    *,
    model_path: str | Path | None = None,
    engine: Any = None,
    tile: int | None = None,
    lora_folder: str | None = None,
    prompt: str = "",
) -> GeneratedImage:
    """Upscale an image file/PNG by 2 or 4: with the upscaler model when given, else the hires fix on `engine`
    (re-applying the source's `<lora:…>` LoRAs found in `lora_folder`; `prompt` when the PNG records none)."""
    factor = check_factor(factor)
    image, params = read_image(source)
    if max(image.size) * factor > MAX_SIDE:
        raise UpscaleError(f"{image.width}x{image.height} upscaled {factor}x would exceed {MAX_SIDE} pixels a side")
    params = {
        **params,
        "prompt": params.get("prompt") or prompt,
        "negative_prompt": params.get("negative_prompt", ""),
        "seed": _int(params.get("Seed", params.get("seed"))),
    }
    if model_path:
        model = load_upscaler(model_path)
        device = "cuda" if engine is not None and engine.device != "cpu" else "cpu"
        side = tile or _model_tile(device)
        out, how = model_upscale(image, model, factor, device=device, tile=side), Path(str(model_path)).stem
    elif engine is not None:
        loras = _found_loras(lora_folder, params.get("loras") or [])
        out, how = hires_fix(engine, image, factor, params, tile=tile, loras=loras), "hires fix"
        params["loras"] = [{"name": Path(p).stem, "weight": w} for p, w in loras]
    else:
        raise UpscaleError(NEEDS_MODEL)
    record = {
        "prompt": params["prompt"],
        "negative_prompt": params["negative_prompt"],
        "seed": params["seed"],
        "guidance": float(params.get("CFG scale") or 0) or None,
        "width": out.width,
        "height": out.height,
        "model": params.get("Model", ""),
        "upscale": factor,
        "upscaler": how,
        "loras": params.get("loras", []),
        "denoising_strength": HIRES_STRENGTH if how == "hires fix" else None,
    }
    return GeneratedImage(png=png_bytes(out, format_parameters(record)), params=record)


def _found_loras(folder: str | None, wanted: list[dict]) -> tuple[tuple[str, float], ...]:
    """The source's LoRAs that are in the folder (others are left out of the hires pass)."""
    from local_models.lora import LoraError, resolve

    found = []
    for item in wanted:
        try:
            found.append(resolve(folder, item["name"], item["weight"]))
        except LoraError:
            continue
    return tuple(found)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _model_tile(device: str) -> int:
    """ESRGAN tiles: bigger with more free VRAM (NVML), 256 on the CPU."""
    if device == "cpu":
        return 256
    from local_models.gpu import GpuMonitor

    free = GpuMonitor().free_mib()
    return 512 if free is None or free < 6000 else 1024

"""Workflow upscales (`upscale = 2|4` on an image step) through the studio's own path: the local_sd provider's
`upscale_image` (the upscaler model file when set, else the hires fix with the configured SD model)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from router.errors import SparklioError
from router.sd_path import UpscaleError
from router.workflows.model import StepSpec

LOCAL_SD = "local_sd"  # the provider that upscales (an upscaler model file, else the hires fix)


def upscaler_for(app: Any, step: StepSpec, model: str) -> str:
    """How the step's images will be upscaled ("hires fix" or the upscaler's name); UpscaleError in one line
    when this machine has neither an upscaler model nor a Stable Diffusion model."""
    try:
        return str(app.registry.get(LOCAL_SD).upscaler_for(app.settings.upscaler_path or None))
    except SparklioError:
        raise UpscaleError(f"{step.label}: {_cannot(step, model)}") from None


def _cannot(step: StepSpec, model: str) -> str:
    return (
        f"cannot upscale {model}'s images {step.upscale}x: no upscaler model or Stable Diffusion model on this "
        "machine (Settings → Images, or remove `upscale` from the step)"
    )


async def upscale_file(app: Any, path: str, factor: int, prompt: str) -> dict[str, Any]:
    """Upscale one saved image beside itself (`NAME_x2.png`): the new path, the original and how it was made."""
    provider = app.registry.get(LOCAL_SD)
    img = await asyncio.to_thread(
        provider.upscale_image,
        path,
        factor,
        upscaler_path=app.settings.upscaler_path or None,
        lora_folder=app.settings.lora_folder or None,
        prompt=prompt,
    )
    big = Path(path).with_name(f"{Path(path).stem}_x{factor}.png")
    big.write_bytes(img.png)
    return {
        "path": str(big),
        "original": path,
        "upscaled": f"{factor}x with {img.params['upscaler']}",
        "upscaled_size": f"{img.params['width']}x{img.params['height']}",
    }


def upscale_note(app: Any, step: StepSpec, model: str) -> str:
    """The estimate's words for a step's upscales (free, on this machine), or why they cannot run."""
    try:
        how = upscaler_for(app, step, model)
    except UpscaleError:
        return _cannot(step, model)
    return (
        f"each image upscaled {step.upscale}x on this machine with {'the ' if how == 'hires fix' else ''}{how} (free)"
    )

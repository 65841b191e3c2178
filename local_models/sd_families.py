"""Local image model families (SD 1.x/2.x, SDXL, SD 3.x, Flux): detection from headers/configs, per-family defaults
and which studio controls each takes. No torch at import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from router.errors import SparklioError


@dataclass(frozen=True)
class Family:
    """What a family of pipelines takes, and the settings it starts from."""

    key: str
    label: str
    pipeline: str  # diffusers class
    steps: int
    guidance: float
    size: str
    samplers: bool  # takes the SD sampler list (else its own flow-matching scheduler)
    negative: bool  # takes a negative prompt
    sampler_name: str = ""  # what the PNG parameters say when the sampler is fixed
    half: str = "float16"  # the GPU dtype (Flux and SD 3 overflow in float16: bfloat16)


FAMILIES = {
    f.key: f
    for f in (
        Family("sd", "Stable Diffusion 1.x/2.x", "StableDiffusionPipeline", 25, 7.0, "512x512", True, True),
        Family("sdxl", "SDXL", "StableDiffusionXLPipeline", 30, 6.0, "1024x1024", True, True),
        Family(
            "sd3",
            "Stable Diffusion 3.x",
            "StableDiffusion3Pipeline",
            28,
            4.5,
            "1024x1024",
            False,
            True,
            "Euler (flow matching)",
            "bfloat16",
        ),
        Family("flux", "Flux", "FluxPipeline", 28, 3.5, "1024x1024", False, False, "Euler (flow matching)", "bfloat16"),
    )
}
BY_PIPELINE = {f.pipeline: f for f in FAMILIES.values()}
PIPELINES = tuple(BY_PIPELINE)
# a tensor-name prefix only that family's single-file checkpoints have (original/ComfyUI layouts), checked in order
_KEY_MARKS = (
    ("double_blocks.", "flux"),
    ("model.diffusion_model.double_blocks.", "flux"),
    ("model.diffusion_model.joint_blocks.", "sd3"),
    ("joint_blocks.", "sd3"),
    ("conditioner.embedders.1.", "sdxl"),
)


def family_for_keys(keys: list[str]) -> Family:
    """The family a single-file checkpoint's tensor names point to (SD 1.x when nothing else matches)."""
    for mark, key in _KEY_MARKS:
        if any(k.startswith(mark) for k in keys):
            return FAMILIES[key]
    return FAMILIES["sd"]


def pipeline_class(path: Path, config: Path | None) -> str:
    """The diffusers pipeline class for a model folder or checkpoint (its model_index.json wins)."""
    from router.sd_path import safetensors_keys

    index = (path if path.is_dir() else config or path) / "model_index.json"
    if index.is_file():
        try:
            return str(json.loads(index.read_text(encoding="utf-8")).get("_class_name", "StableDiffusionPipeline"))
        except ValueError as exc:
            raise SparklioError(f"{index} is not valid JSON: {str(exc)[:120]}") from exc
    if path.suffix.lower() == ".safetensors":
        return family_for_keys(safetensors_keys(path)).pipeline
    return "StableDiffusionPipeline"


def family_of(pipe: Any) -> Family:
    """The family of a loaded pipeline (by class, so subclasses of SD count as SD)."""
    for cls in type(pipe).__mro__:
        if cls.__name__ in BY_PIPELINE:
            return BY_PIPELINE[cls.__name__]
    return FAMILIES["sd"]


def family_for_path(path: str | Path | None) -> Family | None:
    """The family of the configured model path from headers/configs alone (None when unset or unreadable)."""
    from local_models.tiny_pipeline import config_dir_for

    if not str(path or "").strip():
        return None
    p = Path(str(path)).expanduser()
    try:
        cfg = config_dir_for(p) if p.is_file() and config_dir_for(p).is_dir() else None
        return BY_PIPELINE.get(pipeline_class(p, cfg))
    except (SparklioError, OSError):
        return None


# Single-file SD 3.x / Flux checkpoints often hold the transformer alone (or without T5): the tensor-name prefixes
# that show a component is in the file; a component not there is loaded from the config folder beside it.
_FILE_PARTS = {
    "StableDiffusion3Pipeline": {
        "vae": ("first_stage_model.", "vae."),
        "text_encoder": ("text_encoders.clip_l.",),
        "text_encoder_2": ("text_encoders.clip_g.",),
        "text_encoder_3": ("text_encoders.t5xxl.",),
    },
    "FluxPipeline": {
        "vae": ("vae.", "first_stage_model."),
        "text_encoder": ("text_encoders.clip_l.",),
        "text_encoder_2": ("text_encoders.t5xxl.",),
    },
}


def components_beside(path: Path, config: Path | None, pipeline: str, dtype: Any) -> dict[str, Any]:
    """The components an SD 3.x / Flux single file lacks, loaded from its Diffusers config folder's weights
    (diffusers' `from_single_file` looks there only for files named like its own models, not `model.safetensors`)."""
    import importlib

    from router.sd_path import safetensors_keys

    parts = _FILE_PARTS.get(pipeline, {})
    if config is None or not parts or path.suffix.lower() != ".safetensors":
        return {}
    keys = [k.removeprefix("model.diffusion_model.") for k in safetensors_keys(path)]
    index = json.loads((config / "model_index.json").read_text(encoding="utf-8"))
    found = {}
    for name, marks in parts.items():
        if any(k.startswith(marks) for k in keys) or not (config / name).is_dir() or name not in index:
            continue
        library, cls_name = index[name]
        cls = getattr(importlib.import_module(library), cls_name)
        found[name] = cls.from_pretrained(str(config), subfolder=name, dtype=dtype, local_files_only=True)
    return found

"""The image studio's paths as configuration (SD model, LoRA folder, upscaler file): checked without torch or loading."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

from router.errors import SparklioError

UNSET = "no Stable Diffusion model chosen (Images → Model, or `sparklio config sd-model PATH`)"
_MAX_HEADER = 100 * 1024 * 1024  # safetensors caps its JSON header at 100 MB


class SdPathError(SparklioError):
    """The configured Stable Diffusion model path cannot be used (one-line reason)."""


def _check_folder(p: Path) -> None:
    index = p / "model_index.json"
    if not index.is_file():
        raise SdPathError(
            f"{p} is not a Diffusers model folder (no model_index.json): choose the folder that "
            f"holds model_index.json, or a .safetensors file"
        )
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SdPathError(f"{index} cannot be read as JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or "_class_name" not in data:
        raise SdPathError(f"{index} is not a Diffusers model index (no _class_name)")


def safetensors_keys(p: Path) -> list[str]:
    """Tensor names from a .safetensors header; SdPathError when the file is damaged or truncated."""
    bad = SdPathError(f"{p.name} is not a valid .safetensors file (damaged or incomplete download?)")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise bad
            (n,) = struct.unpack("<Q", head)
            if not 2 <= n <= min(_MAX_HEADER, size - 8):
                raise bad
            header = json.loads(fh.read(n))
    except (OSError, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(header, dict):
        raise bad
    tensors = {k: v for k, v in header.items() if k != "__metadata__"}
    if not tensors:
        raise SdPathError(f"{p.name} contains no weights")
    try:
        end = max(int(v["data_offsets"][1]) for v in tensors.values())
    except (TypeError, KeyError, IndexError, ValueError):
        raise bad from None
    if end != size - 8 - n:
        raise bad
    return list(tensors)


def _check_ckpt(p: Path) -> None:
    """A torch checkpoint: a zip archive holding data.pkl, or a legacy pickle (protocol 2+)."""
    bad = SdPathError(f"{p.name} is not a valid .ckpt file (damaged or incomplete download?)")
    try:
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as zf:
                if not any(name.endswith("data.pkl") for name in zf.namelist()):
                    raise bad
            return
        with p.open("rb") as fh:
            head = fh.read(2)
    except (OSError, zipfile.BadZipFile):
        raise bad from None
    if len(head) < 2 or head[0] != 0x80 or not 2 <= head[1] <= 5:
        raise bad


def check_sd_model_path(path: str | Path) -> Path:
    """The usable model path (expanded, absolute), or SdPathError with a one-line reason."""
    if not str(path or "").strip():
        raise SdPathError(UNSET[:1].upper() + UNSET[1:])
    p = Path(str(path).strip()).expanduser().absolute()
    if not p.exists():
        raise SdPathError(f"Stable Diffusion model not found: {p}")
    if p.is_dir():
        _check_folder(p)
    elif p.suffix.lower() == ".safetensors":
        safetensors_keys(p)
    elif p.suffix.lower() == ".ckpt":
        _check_ckpt(p)
    else:
        raise SdPathError(f"{p.name} is not a model: choose a Diffusers folder, or a .safetensors or .ckpt file")
    return p


def sd_path_problem(path: str | Path | None) -> str:
    """Why the path cannot be used ("" when it can)."""
    if not str(path or "").strip():
        return UNSET
    try:
        check_sd_model_path(path)  # type: ignore[arg-type]
    except SdPathError as exc:
        return str(exc)
    return ""


class LoraError(SparklioError):
    """A LoRA file or folder cannot be used (one-line reason)."""


class UpscaleError(SparklioError):
    """The image or the upscaler cannot be used (one-line reason)."""


UPSCALER_SUFFIXES = (".pth", ".pt", ".safetensors")


def check_lora_folder(value: object) -> str:
    """The `lora_folder` setting: "" or an existing folder (absolute); LoraError otherwise."""
    if not str(value or "").strip():
        return ""
    root = Path(str(value).strip()).expanduser().absolute()
    if not root.is_dir():
        raise LoraError(f"LoRA folder not found: {root}")
    return str(root)


def check_upscaler_path(value: object) -> str:
    """The `upscaler_path` setting: "" or an existing .pth/.safetensors file (absolute); UpscaleError otherwise."""
    if not str(value or "").strip():
        return ""
    p = Path(str(value).strip()).expanduser().absolute()
    if not p.is_file():
        raise UpscaleError(f"Upscaler model not found: {p}")
    if p.suffix.lower() not in UPSCALER_SUFFIXES:
        raise UpscaleError(f"{p.name} is not an upscaler model: choose a .pth or .safetensors file (ESRGAN family)")
    return str(p)

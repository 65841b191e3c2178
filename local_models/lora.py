"""LoRAs: list the LoRA folder, read trigger words from file headers, apply/unload with diffusers' adapter API,
and the A1111 `<lora:name:weight>` prompt tags that carry them in PNG metadata."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from router.sd_path import LoraError

SUFFIX = ".safetensors"
MAX_TRIGGERS = 8
MIN_WEIGHT, MAX_WEIGHT = -4.0, 4.0
_STATE = "_sparklio_loras"  # on the pipeline object: adapter name -> file path (a reloaded pipeline starts empty)
_WEIGHTS = "_sparklio_lora_weights"  # on the pipeline object: the ((name, weight), ...) last set active


@dataclass(frozen=True)
class LoraFile:
    """One LoRA in the folder: its name (file stem), path and trigger words."""

    name: str
    path: Path
    triggers: tuple[str, ...]


def header_metadata(path: Path) -> dict[str, str]:
    """The `__metadata__` strings of a .safetensors file (header only, no tensors, no torch)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="np") as fh:
            return dict(fh.metadata() or {})
    except Exception as exc:
        raise LoraError(f"{path.name} is not a valid .safetensors LoRA (damaged or incomplete download?)") from exc


def trigger_words(meta: dict[str, str]) -> tuple[str, ...]:
    """Trigger phrases from kohya/modelspec metadata: `modelspec.trigger_phrase`, then the most used training tags."""
    words: list[str] = []
    for key in ("modelspec.trigger_phrase", "ss_trigger_words", "trigger_words"):
        words += [w.strip() for w in re.split(r"[,\n]", meta.get(key) or "") if w.strip()]
    try:
        freq = json.loads(meta.get("ss_tag_frequency") or "{}")
    except ValueError:
        freq = {}
    counts: dict[str, int] = {}
    for tags in freq.values() if isinstance(freq, dict) else []:
        for tag, n in tags.items() if isinstance(tags, dict) else []:
            if isinstance(n, (int, float)):
                counts[tag.strip()] = counts.get(tag.strip(), 0) + int(n)
    words += [t for t, _ in sorted(counts.items(), key=lambda kv: -kv[1]) if t]
    return tuple(dict.fromkeys(words))[:MAX_TRIGGERS]


def list_loras(folder: str | Path | None) -> list[LoraFile]:
    """The folder's .safetensors LoRAs by name (unreadable files are skipped); [] when no folder is set."""
    if not str(folder or "").strip():
        return []
    root = Path(str(folder)).expanduser()
    if not root.is_dir():
        raise LoraError(f"LoRA folder not found: {root}")
    out = []
    for path in sorted(root.glob(f"*{SUFFIX}"), key=lambda p: p.name.lower()):
        try:
            out.append(LoraFile(path.stem, path, trigger_words(header_metadata(path))))
        except LoraError:
            continue
    return out


def check_weight(name: str, weight: float) -> float:
    """A LoRA weight within [-4, 4]."""
    if not MIN_WEIGHT <= float(weight) <= MAX_WEIGHT:
        raise LoraError(f"LoRA {name} weight must be between {MIN_WEIGHT:g} and {MAX_WEIGHT:g} (got {weight})")
    return float(weight)


def resolve(folder: str | Path | None, name_or_path: str, weight: float = 1.0) -> tuple[str, float]:
    """(file path, weight) for a LoRA given by name (in the folder) or by path; LoraError when missing."""
    given = Path(str(name_or_path)).expanduser()
    candidates = [given] if given.suffix.lower() == SUFFIX else []
    if str(folder or "").strip():
        candidates.append(Path(str(folder)).expanduser() / f"{name_or_path}{SUFFIX}")
    for path in candidates:
        if path.is_file():
            header_metadata(path)
            return str(path.absolute()), check_weight(path.stem, weight)
    where = f" in {folder}" if str(folder or "").strip() else " (set the LoRA folder in Settings → Images)"
    raise LoraError(f"LoRA {name_or_path!r} not found{where}")


# ---- A1111 prompt tags ----


# ---- applying to a loaded pipeline ----


def adapter_name(path: str | Path) -> str:
    """A safe adapter name from the file stem."""
    return re.sub(r"\W", "_", Path(path).stem) or "lora"


def apply(pipe: Any, loras: tuple[tuple[str, float], ...]) -> None:
    """Make exactly `loras` (path, weight) active on `pipe`: load new ones, unload deselected ones, set weights."""
    loaded: dict[str, str] = getattr(pipe, _STATE, None) or {}
    wanted = {adapter_name(path): (path, weight) for path, weight in loras}
    stale = [name for name, path in loaded.items() if name not in wanted or wanted[name][0] != path]
    active_now = getattr(pipe, _WEIGHTS, None) if not stale else None
    if stale:
        pipe.delete_adapters(stale)
        loaded = {n: p for n, p in loaded.items() if n not in stale}
    for name, (path, _w) in wanted.items():
        if name in loaded:
            continue
        active_now = None  # a newly loaded adapter changes what is active
        try:
            pipe.load_lora_weights(str(Path(path).parent), weight_name=Path(path).name, adapter_name=name)
        except Exception as exc:
            setattr(pipe, _STATE, loaded)
            setattr(pipe, _WEIGHTS, None)  # what a half-done load left active is unknown: set it next time
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise LoraError(f"{Path(path).name} does not fit this model: {first}") from exc
        loaded[name] = path
    setattr(pipe, _STATE, loaded)
    weights = tuple((name, float(w)) for name, (_p, w) in wanted.items())
    if wanted and weights != active_now:  # set_adapters walks every module: only when something changed
        pipe.set_adapters(list(wanted), [w for _n, w in weights])
    setattr(pipe, _WEIGHTS, weights)


def active(loras: tuple[tuple[str, float], ...]) -> list[dict]:
    """The parameters' record of the LoRAs: [{"name", "weight"}]."""
    return [{"name": Path(path).stem, "weight": float(weight)} for path, weight in loras]

"""Image files: A1111 `parameters` PNG metadata, and the gallery (PNGs under <data dir>/images/ + `images` rows).

No torch: the router saves chat images here; local_models and the Images page read and write the same rows.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import peewee

from router.errors import SparklioError
from router.store.db import database
from router.types import GeneratedImage

GALLERY_DIRNAME = "images"


# ---- PNG metadata (A1111 "parameters" format) ----


_LORA_TAG = re.compile(r"<lora:([^:<>]+)(?::([-+]?\d*\.?\d+))?>", re.IGNORECASE)


def split_tags(prompt: str) -> tuple[str, list[tuple[str, float]]]:
    """ "a cat <lora:ink:0.8>" -> ("a cat", [("ink", 0.8)]): the prompt without A1111 LoRA tags, and the tags."""
    tags = [(m.group(1).strip(), float(m.group(2)) if m.group(2) else 1.0) for m in _LORA_TAG.finditer(prompt or "")]
    if not tags:
        return prompt or "", []
    clean = re.sub(r"[ \t]{2,}", " ", _LORA_TAG.sub("", prompt or "")).strip()
    return clean, tags


def tag_text(loras: list[dict]) -> str:
    """[{"name": "ink", "weight": 0.8}] -> "<lora:ink:0.8>"."""
    return " ".join(f"<lora:{d['name']}:{float(d['weight']):g}>" for d in loras)


def _quote(value: Any) -> str:
    text = str(value)
    return json.dumps(text) if any(c in text for c in ',:\n"') else text


def format_parameters(params: dict) -> str:
    """The A1111 text: prompt (+ `<lora:name:weight>` tags), optional "Negative prompt:" line, then "Steps: 20, …"."""
    lines = [" ".join(t for t in (params.get("prompt", ""), tag_text(params.get("loras") or [])) if t)]
    if params.get("negative_prompt"):
        lines.append(f"Negative prompt: {params['negative_prompt']}")
    fields = {
        "Steps": params.get("steps"),
        "Sampler": params.get("sampler"),
        "CFG scale": f"{float(params['guidance']):g}" if params.get("guidance") is not None else None,
        "Seed": params.get("seed"),
        "Size": f"{params.get('width')}x{params.get('height')}",
        "Model": params.get("model"),
        "Hires upscale": params.get("upscale"),
        "Hires upscaler": params.get("upscaler"),
        "Denoising strength": params.get("strength", params.get("denoising_strength")),
        "Mode": params.get("edit_mode"),
        "Version": "Sparklio",
    }
    lines.append(", ".join(f"{k}: {_quote(v)}" for k, v in fields.items() if v not in (None, "")))
    return "\n".join(lines)


_PARAM_RE = re.compile(r'\s*([\w][\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def parse_parameters(text: str) -> dict:
    """Read A1111 `parameters` text back: {"prompt", "negative_prompt", "loras", "Steps", "Sampler", "Seed", ...}."""
    lines = text.strip().split("\n")
    out: dict[str, Any] = {}
    if lines and len(_PARAM_RE.findall(lines[-1])) >= 3:
        for key, value in _PARAM_RE.findall(lines.pop()):
            out[key.strip()] = json.loads(value) if value.startswith('"') else value.strip()
    prompt, negative, in_negative = [], [], False
    for line in lines:
        if line.startswith("Negative prompt:"):
            in_negative, line = True, line[len("Negative prompt:") :].strip()
        (negative if in_negative else prompt).append(line)
    out["prompt"], tags = split_tags("\n".join(prompt))
    out["negative_prompt"] = "\n".join(negative)
    out["loras"] = [{"name": name, "weight": weight} for name, weight in tags]
    return out


def png_bytes(image: Any, parameters: str) -> bytes:
    """A PIL image as PNG bytes with the `parameters` text chunk."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", parameters)
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def read_png_parameters(png: bytes) -> str | None:
    """The `parameters` text of a PNG, or None."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.info.get("parameters")


class GalleryImage(peewee.Model):
    """One saved image."""

    id = peewee.AutoField()
    path = peewee.TextField()
    prompt = peewee.TextField(default="")
    negative_prompt = peewee.TextField(default="")
    params = peewee.TextField(default="{}")
    model = peewee.TextField(default="")
    seed = peewee.IntegerField(null=True)
    created_at = peewee.FloatField(default=time.time)

    class Meta:
        database = database
        table_name = "images"

    @property
    def params_dict(self) -> dict:
        """`params` decoded (empty dict if unreadable)."""
        try:
            return json.loads(self.params or "{}")
        except ValueError:
            return {}


def gallery_dir(data_dir: Path) -> Path:
    """Where the gallery PNGs live for a data dir."""
    return Path(data_dir) / GALLERY_DIRNAME


def _file_name(params: dict, index: int, now: float) -> str:
    stamp = datetime.fromtimestamp(now).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{params.get('seed', 'x')}-{index}.png"


def save_to_gallery(images: Iterable[GeneratedImage], out_dir: Path) -> list[GalleryImage]:
    """Write each PNG into `out_dir` (usually gallery_dir(data_dir)) and record it; needs an open store."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SparklioError(f"Cannot create the image folder {out_dir}: {exc.strerror or exc}") from exc
    now = time.time()
    rows = []
    for i, img in enumerate(images):
        path = out_dir / _file_name(img.params, i, now)
        n = 1
        while path.exists():
            path = path.with_name(f"{path.stem.rsplit('~', 1)[0]}~{n}.png")
            n += 1
        try:
            path.write_bytes(img.png)
        except OSError as exc:
            raise SparklioError(f"Cannot save the image to {path}: {exc.strerror or exc}") from exc
        p = img.params
        rows.append(
            GalleryImage.create(
                path=str(path.resolve()),
                prompt=p.get("prompt", ""),
                negative_prompt=p.get("negative_prompt", ""),
                params=json.dumps(p, sort_keys=True),
                model=p.get("model", ""),
                seed=p.get("seed"),
                created_at=now,
            )
        )
    return rows


def list_gallery(limit: int = 100, offset: int = 0, search: str = "") -> list[GalleryImage]:
    """Newest images first, optionally filtered by text in the prompt or the model name."""
    q = GalleryImage.select().order_by(GalleryImage.created_at.desc(), GalleryImage.id.desc())
    if search.strip():
        q = q.where(GalleryImage.prompt.contains(search.strip()) | GalleryImage.model.contains(search.strip()))
    return list(q.limit(limit).offset(offset))


def delete_from_gallery(image_id: int, delete_file: bool = True) -> bool:
    """Remove a row (and its PNG); False when no such image."""
    row = GalleryImage.get_or_none(GalleryImage.id == image_id)
    if row is None:
        return False
    if delete_file:
        Path(row.path).unlink(missing_ok=True)
    row.delete_instance()
    return True


def settings_text(row: GalleryImage) -> str:
    """A gallery image's A1111 `parameters` text: the PNG's own chunk, else built from its recorded parameters."""
    try:
        text = read_png_parameters(Path(row.path).read_bytes())
    except (OSError, ValueError, SyntaxError):  # missing or unreadable file: the row still knows the settings
        text = None
    if text:
        return text
    p = {
        **row.params_dict,
        "prompt": row.prompt,
        "negative_prompt": row.negative_prompt,
        "seed": row.seed,
        "model": row.model or row.params_dict.get("model"),
    }
    width, _, height = str(p.get("size") or "").partition("x")
    if not p.get("width") and width.isdigit() and height.isdigit():
        p["width"], p["height"] = int(width), int(height)
    return format_parameters(p)

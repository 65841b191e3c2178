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


def _quote(value: Any) -> str:
    text = str(value)
    return json.dumps(text) if any(c in text for c in ',:\n"') else text


def format_parameters(params: dict) -> str:
    """The A1111 text: prompt, optional "Negative prompt:" line, then "Steps: 20, Sampler: …" line."""
    lines = [params.get("prompt", "")]
    if params.get("negative_prompt"):
        lines.append(f"Negative prompt: {params['negative_prompt']}")
    fields = {"Steps": params.get("steps"), "Sampler": params.get("sampler"),
              "CFG scale": f"{float(params.get('guidance', 0)):g}", "Seed": params.get("seed"),
              "Size": f"{params.get('width')}x{params.get('height')}", "Model": params.get("model"),
              "Version": "Sparklio"}
    lines.append(", ".join(f"{k}: {_quote(v)}" for k, v in fields.items() if v not in (None, "")))
    return "\n".join(lines)


_PARAM_RE = re.compile(r'\s*([\w][\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def parse_parameters(text: str) -> dict:
    """Read A1111 `parameters` text back: {"prompt", "negative_prompt", "Steps", "Sampler", "Seed", ...}."""
    lines = text.strip().split("\n")
    out: dict[str, Any] = {}
    if lines and len(_PARAM_RE.findall(lines[-1])) >= 3:
        for key, value in _PARAM_RE.findall(lines.pop()):
            out[key.strip()] = json.loads(value) if value.startswith('"') else value.strip()
    prompt, negative, in_negative = [], [], False
    for line in lines:
        if line.startswith("Negative prompt:"):
            in_negative, line = True, line[len("Negative prompt:"):].strip()
        (negative if in_negative else prompt).append(line)
    out["prompt"], out["negative_prompt"] = "\n".join(prompt), "\n".join(negative)
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
        rows.append(GalleryImage.create(
            path=str(path.resolve()), prompt=p.get("prompt", ""), negative_prompt=p.get("negative_prompt", ""),
            params=json.dumps(p, sort_keys=True), model=p.get("model", ""),
            seed=p.get("seed"), created_at=now,
        ))
    return rows


def list_gallery(limit: int = 100, offset: int = 0, search: str = "") -> list[GalleryImage]:
    """Newest images first, optionally filtered by prompt text."""
    q = GalleryImage.select().order_by(GalleryImage.created_at.desc(), GalleryImage.id.desc())
    if search:
        q = q.where(GalleryImage.prompt.contains(search))
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

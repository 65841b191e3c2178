"""Bulk workflow inputs: a `list` input (lines of text, a CSV column, `@file` or an `@folder` of images)."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from router.errors import SparklioError

log = logging.getLogger(__name__)
MAX_ITEMS = 500  # "up to hundreds of items"; more is a job to split
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def parse_items(value: str, name: str = "items") -> list[str]:
    """The items of a list input: `@folder` (its images' paths), `@file.csv[#column]`, `@file.txt` or the lines."""
    text, column, source = value, None, f"input {name!r}"
    if value.startswith("@"):
        path_text, _, column = value[1:].partition("#")
        path = Path(path_text).expanduser()
        if path.is_dir():
            return folder_images(path, f"{source} (folder {path.name})")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise SparklioError(f"{source}: file {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SparklioError(f"{source}: cannot read {path}: {exc}") from None
        source = f"{source} ({path.name})"
        if path.suffix.lower() == ".csv":
            items = _csv_column(text, column or None, source)
            return _checked(items, source)
    items = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return _checked(items, source)


def _csv_column(text: str, column: str | None, source: str) -> list[str]:
    """One column of a CSV: by header name (`#Name`), else the first column (a header row is skipped)."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        return []
    header = [c.strip() for c in rows[0]]
    if column is not None:
        if column not in header:
            raise SparklioError(f"{source}: no column {column!r} (columns: {', '.join(header)})")
        i = header.index(column)
        return [r[i].strip() for r in rows[1:] if i < len(r) and r[i].strip()]
    try:
        has_header = csv.Sniffer().has_header(text[:4096])
    except csv.Error:
        has_header = False
    return [r[0].strip() for r in rows[1 if has_header else 0 :] if r and r[0].strip()]


def _checked(items: list[str], source: str) -> list[str]:
    if not items:
        raise SparklioError(f"{source} has no items")
    if len(items) > MAX_ITEMS:
        raise SparklioError(f"{source} has {len(items)} items; at most {MAX_ITEMS} per run (split the file)")
    return items


def folder_images(folder: Path, source: str) -> list[str]:
    """The paths of a folder's images, sorted (PNG/JPEG/WebP/GIF, sniffed); other files are skipped and counted."""
    from router.vision import load_image

    items: list[str] = []
    skipped = 0
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            skipped += 1
            continue
        try:
            load_image(path)
        except SparklioError:
            skipped += 1
            continue
        items.append(str(path.resolve()))
        if len(items) > MAX_ITEMS:
            break
    if skipped:
        log.info("%s: %d non-image file(s) skipped", source, skipped)
    if not items:
        extra = f" ({skipped} non-image file(s) skipped)" if skipped else ""
        raise SparklioError(f"{source} has no images (PNG, JPEG, WebP or GIF){extra}")
    if len(items) > MAX_ITEMS:
        raise SparklioError(
            f"{source} has more than {MAX_ITEMS} images; at most {MAX_ITEMS} per run (split the folder)"
        )
    return items

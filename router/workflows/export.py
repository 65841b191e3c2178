"""Export a workflow run as a folder or ZIP: images, the deliverable (Markdown, HTML, CSV) and a JSON manifest."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from router.errors import SparklioError
from router.store.models import LlmUsage
from router.workflows.deliverables import Deliverable, assemble
from router.workflows.results import RunResult

MANIFEST = "manifest.json"


def ledger_calls(run_id: int) -> list[dict[str, Any]]:
    """Every ledger row the run caused: model, provider, task, outcome, tokens, images and USD."""
    rows = LlmUsage.select().where(LlmUsage.workflow_run_id == run_id).order_by(LlmUsage.id)
    return [
        {
            "model": r.model,
            "provider": r.provider,
            "task": r.task,
            "kind": r.kind,
            "outcome": r.outcome,
            "input_tokens": r.input_tokens,
            "output_tokens": r.output_tokens,
            "images": r.images,
            "cost_usd": round(r.cost_usd, 6),
            "cached": bool(r.cached),
        }
        for r in rows
    ]


def _variations(image: dict) -> dict[str, Any]:
    """An image made with variations: every variation's seed and which one was chosen."""
    made = image.get("variations") or []
    return {"variation_seeds": [v.get("seed") for v in made], "chosen": image.get("chosen", 0)} if made else {}


def manifest(result: RunResult, images: dict[str, str]) -> dict[str, Any]:
    """What made the run: inputs, per-step model, cost, tokens and image seeds, plus every ledger call."""
    steps = []
    for s in result.steps:
        entry: dict[str, Any] = {
            "id": s.step_id,
            "title": s.title,
            "status": s.status,
            "model": s.model,
            "cost_usd": round(s.cost_usd, 6),
            "estimate_usd": s.estimate_usd,
        }
        records = s.output if isinstance(s.output, list) else [s.output]
        pics = [r for r in records if isinstance(r, dict) and r.get("path")]
        if pics:
            entry["images"] = [
                {
                    "file": images.get(r["path"]),
                    "model": r.get("model"),
                    "size": r.get("size"),
                    "seed": r.get("seed"),
                    "prompt": r.get("prompt"),
                    **_variations(r),
                }
                for r in pics
            ]
        steps.append(entry)
    calls = ledger_calls(result.run_id)
    return {
        "run_id": result.run_id,
        "workflow": result.workflow,
        "title": result.title,
        "status": result.status,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "inputs": result.inputs,
        "cost_usd": round(result.cost_usd, 6),
        "estimate_usd": result.estimate_usd,
        "models": sorted({c["model"] for c in calls if c["outcome"] == "ok"}),
        "steps": steps,
        "calls": calls,
    }


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_folder(result: RunResult, folder: Path, deliverable: Deliverable | None = None) -> list[Path]:
    """Write the run into `folder` (created; must be empty or new); returns the files written."""
    d = deliverable or assemble(result)
    folder = Path(folder).expanduser()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SparklioError(f"{folder} already exists and is not an empty folder: choose a new folder")
    try:
        (folder / "images").mkdir(parents=True, exist_ok=True)
        images: dict[str, str] = {}
        for s in result.steps:
            for rec in s.output if isinstance(s.output, list) else [s.output]:
                if isinstance(rec, dict) and rec.get("path") and Path(rec["path"]).is_file():
                    name = f"images/{Path(rec['path']).name}"
                    shutil.copyfile(rec["path"], folder / name)
                    images[rec["path"]] = name

        def ref(p: str) -> str:  # links relative to the export folder
            return images.get(p, p)

        files = {
            "result.md": d.markdown(ref),
            "result.html": d.html(ref),
            MANIFEST: json.dumps(manifest(result, images), indent=2, ensure_ascii=False),
        }
        table = d.table()
        if table:
            files["posts.csv" if d.posts else "shots.csv"] = _csv(*_relative(table, images))
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SparklioError(f"cannot write the export to {folder}: {exc.strerror or exc}") from None
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _relative(table: tuple[list[str], list[list[str]]], images: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    header, rows = table
    return header, [[images.get(c, c) for c in row] for row in rows]


def write_zip(result: RunResult, zip_path: Path, deliverable: Deliverable | None = None) -> Path:
    """Write the same files as `write_folder` into one ZIP (replaced if it exists)."""
    zip_path = Path(zip_path).expanduser()
    if zip_path.suffix.lower() != ".zip":
        zip_path = zip_path.with_suffix(".zip")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "run"
        write_folder(result, root, deliverable)
        try:
            zip_path.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
                for p in sorted(root.rglob("*")):
                    if p.is_file():
                        zf.write(p, p.relative_to(root).as_posix())
        except OSError as exc:
            raise SparklioError(f"cannot write {zip_path}: {exc.strerror or exc}") from None
    return zip_path


def export_run(result: RunResult, dest: Path) -> Path:
    """A path ending in .zip gets a ZIP, anything else a folder; returns what was written."""
    dest = Path(dest).expanduser()
    if dest.suffix.lower() == ".zip":
        return write_zip(result, dest)
    write_folder(result, dest)
    return dest

"""The image queue's unfinished jobs in SQLite (`image_jobs`, migration 013): kept across a crash, offered back."""

from __future__ import annotations

import json
import logging
import time

from router.image_queue import ImageJob
from router.store.db import database

log = logging.getLogger(__name__)


def save_jobs(jobs: list[ImageJob]) -> int:
    """Replace the stored jobs with `jobs` (in order); a job whose settings are not JSON is skipped. Returns how many."""
    rows = []
    for pos, job in enumerate(jobs):
        try:
            rows.append((pos, job.prompt, json.dumps(job.params, sort_keys=True), int(job.local), time.time()))
        except (TypeError, ValueError):
            log.info("image job %d not kept: its settings are not JSON", job.id)
    with database.atomic():
        database.execute_sql("DELETE FROM image_jobs")
        for row in rows:
            database.execute_sql(
                "INSERT INTO image_jobs (position, prompt, params, local, created_at) VALUES (?, ?, ?, ?, ?)", row
            )
    return len(rows)


def load_jobs() -> list[tuple[str, dict, bool]]:
    """The stored jobs in order: (prompt, params, local); unreadable settings become {}."""
    out = []
    for prompt, params, local in database.execute_sql(
        "SELECT prompt, params, local FROM image_jobs ORDER BY position, id"
    ).fetchall():
        try:
            decoded = json.loads(params)
        except ValueError:
            decoded = {}
        out.append((prompt, decoded if isinstance(decoded, dict) else {}, bool(local)))
    return out

"""SQLite rows for batch jobs and their items (migration 011): written before any network call, so a job
survives a killed process and is picked up at the next start."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from router.batch.types import BatchRequest
from router.store.db import database
from router.types import ImageInput, Message

OPEN_STATES = ("submitting", "running", "cancelling")


@dataclass
class JobRow:
    """One batch_jobs row."""

    id: int
    provider: str
    model: str
    task: str
    remote_id: str | None
    status: str
    remote_status: str
    retry_mode: str
    reservation_id: int | None
    hold_usd: float
    conversation_id: int | None
    workflow_run_id: int | None
    step_id: str | None
    parent_job_id: int | None
    error: str | None
    created_at: float
    updated_at: float
    finished_at: float | None


@dataclass
class ItemRow:
    """One batch_items row."""

    id: int
    job_id: int
    custom_id: str
    position: int
    request: str
    status: str
    text: str | None
    error: str | None
    cost_usd: float
    message_id: int | None
    label: str

    def batch_request(self) -> BatchRequest:
        """The stored request, ready to send again."""
        data = json.loads(self.request)
        msgs = [
            Message(
                m["role"],
                m["content"],
                [ImageInput(base64.b64decode(i["data"]), i["mime"], i.get("name", "")) for i in m.get("images", [])],
            )
            for m in data["messages"]
        ]
        return BatchRequest(self.custom_id, msgs, int(data["max_tokens"]), data.get("temperature"))


_JOB_COLS = ", ".join(JobRow.__dataclass_fields__)
_ITEM_COLS = ", ".join(ItemRow.__dataclass_fields__)


def encode_request(messages: list[Message], max_tokens: int, temperature: float | None) -> str:
    """JSON for a request (images inline as base64)."""
    return json.dumps(
        {
            "messages": [
                {
                    "role": m.role,
                    "content": m.content,
                    "images": [
                        {"data": base64.b64encode(i.data).decode("ascii"), "mime": i.mime, "name": i.name}
                        for i in m.images
                    ],
                }
                for m in messages
            ],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
    )


def insert_job(items: list[dict[str, Any]], **job: Any) -> int:
    """A job row in state 'submitting' and its item rows, in one transaction; returns the job id."""
    now = time.time()
    with database.atomic():
        cols = {**job, "created_at": now, "updated_at": now}
        jid = database.execute_sql(
            f"INSERT INTO batch_jobs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", tuple(cols.values())
        ).lastrowid
        for n, item in enumerate(items):
            row = {"job_id": jid, "custom_id": f"job{jid}-item{n}", **item}
            database.execute_sql(
                f"INSERT INTO batch_items ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
    return int(jid)


def update_job(job_id: int, **fields: Any) -> None:
    """Set job columns (updated_at too)."""
    fields["updated_at"] = time.time()
    database.execute_sql(
        f"UPDATE batch_jobs SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?", (*fields.values(), job_id)
    )


def update_item(item_id: int, **fields: Any) -> None:
    """Set item columns."""
    database.execute_sql(
        f"UPDATE batch_items SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?", (*fields.values(), item_id)
    )


def get_job(job_id: int) -> JobRow | None:
    """One job, or None."""
    row = database.execute_sql(f"SELECT {_JOB_COLS} FROM batch_jobs WHERE id = ?", (job_id,)).fetchone()
    return JobRow(*row) if row else None


def jobs(*, open_only: bool = False, limit: int = 50) -> list[JobRow]:
    """Jobs newest first (only those still waiting on the provider with `open_only`)."""
    where = f"WHERE status IN ({', '.join(repr(s) for s in OPEN_STATES)})" if open_only else ""
    rows = database.execute_sql(f"SELECT {_JOB_COLS} FROM batch_jobs {where} ORDER BY id DESC LIMIT ?", (limit,))
    return [JobRow(*r) for r in rows.fetchall()]


def items(job_id: int) -> list[ItemRow]:
    """A job's items in order."""
    rows = database.execute_sql(
        f"SELECT {_ITEM_COLS} FROM batch_items WHERE job_id = ? ORDER BY position, id", (job_id,)
    )
    return [ItemRow(*r) for r in rows.fetchall()]


def counts(job_id: int) -> dict[str, int]:
    """Items per status."""
    rows = database.execute_sql("SELECT status, COUNT(*) FROM batch_items WHERE job_id = ? GROUP BY status", (job_id,))
    return {s: int(n) for s, n in rows.fetchall()}

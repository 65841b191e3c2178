"""The fake Anthropic Message Batches API: create, retrieve, cancel and the JSONL results stream."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakes.batch_queue import FakeBatch, FakeItem, answer, queue_of
from tests.fakes.http import Exchange

_BATCH = re.compile(r"^/v1/messages/batches/([\w-]+)(/cancel|/results)?$")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text")


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def route_batch(fake: Any, ex: Exchange) -> bool:
    """Answer a Message Batches request; False when the request is for another route."""
    req = ex.request
    if req.method == "POST" and req.path == "/v1/messages/batches":
        return _create(fake, ex)
    m = _BATCH.match(req.path)
    if not m:
        return False
    queue = queue_of(fake)
    bid, tail = m.group(1), m.group(2)
    b = queue.cancel(bid) if tail == "/cancel" else queue.batches.get(bid) if tail == "/results" else queue.get(bid)
    if b is None:
        ex.send_json(fake.error_body(404, f"message batch {bid} not found", req), status=404)
    elif tail == "/results":
        if b.state != "ended":
            ex.send_json(fake.error_body(400, "results are not available until the batch ends", req), status=400)
        else:
            ex.send_bytes(
                "".join(json.dumps(x) + "\n" for x in _results(fake, b)).encode(), content_type="application/binary"
            )
    else:
        ex.send_json(_batch_json(fake, b))
    return True


def _create(fake: Any, ex: Exchange) -> bool:
    body = ex.request.json or {}
    items = []
    for r in body.get("requests", []):
        params = r.get("params", {})
        msgs = params.get("messages", [])
        system = params.get("system") or ""
        text = [_text(system)] + [_text(m.get("content")) for m in msgs]
        last_user = next((_text(m.get("content")) for m in reversed(msgs) if m.get("role") == "user"), "")
        items.append(FakeItem(r["custom_id"], params, " ".join(t for t in text if t), last_user))
    bad = next((i for i in items if i.body.get("model") not in fake.models or "max_tokens" not in i.body), None)
    if not items or bad is not None:
        ex.send_json(fake.error_body(400, "requests: each needs a known model and max_tokens", ex.request), status=400)
        return True
    ex.send_json(_batch_json(fake, queue_of(fake).create("msgbatch_", items)))
    return True


def _batch_json(fake: Any, b: FakeBatch) -> dict:
    counts = {
        "processing": b.count("processing"),
        "succeeded": b.count("succeeded"),
        "errored": b.count("errored"),
        "canceled": b.count("canceled"),
        "expired": b.count("expired"),
    }
    return {
        "id": b.id,
        "type": "message_batch",
        "processing_status": b.state,
        "request_counts": counts,
        "created_at": _iso(b.created_at),
        "expires_at": _iso(b.created_at + 86400),
        "ended_at": _iso(b.ended_at),
        "archived_at": None,
        "cancel_initiated_at": None,
        "results_url": f"{fake.url}/v1/messages/batches/{b.id}/results" if b.state == "ended" else None,
    }


def _results(fake: Any, b: FakeBatch) -> list[dict]:
    out = []
    for n, item in enumerate(b.items):
        if item.outcome == "succeeded":
            text, tin, tout = answer(fake, item)
            msg = {
                "id": f"msg_{b.id}_{n}",
                "type": "message",
                "role": "assistant",
                "model": item.body["model"],
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {
                    "input_tokens": tin,
                    "output_tokens": tout,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                },
            }
            result: dict[str, Any] = {"type": "succeeded", "message": msg}
        elif item.outcome == "errored":
            result = {
                "type": "errored",
                "error": {
                    "type": "error",
                    "error": {"type": "invalid_request_error", "message": "messages: content flagged"},
                },
            }
        else:
            result = {"type": item.outcome}
        out.append({"custom_id": item.custom_id, "result": result})
    return out

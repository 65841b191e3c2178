"""The fake Gemini batch mode: models/{m}:batchGenerateContent, batches/{id} (get) and :cancel, inlined responses."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.batch_queue import FakeBatch, FakeItem, answer, queue_of
from tests.fakes.http import Exchange

_CREATE = re.compile(r"^/v1(?:beta)?/models/([\w.-]+):batchGenerateContent$")
_BATCH = re.compile(r"^/v1(?:beta)?/batches/([\w-]+)(:cancel)?$")
_STATE = {"completed": "BATCH_STATE_SUCCEEDED", "expired": "BATCH_STATE_EXPIRED", "cancelled": "BATCH_STATE_CANCELLED"}


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        obj = obj.get("parts") or []
    if isinstance(obj, list):
        return " ".join(_text(x) if "parts" in x else str(x.get("text", "")) for x in obj if isinstance(x, dict))
    return ""


def route_batch(fake: Any, ex: Exchange) -> bool:
    """Answer a batch-mode request; False when the request is for another route."""
    req = ex.request
    m = _CREATE.match(req.path)
    if req.method == "POST" and m:
        return _create(fake, ex, m.group(1))
    m = _BATCH.match(req.path)
    if not m:
        return False
    queue = queue_of(fake)
    b = queue.cancel(m.group(1)) if (req.method == "POST" and m.group(2)) else queue.get(m.group(1))
    if b is None:
        ex.send_json(fake.error_body(404, f"batches/{m.group(1)} not found", req), status=404)
    else:
        ex.send_json({} if m.group(2) else _job(fake, b))
    return True


def _create(fake: Any, ex: Exchange, model: str) -> bool:
    if model not in fake.models:
        ex.send_json(fake.error_body(404, f"models/{model} is not found", ex.request), status=404)
        return True
    reqs = (((ex.request.json or {}).get("batch") or {}).get("inputConfig") or {}).get("requests", {}).get("requests")
    if not reqs:
        ex.send_json(fake.error_body(400, "batch.input_config.requests is required", ex.request), status=400)
        return True
    items = []
    for r in reqs:
        body = r.get("request", {})
        contents = body.get("contents", [])
        last_user = next((_text(c) for c in reversed(contents) if c.get("role", "user") == "user"), "")
        prompt = " ".join(t for t in [_text(body.get("systemInstruction") or {})] + [_text(c) for c in contents] if t)
        items.append(FakeItem((r.get("metadata") or {}).get("key", ""), {**body, "model": model}, prompt, last_user))
    ex.send_json(_job(fake, queue_of(fake).create("batch-", items)))
    return True


def _job(fake: Any, b: FakeBatch) -> dict:
    state = {"in_progress": "BATCH_STATE_RUNNING", "canceling": "BATCH_STATE_RUNNING"}.get(b.state) or _STATE[
        b.ended_how
    ]
    meta: dict[str, Any] = {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
        "model": f"models/{b.items[0].body['model']}",
        "displayName": b.id,
        "state": state,
    }
    if b.state == "ended" and b.ended_how == "completed":
        meta["output"] = {"inlinedResponses": {"inlinedResponses": [_response(fake, i) for i in b.items]}}
    return {"name": f"batches/{b.id}", "metadata": meta}


def _response(fake: Any, item: FakeItem) -> dict:
    if item.outcome != "succeeded":
        return {"metadata": {"key": item.custom_id}, "error": {"code": 400, "message": "The request was blocked."}}
    text, tin, tout = answer(fake, item)
    return {
        "metadata": {"key": item.custom_id},
        "response": {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {"promptTokenCount": tin, "candidatesTokenCount": tout, "totalTokenCount": tin + tout},
        },
    }

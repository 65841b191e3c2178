"""The fake OpenAI's Files + Batch API: JSONL upload, batch create/retrieve/cancel, output and error files."""

from __future__ import annotations

import itertools
import json
import re
import time
from email.parser import BytesParser
from email.policy import default as email_policy
from typing import Any

from tests.fakes.batch_queue import FakeBatch, FakeItem, answer, queue_of
from tests.fakes.http import Exchange

_file_ids = itertools.count(1)
_BATCH = re.compile(r"^/v1/batches/([\w-]+)(/cancel)?$")
_CONTENT = re.compile(r"^/v1/files/([\w-]+)/content$")
_STATUS = {"completed": "completed", "expired": "expired", "cancelled": "cancelled"}


def _files(fake: Any) -> dict[str, bytes]:
    store = getattr(fake, "batch_files", None)
    if store is None:
        store = fake.batch_files = {}
    return store


def route_batch(fake: Any, ex: Exchange) -> bool:
    """Answer a Files/Batch request; False when the request is for another route."""
    req = ex.request
    if req.method == "POST" and req.path == "/v1/files":
        return _upload(fake, ex)
    if req.method == "POST" and req.path == "/v1/batches":
        return _create(fake, ex)
    m = _BATCH.match(req.path)
    if m:
        b = (
            queue_of(fake).cancel(m.group(1))
            if (req.method == "POST" and m.group(2))
            else queue_of(fake).get(m.group(1))
        )
        if b is None:
            ex.send_json(fake.error_body(404, f"No batch found with id '{m.group(1)}'.", req), status=404)
        else:
            ex.send_json(_batch_json(fake, b))
        return True
    m = _CONTENT.match(req.path)
    if req.method == "GET" and m:
        data = _files(fake).get(m.group(1))
        if data is None:
            ex.send_json(fake.error_body(404, f"No such File object: {m.group(1)}", req), status=404)
        else:
            ex.send_bytes(data, content_type="application/octet-stream")
        return True
    return False


def _upload(fake: Any, ex: Exchange) -> bool:
    ctype = ex.request.headers.get("content-type", "")
    msg = BytesParser(policy=email_policy).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + ex.request.body)
    fields = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in msg.iter_parts()}
    if fields.get("purpose") != b"batch" or not fields.get("file"):
        ex.send_json(fake.error_body(400, "purpose must be 'batch' and a file is required", ex.request), status=400)
        return True
    fid = f"file-{next(_file_ids):06d}"
    _files(fake)[fid] = fields["file"]
    ex.send_json(
        {
            "id": fid,
            "object": "file",
            "bytes": len(fields["file"]),
            "created_at": int(time.time()),
            "filename": "batch.jsonl",
            "purpose": "batch",
            "status": "processed",
        }
    )
    return True


def _create(fake: Any, ex: Exchange) -> bool:
    body = ex.request.json or {}
    data = _files(fake).get(body.get("input_file_id", ""))
    if data is None or body.get("endpoint") != "/v1/chat/completions" or body.get("completion_window") != "24h":
        ex.send_json(
            fake.error_body(400, "invalid batch: input_file_id, endpoint or completion_window", ex.request), status=400
        )
        return True
    items = []
    for line in data.decode().splitlines():
        row = json.loads(line)
        msgs = row["body"]["messages"]
        text = [
            m["content"]
            if isinstance(m["content"], str)
            else " ".join(p.get("text", "") for p in m["content"] if p.get("type") == "text")
            for m in msgs
        ]
        last_user = next((t for m, t in zip(reversed(msgs), reversed(text)) if m["role"] == "user"), "")
        items.append(FakeItem(row["custom_id"], row["body"], " ".join(text), last_user))
    if any(i.body.get("model") not in fake.models for i in items):
        ex.send_json(fake.error_body(400, "a request names a model that does not exist", ex.request), status=400)
        return True
    b = queue_of(fake).create("batch_", items)
    ex.send_json(_batch_json(fake, b, input_file_id=body["input_file_id"]))
    return True


def _batch_json(fake: Any, b: FakeBatch, input_file_id: str = "file-in") -> dict:
    status = {"in_progress": "in_progress", "canceling": "cancelling"}.get(b.state) or _STATUS[b.ended_how]
    out: dict[str, Any] = {
        "id": b.id,
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "errors": None,
        "input_file_id": input_file_id,
        "completion_window": "24h",
        "status": status,
        "output_file_id": None,
        "error_file_id": None,
        "created_at": int(b.created_at),
        "request_counts": {
            "total": len(b.items),
            "completed": b.count("succeeded"),
            "failed": len(b.items) - b.count("succeeded") - b.count("processing"),
        },
    }
    if b.state == "ended":
        ok, bad = _result_lines(fake, b)
        out["output_file_id"] = _store(fake, b.id + "-out", ok) if ok else None
        out["error_file_id"] = _store(fake, b.id + "-err", bad) if bad else None
    return out


def _store(fake: Any, fid: str, lines: list[dict]) -> str:
    _files(fake)[fid] = "".join(json.dumps(x) + "\n" for x in lines).encode()
    return fid


def _result_lines(fake: Any, b: FakeBatch) -> tuple[list[dict], list[dict]]:
    ok, bad = [], []
    for n, item in enumerate(b.items):
        rid = f"batch_req_{b.id}_{n}"
        if item.outcome == "succeeded":
            text, tin, tout = answer(fake, item)
            body = {
                "id": f"chatcmpl-{n}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": item.body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {"role": "assistant", "content": text, "refusal": None},
                    }
                ],
                "usage": {"prompt_tokens": tin, "completion_tokens": tout, "total_tokens": tin + tout},
            }
            ok.append(
                {
                    "id": rid,
                    "custom_id": item.custom_id,
                    "error": None,
                    "response": {"status_code": 200, "request_id": f"req_{n}", "body": body},
                }
            )
        elif item.outcome == "errored":
            err = {
                "error": {
                    "message": "Invalid 'messages': content flagged",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            }
            bad.append(
                {
                    "id": rid,
                    "custom_id": item.custom_id,
                    "error": None,
                    "response": {"status_code": 400, "request_id": f"req_{n}", "body": err},
                }
            )
        else:
            code = "batch_expired" if item.outcome == "expired" else "batch_cancelled"
            bad.append(
                {
                    "id": rid,
                    "custom_id": item.custom_id,
                    "response": None,
                    "error": {"code": code, "message": f"This request was not executed ({item.outcome})."},
                }
            )
    return ok, bad

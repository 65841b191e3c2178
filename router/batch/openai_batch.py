"""OpenAI Batch API through `openai.AsyncOpenAI`: a JSONL file upload, `batches.create/retrieve/cancel`, result files."""

from __future__ import annotations

import json
from typing import Any

from router.batch.types import CANCELLING, ENDED, RUNNING, BatchRequest, ItemResult, RemoteState, SdkBatch
from router.catalog import ModelSpec
from router.providers.openai_provider import to_openai_messages, usage_from_openai

_ENDED = {"completed", "failed", "expired", "cancelled"}
_CANCELLING = {"cancelling"}


class OpenAIBatch(SdkBatch):
    """Chat completions sent through /v1/batches (24 h completion window, 50 % price)."""

    def _body(self, model: ModelSpec, r: BatchRequest) -> dict:
        body: dict[str, Any] = {
            "model": model.api_model,
            "messages": to_openai_messages(r.messages),
            self.provider.max_tokens_field: int(r.max_tokens),
        }
        if r.temperature is not None and "reasoning_effort" not in model.params:
            body["temperature"] = float(r.temperature)
        body.update({k: v for k, v in model.params.items() if k != "api"})
        return body

    async def create(self, model: ModelSpec, requests: list[BatchRequest]) -> str:
        """Upload the JSONL input file, then create the batch; returns the batch id."""
        lines = [
            json.dumps(
                {
                    "custom_id": r.custom_id,
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": self._body(model, r),
                }
            )
            for r in requests
        ]
        client = self.provider._client()
        upload = await self._call(
            client.files.create, file=("batch.jsonl", ("\n".join(lines) + "\n").encode()), purpose="batch"
        )
        batch = await self._call(
            client.batches.create, input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        return batch.id

    async def state(self, remote_id: str) -> RemoteState:
        """validating/in_progress/finalizing are RUNNING; completed/failed/expired/cancelled are ENDED."""
        b = await self._call(self.provider._client().batches.retrieve, remote_id)
        status = str(b.status)
        state = ENDED if status in _ENDED else CANCELLING if status in _CANCELLING else RUNNING
        detail = status
        if status == "failed" and b.errors and b.errors.data:
            detail = f"failed: {b.errors.data[0].message}"
        return RemoteState(state, detail)

    async def results(self, remote_id: str) -> list[ItemResult]:
        """Every item from the output file (successes) and the error file (errors, expired, cancelled)."""
        client = self.provider._client()
        b = await self._call(client.batches.retrieve, remote_id)
        out: list[ItemResult] = []
        for file_id in (b.output_file_id, b.error_file_id):
            if not file_id:
                continue
            content = await self._call(client.files.content, file_id)
            for line in content.text.splitlines():
                if line.strip():
                    out.append(_item(json.loads(line)))
        return out

    async def cancel(self, remote_id: str) -> None:
        """Ask OpenAI to stop the batch (it goes through `cancelling`)."""
        await self._call(self.provider._client().batches.cancel, remote_id)


def _item(row: dict) -> ItemResult:
    """One JSONL result line as an ItemResult."""
    cid = str(row.get("custom_id", ""))
    response = row.get("response") or {}
    if row.get("error"):
        err = row["error"]
        code = str(err.get("code", ""))
        return ItemResult(
            cid,
            error=f"{code}: {err.get('message', '')}".strip(": "),
            expired=code in ("batch_expired", "batch_cancelled"),
        )
    body = response.get("body") or {}
    if int(response.get("status_code", 0)) != 200:
        msg = (body.get("error") or {}).get("message", "") if isinstance(body, dict) else ""
        return ItemResult(cid, error=f"HTTP {response.get('status_code')}: {msg}".strip())
    from openai.types import CompletionUsage

    choice = (body.get("choices") or [{}])[0]
    usage = usage_from_openai(CompletionUsage.model_validate(body["usage"])) if body.get("usage") else None
    return ItemResult(
        cid, text=(choice.get("message") or {}).get("content") or "", usage=usage or ItemResult(cid).usage
    )

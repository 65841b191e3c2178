"""Anthropic Message Batches through `anthropic.AsyncAnthropic.messages.batches`: create, retrieve, results, cancel."""

from __future__ import annotations

from typing import Any

from router.batch.types import CANCELLING, ENDED, RUNNING, BatchRequest, ItemResult, RemoteState, SdkBatch
from router.catalog import ModelSpec
from router.providers.anthropic_provider import _UsageAcc


class AnthropicBatch(SdkBatch):
    """Messages requests sent as one Message Batch (results within 24 h, 50 % price)."""

    def _params(self, client: Any, model: ModelSpec, r: BatchRequest) -> dict:
        """The same request body the live provider sends (cache breakpoints included), without streaming."""
        kwargs = self.provider._create_kwargs(client, model, r.messages, r.max_tokens)
        kwargs.pop("stream", None)
        extra = kwargs.pop("extra_body", None) or {}
        return {**kwargs, **extra}

    async def create(self, model: ModelSpec, requests: list[BatchRequest]) -> str:
        """One Message Batch with every request; returns its id."""
        client = self.provider._client()
        batch = await self._call(
            client.messages.batches.create,
            requests=[{"custom_id": r.custom_id, "params": self._params(client, model, r)} for r in requests],
        )
        return batch.id

    async def state(self, remote_id: str) -> RemoteState:
        """in_progress is RUNNING, canceling CANCELLING, ended ENDED (expired when any request expired)."""
        b = await self._call(self.provider._client().messages.batches.retrieve, remote_id)
        status = str(b.processing_status)
        state = ENDED if status == "ended" else CANCELLING if status == "canceling" else RUNNING
        counts = b.request_counts
        detail = (
            f"{status}: {counts.succeeded} succeeded, {counts.errored} errored, {counts.expired} expired,"
            f" {counts.canceled} canceled, {counts.processing} processing"
        )
        return RemoteState(state, detail)

    async def results(self, remote_id: str) -> list[ItemResult]:
        """Each result from the JSONL results stream."""
        decoder = await self._call(self.provider._client().messages.batches.results, remote_id)
        out: list[ItemResult] = []
        try:
            async for row in decoder:
                out.append(_item(row))
        except Exception as exc:
            error = self.provider._error(exc)
            raise error from None
        return out

    async def cancel(self, remote_id: str) -> None:
        """Ask Anthropic to stop the batch (it goes through `canceling`, then ends)."""
        await self._call(self.provider._client().messages.batches.cancel, remote_id)


def _item(row: Any) -> ItemResult:
    """A MessageBatchIndividualResponse as an ItemResult."""
    result = row.result
    kind = str(result.type)
    if kind == "succeeded":
        acc = _UsageAcc()
        acc.update(result.message.usage)
        text = "".join(b.text for b in result.message.content if getattr(b, "type", "") == "text")
        return ItemResult(row.custom_id, text=text, usage=acc.usage())
    if kind == "errored":
        err = getattr(result.error, "error", None)
        return ItemResult(row.custom_id, error=f"{getattr(err, 'type', 'error')}: {getattr(err, 'message', '')}")
    return ItemResult(row.custom_id, error=f"request {kind} before it ran", expired=True)

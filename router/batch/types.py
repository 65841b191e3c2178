"""Plain data passed between the batch service and the per-provider adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from router.types import Message, Usage

if TYPE_CHECKING:
    from router.catalog import ModelSpec

# The provider's job is over (results can be read) / still going.
ENDED, RUNNING, CANCELLING = "ended", "running", "cancelling"

RETRY_MODES = ("live", "batch", "none")  # what happens to an item a batch fails or expires


@dataclass
class BatchRequest:
    """One chat request inside a batch, keyed by `custom_id`."""

    custom_id: str
    messages: list[Message]
    max_tokens: int
    temperature: float | None = None


@dataclass
class RemoteState:
    """What the provider says about a job: ENDED, RUNNING or CANCELLING, plus its own word."""

    state: str
    detail: str = ""


@dataclass
class ItemResult:
    """One item's outcome: text and usage, or an error; `retryable` when the item never ran (expired/cancelled)."""

    custom_id: str
    text: str | None = None
    usage: Usage = field(default_factory=Usage)
    error: str = ""
    expired: bool = False


class SdkBatch:
    """Base of the per-provider adapters: the live provider's SDK client and its error mapping."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    async def _call(self, fn, *args, **kw):
        """Await an SDK call; its exceptions become the provider's typed errors (one-line messages)."""
        try:
            return await fn(*args, **kw)
        except Exception as exc:
            error = self.provider._error(exc)
        raise error


class BatchAdapter(Protocol):
    """A provider's Batch API through its own SDK."""

    async def create(self, model: ModelSpec, requests: list[BatchRequest]) -> str: ...

    async def state(self, remote_id: str) -> RemoteState: ...

    async def results(self, remote_id: str) -> list[ItemResult]: ...

    async def cancel(self, remote_id: str) -> None: ...


@dataclass
class BatchQueued:
    """Engine-style event: the request went to a provider's Batch API as job `job_id`; the answer comes later."""

    job_id: int
    model: str
    provider: str
    items: int
    hold_usd: float
    message_id: int | None = None

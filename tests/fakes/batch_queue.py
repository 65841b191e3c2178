"""Batch jobs inside a fake provider: created in progress, finished on a later poll (or by the test), with
per-item success, error or expiry, and cancel — shared by the OpenAI and Anthropic batch routes."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import count_tokens, pieces

_ids = itertools.count(1)


@dataclass
class FakeItem:
    """One request in a fake batch and what became of it."""

    custom_id: str
    body: dict
    prompt_text: str
    last_user: str
    outcome: str = "processing"  # processing | succeeded | errored | expired | canceled
    reply: str = ""


@dataclass
class FakeBatch:
    """A batch job as the fake provider keeps it."""

    id: str
    items: list[FakeItem]
    state: str = "in_progress"  # in_progress | canceling | ended
    ended_how: str = ""  # completed | expired | cancelled
    polls: int = 0
    created_at: float = field(default_factory=time.time)
    ended_at: float | None = None

    def count(self, outcome: str) -> int:
        """Items with this outcome."""
        return sum(i.outcome == outcome for i in self.items)


class BatchQueue:
    """The fake's batches; `finish_after_polls` polls end a job (None: only `finish_all()` does)."""

    def __init__(self) -> None:
        self.batches: dict[str, FakeBatch] = {}
        self.finish_after_polls: int | None = 1
        self.fail_prompts: set[str] = set()  # an item whose last user text contains one of these errors
        self.expire_prompts: set[str] = set()  # ... or is left unprocessed when the job expires
        self.lock = threading.Lock()

    def create(self, prefix: str, items: list[FakeItem]) -> FakeBatch:
        """A new job in progress."""
        with self.lock:
            b = FakeBatch(f"{prefix}{next(_ids):06d}", items)
            self.batches[b.id] = b
            return b

    def get(self, batch_id: str) -> FakeBatch | None:
        """The job, after counting this poll (which may end it)."""
        with self.lock:
            b = self.batches.get(batch_id)
            if b is None:
                return None
            b.polls += 1
            if b.state == "canceling":
                self._end(b, "cancelled")
            elif b.state == "in_progress" and self.finish_after_polls is not None and b.polls > self.finish_after_polls:
                self._finish(b)
            return b

    def finish_all(self) -> None:
        """End every job still in progress."""
        with self.lock:
            for b in self.batches.values():
                if b.state == "in_progress":
                    self._finish(b)

    def cancel(self, batch_id: str) -> FakeBatch | None:
        """Ask a job to stop: it is canceling until the next poll."""
        with self.lock:
            b = self.batches.get(batch_id)
            if b is not None and b.state == "in_progress":
                b.state = "canceling"
            return b

    def _finish(self, b: FakeBatch) -> None:
        expired = False
        for item in b.items:
            if any(p in item.last_user for p in self.fail_prompts):
                item.outcome = "errored"
            elif any(p in item.last_user for p in self.expire_prompts):
                item.outcome, expired = "expired", True
            else:
                item.outcome = "succeeded"
        self._end(b, "expired" if expired else "completed")

    @staticmethod
    def _end(b: FakeBatch, how: str) -> None:
        for item in b.items:
            if item.outcome == "processing":
                item.outcome = "canceled" if how == "cancelled" else "expired"
        b.state, b.ended_how, b.ended_at = "ended", how, time.time()


def queue_of(fake: Any) -> BatchQueue:
    """The fake server's batch queue (made on first use)."""
    queue = getattr(fake, "batch_queue", None)
    if queue is None:
        queue = fake.batch_queue = BatchQueue()
    return queue


def answer(fake: Any, item: FakeItem) -> tuple[str, int, int]:
    """(reply text, input tokens, output tokens) the way the fake answers live."""
    text = fake.reply_for(item.last_user)
    return text, count_tokens(item.prompt_text), len(pieces(text))

"""Bounded waits: connect, time to first token (per speed class), idle gap while streaming, whole request."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from router.errors import ProviderError, TransientError
from router.providers.info import LOCAL_PROVIDERS

# Defaults: a hung provider at the standard speed falls back after two 10 s waits and a ~1 s backoff (< 25 s).
DEFAULT_TTFT_S = {"realtime": 6.0, "standard": 10.0, "batch": 40.0, "local": 120.0}


@dataclass(frozen=True)
class Deadlines:
    """The waits of one request, read from the settings (the connect limit goes to the SDK clients: registry)."""

    ttft_s: tuple[tuple[str, float], ...] = tuple(DEFAULT_TTFT_S.items())
    idle_s: float = 10.0
    request_s: float = 120.0
    op_s: float = 600.0  # a whole embedding/image call (no tokens to wait for)

    @classmethod
    def from_settings(cls, settings: Any) -> Deadlines:
        """The user's limits (Settings → Routing → Time limits)."""
        ttft = {**DEFAULT_TTFT_S, **settings.ttft_s}
        return cls(tuple(ttft.items()), settings.idle_gap_s, settings.request_deadline_s, settings.op_deadline_s)

    def first_token_s(self, model: Any, kind: str = "chat") -> float:
        """How long to wait for the first event of an attempt on `model`."""
        if kind != "chat":
            return self.op_s
        table = dict(self.ttft_s)
        key = "local" if model.provider in LOCAL_PROVIDERS else getattr(model, "speed", "standard")
        return float(table.get(key, table["standard"]))


def _timeout(model: Any, what: str, reason: str = "timeout") -> TransientError:
    return TransientError(f"{model.id} {what}", provider=model.provider, reason=reason)


class Watchdog:
    """The waits of one stream, watched on the consuming task by one timer re-armed only when it fires early: an
    event costs a clock read and two attribute writes, not a timer, a task or a generator layer.

    The consumer calls `wait()` before it awaits the stream's next event and `got()` when one arrived; the timer
    cancels the task only in between (never while the consumer holds an event), and `timeout()` then turns that
    cancellation into a TransientError. `until` is a time.monotonic() deadline for the whole request.
    """

    def __init__(self, model: Any, *, first_s: float, idle_s: float, until: float) -> None:
        self.model, self.limit, self.idle_s, self.got_first = model, first_s, idle_s, False
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:  # a task step Qt runs inside a nested event loop (qasync): the thread's loop
            self.loop = asyncio.get_event_loop_policy().get_event_loop()
        self.task = asyncio.current_task(self.loop)
        self.cancelling = self.task.cancelling() if self.task else 0
        self.until = self.loop.time() + (until - time.monotonic())  # the request deadline on the loop's clock
        self.deadline: float | None = None  # when the current wait ends; None: the consumer holds an event
        self.expired = ""  # "deadline" or "timeout" once the watchdog cancelled the wait
        self._armed: asyncio.Handle | None = None  # (qasync's timer handles have no when())
        self._armed_at = 0.0

    def wait(self) -> None:
        """Start waiting for the next event (TransientError when the whole-request deadline has passed)."""
        now = self.loop.time()
        if now >= self.until:
            raise _timeout(self.model, "stopped: the whole-request deadline passed", "deadline")
        deadline = now + self.limit
        if deadline > self.until:
            deadline = self.until
        self.deadline = deadline
        if self._armed is None or self._armed_at > deadline:
            self.arm(deadline)

    def got(self) -> None:
        """An event arrived: the consumer holds it, and the next wait is an idle gap."""
        self.deadline, self.limit, self.got_first = None, self.idle_s, True

    def arm(self, when: float) -> None:
        if self._armed is not None:
            self._armed.cancel()
        self._armed, self._armed_at = self.loop.call_at(when, self._fire), when

    def _fire(self) -> None:
        self._armed = None
        if self.deadline is None:  # between events: the next wait re-arms
            return
        if self.loop.time() < self.deadline:  # armed for an earlier wait: this one ends later
            self.arm(self.deadline)
            return
        self.expired = "deadline" if self.deadline >= self.until else "timeout"
        if self.task is not None:
            self.task.cancel()

    def timeout(self) -> TransientError | None:
        """After a CancelledError caught while waiting: the timeout when this watchdog alone cancelled the wait (the
        cancellation is then taken back), else None (a real cancel: re-raise it)."""
        if not (self.expired and self.task is not None and self.task.uncancel() <= self.cancelling):
            return None
        if self.expired == "deadline":
            return _timeout(self.model, "stopped: the whole-request deadline passed", "deadline")
        limit = self.limit
        what = f"sent nothing for {limit:g} s" if self.got_first else f"sent no first token within {limit:g} s"
        return _timeout(self.model, what)

    def close(self) -> None:
        if self._armed is not None:
            self._armed.cancel()
            self._armed = None


async def close_stream(events: Any) -> None:
    """Close a provider stream on the task that opened it (an SDK stream left to garbage collection closes on
    another task and warns); errors while closing are dropped."""
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        try:
            await aclose()
        except Exception:
            pass


def timeouts_for(attempts: list, model_id: str) -> int:
    """How many of this request's attempts on `model_id` ended in a timeout."""
    return sum(1 for a in attempts if a.model == model_id and a.error_class in ("timeout", "deadline"))


def retry_allowed(err: ProviderError, attempts: list, model_id: str) -> bool:
    """Timeouts are retried at most once per model; a passed request deadline or an unreachable host never."""
    if err.reason in ("deadline", "unreachable", "not_running"):
        return False
    if err.reason == "timeout":
        return timeouts_for(attempts, model_id) <= 1  # the attempt that just timed out is already in `attempts`
    return True


def failure_summary(attempts: list, deadline_passed: bool, skipped: set[str]) -> str:
    """One line for AllProvidersFailedError: what each model answered and the fix that fits those failures."""
    last = {a.model: a for a in attempts}  # each model's final failure (retries are in `attempts` too)
    if not last:
        gone = ", ".join(sorted(p for p in skipped if p != "cloud")) or "every provider"
        return f"no model could be tried: {gone} did not answer a moment ago. Check your network, or try again later."
    summary = "; ".join(f"{a.model}: {a.error}" for a in last.values())
    head = "the model failed" if len(last) == 1 else f"all {len(last)} models failed"
    providers = {a.provider for a in last.values()}
    classes = {a.error_class for a in last.values()}
    if deadline_passed:
        hint = "The whole-request deadline passed (Settings → Routing → Time limits); try again later."
    elif providers == {"local_sd"}:
        hint = "Check the Stable Diffusion model folder (Images → Model)."
    elif providers <= LOCAL_PROVIDERS:
        hint = "Check that Ollama is running and the model is installed (`sparklio models`)."
    elif classes & {"auth", "no_key"}:
        hint = "Check your keys (Settings → Keys or `sparklio keys set`)."
    elif classes & {"unreachable", "connection", "timeout"}:
        hint = "Check your network, or try again later."
    else:
        hint = "Try again later."
    return f"{head} — {summary}. {hint}"

"""Executes a RoutePlan: budget holds, cache, retries with backoff, Retry-After, fallbacks, one ledger row per attempt."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from router.attempts import AttemptRecord, Invoke, Walk, hold_note
from router.catalog import ModelSpec
from router.deadlines import LOCAL_PROVIDERS, Deadlines, Watchdog, close_stream, failure_summary, retry_allowed
from router.errors import (
    AllProvidersFailedError,
    BudgetExceededError,
    PermanentError,
    ProviderError,
    SparklioError,
    TransientError,
)
from router.events import AppEvent
from router.health import Health
from router.pricing import call_cost
from router.recovery import HoldProgress
from router.types import (
    Answer,
    Attempt,
    AttemptFailed,
    AttemptStarted,
    EngineEvent,
    Finished,
    PartialWithdrawn,
    Reservation,
    RetryScheduled,
    RoutePlan,
    RouteRequest,
    TextDelta,
    Usage,
    UsageReport,
)

log = logging.getLogger(__name__)
_PROMPT_FAULTS = frozenset({"bad_request", "content_policy", "unsupported", "model_path"})  # no cool-down


@dataclass
class RetryPolicy:
    """Backoff and cool-down knobs (the documents' 3 retries at 1 s / 2 s / 4 s)."""

    retries: int = 3
    backoff_base_s: float = 1.0
    jitter: float = 0.25
    retry_after_cap_s: float = 20.0
    # cool-downs: router/health.py (three failed requests in a row; the cooldown_s setting), shared in the database


@dataclass
class OpResult:
    """A non-streaming result (embedding, image) passing through the attempt loop."""

    value: Any
    usage: Usage


class Engine:
    """Runs plans against providers; stateless per request except failure counts for cool-downs."""

    def __init__(
        self,
        *,
        catalog,
        registry,
        budget,
        cache,
        policy,
        settings,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        lifecycle=None,
    ) -> None:
        self.catalog = catalog
        self.registry = registry
        self.budget = budget
        self.cache = cache
        self.policy = policy
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.health = Health(settings)  # cool-downs and unreachable providers live in the database
        # streamed size noted on the hold every few seconds, for settling after a kill
        self.progress = HoldProgress(writes=getattr(budget, "writes", None))
        self.lifecycle = lifecycle  # router/lifecycle.py: retired models are skipped, a 404 retires one

    # ---- helpers ----
    def max_output(self, model: ModelSpec, request: RouteRequest) -> int:
        """Output ceiling sent to the API and used for the worst-case hold."""
        base = request.max_output_tokens or self.policy.config.max_output_tokens
        return max(1, min(base + model.reasoning_tokens, model.max_output))  # reasoning is billed as output

    def worst_case(self, model: ModelSpec, plan: RoutePlan, request: RouteRequest) -> float:
        """The budget hold for one attempt: the prompt estimate with headroom plus the full output ceiling."""
        # chars/4 undercounts CJK text and code: hold for up to twice the estimate
        return model.worst_case_cost(
            int(plan.estimated_input_tokens * 2) + 50,
            self.max_output(model, request),
            images=sum(len(m.images) for m in request.messages),
        )

    def _delay(self, err: ProviderError, attempt: int) -> float | None:
        """Seconds to wait before retrying the same model, or None to move on."""
        if attempt > self.retry.retries or err.kind not in ("transient", "rate_limited"):
            return None
        if err.kind == "rate_limited" and err.retry_after is not None:
            cap = float(self.settings.retry_after_cap_s or self.retry.retry_after_cap_s)
            return err.retry_after if err.retry_after <= cap else None
        base = self.retry.backoff_base_s * (2 ** (attempt - 1))
        return base * (1 + self.rng.uniform(0, self.retry.jitter))

    async def _awrite(self, rec: AttemptRecord, with_row: Callable[[], Any] | None = None, **row) -> None:
        """The attempt's ledger row with its hold released, awaited: the loop never waits for another process's
        lock, rows of attempts ending in the same loop turn share a commit, and a caller cancelled while it waits
        still gets its row written (router/store/loop_writes.py)."""
        await self.budget.arecord_attempt(rec.hold, with_row=with_row, **rec.ledger_row(**row))

    # ---- the attempt loop ----
    async def execute(
        self,
        plan: RoutePlan,
        request: RouteRequest,
        invoke: Invoke,
        *,
        kind: str = "chat",
        message_id: int | None = None,
        cache_key: Callable[[ModelSpec], str] | None = None,
        hold_for: Callable[[ModelSpec], float] | None = None,
        on_answer: Callable[[Answer], None] | None = None,
        held: Reservation | None = None,
    ) -> AsyncIterator[EngineEvent | OpResult]:
        """Walk the chain; yields engine events (and OpResult for non-streaming calls), ending with AnswerDone.

        `on_answer(answer)` stores the answer in the same transaction as its ledger row (a live call's answer);
        `held`: the first attempt's hold, already taken (`hold_first`), released if no attempt uses it."""
        # issue 13: bounded waits; providers found unreachable or a total-limit refusal skip the rest of their kind
        limits = Deadlines.from_settings(self.settings)
        walk = Walk(
            plan,
            request,
            invoke,
            kind,
            message_id,
            hold_for,
            limits,
            time.monotonic() + (limits.request_s if kind == "chat" else limits.op_s),
            set(self.health.unreachable()),
            on_answer=on_answer,
            held=held,
        )
        try:  # no generator layer in between: each chunk passes one
            for position, entry in enumerate(plan.chain):
                if entry.provider in walk.skip or ("cloud" in walk.skip and entry.provider not in LOCAL_PROVIDERS):
                    continue
                if time.monotonic() >= walk.until:
                    break
                model = self._usable(entry.target, entry.provider, position, walk)
                if model is None:
                    yield AttemptFailed(walk.attempts[-1])
                    continue
                serves = entry.model if entry.serves else None
                key = cache_key(model) if (cache_key and position == 0) else None
                hit = self.cache.get(key) if key is not None else None
                if key is not None and hit is not None:
                    for ev in await self._from_cache(key, hit, walk.record(model, 0, 1, serves), walk):
                        yield ev
                    return
                number = 0
                while True:
                    number += 1
                    rec = walk.record(model, position, number, serves)
                    async for ev in self._attempt(rec, walk, key):
                        yield ev
                    if rec.outcome == "ok":
                        return
                    if rec.retry_in is None:
                        break
                    await self.sleep(rec.retry_in)
        finally:
            if walk.held is not None:  # no attempt used it (a cache hit, the first model skipped)
                self.budget.release(walk.held)
        refused = [a for a in walk.attempts if a.outcome == "refused"]
        if refused and len(refused) == len(walk.attempts):
            raise BudgetExceededError(refused[0].error)
        raise AllProvidersFailedError(
            failure_summary(walk.attempts, time.monotonic() >= walk.until, walk.skip), walk.attempts
        )

    def _usable(self, target: str, provider: str, position: int, walk: Walk) -> ModelSpec | None:
        """The catalog model for a chain entry, or None (with a failed Attempt noted) when it is gone or retired."""
        try:
            model = self.catalog.get(target)
        except SparklioError as exc:  # removed since planning (Ollama list refreshed, settings changed)
            walk.attempts.append(Attempt(target, provider, "error", str(exc), "ConfigError", position))
            return None
        gone = self.lifecycle.retired().get(model.id) if self.lifecycle is not None else None
        if gone is not None:  # retired since planning (a 404 earlier in this chain): never called
            walk.attempts.append(
                Attempt(model.id, model.provider, "skipped", f"retired: {gone.why}", "retired", position)
            )
            return None
        return model

    async def _from_cache(self, key: str, hit, rec: AttemptRecord, walk: Walk) -> list[EngineEvent]:
        """A response-cache hit: a free ledger row noting what it saved, and the stored answer."""
        rec.outcome, rec.ttft, rec.hold = "ok", rec.t0, walk.take_held(rec.model)
        walk.attempts.append(Attempt(rec.model.id, rec.model.provider, "ok", fallback_position=0))
        done = walk.done(rec, hit.text, hit.usage, 0.0, cached=True)
        cache, store = self.cache, walk.on_answer

        def with_row() -> None:  # the hit counted, and the answer stored, in its free row's transaction
            cache.count_hit(key)
            if store is not None:
                store(done.answer)

        await self._awrite(rec, with_row, usage=hit.usage, cached=True, saved=hit.cost_usd)
        return [TextDelta(hit.text), done]

    async def _prepare(self, rec: AttemptRecord, walk: Walk):
        """The provider and output ceiling for an attempt, and its budget hold (BudgetExceededError: refused)."""
        model = rec.model
        provider = self.registry.get(model.provider)
        max_out = self.max_output(model, walk.request)
        rec.hold = walk.take_held(model)
        if rec.hold is None and not model.local:
            worst = walk.hold_for(model) if walk.hold_for else self.worst_case(model, walk.plan, walk.request)
            note = hold_note(walk.plan, walk.request, walk.kind, walk.message_id)
            rec.hold = await self.budget.areserve(model, worst, note)
        return provider, max_out

    def hold_first(
        self, plan: RoutePlan, request: RouteRequest, message_id: int | None
    ) -> tuple[Reservation, list[AppEvent]] | None:
        """The first chat attempt's hold and the alerts to publish once committed, taken inside the caller's open
        write (the turn's: one commit before the network) for `execute(held=...)`; None when it needs none here (a
        local model, one gone since planning, a refusal: the attempt then holds or refuses the usual way)."""
        if not plan.chain:
            return None
        try:
            model = self.catalog.get(plan.chain[0].target)
        except SparklioError:
            return None
        if model.local:
            return None
        note = hold_note(plan, request, "chat", message_id)
        return self.budget.hold_within(model, self.worst_case(model, plan, request), note)

    async def _attempt(self, rec: AttemptRecord, walk: Walk, key: str | None) -> AsyncIterator:
        """One call to one model: hold, stream, ledger row; sets rec.outcome, and rec.retry_in for a retry."""
        model = rec.model
        try:
            provider, max_out = await self._prepare(rec, walk)
        except BudgetExceededError as exc:
            rec.outcome = "refused"
            await self._awrite(rec, error=exc)
            walk.attempts.append(Attempt(model.id, model.provider, "refused", str(exc), "BudgetExceeded", rec.position))
            yield AttemptFailed(walk.attempts[-1])
            if "monthly limit" in str(exc):  # every cloud model would be refused the same way: go local
                walk.skip.add("cloud")
            return
        except SparklioError as exc:  # the provider could not even be built (bad endpoint, no path)
            err = PermanentError(str(exc), provider=model.provider, reason=type(exc).__name__)
            rec.outcome = "error"
            await self._awrite(rec, error=err)
            walk.attempts.append(Attempt(model.id, model.provider, "error", str(exc), err.error_class, rec.position))
            yield AttemptFailed(walk.attempts[-1])
            return
        first_s = walk.limits.first_token_s(model, walk.kind)
        yield AttemptStarted(
            model.id, model.provider, rec.position, rec.number, min(first_s, walk.until - time.monotonic())
        )
        finished, result = False, None
        # The provider's stream read here, its waits bounded by a watchdog (router/deadlines.py): no layer between
        # the provider's generator and this loop.
        events = walk.invoke(provider, model, max_out).__aiter__()
        watch = Watchdog(model, first_s=first_s, idle_s=walk.limits.idle_s, until=walk.until)
        stop_progress = self.progress.watch(rec.hold, lambda: rec.chars)
        try:
            while True:
                watch.wait()
                try:
                    ev = await anext(events)
                except StopAsyncIteration:
                    break
                except asyncio.CancelledError:
                    timeout = watch.timeout()
                    if timeout is None:
                        raise
                    raise timeout from None
                watch.got()
                if isinstance(ev, TextDelta):
                    if rec.ttft is None:
                        rec.ttft = time.perf_counter()
                    rec.text.append(ev.text)
                    rec.chars += len(ev.text)
                    yield ev
                elif isinstance(ev, UsageReport):
                    rec.usage = ev.usage
                elif isinstance(ev, Finished):
                    finished = True
                elif isinstance(ev, OpResult):
                    result, rec.usage, finished = ev, ev.usage, True
            if not finished:
                raise TransientError(
                    f"{model.id}: the answer stream was cut before it finished",
                    provider=model.provider,
                    reason="stream_cut",
                )
        except asyncio.CancelledError:
            watch.close()
            partial = rec.usage or rec.estimate(walk.plan.estimated_input_tokens)
            rec.outcome = "cancelled"
            try:  # the row is written even if this task is cancelled again while it waits
                await self._awrite(rec, usage=partial, cost=call_cost(model, partial))
            finally:
                await close_stream(events)  # closed on this task, not left to the garbage collector
            raise
        except Exception as exc:  # every failure is classified; none reaches the user raw
            watch.close()
            await close_stream(events)
            for ev in await self._failed(rec, walk, classified(exc, model)):
                yield ev
            return
        finally:
            watch.close()
            stop_progress()
        await close_stream(events)
        for ev in await self._succeeded(rec, walk, key, result):
            yield ev

    async def _failed(self, rec: AttemptRecord, walk: Walk, err: ProviderError) -> list:
        """A failed call: its ledger row, then a retry of the same model (rec.retry_in) or the next model."""
        model, events = rec.model, []
        rec.outcome = "cut" if err.reason == "stream_cut" else "error"
        spent = rec.usage or (rec.estimate(walk.plan.estimated_input_tokens) if rec.text else None)
        await self._awrite(rec, usage=spent, cost=call_cost(model, spent) if spent else 0.0, error=err)
        if rec.text:
            events.append(PartialWithdrawn(model.id))
        walk.attempts.append(
            Attempt(model.id, model.provider, rec.outcome, str(err), err.error_class, rec.position, rec.latency_ms)
        )
        delay = self._delay(err, rec.number) if retry_allowed(err, walk.attempts, model.id) else None
        if err.reason == "unreachable" and model.provider not in LOCAL_PROVIDERS:
            await self._note(lambda: self.health.mark_unreachable(model.provider, str(err)))  # every process skips it
            walk.skip.add(model.provider)
        if delay is not None and time.monotonic() + delay >= walk.until:
            delay = None  # no retry that would end after the whole-request deadline
        if delay is not None:
            rec.retry_in = delay
            return events + [RetryScheduled(model.id, delay, str(err))]
        if err.kind == "retired" and self.lifecycle is not None:  # not a cool-down: gone for good
            lifecycle = self.lifecycle
            await self._note(lambda: lifecycle.mark_not_found(model, str(err)))
        elif err.reason not in _PROMPT_FAULTS:  # the prompt's fault says nothing about the model
            await self._note(lambda: self.health.note_failure(model.id, str(err)))
        return events + [AttemptFailed(walk.attempts[-1])]

    async def _succeeded(self, rec: AttemptRecord, walk: Walk, key: str | None, result: OpResult | None) -> list:
        """A finished call: its ledger row, the cache entry, and the answer."""
        model, usage = rec.model, rec.usage or Usage()
        rec.outcome = "ok"
        cost = call_cost(model, usage)
        full = "".join(rec.text)
        walk.attempts.append(
            Attempt(model.id, model.provider, "ok", fallback_position=rec.position, latency_ms=rec.latency_ms)
        )
        done = walk.done(rec, full, usage, cost, cached=False)
        store, cached = walk.on_answer, key is not None and walk.kind == "chat"

        def with_row() -> None:  # the answer and its cache entry in the ledger row's transaction: one commit
            if cached:
                self._cache_put(key, model, walk.plan.task, full, usage, cost)
            if store is not None:
                store(done.answer)

        row = rec.ledger_row(usage=usage, cost=cost)  # grouped with the rows of streams ending with it
        await self.budget.arecord_attempt(rec.hold, with_row=with_row if store or cached else None, **row)
        if self.health.failing(model.id):  # nearly never: a read of the snapshot on every answer
            await self._note(lambda: self.health.note_success(model.id))
        return [result, done] if result is not None else [done]

    def _cache_put(self, key: Any, model: ModelSpec, task: str, text: str, usage: Usage, cost: float) -> None:
        """Keep an answer in the response cache (a failure there never costs the answer or its ledger row)."""
        try:
            self.cache.put(key, model, task, text, usage, cost)
        except Exception as exc:
            log.warning("the answer was not cached: %s", exc)

    async def _note(self, write: Callable[[], None]) -> None:
        """A health or lifecycle note of a failed attempt, awaited like its ledger row (the loop never waits for
        another process's lock; a note that cannot be written is logged, never raised)."""
        writes = self.budget.writes
        try:
            if writes is None:
                write()
            else:
                await writes.run(write)
        except Exception as exc:
            log.warning("a provider health note was not written: %s", exc)


def classified(exc: Exception, model: ModelSpec) -> ProviderError:
    """Any failure of a call as a ProviderError (SDK surprises become transient, logged with details at -v)."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, SparklioError):
        return PermanentError(str(exc), provider=model.provider, reason=type(exc).__name__)
    log.debug("unexpected error from %s", model.id, exc_info=exc)  # details only with -v
    return TransientError(
        f"{model.id}: unexpected {type(exc).__name__}: {exc}", provider=model.provider, reason=type(exc).__name__
    )

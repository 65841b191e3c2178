"""Executes a RoutePlan: budget holds, cache, retries with backoff, Retry-After, fallbacks, one ledger row per attempt."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable

from router.catalog import ModelSpec
from router.deadlines import LOCAL_PROVIDERS, Deadlines, bounded, failure_summary, retry_allowed
from router.errors import (AllProvidersFailedError, BudgetExceededError, PermanentError, ProviderError,
                           SparklioError, TransientError)
from router.health import Health
from router.pricing import cache_saving, call_cost
from router.recovery import HoldProgress
from router.types import (Answer, Attempt, AttemptFailed, AttemptStarted, EngineEvent, Finished, PartialWithdrawn,
                          RetryScheduled, RoutePlan, RouteRequest, TextDelta, Usage, UsageReport)


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


Invoke = Callable[[Any, ModelSpec, int], AsyncIterator[Any]]


class Engine:
    """Runs plans against providers; stateless per request except failure counts for cool-downs."""

    def __init__(self, *, catalog, registry, budget, cache, policy, settings, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, rng: random.Random | None = None,
                 lifecycle=None) -> None:
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
        self.progress = HoldProgress()  # streamed size noted on the hold, for settling after a kill
        self.lifecycle = lifecycle  # router/lifecycle.py: retired models are skipped, a 404 retires one

    @property
    def cooldown_until(self) -> dict[str, float]:
        """Model id -> end of its cool-down (shared by every process through the database)."""
        return self.health.cooldowns()

    # ---- helpers ----
    def max_output(self, model: ModelSpec, request: RouteRequest) -> int:
        """Output ceiling sent to the API and used for the worst-case hold."""
        base = request.max_output_tokens or self.policy.config.max_output_tokens
        return max(1, min(base + model.reasoning_tokens, model.max_output))  # reasoning is billed as output

    def worst_case(self, model: ModelSpec, plan: RoutePlan, request: RouteRequest) -> float:
        """The budget hold for one attempt: the prompt estimate with headroom plus the full output ceiling."""
        # chars/4 undercounts CJK text and code: hold for up to twice the estimate
        return model.worst_case_cost(int(plan.estimated_input_tokens * 2) + 50, self.max_output(model, request),
                                     images=sum(len(m.images) for m in request.messages))

    def _delay(self, err: ProviderError, attempt: int) -> float | None:
        """Seconds to wait before retrying the same model, or None to move on."""
        if attempt > self.retry.retries or err.kind not in ("transient", "rate_limited"):
            return None
        if err.kind == "rate_limited" and err.retry_after is not None:
            cap = float(self.settings.retry_after_cap_s or self.retry.retry_after_cap_s)
            return err.retry_after if err.retry_after <= cap else None
        base = self.retry.backoff_base_s * (2 ** (attempt - 1))
        return base * (1 + self.rng.uniform(0, self.retry.jitter))

    def _note_failure(self, model_id: str, why: str = "") -> None:
        self.health.note_failure(model_id, why)

    def _note_success(self, model_id: str) -> None:
        self.health.note_success(model_id)

    def _record(self, hold, *, kind: str, plan: RoutePlan, request: RouteRequest, model: ModelSpec, outcome: str,
                position: int, attempt: int, started: float, t0: float, ttft: float | None = None,
                usage: Usage | None = None, cost: float = 0.0, error: ProviderError | SparklioError | None = None,
                cached: bool = False, saved: float = 0.0, message_id: int | None = None,
                policy_model: str | None = None) -> None:
        u = usage or Usage()
        self.budget.record_attempt(
            hold, ts=started, kind=kind, task=plan.task, model=model.id, provider=model.provider, outcome=outcome,
            error_class=(error.error_class if isinstance(error, ProviderError) else type(error).__name__) if error else None,
            error=str(error)[:500] if error else None, input_tokens=u.input_tokens, output_tokens=u.output_tokens,
            cached_input_tokens=u.cached_input_tokens, reasoning_tokens=u.reasoning_tokens, images=u.images,
            cost_usd=cost, saved_usd=saved, latency_ms=(time.perf_counter() - t0) * 1000,
            ttft_ms=(ttft - t0) * 1000 if ttft is not None else None, fallback_position=position, attempt=attempt,
            cached=cached, experiment=plan.experiment and position == 0, message_id=message_id,
            cache_write_tokens=u.cache_write_tokens, cache_saved_usd=0.0 if cached else cache_saving(model, u),
            conversation_id=request.conversation_id, workflow_run_id=request.workflow_run_id,
            gpu_seconds=u.gpu_seconds, energy_wh=u.energy_wh, policy_model=policy_model)

    # ---- the attempt loop ----
    async def execute(self, plan: RoutePlan, request: RouteRequest, invoke: Invoke, *, kind: str = "chat",
                      message_id: int | None = None, cache_key: Callable[[ModelSpec], str] | None = None,
                      hold_for: Callable[[ModelSpec], float] | None = None) -> AsyncIterator[EngineEvent | OpResult]:
        """Walk the chain; yields engine events (and OpResult for non-streaming calls), ending with AnswerDone."""
        from router.types import AnswerDone

        attempts: list[Attempt] = []
        t_request = time.perf_counter()
        # issue 13: bounded waits; providers found unreachable or a total-limit refusal skip the rest of their kind
        limits = Deadlines.from_settings(self.settings)
        until = time.monotonic() + (limits.request_s if kind == "chat" else limits.op_s)
        skip: set[str] = set(self.health.unreachable())
        for position, entry in enumerate(plan.chain):
            if entry.provider in skip or ("cloud" in skip and entry.provider not in LOCAL_PROVIDERS):
                continue
            if time.monotonic() >= until:
                break
            try:
                model = self.catalog.get(entry.target)
            except SparklioError as exc:  # removed since planning (Ollama list refreshed, settings changed)
                attempts.append(Attempt(entry.target, entry.provider, "error", str(exc), "ConfigError", position))
                yield AttemptFailed(attempts[-1])
                continue
            gone = self.lifecycle.retired().get(model.id) if self.lifecycle is not None else None
            if gone is not None:  # retired since planning (a 404 earlier in this chain): never called
                attempts.append(Attempt(model.id, model.provider, "skipped", f"retired: {gone.why}", "retired",
                                        position))
                yield AttemptFailed(attempts[-1])
                continue
            record = functools.partial(self._record, policy_model=entry.model if entry.serves else None)
            key = cache_key(model) if (cache_key and position == 0) else None
            if key is not None:
                hit = self.cache.get(key)
                if hit is not None:
                    started, t0 = time.time(), time.perf_counter()
                    record(None, kind=kind, plan=plan, request=request, model=model, outcome="ok",
                                 position=0, attempt=1, started=started, t0=t0, ttft=t0, usage=hit.usage, cost=0.0,
                                 cached=True, saved=hit.cost_usd, message_id=message_id)
                    yield TextDelta(hit.text)
                    attempts.append(Attempt(model.id, model.provider, "ok", fallback_position=0))
                    yield AnswerDone(Answer(model.id, model.provider, hit.text, hit.usage, 0.0, True,
                                            (time.perf_counter() - t_request) * 1000, 0.0, attempts, plan,
                                            message_id=message_id, experiment=plan.experiment))
                    return
            attempt = 0
            while True:
                attempt += 1
                started, t0 = time.time(), time.perf_counter()
                try:
                    provider = self.registry.get(model.provider)
                    max_out = self.max_output(model, request)
                    worst = hold_for(model) if hold_for else self.worst_case(model, plan, request)
                    note = {"task": plan.task, "kind": kind, "message_id": message_id,
                            "conversation_id": request.conversation_id, "workflow_run_id": request.workflow_run_id,
                            "input_tokens": plan.estimated_input_tokens}
                    hold = self.budget.reserve(model, worst, note) if not model.local else None
                except BudgetExceededError as exc:
                    record(None, kind=kind, plan=plan, request=request, model=model, outcome="refused",
                                 position=position, attempt=attempt, started=started, t0=t0, error=exc,
                                 message_id=message_id)
                    attempts.append(Attempt(model.id, model.provider, "refused", str(exc), "BudgetExceeded", position))
                    yield AttemptFailed(attempts[-1])
                    if "monthly limit" in str(exc):  # every cloud model would be refused the same way: go local
                        skip.add("cloud")
                    break
                except SparklioError as exc:  # the provider could not even be built (bad endpoint, no path)
                    err = PermanentError(str(exc), provider=model.provider, reason=type(exc).__name__)
                    record(None, kind=kind, plan=plan, request=request, model=model, outcome="error",
                                 position=position, attempt=attempt, started=started, t0=t0, error=err,
                                 message_id=message_id)
                    attempts.append(Attempt(model.id, model.provider, "error", str(exc), err.error_class, position))
                    yield AttemptFailed(attempts[-1])
                    break
                first_s = limits.first_token_s(model, kind)
                yield AttemptStarted(model.id, model.provider, position, attempt, min(first_s, until - time.monotonic()))
                text: list[str] = []
                usage: Usage | None = None
                finished = False
                result: OpResult | None = None
                ttft: float | None = None
                stream = bounded(invoke(provider, model, max_out), model=model, first_s=first_s,
                                 idle_s=limits.idle_s, until=until)
                try:
                    async for ev in stream:
                        if isinstance(ev, TextDelta):
                            if ttft is None:
                                ttft = time.perf_counter()
                            text.append(ev.text)
                            self.progress.note(hold, sum(map(len, text)))
                            yield ev
                        elif isinstance(ev, UsageReport):
                            usage = ev.usage
                        elif isinstance(ev, Finished):
                            finished = True
                        elif isinstance(ev, OpResult):
                            result, usage, finished = ev, ev.usage, True
                    if not finished:
                        raise TransientError(f"{model.id}: the answer stream was cut before it finished",
                                             provider=model.provider, reason="stream_cut")
                except asyncio.CancelledError:
                    await stream.aclose()  # closed on this task, not left to the garbage collector
                    partial = usage or Usage(input_tokens=plan.estimated_input_tokens,
                                             output_tokens=len("".join(text)) // 4)
                    record(hold, kind=kind, plan=plan, request=request, model=model, outcome="cancelled",
                                 position=position, attempt=attempt, started=started, t0=t0, ttft=ttft,
                                 usage=partial, cost=call_cost(model, partial), message_id=message_id)
                    raise
                except Exception as exc:  # every failure is classified; none reaches the user raw
                    await stream.aclose()
                    if not isinstance(exc, SparklioError):
                        log.debug("unexpected error from %s", model.id, exc_info=exc)  # details only with -v
                    err = exc if isinstance(exc, ProviderError) else (
                        PermanentError(str(exc), provider=model.provider, reason=type(exc).__name__)
                        if isinstance(exc, SparklioError)
                        else TransientError(f"{model.id}: unexpected {type(exc).__name__}: {exc}",
                                            provider=model.provider, reason=type(exc).__name__))
                    cut = err.reason == "stream_cut"
                    spent = usage or (Usage(input_tokens=plan.estimated_input_tokens,
                                            output_tokens=len("".join(text)) // 4) if text else None)
                    record(hold, kind=kind, plan=plan, request=request, model=model,
                                 outcome="cut" if cut else "error", position=position, attempt=attempt,
                                 started=started, t0=t0, ttft=ttft, usage=spent,
                                 cost=call_cost(model, spent) if spent else 0.0, error=err, message_id=message_id)
                    if text:
                        yield PartialWithdrawn(model.id)
                    attempts.append(Attempt(model.id, model.provider, "cut" if cut else "error", str(err),
                                            err.error_class, position, (time.perf_counter() - t0) * 1000))
                    delay = self._delay(err, attempt) if retry_allowed(err, attempts, model.id) else None
                    if err.reason == "unreachable" and model.provider not in LOCAL_PROVIDERS:
                        self.health.mark_unreachable(model.provider, str(err))  # every process skips it a while
                        skip.add(model.provider)
                    if delay is not None and time.monotonic() + delay >= until:
                        delay = None  # no retry that would end after the whole-request deadline
                    if delay is not None:
                        yield RetryScheduled(model.id, delay, str(err))
                        await self.sleep(delay)
                        continue
                    if err.kind == "retired" and self.lifecycle is not None:  # not a cool-down: gone for good
                        self.lifecycle.mark_not_found(model, str(err))
                    elif err.reason not in _PROMPT_FAULTS:  # the prompt's fault says nothing about the model
                        self._note_failure(model.id, str(err))
                    yield AttemptFailed(attempts[-1])
                    break
                # success
                usage = usage or Usage()
                cost = call_cost(model, usage)
                record(hold, kind=kind, plan=plan, request=request, model=model, outcome="ok",
                             position=position, attempt=attempt, started=started, t0=t0, ttft=ttft, usage=usage,
                             cost=cost, message_id=message_id)
                self._note_success(model.id)
                full = "".join(text)
                if key is not None and kind == "chat":
                    self.cache.put(key, model, plan.task, full, usage, cost)
                attempts.append(Attempt(model.id, model.provider, "ok", fallback_position=position,
                                        latency_ms=(time.perf_counter() - t0) * 1000))
                if result is not None:
                    yield result
                ttft_ms = (ttft - t_request) * 1000 if ttft is not None else None
                yield AnswerDone(Answer(model.id, model.provider, full, usage, cost, False,
                                        (time.perf_counter() - t_request) * 1000, ttft_ms, attempts, plan,
                                        message_id=message_id, experiment=plan.experiment and position == 0,
                                        cache_saved_usd=cache_saving(model, usage)))
                return
        refused = [a for a in attempts if a.outcome == "refused"]
        if refused and len(refused) == len(attempts):
            raise BudgetExceededError(refused[0].error)
        raise AllProvidersFailedError(failure_summary(attempts, time.monotonic() >= until, skip), attempts)

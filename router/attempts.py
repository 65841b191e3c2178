"""One try at one model as the engine tracks it and the ledger keeps it (the attempt record and its ledger row), and
the walk along a plan's chain that makes them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from router.catalog import ModelSpec
from router.deadlines import Deadlines
from router.errors import ProviderError, SparklioError
from router.pricing import cache_saving
from router.types import Answer, AnswerDone, Attempt, Reservation, RoutePlan, RouteRequest, Usage

Invoke = Callable[[Any, ModelSpec, int], AsyncIterator[Any]]  # (provider, model, max output) -> the provider's stream


@dataclass
class AttemptRecord:
    """What one attempt has done so far (streamed text, usage, first token); ends as one ledger row."""

    model: ModelSpec
    kind: str  # chat | embed | image
    task: str
    position: int  # 0 = the plan's primary
    number: int = 1  # counts retries of the same model from 1
    message_id: int | None = None
    conversation_id: int | None = None
    workflow_run_id: int | None = None
    experiment: bool = False
    policy_model: str | None = None  # the policy row's id when this model serves another's slot
    hold: Any = None  # the budget Reservation (None for local models and cache hits)
    started: float = field(default_factory=time.time)
    t0: float = field(default_factory=time.perf_counter)
    ttft: float | None = None  # perf_counter at the first streamed text
    text: list[str] = field(default_factory=list)
    chars: int = 0  # characters in `text` (kept as it grows: no re-count per chunk)
    usage: Usage | None = None
    outcome: str = ""  # set when the attempt ends: ok | error | cut | cancelled | refused
    retry_in: float | None = None  # seconds before the same model is tried again (None: move on)

    @property
    def latency_ms(self) -> float:
        """Milliseconds since the attempt started."""
        return (time.perf_counter() - self.t0) * 1000

    def estimate(self, estimated_input_tokens: int) -> Usage:
        """Usage estimated from the prompt and the text received (when the provider sent none)."""
        return Usage(input_tokens=estimated_input_tokens, output_tokens=len("".join(self.text)) // 4)

    def ledger_row(
        self,
        *,
        usage: Usage | None = None,
        cost: float = 0.0,
        error: SparklioError | None = None,
        cached: bool = False,
        saved: float = 0.0,
    ) -> dict[str, Any]:
        """The llm_usage row (keys are LlmUsage's fields) for this attempt's outcome."""
        u = usage or self.usage or Usage()
        return {
            "ts": self.started,
            "kind": self.kind,
            "task": self.task,
            "model": self.model.id,
            "provider": self.model.provider,
            "outcome": self.outcome,
            "error_class": (error.error_class if isinstance(error, ProviderError) else type(error).__name__)
            if error
            else None,
            "error": str(error)[:500] if error else None,
            "input_tokens": u.input_tokens,
            "output_tokens": u.output_tokens,
            "cached_input_tokens": u.cached_input_tokens,
            "reasoning_tokens": u.reasoning_tokens,
            "images": u.images,
            "cost_usd": cost,
            "saved_usd": saved,
            "latency_ms": self.latency_ms,
            "ttft_ms": (self.ttft - self.t0) * 1000 if self.ttft is not None else None,
            "fallback_position": self.position,
            "attempt": self.number,
            "cached": cached,
            "experiment": self.experiment and self.position == 0,
            "message_id": self.message_id,
            "cache_write_tokens": u.cache_write_tokens,
            "cache_saved_usd": 0.0 if cached else cache_saving(self.model, u),
            "conversation_id": self.conversation_id,
            "workflow_run_id": self.workflow_run_id,
            "gpu_seconds": u.gpu_seconds,
            "energy_wh": u.energy_wh,
            "policy_model": self.policy_model,
        }


@dataclass
class Walk:
    """One execute() call: the request, its deadline, the providers skipped and the attempts made so far."""

    plan: RoutePlan
    request: RouteRequest
    invoke: Invoke
    kind: str
    message_id: int | None
    hold_for: Callable[[ModelSpec], float] | None
    limits: Deadlines
    until: float  # time.monotonic() deadline for the whole request
    skip: set[str]  # providers (and "cloud") not to try again in this request
    on_answer: Callable[[Answer], None] | None = None  # stores the answer with its ledger row
    held: Reservation | None = None  # the first attempt's hold, taken with the turn (Engine.hold_first)
    attempts: list[Attempt] = field(default_factory=list)
    t_request: float = field(default_factory=time.perf_counter)

    def record(self, model: ModelSpec, position: int, number: int, serves: str | None) -> AttemptRecord:
        """A fresh attempt record for `model` in this request."""
        return AttemptRecord(
            model,
            self.kind,
            self.plan.task,
            position,
            number,
            self.message_id,
            self.request.conversation_id,
            self.request.workflow_run_id,
            self.plan.experiment,
            serves,
        )

    def take_held(self, model: ModelSpec) -> Reservation | None:
        """The hold taken before the walk, for the first attempt at its model (None: hold as usual)."""
        held = self.held
        if held is None or held.model != model.id or held.provider != model.provider:
            return None
        self.held = None
        return held

    def done(self, rec: AttemptRecord, text: str, usage: Usage, cost: float, *, cached: bool) -> AnswerDone:
        """The final event for the attempt that answered."""
        ttft_ms = 0.0 if cached else (rec.ttft - self.t_request) * 1000 if rec.ttft is not None else None
        return AnswerDone(
            Answer(
                rec.model.id,
                rec.model.provider,
                text,
                usage,
                cost,
                cached,
                (time.perf_counter() - self.t_request) * 1000,
                ttft_ms,
                self.attempts,
                self.plan,
                message_id=self.message_id,
                experiment=self.plan.experiment and rec.position == 0,
                cache_saved_usd=0.0 if cached else cache_saving(rec.model, usage),
            )
        )


def hold_note(plan: RoutePlan, request: RouteRequest, kind: str, message_id: int | None) -> dict:
    """What a hold records so a later start can settle it if this process dies (router/recovery.py)."""
    return {
        "task": plan.task,
        "kind": kind,
        "message_id": message_id,
        "conversation_id": request.conversation_id,
        "workflow_run_id": request.workflow_run_id,
        "input_tokens": plan.estimated_input_tokens,
    }

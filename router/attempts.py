"""One try at one model as the engine tracks it and the ledger keeps it: the attempt record and its ledger row."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from router.catalog import ModelSpec
from router.errors import ProviderError, SparklioError
from router.pricing import cache_saving
from router.types import Usage


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

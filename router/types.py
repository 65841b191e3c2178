"""Plain data types shared by the planner, providers, engine, CLI and UI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["system", "user", "assistant"]
Complexity = Literal["simple", "medium", "complex"]
BudgetTier = Literal["low", "standard", "premium"]
SpeedTier = Literal["realtime", "standard", "batch"]
Quality = Literal["draft", "standard", "production"]

COMPLEXITIES: tuple[str, ...] = ("simple", "medium", "complex")
BUDGET_TIERS: tuple[str, ...] = ("low", "standard", "premium")
SPEED_TIERS: tuple[str, ...] = ("realtime", "standard", "batch")
QUALITIES: tuple[str, ...] = ("draft", "standard", "production")


@dataclass(frozen=True)
class ImageInput:
    """An image attached to a message (raw bytes plus MIME type)."""

    data: bytes
    mime: str = "image/png"
    name: str = ""


@dataclass
class Message:
    """One chat message as sent to a provider."""

    role: Role
    content: str
    images: list[ImageInput] = field(default_factory=list)


@dataclass
class RouteRequest:
    """What the user asked for; None fields mean Auto / not set."""

    messages: list[Message]
    task: str | None = None
    complexity: Complexity | None = None
    budget: BudgetTier | None = None
    speed: SpeedTier | None = None
    quality: Quality | None = None
    model: str | None = None  # pin one catalog id
    offline: bool | None = None  # None: the setting decides
    max_output_tokens: int | None = None
    temperature: float | None = None
    use_cache: bool = True
    explore: bool = True
    conversation_id: int | None = None
    workflow_run_id: int | None = None
    can_wait: bool = False  # with speed "batch": may go through a provider's Batch API (answer within 24 h)
    batch_retry: str | None = None  # failed batch items: "live" (default), "batch" or "none"

    @property
    def prompt(self) -> str:
        """The last user message's text."""
        for m in reversed(self.messages):
            if m.role == "user":
                return m.content
        return ""

    @property
    def has_image(self) -> bool:
        """True when any message carries an image."""
        return any(m.images for m in self.messages)


@dataclass(slots=True)
class PlanEntry:
    """One model in the chain with its score and why it is there."""

    model: str  # the policy row's id, exactly as the documents name it
    provider: str
    score: float
    _why: str | Callable[[], str]  # the reason, or how to word it: the planner words it only when it is shown
    serves: str | None = None  # the catalog model actually called when another one serves this slot
    note: str = ""  # why it is served by another model (retired, or dominated), '' when not

    @property
    def why(self) -> str:
        """Why this model is in the chain (worded on first use, then kept)."""
        if callable(self._why):
            self._why = self._why()
        return self._why

    @property
    def target(self) -> str:
        """The catalog id the engine calls for this slot."""
        return self.serves or self.model


@dataclass
class Exclusion:
    """A catalog model left out of the chain and the reason."""

    model: str
    reason: str


@dataclass
class RoutePlan:
    """The planner's answer: resolved request fields, ordered chain and exclusions."""

    task: str
    complexity: str
    budget: str
    speed: str | None
    quality: str | None
    offline: bool
    chain: list[PlanEntry]
    excluded: list[Exclusion]
    estimated_input_tokens: int = 0
    auto_task: bool = False
    auto_complexity: bool = False
    experiment: bool = False
    alternatives: list[PlanEntry] = field(default_factory=list)  # eligible, not in the chain (exploration)
    kind: str = "chat"
    task_confidence: float | None = None  # the Auto classifier's confidence in [0, 1] (None: chosen, not guessed)
    complexity_confidence: float | None = None
    complexity_guess: str | None = None  # Auto's level when the plan routed up from it (policy `route_up_at`)
    complexity_up: float | None = None  # the chance Auto gave the level above its guess, when routed up

    def explain(self) -> str:
        """Multi-line human explanation of the chain and the exclusions."""
        lines = [
            f"Task {self.task} ({_how_chosen(self.auto_task, self.task_confidence)}), complexity "
            f"{self.complexity} ({self.complexity_how()}), "
            f"budget tier {self.budget}" + (", offline" if self.offline else "")
        ]
        for i, e in enumerate(self.chain):
            served = f" → served by {e.serves}" if e.serves else ""
            lines.append(f"{i + 1}. {e.model}{served} ({e.provider}) — {e.why}")
        if self.alternatives:
            lines.append("Eligible, not in the chain:")
            lines.extend(f"  · {a.model}: {_alternative_reason(a)}" for a in self.alternatives)
        if self.excluded:
            lines.append("Not used:")
            lines.extend(f"  · {x.model}: {x.reason}" for x in self.excluded)
        return "\n".join(lines)

    def complexity_how(self) -> str:
        """How the complexity was chosen: 'chosen', 'auto, 71% sure', or the guess it was routed up from."""
        if self.complexity_guess is not None and self.complexity_up is not None:
            return (
                f"auto guessed {self.complexity_guess}, but {self.complexity} is {self.complexity_up:.0%} likely: "
                "planned one level up"
            )
        return _how_chosen(self.auto_complexity, self.complexity_confidence)

    def to_json(self) -> dict:
        """The `sparklio route --json` shape."""
        return {
            "task": self.task,
            "complexity": self.complexity,
            "budget": self.budget,
            "speed": self.speed,
            "quality": self.quality,
            "offline": self.offline,
            "auto_task": self.auto_task,
            "auto_complexity": self.auto_complexity,
            "task_confidence": self.task_confidence,
            "complexity_confidence": self.complexity_confidence,
            "complexity_guess": self.complexity_guess,
            "chain": [
                {"model": e.model, "serves": e.target, "provider": e.provider, "score": e.score, "why": e.why}
                for e in self.chain
            ],
            "excluded": [{"model": a.model, "reason": _alternative_reason(a)} for a in self.alternatives]
            + [e.__dict__.copy() for e in self.excluded],
        }


def _how_chosen(auto: bool, confidence: float | None) -> str:
    """'auto, 87% sure' for a guess, 'chosen' for the user's pick."""
    if not auto:
        return "chosen"
    return "auto" if confidence is None else f"auto, {confidence:.0%} sure"


def _alternative_reason(entry: PlanEntry) -> str:
    """Why an eligible model is not in the chain, with its score."""
    return f"{entry.why}: score {entry.score:.2f}, below the models the chain takes after the task row"


@dataclass
class Usage:
    """Token/image usage as the API reported it, normalised."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0  # part of input_tokens read from the provider's prompt cache
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0  # part of output_tokens spent reasoning
    images: int = 0
    image_size: str = ""
    image_quality: str = ""
    gpu_seconds: float = 0.0
    energy_wh: float | None = None


# ---- streaming events (provider -> engine -> UI/CLI) ----


@dataclass
class TextDelta:
    """A piece of streamed answer text."""

    text: str


@dataclass
class UsageReport:
    """Final usage for the attempt (sent once, near the end)."""

    usage: Usage


@dataclass
class Finished:
    """The provider said the answer is complete (a stream without it was cut)."""

    reason: str = "stop"


ProviderEvent = TextDelta | UsageReport | Finished


@dataclass
class EmbeddingResult:
    """Vectors for a batch of texts plus usage."""

    vectors: list[list[float]]
    usage: Usage


@dataclass
class GeneratedImage:
    """One generated image: PNG bytes and the parameters that made it."""

    png: bytes
    params: dict = field(default_factory=dict)


@dataclass
class ImageResult:
    """Images from one generation call plus usage."""

    images: list[GeneratedImage]
    usage: Usage


StepCallback = Callable[[int, int, "bytes | None"], None]  # (step, total, latent preview PNG)


@dataclass(frozen=True)
class ImageJobHooks:
    """Progress and cancel for one local image job: passed beside, never inside, a provider's request parameters."""

    on_step: StepCallback | None = None  # called from the worker thread after each denoising step
    cancel: threading.Event | None = None  # set it to stop the job between two steps


@dataclass
class Attempt:
    """One try at one model, as shown in answer footers and `ask --json`."""

    model: str
    provider: str
    outcome: str  # ok | error | cancelled | cut | refused
    error: str = ""
    error_class: str = ""
    fallback_position: int = 0
    latency_ms: float = 0.0


# ---- engine events (engine -> UI/CLI) ----


@dataclass
class AttemptStarted:
    """The engine is calling `model` (position 0 = primary; attempt counts retries from 1)."""

    model: str
    provider: str
    position: int
    attempt: int
    wait_s: float | None = None  # how long the engine waits for the first token (issue 13: say what we wait for)


@dataclass
class RetryScheduled:
    """A transient or rate-limit error; the engine waits `delay_s` then retries the same model."""

    model: str
    delay_s: float
    error: str


@dataclass
class AttemptFailed:
    """A model gave up (after its retries); the engine moves to the next one if any."""

    attempt: Attempt


@dataclass
class PartialWithdrawn:
    """Text streamed from `model` so far is void (the stream was cut); discard it."""

    model: str


@dataclass
class Answer:
    """The final, complete answer with its cost and provenance."""

    model: str
    provider: str
    text: str
    usage: Usage
    cost_usd: float
    cached: bool
    latency_ms: float
    ttft_ms: float | None
    attempts: list[Attempt]
    plan: RoutePlan | None = None
    user_message_id: int | None = None
    message_id: int | None = None
    experiment: bool = False
    embedding: list[float] | None = None  # the vector, when the task was embeddings
    image: dict | None = None  # generated images: size, steps, seconds, seed, count, paths
    cache_saved_usd: float = 0.0  # what the provider's prompt cache saved on this answer (net of cache writes)
    sources: list[dict] = field(default_factory=list)  # document passages added to the prompt: label, path, score

    @property
    def serves_for(self) -> str:
        """The policy row's id when this answer's model served another model's slot ('' when it is its own)."""
        if self.plan is None or self.cached or not self.attempts:
            return ""
        pos = self.attempts[-1].fallback_position
        entry = self.plan.chain[pos] if pos < len(self.plan.chain) else None
        return entry.model if entry is not None and entry.serves == self.model else ""

    def to_json(self) -> dict:
        """The `sparklio ask --json` shape (plus `embedding` for the embeddings task)."""
        out = {
            "model": self.model,
            "provider": self.provider,
            "text": self.text,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cost_usd": round(self.cost_usd, 8),
            "cached_input_tokens": self.usage.cached_input_tokens,
            "cache_saved_usd": round(self.cache_saved_usd, 8),
            "cached": self.cached,
            "latency_ms": round(self.latency_ms, 1),
            "message_id": self.message_id,
            "attempts": [
                {"model": a.model, "provider": a.provider, "outcome": a.outcome, "error": a.error}
                for a in self.attempts
            ],
        }
        if self.embedding is not None:
            out["embedding"] = self.embedding
        if self.image is not None:
            out["image"] = self.image
        return out


@dataclass
class AnswerDone:
    """Last event of a successful run."""

    answer: Answer


EngineEvent = AttemptStarted | RetryScheduled | AttemptFailed | PartialWithdrawn | TextDelta | AnswerDone


@dataclass
class Reservation:
    """A worst-case hold on the budget for one cloud attempt."""

    id: int
    model: str
    provider: str
    month: str
    amount_usd: float

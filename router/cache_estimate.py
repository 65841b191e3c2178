"""Expected provider prompt-cache hits, for estimates: how much of a prompt's stable prefix a later call reads
from the provider's cache (Anthropic: our breakpoints; OpenAI and Gemini: their automatic prefix caching)."""

from __future__ import annotations

from router.catalog import ModelSpec
from router.types import Usage

# Minimum cacheable prompt length (tokens) per Anthropic model family, from Anthropic's prompt-caching
# documentation; a shorter prefix is not cached (and a breakpoint on it would buy nothing), so none is placed.
_ANTHROPIC_MIN: tuple[tuple[str, int], ...] = (
    ("claude-opus-4-5", 4096),
    ("claude-haiku-4-5", 4096),
    ("claude-3-5-haiku", 2048),
    ("claude-3-haiku", 2048),
    ("claude-haiku-3", 2048),
)
ANTHROPIC_DEFAULT_MIN = 1024  # Sonnet 3.7/4/4.5, Opus 3/4/4.1

OPENAI_MIN_TOKENS, OPENAI_STEP = 1024, 128  # OpenAI caches prompts from 1,024 tokens, in 128-token steps
GEMINI_MIN_TOKENS = {"pro": 4096}  # Gemini implicit caching: 1,024 tokens (Flash), 4,096 (Pro)
GEMINI_DEFAULT_MIN = 1024


def min_cacheable_tokens(api_model: str) -> int:
    """The shortest prefix an Anthropic model caches."""
    return next((n for prefix, n in _ANTHROPIC_MIN if api_model.startswith(prefix)), ANTHROPIC_DEFAULT_MIN)


def cached_prefix_tokens(model: ModelSpec, prefix_tokens: int) -> int:
    """Tokens of a `prefix_tokens`-long stable prefix a repeat call should read from the cache (0: none)."""
    if model.local or model.kind != "chat" or prefix_tokens <= 0:
        return 0
    if model.provider == "anthropic":
        return prefix_tokens if prefix_tokens >= min_cacheable_tokens(model.api_model) else 0
    if model.provider == "openai":
        return prefix_tokens // OPENAI_STEP * OPENAI_STEP if prefix_tokens >= OPENAI_MIN_TOKENS else 0
    if model.provider == "google":
        need = next((n for key, n in GEMINI_MIN_TOKENS.items() if key in model.api_model), GEMINI_DEFAULT_MIN)
        return prefix_tokens if prefix_tokens >= need else 0
    return 0


def input_cost_per_call(model: ModelSpec, input_tokens: int, prefix_tokens: int) -> float:
    """USD of a call's input at catalog rates with the expected cache hit (a quick figure for routing)."""
    cached = min(cached_prefix_tokens(model, prefix_tokens), input_tokens)
    rate = model.input_price or 0.0
    cached_rate = model.cached_input_price if model.cached_input_price is not None else rate
    return ((input_tokens - cached) * rate + cached * cached_rate) / 1_000_000


def shared_prefix_usages(
    model: ModelSpec, input_tokens: int, output_tokens: int, prefix_tokens: int, calls: int
) -> list[tuple[Usage, int]]:
    """(usage, calls) for `calls` calls that share a prefix: the first writes the cache, the others read it."""
    cached = min(cached_prefix_tokens(model, prefix_tokens), input_tokens)
    if not cached or calls < 2:
        return [(Usage(input_tokens=input_tokens, output_tokens=output_tokens), calls)]
    writes = cached if model.provider == "anthropic" else 0  # the others bill no cache writes
    return [
        (Usage(input_tokens=input_tokens, output_tokens=output_tokens, cache_write_tokens=writes), 1),
        (Usage(input_tokens=input_tokens, output_tokens=output_tokens, cached_input_tokens=cached), calls - 1),
    ]

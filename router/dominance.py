"""Which models dominate which: same or more capabilities, same or faster speed, quality at least as high, cheaper.

A dominated model is never worth routing to while one of its dominators can take the request. "Cheaper" is the
expected price of a typical call for the request — 1,000 input tokens and the answer its complexity calls for
(policy.toml `[complexity_answer_tokens]`: 300 / 700 / 1,500 tokens), plus the model's expected reasoning tokens
(images: one image at the default size) — so a reasoning model pays for the tokens it thinks in, and its fixed
thinking costs less per token of a long answer than of a short one.
"Quality" is judged against what the request needs: for a chat request, quality above the level its complexity
(or its quality target) calls for buys nothing (policy.toml `[complexity_quality]`; the documents' "use cheaper
models for simple tasks, selected by complexity"), so a cheaper model that clears that level dominates.
"""

from __future__ import annotations

from typing import Any

from router.catalog import Catalog, ModelSpec
from router.types import SPEED_TIERS

TYPICAL_INPUT = 1000
TYPICAL_OUTPUT = 500
_SUBSTITUTABLE = frozenset({"chat", "image"})  # never embeddings: another model's vectors do not match stored ones
_SPEED = {t: i for i, t in enumerate(SPEED_TIERS)}
NO_CAP = 99.0  # no quality ceiling: every point of quality counts
CORE = frozenset({"text", "code", "reasoning"})  # abilities that shape any answer; the rest count when requested
_cache: dict[int, tuple[tuple, dict, dict[Any, Any]]] = {}  # catalog -> (version, retired, memo by query)


def expected_price(m: ModelSpec, answer: int = TYPICAL_OUTPUT, input_tokens: int = TYPICAL_INPUT) -> float:
    """USD for a typical call: input, an `answer`-token answer and the model's expected reasoning tokens."""
    if m.local:
        return 0.0
    if m.kind == "image":
        return m.image_price()
    out = (answer + m.reasoning_tokens) if m.kind == "chat" else 0
    return (input_tokens * (m.input_price or 0.0) + out * (m.output_price or 0.0)) / 1_000_000


def dominates(
    a: ModelSpec, b: ModelSpec, need: float = NO_CAP, keep: frozenset | None = None, answer: int = TYPICAL_OUTPUT
) -> bool:
    """True when `a` can do all `b` does (of `keep`, the abilities the request can use), as fast, at least as well
    (up to `need` for chat), for less (an `answer`-token answer)."""
    cap = need if a.kind == "chat" else NO_CAP
    caps = b.capabilities if keep is None else b.capabilities & keep
    return (
        a.id != b.id
        and a.kind == b.kind
        and a.kind in _SUBSTITUTABLE
        and a.priced
        and caps <= a.capabilities
        and _SPEED[a.speed] <= _SPEED[b.speed]
        and min(a.quality, cap) >= min(b.quality, cap)
        and expected_price(a, answer) < expected_price(b, answer)
    )


def dominators(
    catalog: Catalog, retired: dict, need: float = NO_CAP, keep: frozenset | None = None, answer: int = TYPICAL_OUTPUT
) -> dict[str, list[str]]:
    """Model id -> the ids that dominate it for a request needing `need`, abilities `keep` and an `answer`-token
    answer, cheapest first."""
    key = (catalog.version, len(catalog))
    hit = _cache.get(id(catalog))
    if hit is None or hit[0] != key or hit[1] is not retired:
        hit = (key, retired, {})
        _cache[id(catalog)] = hit
    found = hit[2].get((need, keep, answer))
    if found is not None:
        return found
    live = [m for m in catalog if m.id not in retired and m.priced]
    out: dict[str, list[str]] = {}
    for b in live:
        better = [a for a in live if dominates(a, b, need, keep, answer)]
        if better:
            better.sort(key=lambda a: (expected_price(a, answer), -a.quality))
            out[b.id] = [a.id for a in better]
    hit[2][(need, keep, answer)] = out
    return out


def qualified(catalog: Catalog, retired: dict, need: float, answer: int = TYPICAL_OUTPUT) -> list[ModelSpec]:
    """Live, priced chat models of quality >= `need`, cheapest first for an `answer`-token answer (for a slot below
    what a request needs)."""
    key = (catalog.version, len(catalog))
    hit = _cache.get(id(catalog))
    if hit is None or hit[0] != key or hit[1] is not retired:
        dominators(catalog, retired)
        hit = _cache[id(catalog)]
    found = hit[2].get(("qualified", need, answer))
    if found is None:
        found = sorted(
            (m for m in catalog if m.kind == "chat" and m.priced and m.id not in retired and m.quality >= need),
            key=lambda m: (expected_price(m, answer), -m.quality),
        )
        hit[2][("qualified", need, answer)] = found
    return found


_WORDS: dict[tuple, str] = {}


def why_dominated(
    better: ModelSpec,
    worse: ModelSpec,
    need: float = NO_CAP,
    keep: frozenset | None = None,
    answer: int = TYPICAL_OUTPUT,
) -> str:
    """The words for a substitution: what the better model matches and what it saves (kept: plans repeat them)."""
    key = (better, worse, need, keep, answer)
    words = _WORDS.get(key)
    if words is None:
        if len(_WORDS) > 4096:
            _WORDS.clear()
        words = _WORDS[key] = _words(better, worse, need, keep, answer)
    return words


def _words(better: ModelSpec, worse: ModelSpec, need: float, keep: frozenset | None, answer: int) -> str:
    if better.kind == "chat" and better.quality < worse.quality:
        level = f"quality {better.quality:g} clears the {need:g} this request needs"
    else:
        level = f"quality {better.quality:g} ≥ {worse.quality:g}"
    caps = worse.capabilities if keep is None else worse.capabilities & keep
    return (
        f"{better.id} does what this request can use of it ({', '.join(sorted(caps))}), {better.speed} speed, "
        f"{level}, ~${expected_price(better, answer):.4f} vs ~${expected_price(worse, answer):.4f} a typical call "
        f"({answer:,}-token answer)"
    )

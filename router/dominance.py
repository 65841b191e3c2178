"""Which models dominate which: same or more capabilities, same or faster speed, quality at least as high, cheaper.

A dominated model is never worth routing to while one of its dominators can take the request. "Cheaper" is the
expected price of a typical call — 1,000 input tokens and a 500-token answer plus the model's expected reasoning
tokens (images: one image at the default size) — so a reasoning model pays for the tokens it thinks in.
"""

from __future__ import annotations

from router.catalog import Catalog, ModelSpec
from router.types import SPEED_TIERS

TYPICAL_INPUT = 1000
TYPICAL_OUTPUT = 500
_SUBSTITUTABLE = frozenset({"chat", "image"})  # never embeddings: another model's vectors do not match stored ones
_SPEED = {t: i for i, t in enumerate(SPEED_TIERS)}
_cache: dict[int, tuple[tuple, dict, dict[str, list[str]]]] = {}


def expected_price(m: ModelSpec, input_tokens: int = TYPICAL_INPUT) -> float:
    """USD for a typical call: input, a 500-token answer and the model's expected reasoning tokens."""
    if m.local:
        return 0.0
    if m.kind == "image":
        return m.image_price()
    out = (TYPICAL_OUTPUT + m.reasoning_tokens) if m.kind == "chat" else 0
    return (input_tokens * (m.input_price or 0.0) + out * (m.output_price or 0.0)) / 1_000_000


def dominates(a: ModelSpec, b: ModelSpec) -> bool:
    """True when `a` can do all `b` does, as fast, at least as well, for less."""
    return (a.id != b.id and a.kind == b.kind and a.kind in _SUBSTITUTABLE and a.priced and b.capabilities <= a.capabilities
            and _SPEED[a.speed] <= _SPEED[b.speed] and a.quality >= b.quality
            and expected_price(a) < expected_price(b))


def dominators(catalog: Catalog, retired: dict) -> dict[str, list[str]]:
    """Model id -> the ids that dominate it, cheapest first (computed once per catalog/lifecycle change)."""
    key = (catalog.version, len(catalog))
    hit = _cache.get(id(catalog))
    if hit is not None and hit[0] == key and hit[1] is retired:
        return hit[2]
    live = [m for m in catalog if m.id not in retired and m.priced]
    out: dict[str, list[str]] = {}
    for b in live:
        better = [a for a in live if dominates(a, b)]
        if better:
            better.sort(key=lambda a: (expected_price(a), -a.quality))
            out[b.id] = [a.id for a in better]
    _cache[id(catalog)] = (key, retired, out)
    return out


def why_dominated(better: ModelSpec, worse: ModelSpec) -> str:
    """The words for a substitution: what the better model matches and what it saves."""
    return (f"{better.id} does the same ({', '.join(sorted(worse.capabilities))}), {better.speed} speed, "
            f"quality {better.quality:g} ≥ {worse.quality:g}, ~${expected_price(better):.4f} vs "
            f"~${expected_price(worse):.4f} a typical call")

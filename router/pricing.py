"""Prices from genai-prices (the maintained price database) with the catalog's figures as fallback."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from router.catalog import Catalog, ModelSpec, load_catalog_file
from router.providers.info import info
from router.types import Usage

log = logging.getLogger(__name__)

_PROBE_TOKENS = 10_000  # small enough to stay below long-context price tiers


def _genai_id(provider: str) -> str:
    """genai-prices' id for a provider ("" when it prices none of its models)."""
    row = info(provider)
    return row.genai_prices_id if row else ""


def _genai_version() -> str:
    try:
        return metadata.version("genai-prices")
    except metadata.PackageNotFoundError:
        return ""


def _lookup(ref: str, provider: str) -> tuple[float, float, float] | None:
    """(input, output, cached input) USD per 1M tokens from genai-prices, or None if unknown."""
    try:
        from genai_prices import Usage as GUsage
        from genai_prices import calc_price
    except ImportError:
        return None
    pid = _genai_id(provider)
    if not pid:
        return None
    try:
        scale = 1_000_000 / _PROBE_TOKENS
        inp = float(calc_price(GUsage(input_tokens=_PROBE_TOKENS), ref, provider_id=pid).total_price) * scale
        out = float(calc_price(GUsage(output_tokens=_PROBE_TOKENS), ref, provider_id=pid).total_price) * scale
        cached = (
            float(
                calc_price(
                    GUsage(input_tokens=_PROBE_TOKENS, cache_read_tokens=_PROBE_TOKENS), ref, provider_id=pid
                ).total_price
            )
            * scale
        )
    except Exception:  # LookupError for unknown models; anything else means "not known" too
        return None
    return round(inp, 6), round(out, 6), round(cached, 6)


def _image_rate(ref: str, provider: str) -> float | None:
    """USD per 1M generated-image tokens from genai-prices (its image-output rate, else its output rate)."""
    try:
        from genai_prices import Usage as GUsage
        from genai_prices import calc_price
    except ImportError:
        return None
    pid = _genai_id(provider)
    if not pid:
        return None
    try:
        g = GUsage(output_tokens=_PROBE_TOKENS, output_image_tokens=_PROBE_TOKENS)
        return round(float(calc_price(g, ref, provider_id=pid).total_price) * 1_000_000 / _PROBE_TOKENS, 6)
    except Exception:
        return None


def _priced_image(spec: ModelSpec, rate: float) -> ModelSpec:
    """An image model priced per image: the provider's documented tokens per size × genai-prices' rate."""
    prices = {size: round(tokens * rate / 1_000_000, 5) for size, tokens in spec.image_tokens.items()}
    return replace(spec, image_prices=prices, price_source="genai-prices", input_price=0.0, output_price=0.0)


def apply_known_prices(specs: dict[str, ModelSpec], refs: dict[str, str], cache: Path | None) -> dict[str, ModelSpec]:
    """Replace chat/embedding prices with genai-prices' where it knows the model (results cached per version)."""
    version = _genai_version()
    table: dict[str, Any] = {}
    if cache is not None and cache.exists():
        try:
            saved = json.loads(cache.read_text())
            if saved.get("version") == version:
                table = saved.get("prices", {})
        except (OSError, ValueError):
            table = {}
    dirty = False
    out: dict[str, ModelSpec] = {}
    for mid, spec in specs.items():
        ref = refs.get(mid)
        if ref and spec.kind == "image" and spec.image_tokens and not spec.local:
            key = f"{spec.provider}:{ref}:image"
            if key not in table:
                table[key], dirty = _image_rate(ref, spec.provider), True
            out[mid] = _priced_image(spec, table[key]) if table[key] else spec
            continue
        if not ref or spec.kind == "image" or spec.local:
            out[mid] = spec
            continue
        key = f"{spec.provider}:{ref}"
        if key not in table:
            found = _lookup(ref, spec.provider)
            table[key] = list(found) if found else None
            dirty = True
        found = table[key]
        if found:
            inp, outp, cached = found
            out[mid] = replace(
                spec, input_price=inp, output_price=outp, cached_input_price=cached, price_source="genai-prices"
            )
        else:
            out[mid] = spec
    if dirty and cache is not None:
        try:
            cache.write_text(json.dumps({"version": version, "prices": table}))
        except OSError:
            log.warning("could not write the price cache %s", cache)
    return out


# OpenAI Batch, Anthropic Message Batches and Gemini batch mode all bill 50 % of the standard rates (each provider's
# batch pricing page); used when genai-prices has no batch price for a model.
BATCH_DISCOUNT = 0.5


def _genai_exact(ref: str, provider: str, tokens: tuple[int, int, int, int], context: dict | None) -> float:
    """genai-prices' own calculation for (input incl. cached, output, cache read, cache write) tokens."""
    from genai_prices import Usage as GUsage
    from genai_prices import calc_price

    inp, out, read, write = tokens
    g = GUsage(input_tokens=inp, output_tokens=out, cache_read_tokens=read or None, cache_write_tokens=write or None)
    kw: dict[str, Any] = {"price_context": context} if context else {}
    return float(calc_price(g, ref, provider_id=_genai_id(provider), **kw).total_price)


_RATES: dict[tuple[str, str, int], tuple[float, float, float, float] | None] = {}
_RATE_PROBES = (1_000, 10_000_000)  # a flat price gives the same per-token rates at both sizes; a tiered one does not


def _flat_rates(ref: str, provider: str) -> tuple[float, float, float, float] | None:
    """USD per token (uncached input, cache read, cache write, output) when genai-prices' price for the model is
    flat, read from genai-prices itself; None when it is tiered or not linear (then every call is priced by it)."""
    key = (ref, provider, int(time.time() // 3600))  # prices change by date: asked again every hour
    if key in _RATES:
        return _RATES[key]
    try:
        rates = _probed_rates(ref, provider)
    except Exception:  # genai-prices cannot price it: every call says so and the catalog's rates apply
        rates = None
    if len(_RATES) > 512:  # an hour's keys pile up in a long-running app
        _RATES.clear()
    _RATES[key] = rates
    return rates


def _probed_rates(ref: str, provider: str) -> tuple[float, float, float, float] | None:
    """The per-token rates at each probe size; None unless they agree with each other and with a mixed usage."""
    found = []
    for n in _RATE_PROBES:
        base = _genai_exact(ref, provider, (n, 0, 0, 0), None) / n
        read = _genai_exact(ref, provider, (n, 0, n, 0), None) / n
        write = _genai_exact(ref, provider, (n, 0, 0, n), None) / n
        found.append((base, read, write, _genai_exact(ref, provider, (0, n, 0, 0), None) / n))
    mixed = _genai_exact(ref, provider, (3_000, 2_000, 1_000, 500), None)
    if all(_close(a, b) for a, b in zip(found[0], found[-1])) and _close(
        mixed, _flat(found[0], 3_000, 2_000, 1_000, 500)
    ):
        return found[0]
    return None


def _flat(rates: tuple[float, float, float, float], inp: int, out: int, read: int, write: int) -> float:
    base, r_read, r_write, r_out = rates
    return (inp - read - write) * base + read * r_read + write * r_write + out * r_out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12)


def _genai_cost(model: ModelSpec, usage: Usage, context: dict | None) -> float:
    """genai-prices' calculation (tiers, cache reads and writes) for a model it priced; a flat price is applied from
    the per-token rates genai-prices gave for it (router/pricing.py `_flat_rates`, ~1 µs instead of ~70 µs)."""
    ref = model.price_ref or model.api_model
    tokens = (usage.input_tokens, usage.output_tokens, usage.cached_input_tokens, usage.cache_write_tokens)
    if context is None and tokens[0] >= tokens[2] + tokens[3]:
        rates = _flat_rates(ref, model.provider)
        if rates is not None:
            return _flat(rates, *tokens)
    return _genai_exact(ref, model.provider, tokens, context)


def call_cost(model: ModelSpec, usage: Usage, *, batch: bool = False) -> float:
    """USD for one call: genai-prices' exact calculation when it priced the model, else the catalog rates.

    `batch`: billed through the provider's Batch API — genai-prices' batch price where it has one, else the
    documented 50 % (`BATCH_DISCOUNT`)."""
    if model.local:
        return 0.0
    if model.price_source == "genai-prices" and model.kind != "image":
        try:
            standard = _genai_cost(model, usage, None)
            if not batch:
                return standard
            discounted = _genai_cost(model, usage, {"processing": "batch"})
            return discounted if discounted < standard else standard * BATCH_DISCOUNT
        except Exception:
            log.debug("genai-prices could not price %s; using catalog rates", model.id)
    return model.cost(usage) * (BATCH_DISCOUNT if batch else 1.0)


def cache_saving(model: ModelSpec, usage: Usage, *, batch: bool = False) -> float:
    """USD the provider's prompt cache saved on this call: the same tokens uncached minus the actual price.

    Negative on a turn that only wrote the cache (Anthropic bills writes above the input rate)."""
    if not (usage.cached_input_tokens or usage.cache_write_tokens):
        return 0.0
    plain = replace(usage, cached_input_tokens=0, cache_write_tokens=0)
    return call_cost(model, plain, batch=batch) - call_cost(model, usage, batch=batch)


def load_catalog(builtin: Path, user: Path | None = None, price_cache: Path | None = None) -> Catalog:
    """Built-in catalog, overlaid by the user's file, with prices from genai-prices where known."""
    specs, refs, tables, families = load_catalog_file(builtin)
    if user is not None and user.exists():
        more, more_refs, _, families = load_catalog_file(user, tables, families)
        specs.update(more)
        for mid in more:
            refs.pop(mid, None)
        refs.update(more_refs)
    return Catalog(apply_known_prices(specs, refs, price_cache), families)

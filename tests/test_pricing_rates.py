"""Per-call pricing from genai-prices' per-token rates: every catalog model priced as genai-prices prices it."""

from __future__ import annotations

import random

import pytest
from genai_prices import Usage as GUsage
from genai_prices import calc_price

from router import pricing
from router.pricing import call_cost
from router.types import Usage


def _genai(m, u: Usage) -> float:
    g = GUsage(
        input_tokens=u.input_tokens,
        output_tokens=u.output_tokens,
        cache_read_tokens=u.cached_input_tokens or None,
        cache_write_tokens=u.cache_write_tokens or None,
    )
    return float(calc_price(g, m.price_ref or m.api_model, provider_id=pricing._genai_id(m.provider)).total_price)


def test_every_genai_priced_model_costs_what_genai_prices_says(data_dir):
    from router.app import Sparklio

    app = Sparklio(data_dir)
    try:
        rng = random.Random(19)
        priced = [m for m in app.catalog.models.values() if m.price_source == "genai-prices" and m.kind != "image"]
        flat = [m for m in priced if pricing._flat_rates(m.price_ref or m.api_model, m.provider) is not None]
        assert len(flat) >= 10 and len(flat) < len(priced)  # most are flat; long-context tiers go to genai-prices
        for m in priced:
            for _ in range(15):  # short chats to long contexts past the 200k tiers, with cache reads and writes
                inp = rng.choice([rng.randint(0, 2_000), rng.randint(0, 400_000)])
                read = rng.randint(0, inp // 2)
                write = rng.randint(0, inp // 4) if rng.random() < 0.5 else 0
                u = Usage(
                    input_tokens=inp,
                    output_tokens=rng.randint(0, 60_000),
                    cached_input_tokens=read,
                    cache_write_tokens=write,
                )
                assert call_cost(m, u) == pytest.approx(_genai(m, u), rel=1e-9, abs=1e-15), (m.id, u)
    finally:
        app.store.close()


def test_tiered_price_is_not_applied_flat(data_dir):
    from router.app import Sparklio

    app = Sparklio(data_dir)
    try:
        m = app.catalog.get("gemini-2.5-pro")  # genai-prices: a higher rate past 200k input tokens
        assert pricing._flat_rates(m.price_ref or m.api_model, m.provider) is None
        per_token = [_genai(m, Usage(input_tokens=n, output_tokens=0)) / n for n in (1_000, 300_000)]
        assert per_token[1] > per_token[0]  # the tier genai-prices knows
        long = Usage(input_tokens=300_000, output_tokens=100)
        assert call_cost(m, long) == pytest.approx(_genai(m, long), rel=1e-12)
    finally:
        app.store.close()

"""Money the providers' prompt caches and Batch APIs saved, per provider, from the O(1) `discount_totals` rows."""

from __future__ import annotations

from typing import Any

from router.store.db import database

_KEYS = ("cache_saved_usd", "batch_saved_usd", "cached_input_tokens", "cache_write_tokens", "batch_requests")


def discounts(since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Totals and per-provider figures over local days [since, until] (YYYY-MM-DD; None = open-ended)."""
    rows = database.execute_sql(
        f"SELECT provider, {', '.join(f'SUM({k})' for k in _KEYS)} FROM discount_totals"
        " WHERE length(period) = 10 AND period BETWEEN ? AND ? GROUP BY provider ORDER BY provider",
        (since or "0000-01-01", until or "9999-12-31"),
    ).fetchall()
    by_provider = {r[0]: dict(zip(_KEYS, r[1:])) for r in rows}
    totals = {k: sum(p[k] or 0 for p in by_provider.values()) for k in _KEYS}
    return {**totals, "by_provider": by_provider}


def month_discounts(month: str) -> dict[str, Any]:
    """The same figures for one 'YYYY-MM' month (one row per provider)."""
    rows = database.execute_sql(
        f"SELECT provider, {', '.join(_KEYS)} FROM discount_totals WHERE period = ? ORDER BY provider", (month,)
    ).fetchall()
    by_provider = {r[0]: dict(zip(_KEYS, r[1:])) for r in rows}
    totals = {k: sum(p[k] or 0 for p in by_provider.values()) for k in _KEYS}
    return {**totals, "by_provider": by_provider}

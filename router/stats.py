"""Usage statistics as SQL aggregations over the trigger-kept daily rollups (never a scan of the ledger)."""

from __future__ import annotations

import calendar
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from router.errors import SparklioError
from router.savings import discounts
from router.store.db import database

# Percentiles come from log-scale histograms (bucket ratio 1.05): within 5% of the exact value.
PERCENTILE_RESOLUTION = 0.05

_GROUP_SQL = """
WITH a AS (
    SELECT {col} AS key, MAX(provider) AS provider, SUM(attempts) AS calls, SUM(ok) AS ok, SUM(failed) AS failed,
           SUM(cancelled) AS cancelled, SUM(refused) AS refused, SUM(cache_hits) AS cache_hits,
           SUM(ok_fallback) AS ok_fallback, SUM(experiments) AS experiments, SUM(input_tokens) AS input_tokens,
           SUM(output_tokens) AS output_tokens, SUM(cached_input_tokens) AS cached_input_tokens,
           SUM(reasoning_tokens) AS reasoning_tokens, SUM(images) AS images, SUM(cost_usd) AS cost_usd,
           SUM(saved_usd) AS saved_usd, SUM(latency_sum) AS latency_sum, SUM(latency_n) AS latency_n,
           SUM(ttft_sum) AS ttft_sum, SUM(ttft_n) AS ttft_n, SUM(gpu_seconds) AS gpu_seconds,
           SUM(energy_wh) AS energy_wh
    FROM ({usage}) GROUP BY {col}
    HAVING SUM(attempts) + SUM(cache_hits) + SUM(refused) + SUM(cancelled) > 0
),
h AS (
    SELECT key, metric, bucket, SUM(n) AS n FROM ({hist}) GROUP BY key, metric, bucket HAVING SUM(n) > 0
),
c AS (
    SELECT key, metric, bucket, n,
           SUM(n) OVER (PARTITION BY key, metric ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum,
           SUM(n) OVER (PARTITION BY key, metric) AS tot
    FROM h
),
p AS (
    SELECT c.key, c.metric, q.p, b.lo + (b.hi - b.lo) * (q.p * c.tot - (c.cum - c.n)) / c.n AS v
    FROM c JOIN (SELECT 0.5 AS p UNION ALL SELECT 0.95) AS q
         ON c.cum >= q.p * c.tot AND c.cum - c.n < q.p * c.tot
    JOIN hist_buckets AS b ON b.bucket = c.bucket
),
pv AS (
    SELECT key, MAX(CASE WHEN metric = 'lat' AND p = 0.5 THEN v END) AS latency_p50,
           MAX(CASE WHEN metric = 'lat' AND p = 0.95 THEN v END) AS latency_p95,
           MAX(CASE WHEN metric = 'ttft' AND p = 0.5 THEN v END) AS ttft_p50,
           MAX(CASE WHEN metric = 'ttft' AND p = 0.95 THEN v END) AS ttft_p95
    FROM p GROUP BY key
),
r AS (
    SELECT {col} AS key, AVG(stars) AS rating_avg, COUNT(*) AS ratings
    FROM ratings WHERE day BETWEEN :since AND :until GROUP BY {col}
)
SELECT a.key, a.provider, a.calls + a.cache_hits AS requests, a.calls, a.ok, a.failed, a.cancelled, a.refused,
       a.cache_hits, a.ok + a.cache_hits AS answers,
       CAST(a.ok AS REAL) / NULLIF(a.ok + a.failed, 0) AS success_rate,
       CAST(a.ok_fallback AS REAL) / NULLIF(a.ok + a.cache_hits, 0) AS fallback_rate,
       CAST(a.ok + a.cache_hits AS REAL) / NULLIF(SUM(a.ok + a.cache_hits) OVER (), 0) AS share,
       a.experiments, a.input_tokens, a.output_tokens, a.cached_input_tokens, a.reasoning_tokens, a.images,
       a.cost_usd, a.saved_usd, a.cost_usd / NULLIF(a.ok, 0) AS cost_per_answer,
       a.latency_sum / NULLIF(a.latency_n, 0) AS latency_avg, pv.latency_p50, pv.latency_p95,
       a.ttft_sum / NULLIF(a.ttft_n, 0) AS ttft_avg, pv.ttft_p50, pv.ttft_p95,
       r.rating_avg, COALESCE(r.ratings, 0) AS ratings, a.gpu_seconds, a.energy_wh
FROM a LEFT JOIN pv ON pv.key = a.key LEFT JOIN r ON r.key = a.key
ORDER BY answers DESC, a.key
"""


@dataclass
class GroupStats:
    """Aggregates for one model or one task type over a date range."""

    key: str
    provider: str
    requests: int  # model calls plus cache hits
    calls: int
    ok: int
    failed: int
    cancelled: int
    refused: int
    cache_hits: int
    answers: int
    success_rate: float | None  # ok / (ok + failed)
    fallback_rate: float | None  # answers given at fallback position > 0 / answers
    share: float | None  # this group's answers / all answers
    experiments: int
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    reasoning_tokens: int
    images: int
    cost_usd: float
    saved_usd: float
    cost_per_answer: float | None
    latency_avg: float | None
    latency_p50: float | None
    latency_p95: float | None
    ttft_avg: float | None
    ttft_p50: float | None
    ttft_p95: float | None
    rating_avg: float | None
    ratings: int
    gpu_seconds: float
    energy_wh: float


_OPEN_START, _OPEN_END = "0000-01-01", "9999-12-31"


def _next_month(d: date) -> date:
    """The first day of the month after `d`."""
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def parse_day(value: Any, what: str = "date") -> str | None:
    """'YYYY-MM-DD' from a date, datetime or string; None stays None; anything else is a SparklioError."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise SparklioError(f"the {what} must be a date like 2026-01-31, not {value!r}") from None
    if not date(2000, 1, 1) <= day <= date(2999, 12, 31):  # issue 13: 9999-12-31 overflowed date arithmetic
        raise SparklioError(f"the {what} must be between 2000-01-01 and 2999-12-31, not {value!r}")
    return day.isoformat()


class Stats:
    """Per-model and per-task statistics, cost per day, cache savings and the budget burn-down."""

    def __init__(self, settings: Any | None = None) -> None:
        self.settings = settings

    @staticmethod
    def _split(since: str, until: str) -> tuple[list[tuple[str, str, str]], dict]:
        """Cover [since, until] with whole months (monthly grain) plus edge days (daily grain): (grain, lo, hi)."""
        sd = None if since == _OPEN_START else date.fromisoformat(since)
        ud = None if until == _OPEN_END else date.fromisoformat(until)
        first = sd if sd is None or sd.day == 1 else _next_month(sd)
        last = ud if ud is None or _next_month(ud) - timedelta(days=1) == ud else ud.replace(day=1) - timedelta(days=1)
        if first is not None and last is not None and first > last:
            return [("d", "d1", "d2")], {"d1": since, "d2": until}
        parts = [("m", "m1", "m2")]
        params = {
            "m1": first.strftime("%Y-%m") if first else "0000-00",
            "m2": last.strftime("%Y-%m") if last else "9999-12",
        }
        if sd is not None and first is not None and sd < first:
            parts.append(("d", "d1", "d2"))
            params.update(d1=since, d2=(first - timedelta(days=1)).isoformat())
        if ud is not None and last is not None and ud > last:
            parts.append(("d", "d3", "d4"))
            params.update(d3=(last + timedelta(days=1)).isoformat(), d4=until)
        return parts, params

    def _sources(self, since: Any, until: Any) -> tuple[str, str, dict]:
        """(usage rows SQL, histogram rows SQL, parameters) for a date range."""
        rng = self._range(since, until)
        parts, params = self._split(rng["since"], rng["until"])
        usage = " UNION ALL ".join(
            f"SELECT * FROM usage_rollup WHERE grain = '{g}' AND period BETWEEN :{a} AND :{b}" for g, a, b in parts
        )
        hist = " UNION ALL ".join(
            f"SELECT key, metric, bucket, n FROM latency_hist WHERE dim = :dim AND grain = '{g}'"
            f" AND metric IN ('lat', 'ttft') AND period BETWEEN :{a} AND :{b}"
            for g, a, b in parts
        )
        return usage, hist, {**rng, **params}

    @staticmethod
    def _range(since: Any, until: Any) -> dict:
        s, u = parse_day(since, "start date") or _OPEN_START, parse_day(until, "end date") or _OPEN_END
        if s > u:
            raise SparklioError(f"the start date {s} is after the end date {u}")
        return {"since": s, "until": u}

    def _groups(self, dim: str, since: Any, until: Any) -> list[GroupStats]:
        col = "model" if dim == "m" else "task"
        usage, hist, params = self._sources(since, until)
        cur = database.execute_sql(_GROUP_SQL.format(col=col, usage=usage, hist=hist), {**params, "dim": dim})
        return [GroupStats(*row) for row in cur.fetchall()]

    def by_model(self, since: Any = None, until: Any = None) -> list[GroupStats]:
        """Per model: requests, success/fallback rates, p50/p95 latency and TTFT, tokens, cost, rating, share."""
        return self._groups("m", since, until)

    def by_task(self, since: Any = None, until: Any = None) -> list[GroupStats]:
        """One row per task type, same measures as by_model."""
        return self._groups("t", since, until)

    def usage_share(self, since: Any = None, until: Any = None) -> list[tuple[str, int, float]]:
        """(model, answers, share of all answers), largest first."""
        usage, _, params = self._sources(since, until)
        cur = database.execute_sql(
            "SELECT model, SUM(ok + cache_hits) AS n, CAST(SUM(ok + cache_hits) AS REAL)"
            f" / NULLIF(SUM(SUM(ok + cache_hits)) OVER (), 0) FROM ({usage})"
            " GROUP BY model HAVING n > 0 ORDER BY n DESC, model",
            params,
        )
        return [(m, int(n), float(s or 0.0)) for m, n, s in cur.fetchall()]

    def cost_per_day(self, since: Any = None, until: Any = None) -> list[dict]:
        """Per local day: money spent, money the cache saved, model calls and answers."""
        cur = database.execute_sql(
            "SELECT period, SUM(cost_usd), SUM(saved_usd), SUM(attempts), SUM(ok + cache_hits) FROM usage_rollup"
            " WHERE grain = 'd' AND period BETWEEN :since AND :until GROUP BY period ORDER BY period",
            self._range(since, until),
        )
        return [{"day": d, "cost_usd": c, "saved_usd": s, "calls": n, "answers": a} for d, c, s, n, a in cur]

    def cache(self, since: Any = None, until: Any = None) -> dict:
        """Cache hits, answers, hit rate and money saved."""
        usage, _, params = self._sources(since, until)
        hits, answers, saved = database.execute_sql(
            "SELECT COALESCE(SUM(cache_hits), 0), COALESCE(SUM(ok + cache_hits), 0), COALESCE(SUM(saved_usd), 0)"
            f" FROM ({usage})",
            params,
        ).fetchone()
        return {
            "hits": int(hits),
            "answers": int(answers),
            "hit_rate": (hits / answers) if answers else None,
            "saved_usd": float(saved),
        }

    def totals(self, since: Any = None, until: Any = None) -> dict:
        """Overall calls, answers, failures, tokens, cost and savings."""
        usage, _, params = self._sources(since, until)
        row = database.execute_sql(
            "SELECT COALESCE(SUM(attempts), 0), COALESCE(SUM(ok + cache_hits), 0), COALESCE(SUM(failed), 0),"
            " COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_usd), 0),"
            " COALESCE(SUM(saved_usd), 0), COALESCE(SUM(gpu_seconds), 0), COALESCE(SUM(energy_wh), 0)"
            f" FROM ({usage})",
            params,
        ).fetchone()
        keys = (
            "calls",
            "answers",
            "failed",
            "input_tokens",
            "output_tokens",
            "cost_usd",
            "saved_usd",
            "gpu_seconds",
            "energy_wh",
        )
        return dict(zip(keys, row))

    def burn_down(self, month: str | None = None, limit_usd: float | None = None, *, today: date | None = None) -> dict:
        """Per day of `month` (default: this one, up to today): cumulative spend, remaining and the ideal line."""
        today = today or date.today()
        try:
            first = date.fromisoformat(f"{month}-01") if month else today.replace(day=1)
        except ValueError:
            raise SparklioError(f"the month must look like 2026-01, not {month!r}") from None
        days = calendar.monthrange(first.year, first.month)[1]
        last = first.replace(day=days)
        end = min(last, today) if first <= today else first
        if limit_usd is None:
            limit_usd = self.settings.monthly_limit_usd if self.settings else 0.0
        cur = database.execute_sql(
            """WITH RECURSIVE d(day, n) AS (SELECT :first, 1 UNION ALL
                                         SELECT date(day, '+1 day'), n + 1 FROM d WHERE day < :end),
               s AS (SELECT period, SUM(cost_usd) AS c FROM spend_totals
                     WHERE period BETWEEN :first AND :end GROUP BY period)
               SELECT d.day, COALESCE(s.c, 0), SUM(COALESCE(s.c, 0)) OVER (ORDER BY d.day),
                      :limit - SUM(COALESCE(s.c, 0)) OVER (ORDER BY d.day), :limit * (1.0 - CAST(d.n AS REAL) / :days)
               FROM d LEFT JOIN s ON s.period = d.day ORDER BY d.day""",
            {"first": first.isoformat(), "end": end.isoformat(), "limit": limit_usd, "days": days},
        )
        points = [
            {"day": d, "spent_usd": c, "cumulative_usd": cum, "remaining_usd": rem, "ideal_remaining_usd": ideal}
            for d, c, cum, rem, ideal in cur.fetchall()
        ]
        return {"month": first.strftime("%Y-%m"), "limit_usd": limit_usd, "days_in_month": days, "points": points}

    def report(self, since: Any = None, until: Any = None) -> dict:
        """Everything `sparklio stats --json` prints."""
        started = time.perf_counter()
        out = {
            "since": parse_day(since, "start date"),
            "until": parse_day(until, "end date"),
            "totals": self.totals(since, until),
            "models": [asdict(g) for g in self.by_model(since, until)],
            "tasks": [asdict(g) for g in self.by_task(since, until)],
            "cost_per_day": self.cost_per_day(since, until),
            "cache": self.cache(since, until),
            "provider_discounts": discounts(parse_day(since, "start date"), parse_day(until, "end date")),
            "burn_down": self.burn_down(),
            "percentile_resolution": PERCENTILE_RESOLUTION,
        }
        out["query_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return out


RATING_PRIOR_WEIGHT = 5  # a model's average is pulled toward the overall mean as if it had 5 more ratings


def ranked_by_rating(groups: list[dict], prior_weight: int = RATING_PRIOR_WEIGHT) -> list[dict]:
    """Rated groups best first by a Bayesian average, so one lucky 5-star answer does not top the chart.

    score = (n * mean + prior_weight * overall_mean) / (n + prior_weight); each group gets "rating_score"."""
    rated = [g for g in groups if g.get("ratings") and g.get("rating_avg") is not None]
    n_all = sum(g["ratings"] for g in rated)
    if not n_all:
        return []
    overall = sum(g["rating_avg"] * g["ratings"] for g in rated) / n_all
    for g in rated:
        g["rating_score"] = (g["ratings"] * g["rating_avg"] + prior_weight * overall) / (g["ratings"] + prior_weight)
    return sorted(rated, key=lambda g: -g["rating_score"])

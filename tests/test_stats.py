"""Stats against a small hand-made ledger: every figure recomputed here from the rows, independently of SQL."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from router.budget import Budget
from router.errors import SparklioError
from router.events import EventBus
from router.learning import Learning
from router.settings import Settings
from router.stats import PERCENTILE_RESOLUTION, Stats
from router.store import database, open_store

TZ = UTC
DAYS = ["2026-03-01", "2026-03-02", "2026-03-04"]
MODELS = {"gpt-4": "openai", "claude-3-5-sonnet": "anthropic", "qwen2.5": "ollama"}
TASKS = ["copywriting_standard", "chat_response"]


class NoPolicy:
    def row(self, task):
        return []


def make_rows(seed: int = 7, n: int = 160) -> list[dict]:
    """A varied ledger: outcomes, cache hits, fallbacks, experiments, latencies, costs."""
    rnd = random.Random(seed)
    rows = []
    for _ in range(n):
        model = rnd.choice(list(MODELS))
        outcome = rnd.choices(["ok", "error", "cut", "cancelled", "refused"], [70, 12, 5, 5, 3])[0]
        cached = outcome == "ok" and rnd.random() < 0.15
        day = rnd.choice(DAYS)
        local = MODELS[model] == "ollama"
        cost = 0.0 if (cached or local or outcome == "refused") else round(rnd.uniform(0.001, 0.05), 6)
        rows.append(
            {
                "ts": datetime.fromisoformat(day).replace(hour=rnd.randint(0, 23), tzinfo=TZ).timestamp(),
                "task": rnd.choice(TASKS),
                "model": model,
                "provider": MODELS[model],
                "outcome": outcome,
                "cached": cached,
                "cost_usd": cost,
                "saved_usd": round(rnd.uniform(0.01, 0.03), 6) if cached else 0.0,
                "input_tokens": rnd.randint(10, 900),
                "output_tokens": rnd.randint(5, 400),
                "latency_ms": round(rnd.uniform(5, 50) if cached else rnd.lognormvariate(7, 0.6), 3)
                if outcome == "ok"
                else None,
                "ttft_ms": round(rnd.lognormvariate(5.5, 0.5), 3) if outcome == "ok" and not cached else None,
                "fallback_position": rnd.choice([0, 0, 0, 1, 2]) if outcome == "ok" and not cached else 0,
                "experiment": rnd.random() < 0.05,
                "gpu_seconds": round(rnd.uniform(0.5, 3), 3) if local else 0.0,
            }
        )
    return rows


@pytest.fixture
def world(data_dir):
    store = open_store(data_dir)
    settings = Settings(store)
    budget = Budget(settings, EventBus(), tz=TZ)
    rows = make_rows()
    for r in rows:
        rid = budget.record_attempt(None, **r)
        r["id"] = rid
    yield Stats(settings), rows, settings
    store.close()


def nearest_rank(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(math.ceil(p * len(s)) - 1, 0)]


def expected_groups(rows: list[dict], key: str) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    lat: dict[str, list] = defaultdict(list)
    ttft: dict[str, list] = defaultdict(list)
    for r in rows:
        g = out[r[key]]
        uncached = not r["cached"]
        g["calls"] += uncached
        g["ok"] += uncached and r["outcome"] == "ok"
        g["failed"] += uncached and r["outcome"] in ("error", "cut")
        g["cache_hits"] += bool(r["cached"])
        g["ok_fallback"] += r["outcome"] == "ok" and r["fallback_position"] > 0
        g["cost"] += r["cost_usd"]
        g["saved"] += r["saved_usd"]
        g["in"] += r["input_tokens"]
        g["out"] += r["output_tokens"]
        if uncached and r["outcome"] == "ok":
            lat[r[key]].append(r["latency_ms"])
            ttft[r[key]].append(r["ttft_ms"])
    for k, g in out.items():
        g["lat"], g["ttft"] = lat[k], ttft[k]
    return out


@pytest.mark.parametrize("dim", ["model", "task"])
def test_group_stats_match_the_rows(world, dim):
    stats, rows, _ = world
    got = {g.key: g for g in (stats.by_model() if dim == "model" else stats.by_task())}
    exp = expected_groups(rows, dim)
    assert set(got) == set(exp)
    all_answers = sum(e["ok"] + e["cache_hits"] for e in exp.values())
    for k, e in exp.items():
        g = got[k]
        assert (g.calls, g.ok, g.failed, g.cache_hits) == (e["calls"], e["ok"], e["failed"], e["cache_hits"])
        assert g.requests == e["calls"] + e["cache_hits"]
        assert g.success_rate == pytest.approx(e["ok"] / (e["ok"] + e["failed"]))
        assert g.fallback_rate == pytest.approx(e["ok_fallback"] / (e["ok"] + e["cache_hits"]))
        assert g.share == pytest.approx((e["ok"] + e["cache_hits"]) / all_answers)
        assert (g.input_tokens, g.output_tokens) == (e["in"], e["out"])
        assert g.cost_usd == pytest.approx(e["cost"]) and g.saved_usd == pytest.approx(e["saved"])
        assert g.latency_avg == pytest.approx(sum(e["lat"]) / len(e["lat"]))
        for p, got_v in ((0.5, g.latency_p50), (0.95, g.latency_p95)):
            exact = nearest_rank(e["lat"], p)
            assert abs(got_v - exact) <= PERCENTILE_RESOLUTION * exact, (k, p, got_v, exact)
        for p, got_v in ((0.5, g.ttft_p50), (0.95, g.ttft_p95)):
            exact = nearest_rank(e["ttft"], p)
            assert abs(got_v - exact) <= PERCENTILE_RESOLUTION * exact, (k, p, got_v, exact)
    assert sum(g.share for g in got.values()) == pytest.approx(1.0)


def test_date_range_filters(world):
    stats, rows, _ = world
    in_range = [r for r in rows if "2026-03-02" <= datetime.fromtimestamp(r["ts"], TZ).date().isoformat()]
    got = {g.key: g.calls for g in stats.by_model(since="2026-03-02", until=date(2026, 3, 31))}
    exp = expected_groups(in_range, "model")
    assert got == {k: e["calls"] for k, e in exp.items()}
    assert stats.by_model(since="2027-01-01") == []


def test_cost_per_day_cache_and_share(world):
    stats, rows, _ = world
    per_day: dict[str, float] = defaultdict(float)
    for r in rows:
        per_day[datetime.fromtimestamp(r["ts"], TZ).date().isoformat()] += r["cost_usd"]
    got = stats.cost_per_day()
    assert [d["day"] for d in got] == sorted(per_day)
    assert [d["cost_usd"] for d in got] == pytest.approx([per_day[d] for d in sorted(per_day)])
    hits = sum(1 for r in rows if r["cached"])
    answers = sum(1 for r in rows if r["outcome"] == "ok")
    c = stats.cache()
    assert (c["hits"], c["answers"]) == (hits, answers)
    assert c["hit_rate"] == pytest.approx(hits / answers)
    assert c["saved_usd"] == pytest.approx(sum(r["saved_usd"] for r in rows))
    share = stats.usage_share()
    counts = defaultdict(int)
    for r in rows:
        counts[r["model"]] += r["outcome"] == "ok"
    assert {m: n for m, n, _ in share} == dict(counts)
    assert [n for _, n, _ in share] == sorted(counts.values(), reverse=True)


def test_average_rating_per_model_and_task(world):
    stats, rows, settings = world
    learning = Learning(settings, NoPolicy(), EventBus())
    rated = [r for r in rows if r["outcome"] == "ok"][:12]
    stars = {}
    for i, r in enumerate(rated):
        mid = database.execute_sql(
            "INSERT INTO messages(role, content, status, model, created_at) VALUES ('assistant', 'x', 'ok', ?, ?)",
            (r["model"], r["ts"]),
        ).lastrowid
        database.execute_sql("DELETE FROM llm_usage WHERE id = ?", (r["id"],))  # re-insert with its message
        Budget(settings, tz=TZ).record_attempt(None, **{k: v for k, v in r.items() if k != "id"}, message_id=mid)
        stars[mid] = (r, 1 + i % 5)
        learning.rate(mid, 1 + i % 5)
    for dim, got in (("model", stats.by_model()), ("task", stats.by_task())):
        exp: dict[str, list] = defaultdict(list)
        for r, s in stars.values():
            exp[r[dim]].append(s)
        for g in got:
            assert g.ratings == len(exp.get(g.key, []))
            if exp.get(g.key):
                assert g.rating_avg == pytest.approx(sum(exp[g.key]) / len(exp[g.key]))
            else:
                assert g.rating_avg is None


def test_burn_down(world):
    stats, rows, settings = world
    settings.set("monthly_limit_usd", 5.0)
    bd = stats.burn_down("2026-03", today=date(2026, 3, 4))
    assert bd["days_in_month"] == 31 and [p["day"] for p in bd["points"]] == [
        (date(2026, 3, 1) + timedelta(days=i)).isoformat() for i in range(4)
    ]
    running = 0.0
    for p in bd["points"]:
        running += sum(
            r["cost_usd"] for r in rows if datetime.fromtimestamp(r["ts"], TZ).date().isoformat() == p["day"]
        )
        assert p["cumulative_usd"] == pytest.approx(running)
        assert p["remaining_usd"] == pytest.approx(5.0 - running)
        n = int(p["day"][-2:])
        assert p["ideal_remaining_usd"] == pytest.approx(5.0 * (1 - n / 31))
    past = stats.burn_down("2026-02", limit_usd=10, today=date(2026, 3, 4))
    assert len(past["points"]) == 28 and past["points"][-1]["cumulative_usd"] == 0


def test_deleting_ledger_rows_keeps_rollups_exact(world):
    stats, rows, _ = world
    gone = [r for r in rows if r["model"] == "gpt-4"][:10]
    for r in gone:
        database.execute_sql("DELETE FROM llm_usage WHERE id = ?", (r["id"],))
    kept = [r for r in rows if r not in gone]
    got = {g.key: g for g in stats.by_model()}
    exp = expected_groups(kept, "model")
    assert got["gpt-4"].calls == exp["gpt-4"]["calls"]
    assert got["gpt-4"].cost_usd == pytest.approx(exp["gpt-4"]["cost"])
    exact = nearest_rank(exp["gpt-4"]["lat"], 0.5)
    assert abs(got["gpt-4"].latency_p50 - exact) <= PERCENTILE_RESOLUTION * exact


def test_ledger_money_columns_are_immutable(world):
    with pytest.raises(Exception, match="immutable"):
        database.execute_sql("UPDATE llm_usage SET cost_usd = 0 WHERE id = 1")
    database.execute_sql("UPDATE llm_usage SET message_id = 5 WHERE id = 1")  # linking a message is fine


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "03/01/2026"])
def test_bad_dates_are_clear(world, bad):
    stats, *_ = world
    with pytest.raises(SparklioError, match="date like 2026-01-31"):
        stats.by_model(since=bad)


def test_report_shape(world):
    stats, *_ = world
    rep = stats.report(since="2026-03-01")
    assert set(rep) >= {"totals", "models", "tasks", "cost_per_day", "cache", "burn_down"}
    assert rep["totals"]["calls"] == sum(m["calls"] for m in rep["models"])


RANGES = [
    (None, None),
    ("2026-01-20", "2026-03-31"),
    ("2026-02-01", "2026-04-05"),
    ("2026-01-20", "2026-04-05"),
    (None, "2026-02-10"),
    ("2026-02-28", None),
    ("2026-03-01", "2026-03-31"),
    ("2026-02-03", "2026-02-03"),
]


def test_percentiles_across_month_boundaries(data_dir):
    """Whole months come from the monthly rollups, edges from the daily ones: same answers as the rows."""
    store = open_store(data_dir)
    try:
        budget = Budget(Settings(store), tz=TZ)
        rnd = random.Random(11)
        start = datetime(2026, 1, 15, tzinfo=TZ).timestamp()
        rows = []
        for _ in range(600):
            ts = start + rnd.uniform(0, 85 * 86400)  # Jan 15 .. Apr 10
            r = {
                "ts": ts,
                "task": "chat_response",
                "model": rnd.choice(["a", "b"]),
                "provider": "openai",
                "outcome": "ok",
                "latency_ms": rnd.lognormvariate(7, 0.7),
                "ttft_ms": rnd.lognormvariate(5, 0.4),
                "cost_usd": round(rnd.uniform(0.001, 0.01), 6),
            }
            budget.record_attempt(None, **r)
            r["day"] = datetime.fromtimestamp(ts, TZ).date().isoformat()
            rows.append(r)
        for since, until in RANGES:
            got = {g.key: g for g in Stats().by_model(since, until)}
            lo, hi = since or "0000", until or "9999"
            in_range = [r for r in rows if lo <= r["day"] <= hi]
            assert Stats().totals(since, until)["cost_usd"] == pytest.approx(sum(r["cost_usd"] for r in in_range))
            for model in ("a", "b"):
                sel = [r for r in in_range if r["model"] == model]
                g = got[model]
                assert g.calls == len(sel), (since, until)
                for vals, p50, p95 in (
                    ([r["latency_ms"] for r in sel], g.latency_p50, g.latency_p95),
                    ([r["ttft_ms"] for r in sel], g.ttft_p50, g.ttft_p95),
                ):
                    for p, v in ((0.5, p50), (0.95, p95)):
                        exact = nearest_rank(vals, p)
                        assert abs(v - exact) <= PERCENTILE_RESOLUTION * exact, (since, until, p)
    finally:
        store.close()


def test_upgrade_backfills_rollups_like_the_triggers(tmp_path):
    """A ledger written before migration 002 gets the same rollups as one written through the triggers."""
    import sqlite3
    from importlib import resources

    old = tmp_path / "old"
    old.mkdir()
    conn = sqlite3.connect(old / "sparklio.db")
    conn.executescript(resources.files("router.store").joinpath("migrations/001_core.sql").read_text())
    LEDGER_COLUMNS = tuple(r[1] for r in conn.execute("PRAGMA table_info(llm_usage)") if r[1] != "id")  # 001's
    rows = make_rows(seed=3, n=120)
    cols = [c for c in LEDGER_COLUMNS if c not in ("day", "month")]

    def values(r):
        d = datetime.fromtimestamp(r["ts"], TZ)
        full = {
            **{c: None for c in LEDGER_COLUMNS},
            "kind": "chat",
            "input_tokens": 0,
            "output_tokens": 0,
            "cached_input_tokens": 0,
            "reasoning_tokens": 0,
            "images": 0,
            "saved_usd": 0.0,
            "attempt": 1,
            "gpu_seconds": 0.0,
            **{k: v for k, v in r.items() if k in cols},
            "day": d.date().isoformat(),
            "month": d.strftime("%Y-%m"),
        }
        full["cached"], full["experiment"] = int(full["cached"]), int(full["experiment"])
        return tuple(full[c] for c in LEDGER_COLUMNS)

    insert = f"INSERT INTO llm_usage ({', '.join(LEDGER_COLUMNS)}) VALUES ({', '.join('?' * len(LEDGER_COLUMNS))})"
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at REAL)")
    conn.execute("INSERT INTO schema_migrations VALUES (1, '001_core.sql', 0)")
    conn.executemany(insert, [values(r) for r in rows])
    conn.commit()
    conn.close()

    def dump(store):
        out = {}
        for table, order in (
            ("usage_rollup", "grain, period, model, task"),
            ("spend_totals", "period, provider"),
            ("latency_hist", "dim, grain, metric, period, key, bucket"),
        ):
            out[table] = [
                tuple(round(v, 6) if isinstance(v, float) else v for v in r)
                for r in store.db.execute_sql(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            ]
        return out

    upgraded = open_store(old)
    backfilled = dump(upgraded)
    upgraded.close()
    fresh = open_store(tmp_path / "new")
    fresh.db.connection().executemany(insert, [values(r) for r in rows])
    live = dump(fresh)
    fresh.close()
    assert backfilled == live and len(live["usage_rollup"]) > 10 and len(live["latency_hist"]) > 10


def test_cli_stats(data_dir, memory_keyring, capsys):
    import json

    from router.cli import main

    store = open_store(data_dir)
    budget = Budget(Settings(store))
    for r in make_rows(seed=5, n=40):
        budget.record_attempt(None, **r)
    store.close()
    assert main(["--data-dir", str(data_dir), "stats", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["totals"]["calls"] == sum(1 for r in make_rows(seed=5, n=40) if not r["cached"])
    assert main(["--data-dir", str(data_dir), "stats", "--since", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "By model" in out and "gpt-4" in out and "By task type" in out and "Cache:" in out
    assert main(["--data-dir", str(data_dir), "stats", "--since", "last week"]) == 1
    assert capsys.readouterr().err.strip() == (
        "sparklio: error: the start date must be a date like 2026-01-31, not 'last week'"
    )

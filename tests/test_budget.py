"""Budget: atomic holds under concurrency (tasks, threads, processes), alerts once per period, anomaly, forecast."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from router.budget import HOLD_TTL_S, Budget, parse_usd
from router.catalog import ModelSpec
from router.errors import BudgetExceededError, SparklioError
from router.events import EventBus
from router.settings import Settings
from router.store import database, open_store

TZ = timezone(timedelta(hours=-5))  # the user's zone in these tests (not the machine's)
CLOUD = ModelSpec(id="cloud-a", provider="openai", api_model="a", input_price=1.0, output_price=2.0)
OTHER = ModelSpec(id="cloud-b", provider="anthropic", api_model="b", input_price=1.0, output_price=2.0)
LOCAL = ModelSpec(id="qwen-local", provider="ollama", api_model="qwen2.5")
REPO = Path(__file__).resolve().parents[1]


def at(y, mo, d, h=12) -> float:
    """Unix time of a local wall-clock moment in TZ."""
    return datetime(y, mo, d, h, tzinfo=TZ).timestamp()


class Clock:
    """A settable clock."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def env(data_dir):
    """(budget, settings, events, clock, collected events) on a fresh store."""
    store = open_store(data_dir)
    settings = Settings(store)
    events = EventBus()
    seen = []
    events.subscribe(seen.append)
    clock = Clock(at(2026, 3, 11))
    budget = Budget(settings, events, clock=clock, tz=TZ)
    yield budget, settings, events, clock, seen
    store.close()


def row(model: ModelSpec = CLOUD, cost: float = 0.0, **kw) -> dict:
    return {
        "task": "chat_response",
        "model": model.id,
        "provider": model.provider,
        "outcome": "ok",
        "cost_usd": cost,
        **kw,
    }


def ledger_total() -> float:
    return database.execute_sql("SELECT COALESCE(SUM(cost_usd), 0) FROM llm_usage").fetchone()[0]


async def test_fifty_concurrent_asyncio_requests_never_overspend(env):
    budget, _settings, _, _, seen = env
    budget.set_monthly_limit(1.05)  # just above what 10 calls cost
    outcomes = []

    async def one(i: int) -> None:
        try:
            res = budget.reserve(CLOUD, 0.10)
        except BudgetExceededError as exc:
            outcomes.append(str(exc))
            return
        await asyncio.sleep(0.001 * (i % 5))  # the call itself; other tasks run meanwhile
        budget.record_attempt(res, **row(cost=0.10, attempt=1))
        outcomes.append("ok")

    await asyncio.gather(*(one(i) for i in range(50)))
    assert len(outcomes) == 50  # nothing lost
    assert outcomes.count("ok") == 10
    assert ledger_total() <= 1.05
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == 40
    assert all("refused" in r and "monthly limit of $1.05" in r and "\n" not in r for r in refusals)
    assert budget.status().held_usd == 0
    assert sum(1 for e in seen if e.kind == "budget_alert" and e.data["threshold"] == 1.0) == 1


def test_fifty_threads_never_overspend(env):
    budget, *_ = env
    budget.set_monthly_limit(1.05)
    barrier = threading.Barrier(50)
    results: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            try:
                res = budget.reserve(CLOUD, 0.10)
            except BudgetExceededError as exc:
                with lock:
                    results.append(str(exc))
                return
            budget.record_attempt(res, **row(cost=0.10))
            with lock:
                results.append("ok")
        finally:
            database.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50
    assert results.count("ok") == 10
    assert ledger_total() == pytest.approx(1.0)
    assert all("refused" in r for r in results if r != "ok")


WORKER = textwrap.dedent("""
    import sys
    from router.budget import Budget
    from router.catalog import ModelSpec
    from router.errors import BudgetExceededError
    from router.settings import Settings
    from router.store import open_store
    store = open_store(sys.argv[1])
    budget = Budget(Settings(store))
    m = ModelSpec(id="cloud-a", provider="openai", api_model="a")
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    ok = 0
    for _ in range(12):
        try:
            res = budget.reserve(m, 0.10)
        except BudgetExceededError:
            continue
        budget.record_attempt(res, task="chat_response", model="cloud-a", provider="openai", outcome="ok",
                              cost_usd=0.10)
        ok += 1
    print(ok)
""")


def test_processes_share_one_limit(env, data_dir):
    budget, *_ = env
    budget.set_monthly_limit(1.05)
    procs = []
    for _ in range(4):  # opened one after another (open_store's write probe is not for concurrent opens) ...
        p = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(data_dir)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert p.stdout.readline().strip() == "ready", p.stderr.read()[-500:]
        procs.append(p)
    for p in procs:  # ... then they all reserve at the same time
        p.stdin.write("go\n")
        p.stdin.close()
    outs = [(p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.wait(timeout=60)
    assert all(p.returncode == 0 for p in procs), [err[-500:] for _, err in outs]
    oks = [int(out.strip()) for out, _ in outs]
    assert sum(oks) == 10
    assert ledger_total() == pytest.approx(1.0)


def test_local_models_are_never_blocked(env):
    budget, _settings, _, _, _seen = env
    budget.set_monthly_limit(0)
    assert budget.reserve(LOCAL, 0.0) is None
    rid = budget.record_attempt(None, **row(LOCAL, gpu_seconds=2.5, energy_wh=0.12))
    assert rid > 0
    with pytest.raises(BudgetExceededError):
        budget.reserve(CLOUD, 0.01)
    assert database.execute_sql("SELECT gpu_seconds, energy_wh FROM llm_usage WHERE id = ?", (rid,)).fetchone() == (
        2.5,
        0.12,
    )


def test_warn_only_passes_and_alerts(env):
    budget, settings, _, _, seen = env
    budget.set_monthly_limit(1.0)
    settings.set("hard_stop", False)
    budget.record_attempt(None, **row(cost=0.9))
    res = budget.reserve(CLOUD, 0.5)
    assert res is not None and res.amount_usd == 0.5
    alerts = [(e.data["limit"], e.data["threshold"]) for e in seen if e.kind == "budget_alert"]
    assert alerts == [("total", 0.8), ("total", 1.0)]
    assert not [e for e in seen if e.kind == "budget_refused"]
    assert "Warn-only" in [e for e in seen if e.kind == "budget_alert"][-1].message


def test_provider_limit(env):
    budget, *_ = env
    budget.set_monthly_limit(100)
    budget.set_provider_limit("openai", 0.25)
    budget.record_attempt(budget.reserve(CLOUD, 0.2), **row(cost=0.2))
    with pytest.raises(BudgetExceededError, match="openai limit of \\$0.25"):
        budget.reserve(CLOUD, 0.1)
    assert budget.reserve(OTHER, 0.1) is not None  # another provider still has room
    budget.set_provider_limit("openai", None)
    assert budget.reserve(CLOUD, 0.1) is not None


def test_alerts_fire_once_per_threshold_per_period_across_restart(env, data_dir):
    budget, _settings, _, clock, seen = env
    budget.set_monthly_limit(10)
    for _ in range(12):
        budget.record_attempt(None, **row(cost=1.0))
    fired = [(e.data["threshold"], e.data["spent"]) for e in seen if e.kind == "budget_alert"]
    assert fired == [(0.8, 8.0), (1.0, 10.0)]
    # Restart: a new store, settings, bus and budget on the same data dir.
    database.close()
    store = open_store(data_dir)
    bus = EventBus()
    after: list = []
    bus.subscribe(after.append)
    budget2 = Budget(Settings(store), bus, clock=clock, tz=TZ)
    budget2.record_attempt(None, **row(cost=1.0))
    with pytest.raises(BudgetExceededError):
        budget2.reserve(CLOUD, 0.1)  # a refusal does not repeat the 100% alert either
    assert [e for e in after if e.kind == "budget_alert"] == []
    assert [a["threshold"] for a in budget2.status().alerts] == [0.8, 1.0]
    # Next month is a new period.
    clock.t = at(2026, 4, 2)
    budget2.record_attempt(None, **row(cost=9.0))
    assert [(e.data["threshold"], e.data["month"]) for e in after if e.kind == "budget_alert"] == [(0.8, "2026-04")]


def test_first_refusal_fires_the_100_percent_alert(env):
    budget, _, _, _, seen = env
    budget.set_monthly_limit(1.0)
    budget.record_attempt(None, **row(cost=0.5))
    for _ in range(3):
        with pytest.raises(BudgetExceededError) as exc:
            budget.reserve(CLOUD, 0.6)
    assert "Cloud Calls" not in str(exc.value) and "local model" in str(exc.value)
    hundred = [e for e in seen if e.kind == "budget_alert" and e.data["threshold"] == 1.0]
    assert len(hundred) == 1 and "stopped" in hundred[0].message
    assert len([e for e in seen if e.kind == "budget_refused"]) == 3


def test_month_is_the_users_local_month(env):
    budget, _, _, _, _ = env
    ts = datetime(2026, 2, 1, 3, 0, tzinfo=UTC).timestamp()  # still January 31 at UTC-5
    rid = budget.record_attempt(None, **row(cost=0.5, ts=ts))
    assert database.execute_sql("SELECT day, month FROM llm_usage WHERE id = ?", (rid,)).fetchone() == (
        "2026-01-31",
        "2026-01",
    )


def test_cost_anomaly_fires_once_a_day(env):
    budget, _, _, _clock, seen = env
    for d in range(4, 11):  # March 4..10: $1 a day
        budget.record_attempt(None, **row(cost=1.0, ts=at(2026, 3, d)))
    budget.record_attempt(None, **row(cost=2.5, ts=at(2026, 3, 11, 9)))
    assert not [e for e in seen if e.kind == "cost_anomaly"]  # 2.5 <= 3 x 1.0
    budget.record_attempt(None, **row(cost=0.6, ts=at(2026, 3, 11, 10)))
    budget.record_attempt(None, **row(cost=5.0, ts=at(2026, 3, 11, 11)))
    anomalies = [e for e in seen if e.kind == "cost_anomaly"]
    assert len(anomalies) == 1
    assert anomalies[0].data["spent"] == pytest.approx(3.1) and anomalies[0].data["average"] == pytest.approx(1.0)


def test_forecast_tier_and_status(env):
    budget, settings, _, clock, _ = env
    budget.set_monthly_limit(100)
    budget.record_attempt(None, **row(cost=12.0, ts=at(2026, 3, 3)))
    budget.record_attempt(None, **row(OTHER, cost=8.0, ts=at(2026, 3, 9)))
    clock.t = datetime(2026, 3, 11, 0, 0, tzinfo=TZ).timestamp()  # exactly 10 days into March
    held = budget.reserve(CLOUD, 1.5)
    st = budget.status()
    assert st.month == "2026-03" and st.spent_usd == pytest.approx(20.0)
    assert st.spent_by_provider == {"anthropic": 8.0, "openai": 12.0}
    assert st.forecast_usd == pytest.approx(20.0 / 10 * 31)
    assert st.percent == pytest.approx(20.0)
    assert st.held_usd == pytest.approx(1.5) and st.remaining_usd == pytest.approx(100 - 20 - 1.5)
    assert st.daily == [("2026-03-03", 12.0), ("2026-03-09", 8.0)]
    assert st.tier == "standard" and st.tier_source == "derived"
    budget.set_monthly_limit(50)
    assert budget.tier() == "low"
    budget.set_monthly_limit(200.01)
    assert budget.tier() == "premium"
    settings.set("budget_tier", "low")
    assert budget.status().tier == "low" and budget.status().tier_source == "setting"
    budget.release(held)
    assert budget.status().held_usd == 0
    assert st.to_json()["daily"][0] == {"day": "2026-03-03", "cost_usd": 12.0}


def test_stale_hold_from_a_crashed_process_expires(env):
    budget, *_ = env
    budget.set_monthly_limit(1.0)
    budget.reserve(CLOUD, 0.9)  # never recorded: the process "crashed"
    with pytest.raises(BudgetExceededError):
        budget.reserve(CLOUD, 0.5)
    budget.clock.t += HOLD_TTL_S + 1
    assert budget.reserve(CLOUD, 0.5) is not None


def test_spend_totals_match_the_ledger(env):
    budget, *_ = env
    costs = [0.125, 0.5, 0.0, 1.75, 0.03125]
    for i, c in enumerate(costs):
        budget.record_attempt(None, **row(OTHER if i % 2 else CLOUD, cost=c))
    by_provider = dict(
        database.execute_sql("SELECT provider, SUM(cost_usd) FROM llm_usage GROUP BY provider").fetchall()
    )
    assert budget.status().spent_by_provider == pytest.approx(by_provider)
    assert budget.status().spent_usd == pytest.approx(sum(costs))


@pytest.mark.parametrize("bad", [-5, "-1", "abc", "", None, float("nan"), float("inf"), True, [3]])
def test_bad_limits_are_clear_errors(env, bad):
    budget, settings, *_ = env
    with pytest.raises(SparklioError) as exc:
        budget.set_monthly_limit(bad)
    assert repr(bad) in str(exc.value) and "\n" not in str(exc.value)
    assert settings.get("monthly_limit_usd") == 100.0  # nothing changed


def test_limit_parsing_and_provider_validation(env):
    budget, settings, *_ = env
    assert budget.set_monthly_limit("$12.50") == 12.5 and settings.get("monthly_limit_usd") == 12.5
    assert parse_usd(0) == 0.0
    with pytest.raises(SparklioError, match="openai limit"):
        budget.set_provider_limit("openai", "lots")
    with pytest.raises(SparklioError):
        budget.set_provider_limit("", 5)


def test_ledger_rejects_unknown_columns(env):
    budget, *_ = env
    with pytest.raises(TypeError):
        budget.record_attempt(None, **row(), api_key="sk-nope")


# ---- end to end: the facade, a real SDK client and a fake OpenAI server ----


async def test_fifty_concurrent_asks_against_a_fake_provider(cloud_app, fake_openai):
    from router.store.models import ChatMessage
    from router.types import Message, RouteRequest

    app = cloud_app
    gpt4 = app.catalog.get("gpt-4")

    def request(i: int) -> RouteRequest:
        return RouteRequest(
            [Message("user", f"Write a tagline for bakery number {i}")],
            task="copywriting_standard",
            model="gpt-4",
            max_output_tokens=20,
        )

    worst = app.engine.worst_case(gpt4, app.plan(request(0)), request(0))
    limit = round(10 * worst * 1.02, 6)  # just above what 10 calls may cost
    app.budget.set_monthly_limit(limit)
    results = await asyncio.gather(*(app.ask(request(i)) for i in range(50)), return_exceptions=True)
    answers = [r for r in results if not isinstance(r, BaseException)]
    refusals = [r for r in results if isinstance(r, BaseException)]
    assert len(answers) + len(refusals) == 50  # nothing lost
    assert all(isinstance(r, BudgetExceededError) for r in refusals), refusals[:1]
    assert all("refused" in str(r) and "\n" not in str(r) for r in refusals)
    assert 10 <= len(answers) < 50
    spent = ledger_total()
    assert spent <= limit and spent == pytest.approx(sum(a.cost_usd for a in answers))
    outcomes = [o for (o,) in database.execute_sql("SELECT outcome FROM llm_usage").fetchall()]
    assert outcomes.count("ok") == len(answers) and outcomes.count("refused") == len(refusals)
    assert ChatMessage.select().where(ChatMessage.role == "user").count() == 50
    assert app.budget.status().held_usd == 0
    assert len(fake_openai.requests) == len(answers)  # a refused call never reached the provider


def test_cli_budget(data_dir, memory_keyring, capsys):
    from router.cli import main

    assert main(["--data-dir", str(data_dir), "budget", "--set-monthly", "-5"]) == 1
    assert capsys.readouterr().err.strip() == (
        "sparklio: error: the monthly limit must be zero or more US dollars, not '-5'"
    )
    assert main(["--data-dir", str(data_dir), "budget", "--set-monthly", "abc"]) == 1
    assert "'abc'" in capsys.readouterr().err
    assert (
        main(["--data-dir", str(data_dir), "budget", "--set-monthly", "40", "--provider-limit", "openai=5", "--json"])
        == 0
    )
    import json

    st = json.loads(capsys.readouterr().out)
    assert st["limit_usd"] == 40 and st["provider_limits"] == {"openai": 5.0} and st["tier"] == "low"
    assert main(["--data-dir", str(data_dir), "budget"]) == 0
    out = capsys.readouterr().out
    assert "of $40.00 spent" in out and "Forecast" in out and "openai" in out

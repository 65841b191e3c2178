"""Living catalog: live model lists, retirement (date, list, 404), successors and domination, end to end."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from router.catalog import ModelSpec
from router.dominance import dominates, expected_price
from router.lifecycle import Lifecycle
from router.model_lists import join_listed
from router.planner import Availability, make_plan
from router.policy import Policy
from router.pricing import load_catalog
from router.types import Message, RouteRequest
from tests.conftest import make_cloud_app

RES = Path(__file__).resolve().parent.parent / "resources"
PROMPT = "Write a warm two-line caption for a neighbourhood bakery's sourdough launch"


def req(task="copywriting_standard", **kw) -> RouteRequest:
    return RouteRequest([Message("user", PROMPT)], task=task, complexity="medium", use_cache=False, **kw)


@pytest.fixture
def servers(fake_openai, fake_anthropic, fake_gemini):
    return {"openai": fake_openai, "anthropic": fake_anthropic, "google": fake_gemini}


def primary(app) -> ModelSpec:
    """The model the copywriting row's first slot is served by now."""
    return app.catalog.get(app.plan(req()).chain[0].target)


def calls_to(server, api_model: str) -> int:
    """Requests that asked this server for an answer from `api_model` (model lists are not calls)."""
    return sum(
        1
        for r in server.requests
        if r.method == "POST" and ((r.json or {}).get("model") == api_model or f"/models/{api_model}:" in r.path)
    )


@pytest.fixture
def catalog():
    return load_catalog(RES / "catalog.toml")


# ---- the family rule, successors and domination (units) ----


def test_family_rule_gives_quality_by_generation(catalog):
    fam = catalog.families["anthropic-sonnet"]
    assert fam.generation("claude-sonnet-4-6") == 4.6 and fam.generation("claude-sonnet-4-6-20260101") is None
    assert catalog.get("claude-sonnet-5-5").quality == fam.quality_at(5.5) == pytest.approx(9.8)
    assert catalog.get("claude-sonnet-4-6").quality < catalog.get("claude-sonnet-5").quality
    assert catalog.get("claude-sonnet-5-5").price_source == "genai-prices"  # $2 / $10 from genai-prices
    assert catalog.get("claude-sonnet-5-5").input_price == pytest.approx(2.0)


def test_a_users_override_beats_the_family_rule(tmp_path):
    user = tmp_path / "catalog.toml"
    user.write_text('[models."claude-sonnet-5-5"]\nquality = 9.1\n')
    cat = load_catalog(RES / "catalog.toml", user)
    assert cat.get("claude-sonnet-5-5").quality == 9.1 and cat.get("claude-sonnet-5-5").family == "anthropic-sonnet"


def test_a_model_first_seen_in_a_live_list_joins_its_family(catalog, data_dir):
    from router.store import open_store

    store = open_store(data_dir)
    life = Lifecycle(catalog)
    life.set_list("openai", ["gpt-9.7-sol", "gpt-9.7-sol-2026-11-01", "whisper-9"], 1.0)
    added = join_listed(catalog, life, None)
    store.close()
    assert added == ["gpt-9.7-sol"]  # dated snapshots and unknown families stay out
    m = catalog.get("gpt-9.7-sol")
    fam = catalog.families["openai-sol"]
    assert (m.family, m.quality, m.speed, m.min_budget) == ("openai-sol", fam.quality_at(9.7), "standard", "standard")
    # a generation genai-prices cannot know yet (its 0.2.5 data knows gpt-6.2-sol, which this test used before)
    assert not m.priced  # never routed automatically until genai-prices prices it


def test_retired_by_date_with_the_family_successor(catalog):
    life = Lifecycle(catalog, today=date(2026, 12, 4))
    gone = life.retired()
    assert gone["claude-3-5-sonnet"].source == "date" and gone["claude-3-5-sonnet"].successor == "claude-sonnet-5-5"
    assert gone["gpt-3.5-turbo"].successor == "gpt-5.4-mini"  # same family, same (low) budget tier
    assert gone["gemini-2.0-pro"].successor == "gemini-3.8-flash"  # the catalog's explicit successor
    assert gone["dall-e-3"].successor.startswith("gpt-image-2.5")
    assert "gpt-5-mini" not in gone and "gpt-5.1" not in gone  # deprecated, still served
    assert "gpt-5-mini" in Lifecycle(catalog, today=date(2026, 12, 11)).retired()  # its published shutdown date
    assert life.describe("claude-3-5-sonnet") == (
        "retired (Anthropic retired Claude 3.5 Sonnet on 2025-10-22); served by claude-sonnet-5-5"
    )


def test_successor_never_climbs_a_budget_tier(catalog):
    life = Lifecycle(catalog, today=date(2026, 12, 4))
    catalog.upsert(
        ModelSpec(
            id="old-haiku",
            provider="anthropic",
            api_model="claude-haiku-3",
            family="anthropic-haiku",
            generation=3.0,
            retires="2026-01-01",
            min_budget="low",
            input_price=0.25,
            output_price=1.25,
        )
    )
    assert life.retired()["old-haiku"].successor == "claude-haiku-5-5"  # never an Opus, never a Sonnet


def test_domination_needs_every_condition(catalog):
    new, old = catalog.get("gpt-6.1-terra"), catalog.get("gpt-5.6-terra")
    assert dominates(new, old)  # same capabilities, as fast, better, cheaper
    assert not dominates(old, new)
    assert not dominates(catalog.get("gpt-6-luna"), catalog.get("gpt-5-nano"))  # better, but not cheaper
    sonnet, gpt51 = catalog.get("claude-sonnet-5-5"), catalog.get("gpt-5.1-high-reasoning")
    assert expected_price(gpt51) > expected_price(sonnet)  # 4,000 expected reasoning tokens are paid for
    assert dominates(sonnet, gpt51)
    assert not dominates(catalog.get("claude-haiku-5-5"), sonnet)  # cheaper but lower quality
    assert not dominates(catalog.get("text-embedding-3-large"), catalog.get("gemini-embedding"))  # vectors differ


@pytest.mark.parametrize("complexity,need,answer", [("medium", 8.0, 700), ("complex", 9.0, 1500)])
def test_plan_serves_retired_and_dominated_slots_and_explains(catalog, complexity, need, answer):
    policy = Policy(RES / "policy.toml")
    retired = Lifecycle(catalog, today=date(2026, 12, 4)).retired()
    plan = make_plan(
        messages=[Message("user", PROMPT)],
        task="copywriting_standard",
        complexity=complexity,
        tier="standard",
        catalog=catalog,
        policy=policy,
        avail=Availability.everything(),
        retired=retired,
    )
    first = plan.chain[0]
    assert first.model == "claude-3-5-sonnet" and first.serves  # the documents' id stays, another model serves
    assert "claude-3-5-sonnet → served by claude-sonnet-5-5 (Anthropic retired Claude 3.5 Sonnet" in plan.explain()
    served = catalog.get(first.serves)
    assert (
        f"claude-sonnet-5-5 → served by {served.id}: " in first.why and f"the {need:g} this request needs" in first.why
    )
    assert served.quality >= need and served.capabilities >= {"text", "code", "reasoning"}
    eligible = {e.target for e in plan.chain} | {a.model for a in plan.alternatives}
    keep = frozenset({"text", "code", "reasoning"})
    picked = catalog.get(first.target)  # the pick is dominated by no eligible model
    assert not any(dominates(catalog.get(o), picked, need, keep, answer) for o in eligible if o != picked.id)
    earlier: set[str] = set()
    for e in plan.chain:  # a fallback is dominated only by models already ahead of it in the chain
        m = catalog.get(e.target)
        assert all(o in earlier for o in eligible if o != m.id and dominates(catalog.get(o), m, need, keep, answer))
        earlier.add(m.id)
    assert any(x.model == "gpt-4" and x.reason.startswith("retired: OpenAI retired GPT-4") for x in plan.excluded)


def test_a_slot_below_what_a_complex_request_needs_is_upgraded(catalog):
    policy = Policy(RES / "policy.toml")
    retired = Lifecycle(catalog, today=date(2026, 12, 4)).retired()
    plan = make_plan(
        messages=[Message("user", PROMPT)],
        task="trend_analysis",
        complexity="complex",
        tier="standard",
        catalog=catalog,
        policy=policy,
        avail=Availability.everything(),
        retired=retired,
    )
    first = plan.chain[0]  # gemini-2.0-pro → gemini-3.8-flash (8.89): below 9 → the cheapest model that clears it
    assert "gemini-2.0-pro → served by gemini-3.8-flash" in first.why
    assert "gemini-3.8-flash (quality 8.89) is below the 9 a complex request needs" in first.why
    assert catalog.get(first.target).quality >= 9.0


# ---- end to end: fake servers that list models and answer 404 in each provider's format ----


async def test_a_404_retires_the_model_and_the_second_run_never_calls_it(cloud_app, servers):
    gone = primary(cloud_app)
    server = servers[gone.provider]
    server.models.remove(gone.api_model)  # the provider stopped serving it
    first = await cloud_app.ask(req())
    assert calls_to(server, gone.api_model) == 1 and first.model != gone.id
    assert first.attempts[0].error_class == "not_found" and "no longer serves" in first.attempts[0].error
    assert cloud_app.engine.health.cooldowns() == {}  # retired is not a cool-down
    second = await cloud_app.ask(req())
    assert calls_to(server, gone.api_model) == 1  # zero calls on the second run
    assert [a.outcome for a in second.attempts] == ["ok"]
    plan = cloud_app.plan(req())
    assert plan.chain[0].model == "claude-3-5-sonnet" and plan.chain[0].serves not in (None, gone.id)
    assert any(x.model == gone.id and "answered 404" in x.reason for x in plan.excluded)
    rows = cloud_app.store.db.execute_sql(
        "SELECT model, policy_model, error_class FROM llm_usage ORDER BY id"
    ).fetchall()
    assert rows[0] == (gone.id, "claude-3-5-sonnet", "not_found")


async def test_a_404_is_shared_with_the_next_process(
    data_dir, memory_keyring, fake_anthropic, fake_openai, fake_gemini, servers
):
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai, anthropic=fake_anthropic, gemini=fake_gemini)
    from router.app import Sparklio

    watcher = Sparklio(data_dir, keyring=memory_keyring, env={})  # another process on the same folder, already open
    assert watcher.lifecycle.current(every_s=0.0) == app.lifecycle.retired()
    gone = primary(app)
    servers[gone.provider].models.remove(gone.api_model)
    await app.ask(req())
    assert watcher.lifecycle.current(every_s=0.0)[gone.id].source == "not_found"  # it sees the 404 too
    await app.aclose()
    again = make_cloud_app(data_dir, memory_keyring, openai=fake_openai, anthropic=fake_anthropic, gemini=fake_gemini)
    try:
        assert again.lifecycle.retired()[gone.id].source == "not_found"
        await again.ask(req())
        assert calls_to(servers[gone.provider], gone.api_model) == 1
    finally:
        await again.aclose()
        watcher.store.close()


async def test_404_in_a_non_streaming_call_is_handled(cloud_app, fake_openai, fake_gemini):
    fake_openai.models.remove("text-embedding-3-small")
    model, result = await cloud_app.embed(["sourdough"])
    assert model.id == "gemini-embedding" and len(result.vectors) == 1  # the row's fallback answered
    assert "text-embedding-3-small" in cloud_app.lifecycle.retired()
    await cloud_app.embed(["croissant"])
    assert calls_to(fake_openai, "text-embedding-3-small") == 1


async def test_gemini_404_in_a_stream_is_handled(cloud_app, fake_gemini):
    target = cloud_app.plan(req(task="chat_response", model="gemini-3.8-flash")).chain[0].target
    fake_gemini.models.remove(target)
    with pytest.raises(Exception) as info:
        await cloud_app.ask(req(task="chat_response", model="gemini-3.8-flash"))
    assert "no longer serves gemini-3.8-flash" in str(info.value)
    assert cloud_app.lifecycle.retired()["gemini-3.8-flash"].source == "not_found"


async def test_refresh_lists_pages_stores_and_brings_a_model_back(cloud_app, fake_anthropic, fake_gemini, fake_openai):
    fake_anthropic.models.extend(f"claude-test-{i:03d}" for i in range(120))  # more than one page of 100
    fake_gemini.models.extend(f"gemini-test-{i:03d}" for i in range(120))
    fake_anthropic.models.remove("claude-sonnet-5-5")
    results = await cloud_app.refresh_models(force=True)
    assert set(results) >= {"openai", "anthropic", "google"} and "models listed" in results["anthropic"]
    pages = [r for r in fake_anthropic.requests if r.path == "/v1/models"]
    assert len(pages) == 2 and pages[1].query.get("after_id")  # the SDK followed has_more
    assert len([r for r in fake_gemini.requests if r.path.endswith("/models")]) >= 2  # and nextPageToken
    gone = cloud_app.lifecycle.retired()["claude-sonnet-5-5"]
    assert gone.source == "list" and "no longer names claude-sonnet-5-5" in gone.why
    stored = cloud_app.store.db.execute_sql("SELECT provider, fetched_at FROM model_lists").fetchall()
    assert {p for p, _ in stored} >= {"openai", "anthropic", "google"}
    assert "claude-3-5-sonnet → served by claude-sonnet-5 (" in cloud_app.plan(req()).chain[0].why
    fake_anthropic.models.append("claude-sonnet-5-5")  # listed again
    await cloud_app.refresh_models(force=True)
    assert "claude-sonnet-5-5" not in cloud_app.lifecycle.retired()
    assert "claude-3-5-sonnet → served by claude-sonnet-5-5 (" in cloud_app.plan(req()).chain[0].why


async def test_a_list_younger_than_a_day_is_reused(cloud_app, fake_openai):
    await cloud_app.refresh_models()
    n = len(fake_openai.requests)
    await cloud_app.refresh_models()
    assert len(fake_openai.requests) == n  # no second call within 24 h unless forced


async def test_offline_start_uses_the_stored_list(data_dir, memory_keyring, fake_anthropic, fake_openai, fake_gemini):
    fake_anthropic.models.remove("claude-sonnet-5-5")
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai, anthropic=fake_anthropic, gemini=fake_gemini)
    await app.refresh_models(force=True)
    await app.aclose()
    from router.app import Sparklio

    offline = Sparklio(data_dir, keyring=memory_keyring, env={})  # no server reachable: the stored lists stand
    offline.force_offline = True
    try:
        assert offline.lifecycle.retired()["claude-sonnet-5-5"].source == "list"
        assert await offline.refresh_models(force=True) == {
            p: "offline mode: the stored list stands" for p in ("openai", "anthropic", "google", "compat")
        }
        assert "claude-sonnet-5-5" in offline.lifecycle.retired()
    finally:
        await offline.aclose()


def test_models_refresh_cli_shows_fetch_times_and_successors(
    data_dir, memory_keyring, fake_anthropic, fake_openai, fake_gemini, capsys
):
    from router.cli import main

    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai, anthropic=fake_anthropic, gemini=fake_gemini)
    asyncio.run(app.aclose())
    assert main(["--data-dir", str(data_dir), "models", "--refresh"]) == 0
    out, err = capsys.readouterr()
    assert "anthropic: " in err and "models listed" in err
    assert "Model lists fetched: anthropic just now" in out
    assert "claude-3-5-sonnet" in out and "✗ retired → served by claude-sonnet-5-5" in out
    assert main(["--data-dir", str(data_dir), "route", PROMPT, "--task", "copywriting_standard"]) == 0
    out, _ = capsys.readouterr()
    assert "1. claude-3-5-sonnet → served by " in out
    assert "claude-3-5-sonnet → served by claude-sonnet-5-5 (Anthropic's model list of " in out
    assert main(["--data-dir", str(data_dir), "models", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["claude-3-5-sonnet"]["served_by"] == "claude-sonnet-5-5"


def test_reasoning_tokens_count_in_holds_and_estimates(cloud_app):
    high = cloud_app.catalog.get("gpt-5.1-high-reasoning")
    plain = cloud_app.catalog.get("gpt-5.1")
    r = req()
    assert cloud_app.engine.max_output(high, r) == cloud_app.engine.max_output(plain, r) + 4000
    plan = cloud_app.plan(req(model="gpt-5.1-high-reasoning"))
    assert cloud_app.engine.worst_case(high, plan, r) > cloud_app.engine.worst_case(plain, plan, r)


def test_a_chosen_premium_task_keeps_its_complexity_as_a_floor(cloud_app):
    short = RouteRequest([Message("user", "Launch email for our candles")], task="copywriting_premium")
    plan = cloud_app.plan(short)  # the classifier may call it simple; the row you chose is complex
    assert plan.complexity == "complex" and cloud_app.catalog.get(plan.chain[0].target).quality >= 9.0
    auto = cloud_app.plan(RouteRequest([Message("user", "hi there!")]))
    assert auto.complexity == "simple"  # Auto picks task and complexity together: no floor

"""Ratings validation, exploration frequency and tier, and the learner's evidence rules with the real policy."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from router.budget import Budget
from router.errors import SparklioError
from router.events import EventBus
from router.learning import MIN_RATINGS, Learning
from router.policy import Policy
from router.pricing import load_catalog
from router.settings import Settings
from router.store import database, open_store
from router.types import PlanEntry, RoutePlan, Usage

REPO = Path(__file__).resolve().parents[1]
TASK = "copywriting_standard"  # policy row: claude-3-5-sonnet, gpt-4, gemini-2.0-pro


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO / "resources" / "catalog.toml")


@pytest.fixture
def world(data_dir, catalog):
    store = open_store(data_dir)
    settings = Settings(store)
    bus = EventBus()
    seen: list = []
    bus.subscribe(seen.append)
    policy = Policy(REPO / "resources" / "policy.toml", settings=settings)
    budget = Budget(settings, bus)
    learning = Learning(settings, policy, bus, random.Random(3), catalog=catalog, budget=budget)
    yield learning, budget, policy, settings, seen
    store.close()


def answer(
    budget: Budget,
    catalog,
    model: str,
    task: str = TASK,
    *,
    role: str = "assistant",
    status: str = "ok",
    experiment: bool = False,
) -> int:
    """Store an answer message and its ledger row, as the engine does; returns the message id."""
    mid = database.execute_sql(
        "INSERT INTO messages(role, content, status, model, created_at) VALUES (?, 'text', ?, ?, 1.7e9)",
        (role, status, model),
    ).lastrowid
    spec = catalog.get(model)
    budget.record_attempt(
        None,
        task=task,
        model=model,
        provider=spec.provider,
        outcome="ok",
        message_id=mid,
        cost_usd=spec.cost(Usage(input_tokens=500, output_tokens=300)),
        experiment=experiment,
    )
    return mid


def rate_many(learning, budget, catalog, model: str, stars: list[int], task: str = TASK) -> list:
    made = []
    for s in stars:
        made += learning.rate(answer(budget, catalog, model, task), s)
    return made


# ---- ratings ----


@pytest.mark.parametrize("stars", [0, 6, 3.5, "4", True, None, -1])
def test_rating_outside_one_to_five_is_refused(world, catalog, stars):
    learning, budget, *_ = world
    mid = answer(budget, catalog, "gpt-4")
    with pytest.raises(SparklioError, match="from 1 to 5") as exc:
        learning.rate(mid, stars)
    assert repr(stars) in str(exc.value)
    assert database.execute_sql("SELECT COUNT(*) FROM ratings").fetchone()[0] == 0


def test_rating_needs_a_finished_answer(world, catalog):
    learning, _budget, *_ = world
    with pytest.raises(SparklioError, match="no message 999"):
        learning.rate(999, 4)
    user_mid = database.execute_sql(
        "INSERT INTO messages(role, content, created_at) VALUES ('user', 'hi', 1.7e9)"
    ).lastrowid
    with pytest.raises(SparklioError, match="user message"):
        learning.rate(user_mid, 4)
    failed = database.execute_sql(
        "INSERT INTO messages(role, content, status, created_at) VALUES ('assistant', '', 'error', 1.7e9)"
    ).lastrowid
    with pytest.raises(SparklioError, match="not a finished answer"):
        learning.rate(failed, 4)
    with pytest.raises(SparklioError, match="positive whole number"):
        learning.rate("abc", 4)


def test_rating_an_answer_without_a_ledger_link_uses_its_stored_record(world):
    learning, *_ = world
    mid = database.execute_sql(
        "INSERT INTO messages(role, content, status, model, meta, created_at)"
        " VALUES ('assistant', 'hi', 'ok', 'gpt-4', '{\"task\": \"translation\"}', 1.7e9)"
    ).lastrowid
    learning.rate(mid, 3)
    assert database.execute_sql("SELECT stars, model, task FROM ratings").fetchall() == [(3, "gpt-4", "translation")]


def test_re_rating_replaces(world, catalog):
    learning, budget, *_ = world
    mid = answer(budget, catalog, "gpt-4", experiment=True)
    learning.rate(mid, 2)
    learning.rate(mid, 5)
    assert database.execute_sql("SELECT stars, model, task, experiment FROM ratings").fetchall() == [
        (5, "gpt-4", TASK, 1)
    ]


# ---- exploration ----


def plan_for(budget_tier: str = "standard") -> tuple[RoutePlan, list[PlanEntry]]:
    chain = [
        PlanEntry("claude-3-5-sonnet", "anthropic", 0.8, "primary"),
        PlanEntry("gpt-4", "openai", 0.7, "fb 1"),
        PlanEntry("gemini-2.0-pro", "google", 0.6, "fb 2"),
    ]
    alts = [
        PlanEntry("claude-3-opus", "anthropic", 0.9, "eligible alternative"),  # premium: never in standard
        PlanEntry("gpt-4o-mini", "openai", 0.5, "eligible alternative"),  # low tier: not the same tier
        PlanEntry("gemini-2.5-pro", "google", 0.6, "eligible alternative"),
    ]
    return RoutePlan(TASK, "medium", budget_tier, None, None, False, chain, []), alts


def test_exploration_rate_is_honoured_and_stays_in_tier(world, catalog):
    learning, _, _, _settings, _ = world
    plan, alts = plan_for()
    n = 4000
    picks = []
    for _ in range(n):
        out = learning.maybe_explore(plan, alts, catalog.get)
        if out.experiment:
            picks.append(out)
    expected, sd = n * 0.05, (n * 0.05 * 0.95) ** 0.5
    assert abs(len(picks) - expected) < 4 * sd
    chosen = {p.chain[0].model for p in picks}
    assert chosen == {"gpt-4", "gemini-2.5-pro"}  # same (standard) tier only; never opus, never the low tier
    first = picks[0]
    assert "experiment" in first.chain[0].why and first.chain[1].model == "claude-3-5-sonnet"
    assert len(first.chain) == len({e.model for e in first.chain})
    assert not plan.experiment and plan.chain[0].model == "claude-3-5-sonnet"  # the input plan is untouched


def test_exploration_off_and_other_rates(world, catalog):
    learning, _, _, settings, _ = world
    plan, alts = plan_for()
    settings.set("exploration_rate", 0)
    assert not any(learning.maybe_explore(plan, alts, catalog.get).experiment for _ in range(500))
    settings.set("exploration_rate", 0.5)
    hits = sum(learning.maybe_explore(plan, alts, catalog.get).experiment for _ in range(2000))
    assert abs(hits - 1000) < 4 * (2000 * 0.25) ** 0.5


def test_exploration_never_goes_above_the_plan_tier(world, catalog):
    learning, _, _, settings, _ = world
    settings.set("exploration_rate", 0.5)
    chain = [PlanEntry("gemini-2.0-pro", "google", 0.8, "primary")]
    alts = [PlanEntry("gpt-4", "openai", 0.9, "alt"), PlanEntry("gpt-4o-mini", "openai", 0.5, "alt")]
    plan = RoutePlan("translation", "simple", "low", None, None, False, chain, [])
    outs = [learning.maybe_explore(plan, alts, catalog.get) for _ in range(300)]
    assert {o.chain[0].model for o in outs if o.experiment} == {"gpt-4o-mini"}


# ---- the learner ----


def test_no_suggestion_without_enough_ratings(world, catalog):
    learning, budget, *_ = world
    rate_many(learning, budget, catalog, "claude-3-5-sonnet", [4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 4, 4])
    made = rate_many(learning, budget, catalog, "gpt-4", [5] * (MIN_RATINGS - 1))
    assert made == [] and learning.suggestions() == []


def test_suggestion_with_evidence_then_accept(world, catalog):
    learning, budget, policy, _, seen = world
    rate_many(learning, budget, catalog, "claude-3-5-sonnet", [4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4, 3])
    made = rate_many(learning, budget, catalog, "gpt-4", [5, 5, 5, 5, 5, 5, 4, 4, 4, 4])
    assert len(made) == 1
    s = made[0]
    assert s.text == (
        "for copywriting_standard, gpt-4 rated 4.6 vs claude-3-5-sonnet 3.9 over 24 ratings: make it primary"
    )
    assert s.evidence["model_ratings"] == 10 and s.evidence["current_ratings"] == 14
    assert s.evidence["p_better"] >= 0.9
    assert [x.id for x in learning.suggestions()] == [s.id]
    assert learning.refresh() == []  # not proposed twice
    accepted = learning.accept(s.id)
    assert accepted.status == "accepted"
    assert policy.row(TASK) == ["gpt-4", "claude-3-5-sonnet", "gemini-2.0-pro"]
    assert any(e.kind == "policy_adopted" for e in seen)
    with pytest.raises(SparklioError, match="already accepted"):
        learning.accept(s.id)


def test_small_margin_is_not_enough(world, catalog):
    learning, budget, *_ = world
    rate_many(learning, budget, catalog, "claude-3-5-sonnet", [4] * 12)
    assert rate_many(learning, budget, catalog, "gpt-4", [4, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4]) == []


def test_never_proposes_a_model_above_the_tier(world, catalog):
    learning, budget, policy, settings, _ = world
    assert budget.tier() == "standard"
    rate_many(learning, budget, catalog, "claude-3-5-sonnet", [3] * 12)
    assert rate_many(learning, budget, catalog, "claude-3-opus", [5] * 20) == []  # premium model
    settings.set("monthly_limit_usd", 500)  # premium tier now
    made = learning.refresh(TASK)
    assert [m.model for m in made] == ["claude-3-opus"]
    settings.set("monthly_limit_usd", 100)
    with pytest.raises(SparklioError, match="not allowed"):
        learning.accept(made[0].id)
    assert policy.row(TASK)[0] == "claude-3-5-sonnet"


def test_reject_is_remembered_and_auto_adopt_applies(world, catalog):
    learning, budget, policy, settings, _ = world
    rate_many(learning, budget, catalog, "claude-3-5-sonnet", [3] * 12)
    made = rate_many(learning, budget, catalog, "gpt-4", [5] * 12)
    rejected = learning.reject(made[0].id)
    assert rejected.status == "rejected" and learning.suggestions() == []
    assert learning.refresh() == []
    assert [x.status for x in learning.suggestions(None)] == ["rejected"]
    settings.set("auto_adopt", True)
    made = rate_many(learning, budget, catalog, "gpt-4o-mini", [5] * 12)  # other models are still considered
    assert [(m.model, m.status) for m in made] == [("gpt-4o-mini", "auto")]
    assert policy.row(TASK) == ["gpt-4o-mini", "claude-3-5-sonnet", "gpt-4", "gemini-2.0-pro"]
    with pytest.raises(SparklioError, match="no suggestion 4242"):
        learning.reject(4242)


def test_cli_rate_and_suggestions(data_dir, memory_keyring, capsys, catalog):
    from router.cli import main

    store = open_store(data_dir)
    settings = Settings(store)
    policy = Policy(REPO / "resources" / "policy.toml", settings=settings)
    budget = Budget(settings)
    learning = Learning(settings, policy, None, random.Random(5), catalog=catalog, budget=budget)
    rate_many(learning, budget, catalog, "claude-3-5-sonnet", [3] * 12)
    mids = [answer(budget, catalog, "gpt-4") for _ in range(12)]
    store.close()
    run = ["--data-dir", str(data_dir)]
    assert main(run + ["rate", str(mids[0]), "4.5"]) == 1
    assert "whole number of stars from 1 to 5, not '4.5'" in capsys.readouterr().err
    assert main(run + ["rate", "99999", "4"]) == 1
    assert "no message 99999" in capsys.readouterr().err
    for mid in mids:
        assert main(run + ["rate", str(mid), "5"]) == 0
    out = capsys.readouterr().out
    assert "Rated message" in out and "Suggestion 1: for copywriting_standard, gpt-4 rated 5.0" in out
    assert main(run + ["policy", "suggestions"]) == 0
    assert "[1] open" in capsys.readouterr().out
    assert main(run + ["policy", "suggestions", "--accept", "1"]) == 0
    assert "gpt-4 → claude-3-5-sonnet → gemini-2.0-pro" in capsys.readouterr().out
    assert main(run + ["policy", "suggestions", "--reject", "1"]) == 1
    assert "already accepted" in capsys.readouterr().err

"""A stored chat turn and its first attempt's budget hold commit in ONE transaction before the network (router/chat.py
+ Engine.hold_first): a hold no attempt uses is released, a refusal is refused once, the usual way."""

from __future__ import annotations

import sqlite3

import pytest

from router.chat import TurnStored
from router.errors import BudgetExceededError
from router.types import AnswerDone, Message, RouteRequest
from tests.write_helpers import count


def req(text: str = "Name a bread", **kw) -> RouteRequest:
    return RouteRequest([Message("user", text)], task="chat_response", complexity="simple", model="gpt-4o-mini", **kw)


async def answer(app, request: RouteRequest):
    """Run `request` to its end; the answer."""
    done = [ev async for ev in app.run(request) if isinstance(ev, AnswerDone)]
    assert len(done) == 1
    return done[0].answer


def seen_by_another_connection(path) -> tuple[list[tuple], list[tuple]]:
    """Messages and holds as another process sees them (only what is committed)."""
    other = sqlite3.connect(str(path))
    try:
        messages = other.execute("SELECT id, role, status FROM messages ORDER BY id").fetchall()
        holds = other.execute("SELECT model, message_id, conversation_id FROM reservations").fetchall()
    finally:
        other.close()
    return messages, holds


async def test_the_turn_and_the_first_hold_commit_once_before_the_network(cloud_app, fake_openai):
    app = cloud_app
    before, sent_before = app.store.writes.commits, len(fake_openai.requests)
    events = app.run(req())
    stored = await anext(events)
    assert isinstance(stored, TurnStored)
    messages, holds = seen_by_another_connection(app.store.path)
    assert [(r, s) for _, r, s in messages] == [("user", "ok"), ("assistant", "pending")]
    assert holds == [("gpt-4o-mini", stored.answer_message_id, stored.conversation_id)]  # settles if we die now
    assert app.store.writes.commits == before + 1 and len(fake_openai.requests) == sent_before  # no call yet
    done = [ev async for ev in events if isinstance(ev, AnswerDone)]
    assert done and done[0].answer.text
    assert app.store.writes.commits == before + 2  # and one for the ledger row with the answer
    assert count(app.store.path, "reservations") == 0 and count(app.store.path, "llm_usage") == 1


async def test_a_cache_hit_releases_the_hold_taken_with_its_turn(cloud_app, fake_openai):
    app = cloud_app
    app.settings.set("cache_enabled", True)
    first = await answer(app, req(use_cache=True))
    sent = len(fake_openai.requests)
    again = await answer(app, req(use_cache=True))
    assert again.cached and again.text == first.text and len(fake_openai.requests) == sent
    assert count(app.store.path, "reservations") == 0  # released with the cached attempt's ledger row
    assert count(app.store.path, "llm_usage") == 2


async def test_a_first_model_skipped_releases_the_hold_taken_with_its_turn(cloud_app):
    app = cloud_app
    app.engine.health.mark_unreachable("openai", "down")  # after planning, the walk skips the pinned model
    with pytest.raises(Exception):  # noqa: B017 - which failure does not matter here, only what is left behind
        async for _ in app.run(req()):
            pass
    assert count(app.store.path, "reservations") == 0


async def test_a_refused_first_attempt_is_refused_once_the_usual_way(cloud_app):
    app = cloud_app
    app.budget.set_monthly_limit(0)
    seen = []
    app.events.subscribe(seen.append)
    with pytest.raises(BudgetExceededError):
        async for _ in app.run(req()):
            pass
    assert [e.kind for e in seen].count("budget_refused") == 1
    assert [e.kind for e in seen].count("budget_alert") <= 1
    outcomes = sqlite3.connect(str(app.store.path)).execute("SELECT outcome FROM llm_usage").fetchall()
    assert outcomes == [("refused",)] and count(app.store.path, "reservations") == 0
    messages, _ = seen_by_another_connection(app.store.path)
    assert [(r, s) for _, r, s in messages] == [("user", "ok"), ("assistant", "error")]  # the question kept


async def test_stopping_at_the_turn_releases_its_hold_and_cancels_the_answer(cloud_app, fake_openai):
    app = cloud_app
    events = app.run(req())
    stored = await anext(events)
    assert count(app.store.path, "reservations") == 1
    await events.aclose()  # the window closed before the answer started
    messages, holds = seen_by_another_connection(app.store.path)
    assert holds == [] and dict((i, s) for i, _, s in messages)[stored.answer_message_id] == "cancelled"
    assert not any(r.path == "/v1/chat/completions" for r in fake_openai.requests)


async def test_before_the_classifier_is_loaded_the_turn_is_stored_first(cloud_app, fake_openai):
    app = cloud_app
    auto = RouteRequest([Message("user", "Write a haiku about rain")])  # Auto: the first one loads the classifier
    assert not app.auto.ready
    before = app.store.writes.commits
    [ev async for ev in app.run(auto)]
    assert app.store.writes.commits == before + 3  # the turn, then the hold, then the ledger row
    assert app.auto.ready
    [ev async for ev in app.run(RouteRequest([Message("user", "Write a haiku about snow")]))]
    assert app.store.writes.commits == before + 5  # now the turn and its hold commit together

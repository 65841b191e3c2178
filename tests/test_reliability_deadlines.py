"""Reliability: hung, trickling, refusing and 503-storming providers fall back within the (shortened) deadlines."""

from __future__ import annotations

import pytest

from router.app import Sparklio
from router.errors import AllProvidersFailedError, BudgetExceededError
from router.store.models import LlmUsage
from router.types import AnswerDone, AttemptFailed, AttemptStarted, Message, PartialWithdrawn, RouteRequest
from tests.fakes.ollama_server import down_url

LIMIT = 0.5  # the shortened time-to-first-token limit of the primary's speed class


def req() -> RouteRequest:
    return RouteRequest(
        [Message("user", "Write a two-line caption for a bakery launch")],
        task="copywriting_standard",
        complexity="medium",
    )


@pytest.fixture
def servers(fake_openai, fake_anthropic, fake_gemini):
    return {"openai": fake_openai, "anthropic": fake_anthropic, "google": fake_gemini}


def chain(app):
    """The models the plan calls, in order (routing decides which; retired rows are served by successors)."""
    return [app.catalog.get(e.target) for e in app.plan(req()).chain]


def elsewhere(app):
    """The first model of the chain that another provider (another fake server) answers."""
    first, *rest = chain(app)
    return next(m for m in rest if m.provider != first.provider)


async def run(app, request):
    events = [ev async for ev in app.run(request)]
    done = [e.answer for e in events if isinstance(e, AnswerDone)]
    return events, (done[0] if done else None)


def rows():
    return list(LlmUsage.select().order_by(LlmUsage.id))


async def test_hung_provider_times_out_retries_once_and_falls_back(cloud_app, servers):
    first, second = chain(cloud_app)[:2]
    cloud_app.settings.set("ttft_s", {first.speed: LIMIT})
    servers[first.provider].timeout(5.0)
    servers[first.provider].timeout(5.0)
    events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == second.id
    started = [e for e in events if isinstance(e, AttemptStarted)]
    assert [(e.model, e.attempt) for e in started[:3]] == [(first.id, 1), (first.id, 2), (second.id, 1)]
    assert started[0].wait_s == pytest.approx(LIMIT)  # the UI/CLI can say what it waits for
    timeouts = [r for r in rows() if r.model == first.id]
    assert [r.error_class for r in timeouts] == ["timeout", "timeout"]
    assert f"sent no first token within {LIMIT:g} s" in timeouts[0].error


async def test_trickling_stream_is_cut_by_the_idle_gap_limit(cloud_app, servers):
    first, other = chain(cloud_app)[0], elsewhere(cloud_app)
    cloud_app.settings.set("idle_gap_s", 0.3)
    servers[first.provider].chunk_delay_s = 0.7  # every event after the first comes 0.7 s late
    events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == other.id
    assert any(isinstance(e, PartialWithdrawn) and e.model == first.id for e in events)
    cut = [r for r in rows() if r.model == first.id]
    assert len(cut) == 2 and all("sent nothing for 0.3 s" in r.error for r in cut)


async def test_refusing_provider_is_skipped_by_every_process(cloud_app, data_dir, memory_keyring):
    first, other_model = chain(cloud_app)[0], elsewhere(cloud_app)
    endpoints = dict(cloud_app.settings.get("endpoints"))
    endpoints[first.provider] = down_url()
    cloud_app.settings.set("endpoints", endpoints)
    events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == other_model.id  # the provider's other models are skipped too
    failed = [e.attempt for e in events if isinstance(e, AttemptFailed)]
    assert [(a.model, a.error_class) for a in failed] == [(first.id, "unreachable")]  # no retry
    # the next request (and another process on the same data folder) skips that provider without trying it
    other = Sparklio(data_dir, keyring=memory_keyring, env={})
    plan = other.plan(req())
    assert first.id not in [e.target for e in plan.chain]
    why = {x.model: x.reason for x in plan.excluded}[first.id]
    assert why.startswith("unreachable (") and " is unreachable" in why and "tried again in" in why
    other.store.close()


async def test_503_storm_retries_then_falls_back(cloud_app, servers):
    first, second = chain(cloud_app)[:2]
    servers[first.provider].fail_next(503, times=4)  # every attempt at the primary (1 + 3 retries)
    _events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == second.id
    assert [r.error_class for r in rows() if r.model == first.id] == ["server_error"] * 4
    assert cloud_app.sleeps.delays[:3] == pytest.approx([1, 2, 4], rel=0.3)


async def test_whole_request_deadline_stops_the_chain(cloud_app, servers):
    first = chain(cloud_app)[0]
    cloud_app.settings.set("request_deadline_s", 0.5)
    for _ in range(3):
        servers[first.provider].timeout(5.0)
    with pytest.raises(AllProvidersFailedError) as info:
        await run(cloud_app, req())
    msg = str(info.value)
    assert msg.startswith(f"the model failed — {first.id}") and "whole-request deadline passed" in msg
    assert "\n" not in msg and len(rows()) == 1


async def test_cool_down_is_shared_through_the_database(cloud_app, servers, data_dir, memory_keyring):
    first, second = chain(cloud_app)[:2]
    for _ in range(3):
        servers[first.provider].fail_next(401)
        _, answer = await run(cloud_app, req())
        assert answer.model == second.id
    other = Sparklio(data_dir, keyring=memory_keyring, env={})
    why = {x.model: x.reason for x in other.plan(req()).excluded}.get(first.id, "")
    assert why.startswith("cooling down after repeated failures")
    other.store.close()


async def test_at_the_monthly_limit_one_refusal_not_one_per_model(cloud_app):
    cloud_app.budget.set_monthly_limit(0)
    with pytest.raises(BudgetExceededError):
        await run(cloud_app, req())
    assert [r.outcome for r in rows()] == ["refused"]  # the other cloud models are not asked to refuse too


def test_cli_says_what_it_waits_for_and_falls_back(cloud_app, servers, data_dir, capsys, monkeypatch):
    from router.cli import main

    monkeypatch.setenv("OLLAMA_HOST", down_url())
    first, second = chain(cloud_app)[:2]
    cloud_app.settings.set("ttft_s", {first.speed: LIMIT})
    cloud_app.store.close()
    servers[first.provider].timeout(5.0)
    servers[first.provider].timeout(5.0)
    assert (
        main(
            [
                "--data-dir",
                str(data_dir),
                "ask",
                "Write a two-line caption for a bakery launch",
                "--task",
                "copywriting_standard",
                "--complexity",
                "medium",
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert out.startswith("Echo: Write a two-line caption")
    assert f"[{first.id}: attempt 2; waiting up to {LIMIT:g} s for the first words]" in err
    assert f"[{first.id} gave up: {first.id} sent no first token within {LIMIT:g} s]" in err
    wait = LIMIT if second.speed == first.speed else 10
    assert f"[{second.id}: attempt 1; waiting up to {wait:g} s for the first words]" in err

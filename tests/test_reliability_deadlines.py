"""Reliability: hung, trickling, refusing and 503-storming providers fall back within the (shortened) deadlines."""

from __future__ import annotations

import pytest

from router.app import Sparklio
from router.errors import AllProvidersFailedError, BudgetExceededError
from router.store.models import LlmUsage
from router.types import AnswerDone, AttemptFailed, AttemptStarted, Message, PartialWithdrawn, RouteRequest
from tests.fakes.ollama_server import down_url

SHORT = {"realtime": 0.4}  # only the hung model is "realtime" (below): the fallbacks keep the 10 s default


@pytest.fixture
def realtime_claude(data_dir):
    """A partial catalog override: claude-3-5-sonnet becomes a realtime model (so it gets the short limit)."""
    (data_dir / "catalog.toml").write_text('[models."claude-3-5-sonnet"]\nspeed = "realtime"\n')


def req() -> RouteRequest:
    # chain: claude-3-5-sonnet (anthropic) -> gpt-4 (openai) -> gemini-2.0-pro (google) -> ...
    return RouteRequest([Message("user", "Write a two-line caption for a bakery launch")],
                        task="copywriting_standard", complexity="medium")


async def run(app, request):
    events = [ev async for ev in app.run(request)]
    done = [e.answer for e in events if isinstance(e, AnswerDone)]
    return events, (done[0] if done else None)


def rows():
    return list(LlmUsage.select().order_by(LlmUsage.id))


async def test_hung_provider_times_out_retries_once_and_falls_back(realtime_claude, cloud_app, fake_anthropic):
    cloud_app.settings.set("ttft_s", SHORT)
    fake_anthropic.timeout(5.0)
    fake_anthropic.timeout(5.0)
    events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == "gpt-4"
    started = [e for e in events if isinstance(e, AttemptStarted)]
    assert [(e.model, e.attempt) for e in started] == [("claude-3-5-sonnet", 1), ("claude-3-5-sonnet", 2),
                                                         ("gpt-4", 1)]
    assert started[0].wait_s == pytest.approx(0.4)  # the UI/CLI can say what it waits for
    timeouts = [r for r in rows() if r.model == "claude-3-5-sonnet"]
    assert [r.error_class for r in timeouts] == ["timeout", "timeout"]
    assert "sent no first token within 0.4 s" in timeouts[0].error


async def test_trickling_stream_is_cut_by_the_idle_gap_limit(cloud_app, fake_anthropic):
    cloud_app.settings.set("idle_gap_s", 0.3)
    fake_anthropic.chunk_delay_s = 0.7  # every event after the first comes 0.7 s late
    events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == "gpt-4"
    assert any(isinstance(e, PartialWithdrawn) and e.model == "claude-3-5-sonnet" for e in events)
    cut = [r for r in rows() if r.model == "claude-3-5-sonnet"]
    assert len(cut) == 2 and all("sent nothing for 0.3 s" in r.error for r in cut)


async def test_refusing_provider_is_skipped_by_every_process(cloud_app, data_dir, memory_keyring):
    endpoints = dict(cloud_app.settings.get("endpoints"))
    endpoints["anthropic"] = down_url()
    cloud_app.settings.set("endpoints", endpoints)
    events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == "gpt-4"
    failed = [e.attempt for e in events if isinstance(e, AttemptFailed)]
    assert [(a.model, a.error_class) for a in failed] == [("claude-3-5-sonnet", "unreachable")]  # no retry
    # the next request (and another process on the same data folder) skips Anthropic without trying it
    other = Sparklio(data_dir, keyring=memory_keyring, env={})
    plan = other.plan(req())
    assert "claude-3-5-sonnet" not in [e.model for e in plan.chain]
    why = {x.model: x.reason for x in plan.excluded}["claude-3-5-sonnet"]
    assert why.startswith("unreachable (Anthropic is unreachable") and "tried again in" in why
    other.store.close()


async def test_503_storm_retries_then_falls_back(cloud_app, fake_anthropic):
    fake_anthropic.fail_next(503, times=10)
    events, answer = await run(cloud_app, req())
    assert answer is not None and answer.model == "gpt-4"
    assert [r.error_class for r in rows() if r.model == "claude-3-5-sonnet"] == ["server_error"] * 4
    assert cloud_app.sleeps.delays[:3] == pytest.approx([1, 2, 4], rel=0.3)


async def test_whole_request_deadline_stops_the_chain(cloud_app, fake_anthropic):
    cloud_app.settings.set("request_deadline_s", 0.5)
    for _ in range(3):
        fake_anthropic.timeout(5.0)
    with pytest.raises(AllProvidersFailedError) as info:
        await run(cloud_app, req())
    msg = str(info.value)
    assert msg.startswith("the model failed — claude-3-5-sonnet") and "whole-request deadline passed" in msg
    assert "\n" not in msg and len(rows()) == 1


async def test_cool_down_is_shared_through_the_database(cloud_app, fake_anthropic, data_dir, memory_keyring):
    for _ in range(3):
        fake_anthropic.fail_next(401)
        _, answer = await run(cloud_app, req())
        assert answer.model == "gpt-4"
    other = Sparklio(data_dir, keyring=memory_keyring, env={})
    why = {x.model: x.reason for x in other.plan(req()).excluded}.get("claude-3-5-sonnet", "")
    assert why.startswith("cooling down after repeated failures")
    other.store.close()


async def test_at_the_monthly_limit_one_refusal_not_one_per_model(cloud_app):
    cloud_app.budget.set_monthly_limit(0)
    with pytest.raises(BudgetExceededError):
        await run(cloud_app, req())
    assert [r.outcome for r in rows()] == ["refused"]  # the other cloud models are not asked to refuse too


def test_cli_says_what_it_waits_for_and_falls_back(realtime_claude, cloud_app, fake_anthropic, data_dir, capsys,
                                                   monkeypatch):
    from router.cli import main

    monkeypatch.setenv("OLLAMA_HOST", down_url())
    cloud_app.settings.set("ttft_s", SHORT)
    cloud_app.store.close()
    fake_anthropic.timeout(5.0)
    fake_anthropic.timeout(5.0)
    assert main(["--data-dir", str(data_dir), "ask", "Write a two-line caption for a bakery launch",
                 "--task", "copywriting_standard", "--complexity", "medium"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Echo: Write a two-line caption")
    assert "[claude-3-5-sonnet: attempt 2; waiting up to 0.4 s for the first words]" in err
    assert "[claude-3-5-sonnet gave up: claude-3-5-sonnet sent no first token within 0.4 s]" in err
    assert "[gpt-4: attempt 1; waiting up to 10 s for the first words]" in err

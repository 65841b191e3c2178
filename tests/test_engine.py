"""The engine through the facade: real SDK clients, fake servers, injected faults, real SQLite ledger."""

from __future__ import annotations

import asyncio

import pytest

from router.errors import AllProvidersFailedError, NoRouteError
from router.store.models import ChatMessage, LlmUsage
from router.types import AnswerDone, AttemptFailed, Message, PartialWithdrawn, RetryScheduled, RouteRequest, TextDelta

PROMPT = "Write a warm two-line caption for a neighbourhood bakery's sourdough launch"


def req(task="copywriting_standard", **kw) -> RouteRequest:
    return RouteRequest([Message("user", kw.pop("prompt", PROMPT))], task=task, complexity="medium", **kw)


async def collect(app, request):
    events = [ev async for ev in app.run(request)]
    done = [e for e in events if isinstance(e, AnswerDone)]
    return events, (done[0].answer if done else None)


def ledger():
    return list(LlmUsage.select().order_by(LlmUsage.id))


def served(app, **kw) -> list[str]:
    """The catalog ids the plan's chain calls (policy rows of retired models are served by successors)."""
    return [e.target for e in app.plan(req(**kw)).chain]


IMAGE_MODEL = "gpt-image-2.5-sunburst"  # serves the image row's dall-e-3, retired on 2026-05-12


@pytest.fixture
def servers(fake_openai, fake_anthropic, fake_gemini):
    return {"openai": fake_openai, "anthropic": fake_anthropic, "google": fake_gemini}


def server_of(app, servers, position=0):
    """The fake server behind the chain's model at `position` (routing decides which provider that is)."""
    return servers[app.catalog.get(served(app)[position]).provider]


async def test_primary_answers_streamed_priced_and_logged(cloud_app, servers):
    first = cloud_app.catalog.get(served(cloud_app)[0])
    events, answer = await collect(cloud_app, req())
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 1 and "".join(deltas) == answer.text
    # the row names claude-3-5-sonnet (retired): another model serves the slot, and the ledger keeps both ids
    assert answer.model == first.id and answer.provider == first.provider
    assert servers[first.provider].last.json["model"] == first.api_model
    rows = ledger()
    assert [(r.model, r.policy_model, r.outcome, r.fallback_position) for r in rows] == [
        (first.id, "claude-3-5-sonnet", "ok", 0)
    ]
    assert rows[0].input_tokens == answer.usage.input_tokens > 0
    expected = (answer.usage.input_tokens * first.input_price + answer.usage.output_tokens * first.output_price) / 1e6
    assert rows[0].cost_usd == pytest.approx(expected) == pytest.approx(answer.cost_usd)
    stored = ChatMessage.get_by_id(answer.message_id)
    assert stored.status == "ok" and stored.content == answer.text
    assert ChatMessage.get_by_id(answer.user_message_id).content == PROMPT


async def test_rate_limit_waits_retry_after_then_succeeds(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    primary.fail_next(429, headers={"retry-after": "3"})
    events, answer = await collect(cloud_app, req())
    assert cloud_app.sleeps.delays == [3.0]
    assert any(isinstance(e, RetryScheduled) and e.delay_s == 3.0 for e in events)
    assert answer.model == served(cloud_app)[0]
    assert [(r.outcome, r.error_class, r.attempt) for r in ledger()] == [("error", "rate_limited", 1), ("ok", None, 2)]


async def test_rate_limit_beyond_cap_falls_back_at_once(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    primary.fail_next(429, headers={"retry-after": "120"})
    second = cloud_app.catalog.get(served(cloud_app)[1])
    _, answer = await collect(cloud_app, req())
    assert cloud_app.sleeps.delays == []
    assert answer.model == second.id and servers[second.provider].last.json["model"] == second.api_model
    assert [a.outcome for a in answer.attempts] == ["error", "ok"]
    assert [r.fallback_position for r in ledger()] == [0, 1]


async def test_transient_errors_back_off_1_2_4_then_fall_back(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    primary.fail_next(503, times=4)
    events, answer = await collect(cloud_app, req())
    d = cloud_app.sleeps.delays
    assert len(d) == 3 and 1.0 <= d[0] <= 1.25 and 2.0 <= d[1] <= 2.5 and 4.0 <= d[2] <= 5.0
    assert answer.model == served(cloud_app)[1]
    assert sum(isinstance(e, AttemptFailed) for e in events) == 1
    assert [r.outcome for r in ledger()] == ["error"] * 4 + ["ok"]


async def test_permanent_error_goes_straight_to_next_model(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    primary.fail_next(401)
    _, answer = await collect(cloud_app, req())
    assert cloud_app.sleeps.delays == []
    assert answer.attempts[0].error_class == "auth" and answer.model == served(cloud_app)[1]
    assert not any(f"test-key-{p}" in answer.attempts[0].error for p in servers)


async def test_cut_stream_is_withdrawn_and_retried(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    primary.cut_stream(after_chunks=4)
    events, answer = await collect(cloud_app, req())
    assert any(isinstance(e, PartialWithdrawn) for e in events)
    assert answer.model == served(cloud_app)[0]
    assert [r.outcome for r in ledger()] == ["cut", "ok"]
    assert ChatMessage.get_by_id(answer.message_id).content == answer.text


async def test_malformed_body_is_transient(cloud_app, fake_openai):
    fake_openai.malformed()
    _, answer = await collect(cloud_app, req(task="chat_response", prompt="hi there, how are you?", model="gpt-5.2"))
    assert answer.model == "gpt-5.2" and len(cloud_app.sleeps.delays) == 1


async def test_timeout_is_retried(cloud_app, fake_openai):
    cloud_app.registry.timeout = 0.3
    fake_openai.timeout(1.0)
    _, answer = await collect(cloud_app, req(model="gpt-5.2"))
    assert answer.model == "gpt-5.2"
    assert ledger()[0].error_class in ("timeout", "TransientError", "connection")


async def test_everything_failing_keeps_the_users_text(cloud_app, fake_anthropic, fake_openai, fake_gemini):
    for f in (fake_anthropic, fake_openai, fake_gemini):
        f.fail_next(400, times=10)
    cloud_app.settings.set("offline", False)
    with pytest.raises(AllProvidersFailedError) as info:
        await collect(cloud_app, req())
    assert len(info.value.attempts) >= 3
    msgs = list(ChatMessage.select().order_by(ChatMessage.id))
    assert msgs[0].role == "user" and msgs[0].content == PROMPT
    assert msgs[1].status == "error" and served(cloud_app)[0] in msgs[1].content
    assert all(r.outcome == "error" for r in ledger())


async def test_a_model_that_keeps_failing_cools_down(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    first = served(cloud_app)[0]
    for _ in range(3):
        primary.fail_next(401)
        await collect(cloud_app, req())
    plan = cloud_app.plan(req())
    assert first not in [e.target for e in plan.chain]
    assert any(x.model == first and "cooling down" in x.reason for x in plan.excluded)


async def test_cache_hit_costs_nothing_and_counts_savings(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    _, first = await collect(cloud_app, req())
    n = len(primary.requests)
    _, second = await collect(cloud_app, req())
    assert second.cached and second.cost_usd == 0 and second.text == first.text
    assert len(primary.requests) == n
    row = ledger()[-1]
    assert row.cached and row.cost_usd == 0 and row.saved_usd == pytest.approx(first.cost_usd)
    _, third = await collect(cloud_app, req(use_cache=False))
    assert not third.cached and len(primary.requests) == n + 1


async def test_stop_keeps_partial_answer_and_logs_cancel(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    primary.reply_text = " ".join(f"word{i}" for i in range(200))
    primary.chunk_delay_s = 0.01
    got: list[str] = []

    async def consume():
        async for ev in cloud_app.run(req()):
            if isinstance(ev, TextDelta):
                got.append(ev.text)

    task = asyncio.ensure_future(consume())
    while len(got) < 5:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assistant = ChatMessage.select().where(ChatMessage.role == "assistant").get()
    assert assistant.status == "cancelled" and assistant.content.startswith("".join(got)[:20])
    assert ledger()[-1].outcome == "cancelled"


async def test_offline_sends_nothing_to_the_cloud(cloud_app, fake_anthropic, fake_openai, fake_gemini):
    cloud_app.set_offline(True)
    with pytest.raises(NoRouteError) as info:
        await collect(cloud_app, req())
    assert "offline" in str(info.value)
    assert fake_anthropic.requests == fake_openai.requests == fake_gemini.requests == []
    assert ChatMessage.select().where(ChatMessage.role == "user").count() == 1


async def test_embeddings_and_images_are_routed_and_ledgered(cloud_app):
    model, result = await cloud_app.embed(["sourdough", "croissant"])
    assert model.id == "text-embedding-3-small" and len(result.vectors) == 2
    model, images = await cloud_app.generate_image("a loaf of bread, studio light", task="image_generation_quality")
    assert model.id == IMAGE_MODEL and images.images[0].png.startswith(b"\x89PNG")
    rows = ledger()
    assert [(r.kind, r.model, r.policy_model) for r in rows] == [
        ("embed", "text-embedding-3-small", None),
        ("image", IMAGE_MODEL, "dall-e-3"),
    ]
    assert rows[1].cost_usd == pytest.approx(cloud_app.catalog.get(IMAGE_MODEL).image_price())


async def test_users_message_is_on_disk_before_the_first_network_call(cloud_app, servers):
    primary = server_of(cloud_app, servers)
    import sqlite3

    seen: list = []
    original = primary.reply_for

    def reply_for(prompt: str) -> str:  # runs in the server thread when the request arrives
        con = sqlite3.connect(str(cloud_app.store.path))
        seen.extend(con.execute("SELECT role, content FROM messages ORDER BY id").fetchall())
        con.close()
        return original(prompt)

    primary.reply_for = reply_for
    await collect(cloud_app, req())
    assert ("user", PROMPT) in seen


async def test_an_image_request_in_the_chat_answers_with_the_picture(cloud_app, fake_openai):
    _events, answer = await collect(
        cloud_app, req(task="image_generation_quality", prompt="A ceramic mug on linen, soft morning light")
    )
    assert answer.model == IMAGE_MODEL
    assert answer.cost_usd == pytest.approx(cloud_app.catalog.get(IMAGE_MODEL).image_price())
    assert answer.text.startswith("![A ceramic mug") and "Saved to" in answer.text
    path = answer.text.split("`")[1]
    from pathlib import Path

    assert Path(path).read_bytes().startswith(b"\x89PNG")
    assert ChatMessage.get_by_id(answer.message_id).content == answer.text
    assert [(r.kind, r.model) for r in ledger()] == [("image", IMAGE_MODEL)]
    from router.gallery import GalleryImage

    assert GalleryImage.select().count() == 1


def test_an_unsure_auto_guess_never_leaves_the_chat_models(cloud_app):
    plan = cloud_app.plan(RouteRequest([Message("user", "hello")]))
    assert plan.task == "chat_response" and plan.kind == "chat"

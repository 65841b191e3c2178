"""Anthropic provider against the fake Messages API: SSE events, cache usage, max_tokens, faults."""

from __future__ import annotations

import base64

import pytest

from router.catalog import ModelSpec
from router.errors import PermanentError, RateLimitedError, RetiredModelError, TransientError
from router.providers.anthropic_provider import AnthropicProvider
from router.types import Finished, ImageInput, Message, UsageReport
from tests.fakes.fixtures import ANTHROPIC_KEY, CLIENT_TIMEOUT_S, TIMEOUT_TEST_S, drain
from tests.fakes.http import count_tokens, pieces, small_png

HAIKU = ModelSpec(id="claude-haiku-catalog", provider="anthropic", api_model="claude-fake-haiku", max_output=8192)
OPUS = ModelSpec(
    id="claude-3-opus",
    provider="anthropic",
    api_model="claude-fake-opus",
    max_output=1000,
    params={"thinking": {"type": "enabled", "budget_tokens": 2048}, "metadata": {"user_id": "u1"}},
)
PROMPT = "draft a friendly reminder about the team lunch"


@pytest.fixture
async def provider(anthropic_server):
    p = AnthropicProvider(ANTHROPIC_KEY, base_url=anthropic_server.base_url, timeout=CLIENT_TIMEOUT_S)
    yield p
    await p.aclose()


def ask(text: str = PROMPT) -> list[Message]:
    return [Message("system", "Be brief."), Message("user", text)]


async def test_text_streams_in_pieces_then_usage_then_finished(provider):
    out = await drain(provider.stream_chat(HAIKU, ask(), max_tokens=None, temperature=None))
    expected = "Echo: " + PROMPT
    assert out.error is None
    assert out.texts == pieces(expected) and len(out.texts) > 3
    assert isinstance(out.events[-1], Finished) and out.events[-1].reason == "stop"  # end_turn, normalised
    assert isinstance(out.events[-2], UsageReport)
    assert out.usage.input_tokens == count_tokens("Be brief. " + PROMPT)
    assert out.usage.output_tokens == len(pieces(expected))


async def test_cache_and_thinking_usage_is_normalised(provider, anthropic_server):
    anthropic_server.cache_read_tokens = 100
    anthropic_server.cache_write_tokens = 40
    anthropic_server.thinking_tokens = 12
    out = await drain(provider.stream_chat(OPUS, ask(), max_tokens=None, temperature=None))
    assert out.text == "Echo: " + PROMPT  # the thinking block never reaches the text
    u = out.usage
    uncached = count_tokens("Be brief. " + PROMPT)
    assert u.input_tokens == uncached + 100 + 40  # reads and writes are input too, so cost sees them
    assert u.cached_input_tokens == 100 and u.cache_write_tokens == 40
    assert u.output_tokens == len(pieces(out.text)) + 12 and u.reasoning_tokens == 12
    priced = ModelSpec(
        id="p", provider="anthropic", api_model="x", input_price=3.0, output_price=15.0, cached_input_price=0.3
    )
    expected = ((uncached + 40) * 3.0 + 100 * 0.3 + u.output_tokens * 15.0) / 1_000_000
    assert priced.cost(u) == pytest.approx(expected)


async def test_wire_shape_system_images_and_params(provider, anthropic_server):
    png = small_png("chart")
    msgs = [
        Message("system", "Be brief."),
        Message("user", "look at this", images=[ImageInput(png, "image/png")]),
        Message("user", "and answer"),
    ]
    out = await drain(provider.stream_chat(OPUS, msgs, max_tokens=None, temperature=0.7))
    assert out.finished is not None
    req = anthropic_server.last
    assert req.path == "/v1/messages" and req.headers.get("anthropic-version")
    assert ANTHROPIC_KEY in (req.headers.get("x-api-key", "") + req.headers.get("authorization", ""))
    body = req.json
    assert body["model"] == "claude-fake-opus" and b"claude-3-opus" not in req.body
    assert body["system"] == "Be brief." and all(m["role"] != "system" for m in body["messages"])
    assert len(body["messages"]) == 1  # consecutive user turns merged
    blocks = body["messages"][0]["content"]
    assert blocks[0] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(png).decode()},
    }
    assert blocks[1] == {"type": "text", "text": "look at this"} and blocks[2]["text"] == "and answer"
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["metadata"] == {"user_id": "u1"}
    assert body["stream"] is True and "temperature" not in body


@pytest.mark.parametrize(
    "model,max_tokens,expected",
    [
        (HAIKU, None, 4096),  # min(8192, 4096)
        (ModelSpec(id="s", provider="anthropic", api_model="claude-fake-haiku", max_output=1000), None, 1000),
        (HAIKU, 300, 300),
        (OPUS, None, 1000),  # thinking budget 2048 > 1000, capped at max_output
    ],
)
async def test_max_tokens_is_always_sent(provider, anthropic_server, model, max_tokens, expected):
    await drain(provider.stream_chat(model, ask("hi"), max_tokens=max_tokens, temperature=None))
    assert anthropic_server.last.json["max_tokens"] == expected


async def test_max_tokens_stop_reason(provider):
    out = await drain(provider.stream_chat(HAIKU, ask(), max_tokens=3, temperature=None))
    assert out.texts == ["Echo:", " draft", " a"] and out.finished.reason == "length"  # max_tokens, normalised


FAULTS = [
    ("429", lambda s: s.fail_next(429, {"retry-after": "3"}), RateLimitedError, "rate_limited"),
    ("529 overloaded", lambda s: s.fail_next(529), TransientError, "overloaded"),
    ("500", lambda s: s.fail_next(500), TransientError, "server_error"),
    ("503", lambda s: s.fail_next(503), TransientError, "server_error"),
    ("malformed", lambda s: s.malformed(), TransientError, "malformed"),
    ("401", lambda s: s.fail_next(401), PermanentError, "auth"),
    ("400", lambda s: s.fail_next(400), PermanentError, "bad_request"),
    (
        "overloaded mid-stream",
        lambda s: s.error_event("overloaded_error", after_chunks=3),
        TransientError,
        "overloaded",
    ),
    (
        "rate limit mid-stream",
        lambda s: s.error_event("rate_limit_error", after_chunks=1),
        RateLimitedError,
        "rate_limited",
    ),
]


@pytest.mark.parametrize("name,inject,kind,reason", FAULTS, ids=[f[0] for f in FAULTS])
async def test_faults_map_to_the_right_error(provider, anthropic_server, name, inject, kind, reason):
    inject(anthropic_server)
    out = await drain(provider.stream_chat(HAIKU, ask(), max_tokens=None, temperature=None))
    assert type(out.error) is kind, out.error
    assert out.error.reason == reason and out.error.provider == "anthropic"
    assert out.finished is None
    msg = str(out.error)
    assert msg.startswith("Anthropic") and "\n" not in msg and ANTHROPIC_KEY not in msg
    assert len(anthropic_server.requests) == 1  # no SDK retries


async def test_rate_limit_carries_retry_after(provider, anthropic_server):
    anthropic_server.fail_next(429, {"retry-after": "3"})
    err = (await drain(provider.stream_chat(HAIKU, ask(), max_tokens=None, temperature=None))).error
    assert err.retry_after == 3.0 and err.status == 429


async def test_timeout_is_transient(anthropic_server):
    anthropic_server.timeout(2.0)
    p = AnthropicProvider(ANTHROPIC_KEY, base_url=anthropic_server.base_url, timeout=TIMEOUT_TEST_S)
    try:
        out = await drain(p.stream_chat(HAIKU, ask(), max_tokens=None, temperature=None))
    finally:
        await p.aclose()
    assert isinstance(out.error, TransientError) and out.error.reason == "timeout" and out.finished is None
    assert str(out.error) == "Anthropic timed out after 0.2s" and out.error.provider == "anthropic"


async def test_wrong_key_is_permanent_and_never_echoed(anthropic_server):
    wrong = "sk-ant-wrong-9999999999999"
    p = AnthropicProvider(wrong, base_url=anthropic_server.base_url, timeout=CLIENT_TIMEOUT_S)
    try:
        err = (await drain(p.stream_chat(HAIKU, ask(), max_tokens=None, temperature=None))).error
        assert isinstance(err, PermanentError) and err.reason == "auth" and wrong not in str(err)
    finally:
        await p.aclose()


async def test_unknown_model_is_not_found(provider):
    ghost = ModelSpec(id="ghost", provider="anthropic", api_model="claude-nope")
    err = (await drain(provider.stream_chat(ghost, ask(), max_tokens=None, temperature=None))).error
    assert isinstance(err, RetiredModelError) and err.kind == "retired" and err.reason == "not_found"


async def test_cut_stream_ends_without_finished(provider, anthropic_server):
    anthropic_server.cut_stream(after_chunks=5)
    out = await drain(provider.stream_chat(HAIKU, ask(), max_tokens=None, temperature=None))
    assert out.finished is None
    assert out.error is None or isinstance(out.error, TransientError)
    full = pieces("Echo: " + PROMPT)
    assert out.texts == full[: len(out.texts)] and len(out.texts) < len(full)


async def test_embeddings_and_images_are_not_supported(provider):
    with pytest.raises(PermanentError, match="claude-3-opus cannot embed text"):
        await provider.embed(OPUS, ["x"])
    with pytest.raises(PermanentError, match="cannot generate images"):
        await provider.generate_image(OPUS, "a cat")


async def test_check_lists_models(provider, anthropic_server):
    assert "2 models" in await provider.check()
    assert anthropic_server.last.path == "/v1/models"


async def test_missing_key_and_env_fallbacks(anthropic_server, monkeypatch):
    p = AnthropicProvider(None)
    err = (await drain(p.stream_chat(HAIKU, ask(), max_tokens=None, temperature=None))).error
    assert str(err) == "No Anthropic API key: add one in Settings → Keys or run `sparklio keys set anthropic`"
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_server.base_url)
    p = AnthropicProvider(None, timeout=CLIENT_TIMEOUT_S)
    try:
        out = await drain(p.stream_chat(HAIKU, ask("hi"), max_tokens=None, temperature=None))
        assert out.text == "Echo: hi" and out.finished is not None
    finally:
        await p.aclose()

"""OpenAI codex models through the Responses API against the fake OpenAI server: streaming, wire shape, faults."""

from __future__ import annotations

import base64

import pytest

from router.catalog import ModelSpec
from router.errors import PermanentError, RateLimitedError, RetiredModelError, TransientError
from router.providers.openai_provider import OpenAIProvider
from router.types import Finished, ImageInput, Message, UsageReport
from tests.fakes.fixtures import CLIENT_TIMEOUT_S, OPENAI_KEY, TIMEOUT_TEST_S, drain
from tests.fakes.http import count_tokens, pieces, small_png
from tests.test_providers_openai import FAULTS, PROMPT, ask


@pytest.fixture
async def provider(openai_server):
    p = OpenAIProvider(OPENAI_KEY, base_url=openai_server.base_url, timeout=CLIENT_TIMEOUT_S)
    yield p
    await p.aclose()


CODEX = ModelSpec(
    id="gpt-5.1-codex",
    provider="openai",
    api_model="gpt-fake-codex",
    params={"api": "responses", "reasoning_effort": "high"},
    capabilities=frozenset({"text", "code", "reasoning"}),
)
CODEX_TERSE = ModelSpec(
    id="c", provider="openai", api_model="gpt-fake-codex", params={"api": "responses", "verbosity": "low"}
)


@pytest.fixture
def codex_server(openai_server):
    openai_server.models.append("gpt-fake-codex")
    return openai_server


async def test_codex_streams_text_in_pieces_with_normalised_usage(provider, codex_server):
    codex_server.cached_tokens, codex_server.reasoning_tokens = 3, 5
    out = await drain(provider.stream_chat(CODEX, ask(), max_tokens=None, temperature=None))
    expected = "Echo: " + PROMPT
    assert out.error is None and codex_server.last.path == "/v1/responses"
    assert out.texts == pieces(expected) and len(out.texts) > 3
    assert isinstance(out.events[-1], Finished) and out.events[-1].reason == "stop"
    assert isinstance(out.events[-2], UsageReport)
    assert out.usage.input_tokens == count_tokens("You are terse. " + PROMPT) + 3
    assert out.usage.cached_input_tokens == 3
    assert out.usage.output_tokens == len(pieces(expected)) + 5 and out.usage.reasoning_tokens == 5
    assert not any(r.path == "/v1/chat/completions" for r in codex_server.requests)


async def test_codex_wire_shape(provider, codex_server):
    await drain(provider.stream_chat(CODEX, ask(), max_tokens=50, temperature=0.3))
    req = codex_server.last
    body = req.json
    assert req.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert body["model"] == "gpt-fake-codex" and b"gpt-5.1-codex" not in req.body
    assert "api" not in body and b"responses" not in req.body  # the routing hint never goes on the wire
    assert body["reasoning"] == {"effort": "high"} and "reasoning_effort" not in body
    assert body["max_output_tokens"] == 50 and "max_completion_tokens" not in body
    assert "temperature" not in body and body["stream"] is True and body["store"] is False
    assert body["instructions"] == "You are terse."
    assert body["input"] == [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": PROMPT}]}]


async def test_codex_history_images_and_verbosity(provider, codex_server):
    png = small_png("codex")
    model = CODEX_TERSE
    msgs = [
        Message("user", "first question"),
        Message("assistant", "first answer"),
        Message("user", "what is in this picture", images=[ImageInput(png, "image/png")]),
    ]
    out = await drain(provider.stream_chat(model, msgs, max_tokens=None, temperature=0.25))
    assert out.text == "Echo: what is in this picture" and out.finished.reason == "stop"
    body = codex_server.last.json
    assert "instructions" not in body and body["temperature"] == 0.25 and body["text"] == {"verbosity": "low"}
    assert body["input"][1]["content"] == [{"type": "output_text", "text": "first answer"}]
    parts = body["input"][2]["content"]
    assert parts[0] == {"type": "input_text", "text": "what is in this picture"}
    assert parts[1] == {
        "type": "input_image",
        "detail": "auto",
        "image_url": "data:image/png;base64," + base64.b64encode(png).decode(),
    }


async def test_codex_wire_body_is_what_the_sdks_responses_create_sends(provider, codex_server):
    """The Responses POST skips create's parameter transform too: same body and auth as responses.create."""
    import openai

    png = small_png("codex")
    model = CODEX_TERSE
    msgs = [
        Message("system", "You are terse."),
        Message("user", "first question"),
        Message("assistant", "first answer"),
        Message("user", "what is this", images=[ImageInput(png, "image/png")]),
    ]
    await drain(provider.stream_chat(model, msgs, max_tokens=40, temperature=0.25))
    ours, our_headers = codex_server.last.json, codex_server.last.headers
    client = openai.AsyncOpenAI(api_key=OPENAI_KEY, base_url=codex_server.base_url, max_retries=0)
    stream = await client.responses.create(
        model="gpt-fake-codex",
        input=ours["input"],
        instructions="You are terse.",
        stream=True,
        store=False,
        temperature=0.25,
        text={"verbosity": "low"},
        max_output_tokens=40,
    )
    async for _ in stream:
        pass
    await client.close()
    assert codex_server.last.json == ours and len(ours["input"]) == 3
    assert codex_server.last.headers["authorization"] == our_headers["authorization"] == f"Bearer {OPENAI_KEY}"


async def test_codex_output_limit_reports_length(provider, codex_server):
    codex_server.reply_text = " ".join(f"w{i}" for i in range(40))
    out = await drain(provider.stream_chat(CODEX, ask(), max_tokens=4, temperature=None))
    assert codex_server.last.json["max_output_tokens"] == 16  # the API's minimum; below it is a 400
    assert out.error is None and out.texts == pieces(codex_server.reply_text)[:16]
    assert out.finished.reason == "length" and out.usage.output_tokens == 16


@pytest.mark.parametrize("name,inject,kind,reason", FAULTS, ids=[f[0] for f in FAULTS])
async def test_codex_http_faults_map_like_chat(provider, codex_server, name, inject, kind, reason):
    inject(codex_server)
    out = await drain(provider.stream_chat(CODEX, ask(), max_tokens=None, temperature=None))
    assert type(out.error) is kind, out.error
    assert out.error.reason == reason and out.finished is None
    assert str(out.error).startswith("OpenAI") and OPENAI_KEY not in str(out.error)
    assert [r.path for r in codex_server.requests] == ["/v1/responses"]
    if name == "429 retry-after seconds":
        assert out.error.retry_after == 1.0


MID_STREAM = [
    (
        "failed rate limit",
        lambda s: s.fail_response("rate_limit_exceeded", "Slow down"),
        RateLimitedError,
        "rate_limited",
    ),
    ("failed server error", lambda s: s.fail_response("server_error", "Oops"), TransientError, "server_error"),
    ("failed policy", lambda s: s.fail_response("bio_policy", "Refused"), PermanentError, "content_policy"),
    ("failed invalid prompt", lambda s: s.fail_response("invalid_prompt", "Bad prompt"), PermanentError, "bad_request"),
    (
        "error event",
        lambda s: s.error_event("server_error", "Something broke", after_chunks=6),
        TransientError,
        "server_error",
    ),
]


@pytest.mark.parametrize("name,inject,kind,reason", MID_STREAM, ids=[f[0] for f in MID_STREAM])
async def test_codex_failure_events_map_to_errors(provider, codex_server, name, inject, kind, reason):
    inject(codex_server)
    out = await drain(provider.stream_chat(CODEX, ask(), max_tokens=None, temperature=None))
    assert type(out.error) is kind, out.error
    assert out.error.reason == reason and out.finished is None and out.usage is None
    assert "\n" not in str(out.error) and OPENAI_KEY not in str(out.error)


async def test_codex_cut_stream_ends_without_finished(provider, codex_server):
    # created, in_progress, reasoning item added/done, message added, part added, then two deltas
    codex_server.cut_stream(after_chunks=8)
    out = await drain(provider.stream_chat(CODEX, ask(), max_tokens=None, temperature=None))
    assert out.finished is None and out.usage is None
    assert out.error is None or isinstance(out.error, TransientError)
    assert out.texts == pieces("Echo: " + PROMPT)[:2]


async def test_codex_timeout_and_unknown_model(codex_server):
    codex_server.timeout(2.0)
    p = OpenAIProvider(OPENAI_KEY, base_url=codex_server.base_url, timeout=TIMEOUT_TEST_S)
    try:
        out = await drain(p.stream_chat(CODEX, ask(), max_tokens=None, temperature=None))
        assert isinstance(out.error, TransientError) and out.error.reason == "timeout" and out.finished is None
        ghost = ModelSpec(id="g", provider="openai", api_model="codex-ghost", params={"api": "responses"})
        err = (await drain(p.stream_chat(ghost, ask(), max_tokens=None, temperature=None))).error
        assert (
            isinstance(err, RetiredModelError)
            and err.kind == "retired"
            and err.reason == "not_found"
            and "codex-ghost" in str(err)
        )
    finally:
        await p.aclose()

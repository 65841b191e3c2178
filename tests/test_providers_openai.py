"""OpenAI provider against the fake OpenAI server: streaming, usage, wire params, faults, embeddings, images."""

from __future__ import annotations

import base64
import io
import time
from email.utils import formatdate

import pytest
from PIL import Image

from router.catalog import ModelSpec
from router.errors import PermanentError, RateLimitedError, RetiredModelError, TransientError
from router.providers.errors import parse_retry_after
from router.providers.openai_provider import OpenAIProvider
from router.types import Finished, ImageInput, Message, UsageReport
from tests.fakes.fixtures import CLIENT_TIMEOUT_S, OPENAI_KEY, TIMEOUT_TEST_S, drain
from tests.fakes.http import count_tokens, pieces, small_png

CHAT = ModelSpec(
    id="gpt-5.1-high-reasoning",
    provider="openai",
    api_model="gpt-fake-large",
    params={"reasoning_effort": "high"},
    capabilities=frozenset({"text", "reasoning"}),
)
MINI = ModelSpec(id="gpt-mini-catalog", provider="openai", api_model="gpt-fake-mini")
EMBED = ModelSpec(
    id="oa-embed", provider="openai", api_model="text-embedding-fake", kind="embedding", params={"dimensions": 5}
)
IMAGE = ModelSpec(id="oa-image", provider="openai", api_model="gpt-image-fake", kind="image")
DALLE = ModelSpec(id="oa-dalle", provider="openai", api_model="dall-e-fake", kind="image")
PROMPT = "please summarise the quarterly report for me"


@pytest.fixture
async def provider(openai_server):
    p = OpenAIProvider(OPENAI_KEY, base_url=openai_server.base_url, timeout=CLIENT_TIMEOUT_S)
    yield p
    await p.aclose()


def ask(text: str = PROMPT) -> list[Message]:
    return [Message("system", "You are terse."), Message("user", text)]


async def test_text_streams_in_pieces_with_usage_then_finished(provider, openai_server):
    openai_server.cached_tokens, openai_server.reasoning_tokens = 3, 5
    out = await drain(provider.stream_chat(CHAT, ask(), max_tokens=None, temperature=None))
    expected = "Echo: " + PROMPT
    assert out.error is None
    assert out.texts == pieces(expected) and len(out.texts) > 3
    assert out.text == expected
    assert isinstance(out.events[-1], Finished) and out.events[-1].reason == "stop"
    assert isinstance(out.events[-2], UsageReport)
    prompt_words = count_tokens("You are terse. " + PROMPT)
    assert out.usage.input_tokens == prompt_words + 3
    assert out.usage.cached_input_tokens == 3
    assert out.usage.output_tokens == len(pieces(expected)) + 5
    assert out.usage.reasoning_tokens == 5


async def test_api_model_and_params_reach_the_wire(provider, openai_server):
    await drain(provider.stream_chat(CHAT, ask(), max_tokens=50, temperature=0.3))
    req = openai_server.last
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    body = req.json
    assert body["model"] == "gpt-fake-large" and b"gpt-5.1-high-reasoning" not in req.body
    assert body["reasoning_effort"] == "high"
    assert body["max_completion_tokens"] == 50 and "max_tokens" not in body
    assert "temperature" not in body  # reasoning models reject it
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}


async def test_unknown_params_go_through_extra_body_and_temperature_is_sent(provider, openai_server):
    model = ModelSpec(id="x", provider="openai", api_model="gpt-fake-mini", params={"top_k": 7, "seed": 11})
    out = await drain(provider.stream_chat(model, ask(), max_tokens=None, temperature=0.25))
    assert out.finished is not None
    body = openai_server.last.json
    assert body["top_k"] == 7 and body["seed"] == 11 and body["temperature"] == 0.25


async def test_the_wire_body_is_what_the_sdks_create_sends(provider, openai_server):
    """The chat POST skips create's parameter transform: the bytes on the wire are the same as create's."""
    import openai

    png = small_png("attached")
    msgs = [
        Message("system", "You are terse."),
        Message("user", "what is this", images=[ImageInput(png, "image/png")]),
        Message("assistant", "A picture."),
        Message("user", PROMPT),
    ]
    model = ModelSpec(id="x", provider="openai", api_model="gpt-fake-mini", params={"seed": 11, "top_k": 7})
    await drain(provider.stream_chat(model, msgs, max_tokens=40, temperature=0.25))
    ours, our_headers = openai_server.last.json, openai_server.last.headers
    client = openai.AsyncOpenAI(api_key=OPENAI_KEY, base_url=openai_server.base_url, max_retries=0)
    stream = await client.chat.completions.create(
        model="gpt-fake-mini",
        messages=ours["messages"],
        stream=True,
        stream_options={"include_usage": True},
        max_completion_tokens=40,
        temperature=0.25,
        seed=11,
        extra_body={"top_k": 7},
    )
    async for _ in stream:
        pass
    await client.close()
    assert openai_server.last.json == ours
    for name in ("authorization", "content-type", "accept"):
        assert openai_server.last.headers.get(name) == our_headers.get(name)
    assert [m["role"] for m in ours["messages"]] == ["system", "user", "assistant", "user"]
    assert ours["messages"][1]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")


async def test_max_tokens_cut_reports_length(provider):
    out = await drain(provider.stream_chat(MINI, ask(), max_tokens=2, temperature=None))
    assert out.texts == ["Echo:", " please"]
    assert out.finished.reason == "length"


async def test_images_are_sent_as_data_url_parts(provider, openai_server):
    png = small_png("attached")
    msgs = [Message("user", "what is in this picture", images=[ImageInput(png, "image/png")])]
    out = await drain(provider.stream_chat(MINI, msgs, max_tokens=None, temperature=None))
    assert out.text == "Echo: what is in this picture"
    parts = openai_server.last.json["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "what is in this picture"}
    assert parts[1]["type"] == "image_url"
    assert parts[1]["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(png).decode()


FAULTS = [
    ("429 retry-after seconds", lambda s: s.fail_next(429, {"retry-after": "1"}), RateLimitedError, "rate_limited"),
    ("429 retry-after-ms", lambda s: s.fail_next(429, {"retry-after-ms": "1500"}), RateLimitedError, "rate_limited"),
    ("500", lambda s: s.fail_next(500), TransientError, "server_error"),
    ("503", lambda s: s.fail_next(503), TransientError, "server_error"),
    ("malformed", lambda s: s.malformed(), TransientError, "malformed"),
    ("401", lambda s: s.fail_next(401), PermanentError, "auth"),
    ("403", lambda s: s.fail_next(403), PermanentError, "auth"),
    (
        "content policy",
        lambda s: s.fail_next(
            400,
            body={
                "error": {
                    "message": "Your request was rejected by our safety system.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "content_policy_violation",
                }
            },
        ),
        PermanentError,
        "content_policy",
    ),
    (
        "quota",
        lambda s: s.fail_next(
            429,
            body={
                "error": {
                    "message": "You exceeded your current quota.",
                    "type": "insufficient_quota",
                    "param": None,
                    "code": "insufficient_quota",
                }
            },
        ),
        PermanentError,
        "quota",
    ),
]


@pytest.mark.parametrize("name,inject,kind,reason", FAULTS, ids=[f[0] for f in FAULTS])
async def test_faults_map_to_the_right_error(provider, openai_server, name, inject, kind, reason):
    inject(openai_server)
    out = await drain(provider.stream_chat(MINI, ask(), max_tokens=None, temperature=None))
    assert type(out.error) is kind, out.error
    assert out.error.reason == reason and out.error.provider == "openai"
    assert out.finished is None
    msg = str(out.error)
    assert msg.startswith("OpenAI") and "\n" not in msg and OPENAI_KEY not in msg
    assert len(openai_server.requests) == 1  # SDK retries are off: the engine owns retries


async def test_retry_after_values_are_parsed(provider, openai_server):
    openai_server.fail_next(429, {"retry-after": "1"})
    openai_server.fail_next(429, {"retry-after-ms": "1500"})
    openai_server.fail_next(429, {"retry-after": formatdate(time.time() + 30, usegmt=True)})
    openai_server.fail_next(429)
    errors = []
    for _ in range(4):
        err = (await drain(provider.stream_chat(MINI, ask(), max_tokens=None, temperature=None))).error
        assert isinstance(err, RateLimitedError) and err.status == 429
        errors.append(err)
    waits = [e.retry_after for e in errors]
    assert waits[0] == 1.0 and waits[1] == 1.5 and 25 <= waits[2] <= 30 and waits[3] is None
    assert str(errors[0]) == "OpenAI rate limit reached (HTTP 429); retry after 1s"
    assert str(errors[3]) == "OpenAI rate limit reached (HTTP 429)"


def test_parse_retry_after_forms():
    now = 1_700_000_000.0
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": formatdate(now + 12, usegmt=True)}, now=now) == pytest.approx(12.0)
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


async def test_timeout_is_transient(openai_server):
    openai_server.timeout(2.0)
    p = OpenAIProvider(OPENAI_KEY, base_url=openai_server.base_url, timeout=TIMEOUT_TEST_S)
    try:
        out = await drain(p.stream_chat(MINI, ask(), max_tokens=None, temperature=None))
    finally:
        await p.aclose()
    assert isinstance(out.error, TransientError) and out.error.reason == "timeout" and out.finished is None
    assert str(out.error) == "OpenAI timed out after 0.2s" and out.error.provider == "openai"


async def test_wrong_key_is_permanent_auth_and_never_echoed(openai_server):
    wrong = "sk-wrong-key-ffffffffffffffff"
    p = OpenAIProvider(wrong, base_url=openai_server.base_url, timeout=CLIENT_TIMEOUT_S)
    try:
        out = await drain(p.stream_chat(MINI, ask(), max_tokens=None, temperature=None))
        assert isinstance(out.error, PermanentError) and out.error.reason == "auth" and out.error.status == 401
        assert wrong not in str(out.error)
        with pytest.raises(PermanentError) as info:
            await p.check()
        assert info.value.reason == "auth" and wrong not in str(info.value)
    finally:
        await p.aclose()


async def test_api_detail_is_kept_but_scrubbed_of_the_key(provider, openai_server):
    openai_server.fail_next(
        400,
        body={
            "error": {
                "message": f"Bad input from key {OPENAI_KEY}\nsee docs",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        },
    )
    err = (await drain(provider.stream_chat(MINI, ask(), max_tokens=None, temperature=None))).error
    assert isinstance(err, PermanentError) and err.reason == "bad_request"
    assert "Bad input from key" in str(err) and OPENAI_KEY not in str(err) and "\n" not in str(err)


async def test_unknown_model_is_permanent_not_found(provider):
    ghost = ModelSpec(id="ghost", provider="openai", api_model="gpt-does-not-exist")
    err = (await drain(provider.stream_chat(ghost, ask(), max_tokens=None, temperature=None))).error
    assert (
        isinstance(err, RetiredModelError)
        and err.kind == "retired"
        and err.reason == "not_found"
        and "gpt-does-not-exist" in str(err)
    )


async def test_cut_stream_ends_without_finished(provider, openai_server):
    openai_server.cut_stream(after_chunks=3)
    out = await drain(provider.stream_chat(MINI, ask(), max_tokens=None, temperature=None))
    assert out.finished is None and out.usage is None
    assert out.error is None or isinstance(out.error, TransientError)
    full = pieces("Echo: " + PROMPT)
    assert out.texts == full[: len(out.texts)] and len(out.texts) < len(full)


async def test_embeddings(provider, openai_server):
    res = await provider.embed(EMBED, ["alpha beta", "gamma", "delta epsilon zeta"])
    assert len(res.vectors) == 3 and all(len(v) == 5 for v in res.vectors)
    assert res.vectors[0] != res.vectors[1]
    assert res.usage.input_tokens == 6
    body = openai_server.last.json
    assert body["model"] == "text-embedding-fake" and body["dimensions"] == 5
    assert body["encoding_format"] == "float" and body["input"] == ["alpha beta", "gamma", "delta epsilon zeta"]


async def test_embedding_fault_is_mapped(provider, openai_server):
    openai_server.fail_next(503)
    with pytest.raises(TransientError):
        await provider.embed(EMBED, ["x"])


async def test_images_are_png_with_usage(provider, openai_server):
    res = await provider.generate_image(IMAGE, "a red fox", size="1536x1024", quality="hd", n=2)
    assert len(res.images) == 2
    for img in res.images:
        with Image.open(io.BytesIO(img.png)) as im:
            assert im.format == "PNG"
    assert res.images[0].png != res.images[1].png
    assert (res.usage.images, res.usage.image_size, res.usage.image_quality) == (2, "1536x1024", "hd")
    body = openai_server.last.json
    assert body["model"] == "gpt-image-fake" and body["size"] == "1536x1024" and body["n"] == 2
    assert body["quality"] == "high" and "response_format" not in body  # gpt-image speaks low/medium/high


async def test_dalle_requests_base64(provider, openai_server):
    res = await provider.generate_image(DALLE, "a lighthouse", quality="standard")
    assert res.images[0].png.startswith(b"\x89PNG")
    body = openai_server.last.json
    assert body["response_format"] == "b64_json" and body["quality"] == "standard"


async def test_check_lists_models(provider, openai_server):
    text = await provider.check()
    assert "5 models" in text and openai_server.last.path == "/v1/models"


async def test_missing_key_is_a_clear_permanent_error(openai_server):
    p = OpenAIProvider(None, base_url=openai_server.base_url)
    out = await drain(p.stream_chat(MINI, ask(), max_tokens=None, temperature=None))
    assert isinstance(out.error, PermanentError) and out.error.reason == "no_key"
    assert str(out.error) == "No OpenAI API key: add one in Settings → Keys or run `sparklio keys set openai`"
    with pytest.raises(PermanentError):
        await p.embed(EMBED, ["x"])
    assert openai_server.requests == []
    await p.aclose()


async def test_env_key_and_env_base_url_are_used(openai_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    p = OpenAIProvider(None, base_url=None, timeout=CLIENT_TIMEOUT_S)
    try:
        out = await drain(p.stream_chat(MINI, ask("hi"), max_tokens=None, temperature=None))
        assert out.text == "Echo: hi" and out.finished is not None
    finally:
        await p.aclose()


async def test_api_hint_is_not_sent_on_chat_either(provider, openai_server):
    model = ModelSpec(id="x", provider="openai", api_model="gpt-fake-mini", params={"api": "chat", "seed": 3})
    out = await drain(provider.stream_chat(model, ask(), max_tokens=None, temperature=None))
    body = openai_server.last.json
    assert out.finished is not None and openai_server.last.path == "/v1/chat/completions"
    assert "api" not in body and body["seed"] == 3


def test_split_kwargs_caches_per_function_and_skips_empty_params():
    import openai

    from router.providers.base import accepted_parameters, split_kwargs

    a = openai.AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9")
    b = openai.AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9")
    names = accepted_parameters(a.responses.create)
    assert names is accepted_parameters(b.responses.create)  # one entry per SDK function, not per client
    assert {"input", "reasoning", "max_output_tokens"} <= names and "self" not in names
    assert split_kwargs(a.responses.create, {}) == ({}, {})
    known, extra = split_kwargs(b.responses.create, {"reasoning": {"effort": "low"}, "top_k": 5})
    assert known == {"reasoning": {"effort": "low"}} and extra == {"top_k": 5}

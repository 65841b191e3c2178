"""Google Gemini provider against the fake Gemini API: SSE stream, usage, thinking, faults, embeddings, images."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from router.catalog import ModelSpec
from router.errors import PermanentError, RateLimitedError, RetiredModelError, TransientError
from router.providers.google_provider import GoogleProvider, aspect_ratio
from router.types import Finished, ImageInput, Message, UsageReport
from tests.fakes.fixtures import CLIENT_TIMEOUT_S, GOOGLE_KEY, TIMEOUT_TEST_S, drain
from tests.fakes.http import count_tokens, pieces, small_png

FLASH = ModelSpec(id="gemini-flash-catalog", provider="google", api_model="gemini-fake-flash")
PRO = ModelSpec(
    id="gemini-pro-catalog",
    provider="google",
    api_model="gemini-fake-pro",
    params={"thinking_budget": 1024, "include_thoughts": True},
)
EMBED = ModelSpec(id="g-embed", provider="google", api_model="gemini-fake-embedding", kind="embedding")
NANOBANANA = ModelSpec(id="nanobanana", provider="google", api_model="gemini-fake-flash-image", kind="image")
PROMPT = "write a haiku about morning coffee please"


@pytest.fixture
async def provider(gemini_server):
    p = GoogleProvider(GOOGLE_KEY, base_url=gemini_server.url, timeout=CLIENT_TIMEOUT_S)
    yield p
    await p.aclose()


def ask(text: str = PROMPT) -> list[Message]:
    return [Message("system", "Answer in English."), Message("user", text)]


def generate_requests(server) -> list:
    return [r for r in server.requests if ":" in r.path]


async def test_text_streams_in_pieces_then_usage_then_finished(provider):
    out = await drain(provider.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))
    expected = "Echo: " + PROMPT
    assert out.error is None
    assert out.texts == pieces(expected) and len(out.texts) > 3
    assert isinstance(out.events[-1], Finished) and out.events[-1].reason == "stop"
    assert isinstance(out.events[-2], UsageReport)
    assert out.usage.input_tokens == count_tokens("Answer in English. " + PROMPT)
    assert out.usage.output_tokens == len(pieces(expected))


async def test_cached_and_thought_tokens_are_normalised(provider, gemini_server):
    gemini_server.cached_tokens, gemini_server.thoughts_tokens = 50, 9
    out = await drain(provider.stream_chat(PRO, ask(), max_tokens=None, temperature=None))
    assert out.text == "Echo: " + PROMPT  # the thought part is not answer text
    u = out.usage
    assert u.input_tokens == count_tokens("Answer in English. " + PROMPT) + 50 and u.cached_input_tokens == 50
    assert u.output_tokens == len(out.texts) + 9 and u.reasoning_tokens == 9  # thoughts are billed as output


async def test_wire_shape_path_system_params_and_images(provider, gemini_server):
    png = small_png("photo")
    msgs = [
        Message("system", "Answer in English."),
        Message("user", "describe", images=[ImageInput(png)]),
        Message("assistant", "Sure."),
        Message("user", "now shorter"),
    ]
    out = await drain(provider.stream_chat(PRO, msgs, max_tokens=64, temperature=0.4))
    assert out.finished is not None
    req = gemini_server.last
    assert req.path.endswith("/models/gemini-fake-pro:streamGenerateContent") and req.query == {"alt": "sse"}
    assert b"gemini-pro-catalog" not in req.body
    assert req.headers["x-goog-api-key"] == GOOGLE_KEY
    body = req.json
    assert body["systemInstruction"]["parts"] == [{"text": "Answer in English."}]
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    inline = body["contents"][0]["parts"][0]["inlineData"]
    assert inline["data"] == base64.b64encode(png).decode()
    gen = body["generationConfig"]
    assert gen["maxOutputTokens"] == 64 and gen["temperature"] == 0.4
    thinking = gen["thinkingConfig"]
    assert (thinking.get("thinkingBudget") or thinking.get("thinking_budget")) == 1024


async def test_max_tokens_finish_is_length(provider):
    out = await drain(provider.stream_chat(FLASH, ask(), max_tokens=2, temperature=None))
    assert out.texts == ["Echo:", " write"] and out.finished.reason == "length"


RETRY_INFO = {
    "error": {
        "code": 429,
        "message": "Resource has been exhausted (e.g. check quota).",
        "status": "RESOURCE_EXHAUSTED",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}],
    }
}
FAULTS = [
    ("429 header", lambda s: s.fail_next(429, {"retry-after": "2"}), RateLimitedError, "rate_limited"),
    ("429 RetryInfo", lambda s: s.fail_next(429, body=RETRY_INFO), RateLimitedError, "rate_limited"),
    ("500", lambda s: s.fail_next(500), TransientError, "server_error"),
    ("503", lambda s: s.fail_next(503), TransientError, "server_error"),
    ("malformed", lambda s: s.malformed(), TransientError, "malformed"),
    ("401", lambda s: s.fail_next(401), PermanentError, "auth"),
    ("403", lambda s: s.fail_next(403), PermanentError, "auth"),
    ("400", lambda s: s.fail_next(400), PermanentError, "bad_request"),
]


@pytest.mark.parametrize("name,inject,kind,reason", FAULTS, ids=[f[0] for f in FAULTS])
async def test_faults_map_to_the_right_error(provider, gemini_server, name, inject, kind, reason):
    inject(gemini_server)
    out = await drain(provider.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))
    assert type(out.error) is kind, out.error
    assert out.error.reason == reason and out.error.provider == "google"
    assert out.finished is None
    msg = str(out.error)
    assert msg.startswith("Google Gemini") and "\n" not in msg and GOOGLE_KEY not in msg
    assert len(gemini_server.requests) == 1  # no SDK retries


async def test_retry_after_from_header_and_from_retry_info(provider, gemini_server):
    gemini_server.fail_next(429, {"retry-after": "2"})
    gemini_server.fail_next(429, body=RETRY_INFO)
    first = (await drain(provider.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))).error
    second = (await drain(provider.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))).error
    assert first.retry_after == 2.0 and second.retry_after == 17.0


async def test_timeout_is_transient(gemini_server):
    gemini_server.timeout(2.0)
    p = GoogleProvider(GOOGLE_KEY, base_url=gemini_server.url, timeout=TIMEOUT_TEST_S)
    try:
        out = await drain(p.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))
    finally:
        await p.aclose()
    assert isinstance(out.error, TransientError) and out.error.reason == "timeout" and out.finished is None
    assert str(out.error) == "Google Gemini timed out after 0.2s" and out.error.provider == "google"


async def test_invalid_key_answer_is_permanent_auth(gemini_server):
    wrong = "AIzaWrongKeyWrongKeyWrongKey0000"
    p = GoogleProvider(wrong, base_url=gemini_server.url, timeout=CLIENT_TIMEOUT_S)
    try:
        err = (await drain(p.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))).error
        assert isinstance(err, PermanentError) and err.reason == "auth" and err.status == 400
        assert wrong not in str(err)
    finally:
        await p.aclose()


async def test_unknown_model_is_not_found(provider):
    ghost = ModelSpec(id="ghost", provider="google", api_model="gemini-nope")
    err = (await drain(provider.stream_chat(ghost, ask(), max_tokens=None, temperature=None))).error
    assert (
        isinstance(err, RetiredModelError)
        and err.kind == "retired"
        and err.reason == "not_found"
        and "gemini-nope" in str(err)
    )


async def test_cut_stream_ends_without_finished(provider, gemini_server):
    gemini_server.cut_stream(after_chunks=3)
    out = await drain(provider.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))
    assert out.finished is None and out.usage is None
    assert out.error is None or isinstance(out.error, TransientError)
    full = pieces("Echo: " + PROMPT)
    assert out.texts == full[: len(out.texts)] and len(out.texts) < len(full)


async def test_blocked_prompt_is_a_content_policy_refusal(provider, gemini_server):
    gemini_server.block_reason = "SAFETY"
    err = (await drain(provider.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))).error
    assert isinstance(err, PermanentError) and err.reason == "content_policy" and "SAFETY" in str(err)
    with pytest.raises(PermanentError) as info:
        await provider.generate_image(NANOBANANA, "something forbidden")
    assert info.value.reason == "content_policy" and "IMAGE_SAFETY" in str(info.value)


async def test_embeddings_one_request_entry_per_text(provider, gemini_server):
    res = await provider.embed(EMBED, ["first text here", "second", "third one"])
    assert len(res.vectors) == 3 and all(len(v) == 8 for v in res.vectors)
    assert len({tuple(v) for v in res.vectors}) == 3
    assert res.usage.input_tokens > 0
    req = gemini_server.last
    assert req.path.endswith("/models/gemini-fake-embedding:batchEmbedContents")
    assert [r["content"]["parts"][0]["text"] for r in req.json["requests"]] == [
        "first text here",
        "second",
        "third one",
    ]


async def test_embedding_fault_is_mapped(provider, gemini_server):
    gemini_server.fail_next(429, {"retry-after": "4"})
    with pytest.raises(RateLimitedError) as info:
        await provider.embed(EMBED, ["x"])
    assert info.value.retry_after == 4.0


async def test_flash_image_generation(provider, gemini_server):
    res = await provider.generate_image(NANOBANANA, "a banana on the moon", size="1792x1024", n=2)
    assert len(res.images) == 2
    with Image.open(io.BytesIO(res.images[0].png)) as im:
        assert im.format == "PNG"
    assert (res.usage.images, res.usage.image_size, res.usage.image_quality) == (2, "1792x1024", "standard")
    reqs = generate_requests(gemini_server)
    assert len(reqs) == 2 and reqs[0].path.endswith("/models/gemini-fake-flash-image:generateContent")
    gen = reqs[0].json["generationConfig"]
    assert gen["responseModalities"] == ["IMAGE"] and gen["imageConfig"]["aspectRatio"] == "16:9"


async def test_image_fault_is_mapped(provider, gemini_server):
    gemini_server.fail_next(503)
    with pytest.raises(TransientError):
        await provider.generate_image(NANOBANANA, "x")


def test_aspect_ratio_picks_the_closest_supported():
    assert aspect_ratio("1024x1024") == "1:1"
    assert aspect_ratio("1536x1024") == "3:2"
    assert aspect_ratio("1024x1792") == "9:16"
    assert aspect_ratio("banana") == "1:1"


async def test_check_lists_models(provider, gemini_server):
    assert "4 models" in await provider.check()
    assert gemini_server.last.method == "GET" and gemini_server.last.path.endswith("/models")


async def test_missing_key_then_env_key_and_env_base_url(gemini_server, monkeypatch):
    p = GoogleProvider(None)
    err = (await drain(p.stream_chat(FLASH, ask(), max_tokens=None, temperature=None))).error
    assert str(err) == "No Google Gemini API key: add one in Settings → Keys or run `sparklio keys set google`"
    monkeypatch.setenv("GEMINI_API_KEY", GOOGLE_KEY)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", gemini_server.url)  # read by genai.Client itself
    p = GoogleProvider(None, base_url=None, timeout=CLIENT_TIMEOUT_S)
    try:
        out = await drain(p.stream_chat(FLASH, ask("hi"), max_tokens=None, temperature=None))
        assert out.text == "Echo: hi" and out.finished is not None
    finally:
        await p.aclose()

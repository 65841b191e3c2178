"""OllamaProvider with the real ollama SDK against the fake Ollama server."""

from __future__ import annotations

import base64

import pytest

from router.catalog import ModelSpec
from router.errors import PermanentError, RateLimitedError, TransientError
from router.providers.base import Provider
from router.providers.ollama_provider import OllamaProvider, normalize_host
from router.types import Finished, ImageInput, Message, TextDelta, UsageReport
from tests.fakes.ollama_server import FakeOllama, down_url


@pytest.fixture
def fake():
    with FakeOllama() as server:
        yield server


@pytest.fixture
async def provider(fake):
    p = OllamaProvider(base_url=fake.url, timeout=10)
    yield p
    await p.aclose()


def spec(tag: str = "qwen2.5:7b", **params) -> ModelSpec:
    return ModelSpec(id="qwen2.5", provider="ollama", api_model=tag, params=params)


async def collect(provider, model, messages, **kw):
    events = []
    async for ev in provider.stream_chat(
        model, messages, max_tokens=kw.get("max_tokens"), temperature=kw.get("temperature")
    ):
        events.append(ev)
    return events


def test_is_a_provider():
    p = OllamaProvider()
    assert isinstance(p, Provider)
    assert p.name == "ollama"


async def test_streaming_chat_text_usage_and_finish(provider, fake):
    events = await collect(provider, spec(), [Message("system", "be brief"), Message("user", "hello there")])
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 3  # really streamed, not one blob
    assert "".join(deltas) == "Hello from qwen2.5:7b. You said: hello there"
    usage = [e.usage for e in events if isinstance(e, UsageReport)]
    assert len(usage) == 1
    assert usage[0].output_tokens == len(deltas)  # eval_count of the final chunk
    assert usage[0].input_tokens == len("be brief hello there".split())  # prompt_eval_count
    assert usage[0].gpu_seconds == pytest.approx(0.25 + 1.25)  # prompt_eval + eval durations
    assert isinstance(events[-1], Finished) and events[-1].reason == "stop"
    body = fake.requests_to("/api/chat")[-1]
    assert body["model"] == "qwen2.5:7b" and body["stream"] is True  # api_model on the wire, not the catalog id
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


async def test_max_tokens_temperature_and_params_on_the_wire(provider, fake):
    model = spec(num_ctx=8192, keep_alive="10m")
    events = await collect(
        provider, model, [Message("user", "one two three four five six")], max_tokens=3, temperature=0.3
    )
    body = fake.requests_to("/api/chat")[-1]
    assert body["options"] == {"num_ctx": 8192, "num_predict": 3, "temperature": 0.3}
    assert body["keep_alive"] == "10m"
    assert events[-1] == Finished("length")
    assert len([e for e in events if isinstance(e, TextDelta)]) == 3


async def test_images_go_base64_in_the_message_images_field(provider, fake):
    png = b"\x89PNG\r\n\x1a\nfake-image-bytes"
    msg = Message("user", "what is this?", images=[ImageInput(png, "image/png", "a.png")])
    events = await collect(provider, spec("llava:7b"), [msg])
    sent = fake.requests_to("/api/chat")[-1]["messages"][0]
    assert sent["images"] == [base64.b64encode(png).decode()]
    assert "I see 1 image." in "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_embed(provider, fake):
    model = ModelSpec(id="nomic-embed-text", provider="ollama", api_model="nomic-embed-text:latest", kind="embedding")
    result = await provider.embed(model, ["first text", "second one here"])
    assert len(result.vectors) == 2 and all(len(v) == 768 for v in result.vectors)
    assert result.vectors[0] != result.vectors[1]
    assert result.usage.input_tokens == 2 + 3
    assert result.usage.gpu_seconds == pytest.approx(0.05)
    assert fake.requests_to("/api/embed")[-1]["input"] == ["first text", "second one here"]


async def test_check_reports_version(provider, fake):
    assert await provider.check() == f"Ollama 0.6.5 is running at {fake.url}"


async def test_host_from_env(fake, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    p = OllamaProvider()
    try:
        assert p.host == fake.url
        assert "0.6.5" in await p.check()
    finally:
        await p.aclose()


@pytest.mark.parametrize("call", ["check", "chat", "embed"])
async def test_server_down_is_transient_with_clear_message(call):
    url = down_url()
    p = OllamaProvider(base_url=url, timeout=5)
    with pytest.raises(TransientError) as info:
        if call == "check":
            await p.check()
        elif call == "chat":
            await collect(p, spec(), [Message("user", "hi")])
        else:
            await p.embed(spec(), ["x"])
    assert str(info.value) == f"Ollama is not running at {url}: start it with `ollama serve`"
    await p.aclose()


async def test_unknown_model_is_permanent_and_suggests_pull(provider):
    with pytest.raises(PermanentError) as info:
        await collect(provider, spec("ghost:1b"), [Message("user", "hi")])
    assert "ollama pull ghost:1b" in str(info.value)
    assert info.value.status == 404


async def test_server_error_is_transient(provider, fake):
    fake.fail("/api/chat", 500, "llama runner process has terminated")
    with pytest.raises(TransientError) as info:
        await collect(provider, spec(), [Message("user", "hi")])
    assert info.value.status == 500 and "llama runner process has terminated" in str(info.value)
    # the fault was one-shot: the next call works
    events = await collect(provider, spec(), [Message("user", "hi")])
    assert isinstance(events[-1], Finished)


async def test_out_of_memory_is_permanent(provider, fake):
    fake.fail("/api/chat", 500, "model requires more system memory (9.1 GiB) than is available (4.0 GiB)")
    with pytest.raises(PermanentError, match="Not enough memory to run qwen2.5:7b"):
        await collect(provider, spec(), [Message("user", "hi")])


async def test_429_is_rate_limited(provider, fake):
    fake.fail("/api/embed", 429, "server busy, please try again")
    with pytest.raises(RateLimitedError):
        await provider.embed(spec(), ["x"])


async def test_bad_request_is_permanent(provider):
    model = ModelSpec(id="n", provider="ollama", api_model="nomic-embed-text:latest")
    with pytest.raises(PermanentError) as info:
        await collect(provider, model, [Message("user", "hi")])
    assert info.value.status == 400 and "does not support chat" in str(info.value)


async def test_cut_stream_raises_transient_after_partial_text(provider, fake):
    fake.cut("/api/chat", after=3)
    seen = []
    with pytest.raises(TransientError):
        async for ev in provider.stream_chat(spec(), [Message("user", "hi")], max_tokens=None, temperature=None):
            seen.append(ev)
    assert [type(e) for e in seen] == [TextDelta] * 3  # partial text, never a Finished


def test_normalize_host_matches_the_sdk_rules():
    assert normalize_host(None) == "http://127.0.0.1:11434"
    assert normalize_host("0.0.0.0") == "http://0.0.0.0:11434"
    assert normalize_host(":5000") == "http://127.0.0.1:5000"
    assert normalize_host("https://ollama.example.com/") == "https://ollama.example.com:443"

"""OpenAI-compatible endpoints (vLLM, LM Studio, llama.cpp, LiteLLM) and the shared provider base."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from router.catalog import ModelSpec
from router.errors import PermanentError, RateLimitedError, TransientError
from router.providers.anthropic_provider import AnthropicProvider
from router.providers.base import BaseProvider, Provider
from router.providers.compat import PLACEHOLDER_KEY, CompatProvider
from router.providers.errors import scrub
from router.providers.google_provider import GoogleProvider
from router.providers.info import PROVIDERS
from router.providers.openai_provider import OpenAIProvider
from router.types import Message
from tests.fakes.fixtures import CLIENT_TIMEOUT_S, TIMEOUT_TEST_S, drain
from tests.fakes.openai_server import FakeOpenAI

LOCAL = ModelSpec(
    id="compat-qwen", provider="compat", api_model="qwen-local-7b", params={"top_k": 20, "repetition_penalty": 1.05}
)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def local_server():
    """A keyless local OpenAI-compatible server (like llama.cpp or LM Studio)."""
    with FakeOpenAI(models=["qwen-local-7b"]) as server:
        yield server


async def test_streams_without_a_key_using_the_placeholder(local_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-openai-key-must-not-leak")
    p = CompatProvider(None, base_url=local_server.base_url, timeout=CLIENT_TIMEOUT_S)
    try:
        out = await drain(p.stream_chat(LOCAL, [Message("user", "hello local model")], max_tokens=100, temperature=0.2))
    finally:
        await p.aclose()
    assert out.text == "Echo: hello local model" and len(out.texts) == 4
    assert out.finished.reason == "stop" and out.usage.input_tokens == 3
    req = local_server.last
    assert req.headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"  # never the OpenAI key
    body = req.json
    assert body["model"] == "qwen-local-7b" and body["max_tokens"] == 100 and "max_completion_tokens" not in body
    assert body["top_k"] == 20 and body["repetition_penalty"] == 1.05 and body["temperature"] == 0.2


async def test_optional_key_is_sent_when_configured():
    with FakeOpenAI(models=["qwen-local-7b"], require_key="litellm-master-key") as server:
        p = CompatProvider("litellm-master-key", base_url=server.base_url, timeout=CLIENT_TIMEOUT_S)
        try:
            assert "1 models" in await p.check()
            out = await drain(p.stream_chat(LOCAL, [Message("user", "hi")], max_tokens=None, temperature=None))
            assert out.finished is not None
        finally:
            await p.aclose()


async def test_errors_name_the_endpoint(local_server):
    p = CompatProvider(None, base_url=local_server.base_url, timeout=CLIENT_TIMEOUT_S)
    host = local_server.url.removeprefix("http://")
    try:
        local_server.fail_next(429, {"retry-after": "1"})
        err = (await drain(p.stream_chat(LOCAL, [Message("user", "hi")], max_tokens=None, temperature=None))).error
        assert isinstance(err, RateLimitedError) and err.retry_after == 1.0 and err.provider == "compat"
        assert str(err).startswith(f"OpenAI-compatible endpoint {host} rate limit")
        local_server.fail_next(502)
        err = (await drain(p.stream_chat(LOCAL, [Message("user", "hi")], max_tokens=None, temperature=None))).error
        assert isinstance(err, TransientError) and str(err).startswith(f"OpenAI-compatible endpoint {host} server")
    finally:
        await p.aclose()
    local_server.timeout(2.0)
    slow = CompatProvider(None, base_url=local_server.base_url, timeout=TIMEOUT_TEST_S)
    try:
        err = (await drain(slow.stream_chat(LOCAL, [Message("user", "hi")], max_tokens=None, temperature=None))).error
        assert isinstance(err, TransientError) and err.reason == "timeout"
    finally:
        await slow.aclose()


async def test_reply_text_and_chunk_delay_for_benchmarks():
    with FakeOpenAI(models=["qwen-local-7b"], reply_text="one two three", chunk_delay_s=0.01) as server:
        p = CompatProvider(None, base_url=server.base_url, timeout=CLIENT_TIMEOUT_S)
        try:
            out = await drain(p.stream_chat(LOCAL, [Message("user", "x")], max_tokens=None, temperature=None))
        finally:
            await p.aclose()
    assert out.texts == ["one", " two", " three"] and out.usage.output_tokens == 3


async def test_unreachable_endpoint_is_transient():
    with FakeOpenAI() as server:
        url = server.base_url
    p = CompatProvider(None, base_url=url, timeout=CLIENT_TIMEOUT_S)  # the port is closed now
    try:
        err = (await drain(p.stream_chat(LOCAL, [Message("user", "hi")], max_tokens=None, temperature=None))).error
        assert isinstance(err, TransientError) and err.reason == "unreachable" and "\n" not in str(err)
    finally:
        await p.aclose()


async def test_missing_base_url_is_a_clear_permanent_error():
    p = CompatProvider(None, base_url=None)
    err = (await drain(p.stream_chat(LOCAL, [Message("user", "hi")], max_tokens=None, temperature=None))).error
    assert isinstance(err, PermanentError) and err.reason == "no_endpoint"
    assert str(err) == "No OpenAI-compatible endpoint configured: set its URL in Settings → Endpoints"


def test_label_hides_credentials_in_the_url():
    p = CompatProvider(None, base_url="http://user:secret@10.0.0.5:8080/v1?token=abc")
    assert p.label == "OpenAI-compatible endpoint 10.0.0.5:8080" and p.name == "compat"


def test_all_cloud_providers_satisfy_the_protocol():
    for cls in (OpenAIProvider, AnthropicProvider, GoogleProvider, CompatProvider):
        p = cls("k", base_url="http://127.0.0.1:9", timeout=1.0)
        assert isinstance(p, Provider) and isinstance(p, BaseProvider)
        assert PROVIDERS[p.name].factory.endswith(cls.__name__)


async def test_base_class_refuses_unsupported_calls_clearly():
    class Minimal(BaseProvider):
        name = "minimal"

    p = Minimal(None)
    spec = ModelSpec(id="claude-3-opus", provider="minimal", api_model="x")
    with pytest.raises(PermanentError, match="^claude-3-opus cannot embed text$"):
        await p.embed(spec, ["x"])
    err = (await drain(p.stream_chat(spec, [Message("user", "hi")]))).error
    assert str(err) == "claude-3-opus cannot chat" and err.reason == "unsupported"
    with pytest.raises(PermanentError, match="cannot generate images"):
        await p.generate_image(spec, "cat")
    await p.aclose()


def test_scrub_is_one_short_line_without_secrets():
    text = scrub(
        "line one\nkey sk-abcdef1234567890 and AIzaSyD-abcdefghijklmnop and mysecret " + "x" * 300, ["mysecret"]
    )
    assert "\n" not in text and len(text) <= 160
    assert "sk-abcdef" not in text and "AIzaSy" not in text and "mysecret" not in text


def test_importing_providers_does_not_import_sdks():
    code = (
        "import sys, router.providers, router.providers.openai_provider, router.providers.anthropic_provider, "
        "router.providers.google_provider, router.providers.compat; "
        "print(sorted(m for m in ('openai', 'anthropic', 'google.genai', 'httpx2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

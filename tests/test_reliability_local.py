"""Reliability: installed Ollama models stay in the chain when Ollama is slow, and across processes."""

from __future__ import annotations

import pytest

from router.app import Sparklio
from router.errors import NoRouteError
from router.types import Message, RouteRequest
from tests.fakes.ollama_server import FakeOllama, down_url


def offline_chat() -> RouteRequest:
    return RouteRequest([Message("user", "hello there")], task="chat_response", complexity="simple", offline=True)


def local_chain(app) -> list[str]:
    return [e.model for e in app.plan(offline_chat()).chain]


@pytest.fixture
def ollama():
    with FakeOllama() as server:
        yield server


def _app(data_dir, url) -> Sparklio:
    app = Sparklio(data_dir, env={})
    app.settings.set("endpoints", {**app.settings.get("endpoints"), "ollama": url})
    return app


@pytest.mark.slow
async def test_slow_status_check_never_removes_installed_models(data_dir, ollama):
    app = _app(data_dir, ollama.url)
    assert await app.refresh_local()
    before = local_chain(app)
    assert before and all(m.startswith(("qwen", "llama", "mistral")) or ":" in m for m in before)
    ollama.state.version_delay_s = 2.5  # busier than the status timeout (1.5 s after a fast check)
    assert not await app.refresh_local(timeout=0.5)
    assert local_chain(app) == before  # still planned, Ollama still counted as running
    assert "did not answer within" in app.registry.ollama_message
    app.store.close()


async def test_a_new_process_starts_with_the_last_known_list(data_dir, ollama):
    app = _app(data_dir, ollama.url)
    assert await app.refresh_local()
    before = local_chain(app)
    app.store.close()
    fresh = Sparklio(data_dir, env={})  # no status check at all yet
    assert local_chain(fresh) == before
    assert fresh.registry.ollama_message.startswith("Ollama was running at")
    fresh.store.close()


async def test_ollama_that_is_really_down_is_reported_not_hidden(data_dir, ollama):
    app = _app(data_dir, ollama.url)
    assert await app.refresh_local()
    app.settings.set("endpoints", {**app.settings.get("endpoints"), "ollama": down_url()})
    assert not await app.refresh_local()
    with pytest.raises(NoRouteError) as info:  # no keys either: the user is told Ollama is the problem
        app.plan(offline_chat())
    assert "Ollama" in str(info.value) and "\n" not in str(info.value)
    app.store.close()


async def test_status_timeout_adapts_to_the_last_check(data_dir, ollama):
    from router.local_snapshot import MAX_TIMEOUT_S, MIN_TIMEOUT_S, adaptive_timeout

    app = _app(data_dir, ollama.url)
    assert await app.refresh_local()
    assert adaptive_timeout() == MIN_TIMEOUT_S  # a fast local answer
    ollama.state.version_delay_s = 6.0
    await app.refresh_local()
    assert adaptive_timeout() == MAX_TIMEOUT_S  # a slow one raises the next limit
    app.store.close()

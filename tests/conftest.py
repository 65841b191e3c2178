"""Suite-wide fixtures: loopback-only network guard, offscreen Qt, isolated data dirs and keyring."""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

# Shared fixtures by plugin, not by name imports: provider fakes, the page tests' demo facade, workflow runs.
pytest_plugins = ["tests.fakes.fixtures", "tests.ui.pages_support", "tests.workflow_fixtures"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DISABLE_TELEMETRY", "1")
# Never read or write the real user's config/data folders from tests.
import tempfile as _tempfile  # noqa: E402

_xdg = _tempfile.mkdtemp(prefix="sparklio-xdg-")
for _name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = os.path.join(_xdg, _name.lower())
# Provider env vars from the developer's shell must never leak into tests.
for _var in (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
    "GOOGLE_GEMINI_BASE_URL",
    "OLLAMA_HOST",
    "SPARKLIO_HOME",
):
    os.environ.pop(_var, None)

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NonLoopbackConnection(AssertionError):
    """A test tried to reach something other than this machine."""


def _check_address(address) -> None:
    """Fail unless `address` is a loopback IP or a unix socket path."""
    if isinstance(address, (str, bytes)):
        return  # AF_UNIX
    host = address[0]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise NonLoopbackConnection(f"test tried to connect to non-IP host {host!r}") from None
    if not ip.is_loopback:
        raise NonLoopbackConnection(f"test tried to connect to non-loopback address {host}")


def _guarded_connect(self, address):
    _check_address(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check_address(address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost", "127.0.0.1", "::1", b"localhost", b"127.0.0.1"):
        try:
            if not ipaddress.ip_address(host if isinstance(host, str) else host.decode()).is_loopback:
                raise NonLoopbackConnection(f"test tried to resolve non-loopback host {host!r}")
        except ValueError:
            raise NonLoopbackConnection(f"test tried to resolve non-loopback host {host!r}") from None
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo


@pytest.fixture
def data_dir(tmp_path):
    """A fresh, empty data folder."""
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def store(data_dir):
    """The data folder's migrated store, closed afterwards."""
    from router.store import open_store

    s = open_store(data_dir)
    yield s
    s.close()


@pytest.fixture
def memory_keyring():
    """A real keyring backend that keeps secrets in memory (set as the process default)."""
    import keyring

    from tests.fakes.keyring import MemoryKeyring

    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# ---- fake provider servers and a facade wired to them ----


def catalog_api_models(provider: str) -> list[str]:
    """Every API model name the built-in catalog uses for a provider and the provider still serves (the fakes'
    lists: like the real APIs, they answer 404 for a retired model)."""
    import tomllib
    from datetime import date
    from pathlib import Path

    data = tomllib.loads((Path(__file__).resolve().parent.parent / "resources" / "catalog.toml").read_text())

    def live(m: dict) -> bool:  # what the real API still lists: retired models answer 404
        return m.get("lifecycle") != "retired" and not (m.get("retires") and m["retires"] <= date.today())

    return sorted({m["api_model"] for m in data["models"].values() if m["provider"] == provider and live(m)})


@pytest.fixture
def fake_openai():
    """A fake OpenAI server on 127.0.0.1."""
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI(models=catalog_api_models("openai")) as server:
        yield server


@pytest.fixture
def fake_anthropic():
    """A fake Anthropic server on 127.0.0.1."""
    from tests.fakes.anthropic_server import FakeAnthropic

    with FakeAnthropic(models=catalog_api_models("anthropic")) as server:
        yield server


@pytest.fixture
def fake_gemini():
    """A fake Gemini server on 127.0.0.1."""
    from tests.fakes.gemini_server import FakeGemini

    with FakeGemini(models=catalog_api_models("google")) as server:
        yield server


class SleepRecorder:
    """Stands in for asyncio.sleep in the engine: records requested delays, waits ~nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        import asyncio

        self.delays.append(delay)
        await asyncio.sleep(0)


def make_cloud_app(data_dir, keyring_backend, *, openai=None, anthropic=None, gemini=None, sleep=None, **kw):
    """A Sparklio facade whose cloud providers point at the given fake servers (keys in a real keyring backend)."""
    from router.app import Sparklio

    app = Sparklio(data_dir, keyring=keyring_backend, env={}, sleep=sleep or SleepRecorder(), **kw)
    endpoints = {}
    for name, server in (("openai", openai), ("anthropic", anthropic), ("google", gemini)):
        if server is not None:
            app.secrets.set(name, f"test-key-{name}")
            endpoints[name] = server.url if name == "google" else server.base_url
    app.settings.set("endpoints", endpoints)
    app.settings.set("exploration_rate", 0.0)
    return app


@pytest.fixture
def cloud_app(data_dir, memory_keyring, fake_openai, fake_anthropic, fake_gemini):
    """A facade on a fresh data dir with OpenAI, Anthropic and Gemini fakes configured."""
    import asyncio

    sleep = SleepRecorder()
    app = make_cloud_app(
        data_dir, memory_keyring, openai=fake_openai, anthropic=fake_anthropic, gemini=fake_gemini, sleep=sleep
    )
    app.sleeps = sleep
    yield app
    try:
        asyncio.run(app.aclose())
    except RuntimeError:
        app.store.close()


@pytest.fixture(scope="module")
def one_torch_thread():
    """The tiny model gains nothing from threads, and on a busy 2-core box they only contend."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

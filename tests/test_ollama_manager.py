"""OllamaManager against the fake Ollama server, and catalog entries for installed models."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from datetime import datetime
from pathlib import Path

import pytest

from local_models.ollama import NOT_INSTALLED, OllamaManager, PullCancelled, PullProgress
from router.errors import SparklioError
from router.ollama_catalog import LocalModel, catalog_entries, family_of
from router.pricing import load_catalog
from router.types import Usage
from tests.fakes.ollama_server import FakeOllama, down_url

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake():
    with FakeOllama() as server:
        yield server


@pytest.fixture
async def manager(fake):
    m = OllamaManager(fake.url, timeout=10)
    yield m
    await m.aclose()


@pytest.fixture
def fake_binary(tmp_path):
    """An `ollama` executable whose `serve` runs the fake server on $OLLAMA_HOST."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "ollama"
    script.write_text(f"#!/bin/sh\ncd {REPO}\nexec {sys.executable} -m tests.fakes.ollama_server\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


# ---- status and start ----


async def test_status_running(manager, fake):
    st = await manager.status()
    assert st.running and st.version == "0.6.5" and st.host == fake.url
    assert st.message == f"Ollama 0.6.5 is running at {fake.url}"


async def test_status_down_and_not_installed(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ollama binary anywhere
    m = OllamaManager(down_url())
    st = await m.status()
    assert not st.running and not st.installed
    assert st.message == NOT_INSTALLED == "Ollama is not installed — get it from ollama.com"
    with pytest.raises(SparklioError, match="not installed"):
        await m.start_server()


async def test_status_down_but_installed(monkeypatch, fake_binary):
    monkeypatch.setenv("PATH", str(fake_binary.parent))
    url = down_url()
    st = await OllamaManager(url).status()
    assert not st.running and st.installed
    assert st.message == f"Ollama is not running at {url}: start it with `ollama serve`"


async def test_start_server_spawns_ollama_serve(monkeypatch, fake_binary):
    monkeypatch.setenv("PATH", str(fake_binary.parent) + os.pathsep + os.environ.get("PATH", ""))
    m = OllamaManager(down_url())
    try:
        st = await m.start_server(wait_s=20)
        assert st.running and st.version == "0.6.5"
        assert next(x.name for x in await m.list_models()) == "qwen2.5:7b"
    finally:
        await m.aclose()
        if m.process is not None:  # the app leaves the server running; the test does not
            m.process.terminate()
            m.process.wait(timeout=10)
    assert not (await m.status()).running


# ---- listing and catalog entries ----


async def test_list_models_maps_tags_and_show(manager):
    models = {m.name: m for m in await manager.list_models()}
    assert set(models) == {
        "qwen2.5:7b",
        "llama3.2:3b",
        "mistral:7b",
        "qwen2.5-coder:7b",
        "llava:7b",
        "nomic-embed-text:latest",
    }
    q = models["qwen2.5:7b"]
    assert (q.family, q.parameter_size, q.quantization) == ("qwen2", "7.6B", "Q4_K_M")
    assert q.size_bytes == 4_683_087_332 and q.context_length == 32768
    assert isinstance(q.modified_at, datetime)
    assert models["llama3.2:3b"].context_length == 131072  # from /api/show model_info
    assert "vision" in models["llava:7b"].capabilities
    emb = models["nomic-embed-text:latest"]
    assert emb.capabilities == frozenset({"embedding"}) and emb.embedding_length == 768


async def test_list_models_survives_a_failing_show(manager, fake):
    fake.fail("/api/show", 500)
    models = await manager.list_models()
    assert len(models) == 6
    assert sum(m.context_length is None for m in models) == 1


async def test_catalog_entries_from_installed_models(manager):
    specs = {s.id: s for s in catalog_entries(await manager.list_models())}
    assert set(specs) == {"qwen2.5", "llama3.2", "mistral", "qwen2.5-coder", "llava:7b", "nomic-embed-text:latest"}
    for s in specs.values():
        assert s.provider == "ollama" and s.local and s.installed
        assert s.input_price == 0 and s.output_price == 0
        assert s.cost(Usage(input_tokens=10_000, output_tokens=10_000)) == 0.0
    q = specs["qwen2.5"]
    assert (q.api_model, q.quality, q.context_window, q.speed, q.latency_s) == (
        "qwen2.5:7b",
        7.0,
        32000,
        "standard",
        3.5,
    )
    ll = specs["llama3.2"]
    assert (ll.api_model, ll.quality, ll.context_window, ll.latency_s) == ("llama3.2:3b", 7.5, 8000, 4.5)
    mi = specs["mistral"]
    assert (mi.quality, mi.context_window, mi.speed, mi.latency_s) == (6.5, 8000, "realtime", 2.0)
    coder = specs["qwen2.5-coder"]
    assert "code" in coder.capabilities and coder.quality == 7.0
    assert "vision" in specs["llava:7b"].capabilities and specs["llava:7b"].kind == "chat"
    emb = specs["nomic-embed-text:latest"]
    assert emb.kind == "embedding" and emb.capabilities == frozenset({"embedding"}) and emb.dimensions == 768


def test_catalog_entries_unknown_families_and_duplicate_tags():
    models = [
        LocalModel("qwen2.5:14b", 9_000_000_000, "qwen2", "14.8B", "Q4_K_M", 32768, frozenset({"completion"})),
        LocalModel("qwen2.5:7b", 4_700_000_000, "qwen2", "7.6B", "Q4_K_M", 32768, frozenset({"completion"})),
        LocalModel("phi3:mini", 2_200_000_000, "phi3", "3.8B", "Q4_0", 131072, frozenset({"completion"})),
        LocalModel("someone/custom:latest", 1_000_000_000, "", "", "", None, frozenset()),
        LocalModel(
            "llama3.2-vision:11b",
            7_900_000_000,
            "mllama",
            "9.8B",
            "Q4_K_M",
            131072,
            frozenset({"completion", "vision"}),
        ),
        LocalModel(
            "mxbai-embed-large:latest",
            670_000_000,
            "bert",
            "334M",
            "F16",
            512,
            frozenset({"embedding"}),
            embedding_length=1024,
        ),
    ]
    specs = {s.id: s for s in catalog_entries(models)}
    assert specs["qwen2.5"].api_model == "qwen2.5:7b"  # the tag nearest the policy's reference size
    assert specs["qwen2.5:14b"].api_model == "qwen2.5:14b" and specs["qwen2.5:14b"].quality == 7.0
    phi = specs["phi3:mini"]
    assert (phi.quality, phi.context_window, phi.speed) == (6.0, 131072, "standard")
    custom = specs["someone/custom:latest"]
    assert (custom.quality, custom.context_window, custom.kind) == (6.0, 4096, "chat")
    assert family_of("llama3.2-vision:11b") == "llama3.2-vision"
    vis = specs["llama3.2-vision:11b"]
    assert "vision" in vis.capabilities and vis.id != "llama3.2"
    emb = specs["mxbai-embed-large:latest"]
    assert emb.kind == "embedding" and emb.dimensions == 1024


def test_catalog_ids_come_from_the_catalog():
    models = [LocalModel("mistral:7b", 4_100_000_000, "llama", "7.2B", "Q4_0", 32768, frozenset({"completion"}))]
    assert [s.id for s in catalog_entries(models)] == ["mistral"]
    assert [s.id for s in catalog_entries(models, ["qwen2.5"])] == ["mistral:7b"]


async def test_catalog_entries_against_the_shipped_catalog(manager):
    catalog = load_catalog(REPO / "resources" / "catalog.toml")
    specs = {s.id: s for s in catalog_entries(await manager.list_models(), catalog)}
    for family, tag in (
        ("qwen2.5", "qwen2.5:7b"),
        ("llama3.2", "llama3.2:3b"),
        ("mistral", "mistral:7b"),
        ("qwen2.5-coder", "qwen2.5-coder:7b"),
    ):
        shipped = catalog.get(family)
        assert specs[family].api_model == tag and specs[family].installed
        # the catalog's own figures win for the families it names
        assert (specs[family].quality, specs[family].context_window, specs[family].capabilities) == (
            shipped.quality,
            shipped.context_window,
            shipped.capabilities,
        )
    assert specs["llava:7b"].provider == "ollama" and "vision" in specs["llava:7b"].capabilities
    catalog.set_installed("ollama", specs)
    assert catalog.get("qwen2.5").installed and catalog.get("llava:7b").api_model == "llava:7b"


# ---- running, load, unload ----


async def test_load_unload_via_keep_alive(manager, fake):
    assert await manager.running() == []
    await manager.load("qwen2.5:7b", keep_alive="10m")
    await manager.load("nomic-embed-text:latest")  # embedding models load through /api/embed
    running = {r.name: r for r in await manager.running()}
    assert set(running) == {"qwen2.5:7b", "nomic-embed-text:latest"}
    assert running["qwen2.5:7b"].size_vram > 0 and running["qwen2.5:7b"].expires_at is not None
    assert fake.requests_to("/api/generate")[0]["keep_alive"] == "10m"
    await manager.unload("qwen2.5:7b")
    assert fake.requests_to("/api/generate")[-1]["keep_alive"] == 0
    assert [r.name for r in await manager.running()] == ["nomic-embed-text:latest"]


async def test_load_unknown_model(manager):
    with pytest.raises(SparklioError, match="ghost:1b is not installed"):
        await manager.load("ghost:1b")


# ---- pull and delete ----


async def test_pull_reports_progress_and_installs(manager, fake):
    updates: list[PullProgress] = []
    await manager.pull("tinyllama", on_progress=updates.append)
    assert updates[0].status == "pulling manifest"
    assert updates[-1].status == "success"
    layered = [u for u in updates if u.digest]
    assert len({u.digest for u in layered}) == 3
    completed = [u.completed for u in updates]
    assert completed == sorted(completed)  # never goes backwards
    expected_total = sum(fake.state.library["tinyllama:latest"].layers)
    assert updates[-1].completed == updates[-1].total == expected_total
    assert updates[-1].percent == pytest.approx(100.0)
    assert any(u.percent is not None and 0 < u.percent < 100 for u in updates)
    assert "tinyllama:latest" in [m.name for m in await manager.list_models()]


async def test_pull_cancel(manager, fake):
    fake.state.pull_delay_s = 0.01
    fake.state.pull_steps = 30
    cancel = asyncio.Event()
    updates = []

    def on_progress(p: PullProgress) -> None:
        updates.append(p)
        if p.completed > 0:
            cancel.set()

    with pytest.raises(PullCancelled, match="Download of phi3:mini cancelled"):
        await manager.pull("phi3:mini", on_progress=on_progress, cancel_event=cancel)
    assert await asyncio.to_thread(fake.state.pull_aborted_event.wait, 5)  # the server saw the hang-up
    assert "phi3:mini" not in [m.name for m in await manager.list_models()]
    assert updates[-1].status != "success"


async def test_pull_failing_half_way(manager):
    updates = []
    with pytest.raises(SparklioError) as info:
        await manager.pull("flaky", on_progress=updates.append)
    assert "Download of flaky failed at 50%" in str(info.value)
    assert "connection reset by peer" in str(info.value) and "again to resume" in str(info.value)
    assert max(u.completed for u in updates) > 0
    assert "flaky:latest" not in [m.name for m in await manager.list_models()]


async def test_pull_stream_cut(manager, fake):
    fake.cut("/api/pull", after=3)
    with pytest.raises(SparklioError, match=r"failed at \d+%: connection lost"):
        await manager.pull("tinyllama")


async def test_pull_unknown_model(manager):
    with pytest.raises(SparklioError, match="nope:1b is not in the Ollama library"):
        await manager.pull("nope:1b")


async def test_delete(manager):
    await manager.delete("mistral:7b")
    assert "mistral:7b" not in [m.name for m in await manager.list_models()]
    with pytest.raises(SparklioError, match="mistral:7b is not installed"):
        await manager.delete("mistral:7b")


@pytest.mark.parametrize("call", ["list_models", "running", "pull", "delete", "load"])
async def test_server_down_gives_plain_message(call, monkeypatch, fake_binary):
    monkeypatch.setenv("PATH", str(fake_binary.parent))
    url = down_url()
    m = OllamaManager(url)
    with pytest.raises(SparklioError) as info:
        fn = getattr(m, call)
        await (fn() if call in ("list_models", "running") else fn("qwen2.5:7b"))
    assert str(info.value) == f"Ollama is not running at {url}: start it with `ollama serve`"
    await m.aclose()


async def test_remote_host_down_message():
    m = OllamaManager("http://192.0.2.1:11434")
    assert not m.is_local
    assert "not reachable at http://192.0.2.1:11434" in m.not_running_message()

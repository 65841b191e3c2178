"""Reliability: kill -9 and SIGTERM mid-stream leave no stale hold or pending answer, and no spend is lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from router import recovery
from router.app import Sparklio
from router.budget import Reservation
from router.store.models import ChatMessage, LlmUsage

ROOT = Path(__file__).resolve().parent.parent
LONG_REPLY = " ".join(f"word{i}" for i in range(400))


def _prepare(data_dir: Path, fake) -> None:
    app = Sparklio(data_dir, env={})
    app.settings.set("endpoints", {"openai": fake.base_url})
    app.settings.set("exploration_rate", 0.0)
    app.store.close()


def _spawn_ask(data_dir: Path, ctrl_c: signal.Handlers = signal.SIG_DFL) -> subprocess.Popen:
    """`sparklio ask` in a child process, started with Ctrl-C (SIGINT) handled `ctrl_c` (SIG_IGN: as a job a script
    starts in the background)."""
    env = {
        **os.environ,
        "OPENAI_API_KEY": "test-key-openai",
        "PYTHONPATH": str(ROOT),
        "OLLAMA_HOST": "http://127.0.0.1:9",
    }
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--data-dir",
            str(data_dir),
            "ask",
            "Tell me a long story",
            "--model",
            "gpt-4o-mini",
            "--no-cache",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, ctrl_c),  # this test run's own Ctrl-C handling aside
    )


def _wait_for_streaming(data_dir: Path, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Until the child holds budget and has recorded some streamed text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            conn = sqlite3.connect(f"file:{data_dir / 'sparklio.db'}?mode=ro", uri=True, timeout=1)
            row = conn.execute("SELECT output_chars FROM reservations").fetchone()
            conn.close()
            if row and row[0] > 0:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    pytest.fail("the child never started streaming")


def _db(data_dir: Path, sql: str) -> list:
    conn = sqlite3.connect(data_dir / "sparklio.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def trickling_openai():
    from tests.conftest import catalog_api_models
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI(models=catalog_api_models("openai"), reply_text=LONG_REPLY, chunk_delay_s=0.05) as server:
        yield server


@pytest.mark.slow
def test_kill_9_mid_stream_is_settled_at_the_next_start(data_dir, trickling_openai):
    _prepare(data_dir, trickling_openai)
    proc = _spawn_ask(data_dir)
    _wait_for_streaming(data_dir, proc)
    proc.kill()  # SIGKILL: no handler runs
    proc.wait(10)
    assert _db(data_dir, "SELECT status FROM messages WHERE role = 'assistant'") == [("pending",)]
    assert len(_db(data_dir, "SELECT id FROM reservations")) == 1

    app = Sparklio(data_dir, env={})
    try:
        assert (app.recovered.interrupted, app.recovered.settled) == (1, 1)
        assert _db(data_dir, "SELECT COUNT(*) FROM reservations") == [(0,)]
        answer = ChatMessage.get(ChatMessage.role == "assistant")
        assert answer.status == "interrupted" and answer.content == recovery.INTERRUPTED_TEXT
        row = LlmUsage.get()
        assert row.error_class == "Interrupted" and row.model == "gpt-4o-mini" and row.task
        assert row.cost_usd > 0 and row.output_tokens > 0  # the prompt and the text received are charged
        assert app.budget.status().spent_usd == pytest.approx(row.cost_usd, abs=1e-6)
    finally:
        app.store.close()


@pytest.mark.slow
@pytest.mark.parametrize("ctrl_c", [signal.SIG_DFL, signal.SIG_IGN], ids=["foreground", "ctrl-c-ignored"])
def test_sigterm_mid_stream_is_handled_like_ctrl_c(data_dir, trickling_openai, ctrl_c: signal.Handlers):
    """SIGTERM stops the request, also in a process started with Ctrl-C ignored (a script's background job), which
    ignored SIGTERM and streamed the whole answer when SIGTERM was turned into SIGINT."""
    _prepare(data_dir, trickling_openai)
    proc = _spawn_ask(data_dir, ctrl_c)
    _wait_for_streaming(data_dir, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and err.decode().strip().endswith("sparklio: interrupted")
    assert "Traceback" not in err.decode()
    assert _db(data_dir, "SELECT COUNT(*) FROM reservations") == [(0,)]
    assert _db(data_dir, "SELECT status FROM messages WHERE role = 'assistant'") == [("cancelled",)]
    ((outcome, cost),) = _db(data_dir, "SELECT outcome, cost_usd FROM llm_usage")
    assert outcome == "cancelled" and cost > 0


def _dead_pid() -> tuple[int, float]:
    """The pid and start time of a process that has exited."""
    import psutil

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    started = psutil.Process(proc.pid).create_time()
    proc.wait()
    return proc.pid, started


def test_a_live_process_hold_is_never_touched_and_pid_reuse_is_not_life(cloud_app):
    model = cloud_app.catalog.get("gpt-4o-mini")
    mine = cloud_app.budget.reserve(model, 0.05, {"task": "chat_response", "kind": "chat", "input_tokens": 100})
    dead = cloud_app.budget.reserve(model, 0.05, {"task": "chat_response", "kind": "chat", "input_tokens": 100})
    reused = cloud_app.budget.reserve(model, 0.05, {"task": "chat_response", "kind": "chat", "input_tokens": 100})
    pid, started = _dead_pid()
    db = cloud_app.store.db
    db.execute_sql("UPDATE reservations SET owner_pid = ?, owner_started = ? WHERE id = ?", (pid, started, dead.id))
    db.execute_sql("UPDATE reservations SET owner_started = owner_started - 1000 WHERE id = ?", (reused.id,))
    report = recovery.recover(cloud_app.budget, cloud_app.catalog)
    assert report.settled == 2
    left = [r[0] for r in db.execute_sql("SELECT id FROM reservations").fetchall()]
    assert left == [mine.id]  # this (live) process's hold stays
    cloud_app.budget.release(Reservation(mine.id, model.id, model.provider, mine.month, mine.amount_usd))


def test_temp_copies_of_dead_processes_are_swept(tmp_path):
    pid, started = _dead_pid()
    stale = Path(tempfile.mkdtemp(prefix=f"{recovery.TEMP_PREFIX}{pid}-{started:.2f}-"))
    (stale / "data.sqlite").write_bytes(b"x" * 1000)
    live = recovery.temp_dir()
    try:
        assert recovery.sweep_temp() >= 1
        assert not stale.exists() and live.exists()
    finally:
        import shutil

        shutil.rmtree(live, ignore_errors=True)

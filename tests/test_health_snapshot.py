"""Provider health is read from a snapshot that follows every process's writes (PRAGMA data_version)."""

from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace

from router.health import COOLDOWN_AFTER, Health
from router.store import open_store

OTHER_PROCESS = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=10)
conn.execute("INSERT OR REPLACE INTO provider_health(key, failures, until, reason, updated_at) VALUES (?, 1, ?, ?, ?)",
             (sys.argv[2], time.time() + 600, "no answer", time.time()))
conn.commit()
conn.close()
"""


def settings() -> SimpleNamespace:
    return SimpleNamespace(cooldown_s=60.0, unreachable_s=120.0)


def write_in_other_process(db_path, key: str) -> None:
    subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(db_path), key], check=True, timeout=60)


def test_a_mark_written_by_another_process_is_seen_at_once(data_dir):
    store = open_store(data_dir)
    health = Health(settings())
    assert health.unreachable() == {} and health.cooldowns() == {}  # the snapshot is taken here
    write_in_other_process(store.path, "provider:anthropic")
    write_in_other_process(store.path, "model:gpt-4o-mini")
    assert health.unreachable()["anthropic"][1] == "no answer"
    assert set(health.cooldowns()) == {"gpt-4o-mini"}
    store.close()


def test_this_process_writes_are_seen_at_once(data_dir):
    store = open_store(data_dir)
    health = Health(settings())
    assert health.cooldowns() == {}
    for _ in range(COOLDOWN_AFTER):
        health.note_failure("gpt-4o-mini", "HTTP 500")
    assert set(health.cooldowns()) == {"gpt-4o-mini"}
    health.mark_unreachable("ollama", "connection refused")
    assert set(health.unreachable()) == {"ollama"}
    health.note_success("gpt-4o-mini")
    assert health.cooldowns() == {}
    store.close()


def test_unchanged_health_is_not_queried_again_and_expiry_needs_no_write(data_dir):
    store = open_store(data_dir)
    now = [time.time()]
    health = Health(settings(), clock=lambda: now[0])
    health.mark_unreachable("openai", "timed out")
    statements: list[str] = []
    store.db.connection().set_trace_callback(statements.append)
    try:
        for _ in range(5):
            assert set(health.unreachable()) == {"openai"}
            health.cooldowns()
            health.note_success("gpt-4o-mini")  # nothing to clear: no write
        now[0] += 121  # the mark runs out with no write at all
        assert health.unreachable() == {}
    finally:
        store.db.connection().set_trace_callback(None)
    reads = [s for s in statements if "FROM provider_health" in s]
    assert len(reads) == 1, statements  # one read for the first call; later calls only ask PRAGMA data_version
    assert not any(s.startswith(("INSERT", "DELETE", "BEGIN")) for s in statements)
    store.close()

"""WAL checkpoints run in the background: commits never checkpoint, the WAL is copied back and emptied later."""

from __future__ import annotations

import sqlite3
import threading
import time

from router.budget import Budget
from router.settings import Settings
from router.store import open_store
from router.store.models import Conversation

PAGE = "x" * 4000  # about one 4 KiB database page per row


def wal_bytes(store) -> int:
    wal = store.path.with_name(store.path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def count(path, table: str = "conversations") -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def wait_for(cond, timeout_s: float = 20.0) -> bool:
    """Poll `cond` until true or the deadline (a condition wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout_s
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.02)
    return cond()


def test_every_app_connection_has_automatic_checkpoints_off(data_dir):
    store = open_store(data_dir)
    seen = []
    worker = threading.Thread(
        target=lambda: seen.append(store.db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0])
    )
    worker.start()
    worker.join()
    assert store.db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    assert seen == [0]  # peewee's connection on another thread too
    store.close()


def test_commits_never_checkpoint_and_the_checkpointer_does_it_later(data_dir):
    store = open_store(data_dir)
    ckpt = store.checkpointer
    ckpt.stop()  # only the app's commits run now
    for k in range(13):  # 13 commits, ~1,300 WAL pages: past SQLite's old 1,000-page automatic checkpoint
        with store.db.atomic():
            for i in range(100):
                Conversation.create(title=f"{k}-{i}-{PAGE}")
    conn = ckpt.connect()
    try:
        ckpt.step(conn)  # new frames: PASSIVE copies the WAL into the database
        _busy, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert frames > 1000  # one WAL cycle holds every commit: none of them checkpointed (or restarted it)
        assert done == frames and ckpt.passive == 1 and ckpt.truncated == 0
        assert wal_bytes(store) > 1000 * 4096
        ckpt.quiet_s = 0.0
        ckpt.step(conn)  # quiet: TRUNCATE empties the WAL file
        assert ckpt.truncated == 1 and wal_bytes(store) == 0
    finally:
        conn.close()
    assert count(store.path) == 1300
    store.close()


def test_the_background_thread_checkpoints_and_empties_the_wal(data_dir):
    store = open_store(data_dir)
    ckpt = store.checkpointer
    ckpt.every_s, ckpt.quiet_s = 0.02, 0.1
    budget = Budget(Settings(store))
    for _ in range(20):
        budget.record_attempt(
            None,
            task="chat_response",
            model="m",
            provider="openai",
            outcome="ok",
            input_tokens=10,
            output_tokens=5,
            cost_usd=0.001,
            latency_ms=10.0,
            ttft_ms=5.0,
        )
    assert wait_for(lambda: ckpt.passive >= 1 and ckpt.truncated >= 1 and wal_bytes(store) == 0)
    assert count(store.path, "llm_usage") == 20
    store.close()


def test_close_leaves_an_empty_wal(data_dir):
    store = open_store(data_dir)
    for i in range(50):
        Conversation.create(title=f"{i}-{PAGE}")
    assert wal_bytes(store) > 0
    store.close()
    wal = store.path.with_name(store.path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert count(store.path) == 50


def test_two_stores_on_one_file_checkpoint_each_others_writes(data_dir):
    a, b = open_store(data_dir), open_store(data_dir)
    for s in (a, b):
        s.checkpointer.every_s, s.checkpointer.quiet_s = 0.02, 0.1
    sql = "INSERT INTO conversations(title, created_at, updated_at) VALUES (?, 0, 0)"
    for i in range(200):
        (a if i % 2 else b).db.execute_sql(sql, (f"{i}-{PAGE}",))
    assert wait_for(lambda: wal_bytes(a) == 0 and a.checkpointer.truncated + b.checkpointer.truncated >= 1)
    assert count(a.path) == 200
    b.close()
    assert count(a.path) == 200  # b's close did not disturb a
    a.db.execute_sql(sql, ("after",))
    a.close()
    assert count(a.path) == 201 and wal_bytes(a) == 0

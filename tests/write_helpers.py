"""Helpers of the write-path tests: rows as another connection sees them, and kill -9 of a writing process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from router.store import database, open_store

REPO = Path(__file__).resolve().parents[1]


def count(path: Path, table: str = "conversations") -> int:
    """Rows in `table` as a separate connection (another process) sees them."""
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def insert_conversation(title: str) -> int:
    """A conversation row written on this thread's connection; its id."""
    sql = "INSERT INTO conversations(title, created_at, updated_at) VALUES (?, 0, 0)"
    return database.execute_sql(sql, (title,)).lastrowid


def acked_then_killed(data_dir: Path, child: str, n: int) -> tuple[list[list[str]], dict[str, int]]:
    """Run `child` (Python printing "title id" once each write has committed) and SIGKILL it after `n` lines; the
    lines it printed and the conversations stored (title -> id), after an integrity check of the database."""
    open_store(data_dir).close()  # migrated once, before the writing process starts
    proc = subprocess.Popen(
        [sys.executable, "-c", child, str(data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    acked = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the writer never pauses: a write is in flight whenever the kill lands
            acked.append(line.split())
            if len(acked) >= n:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no handler runs
        proc.wait(30)
    assert len(acked) == n, proc.stderr.read()[-800:] if proc.stderr else ""
    conn = sqlite3.connect(str(data_dir / "sparklio.db"))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(conn.execute("SELECT title, id FROM conversations").fetchall())
    finally:
        conn.close()
    return acked, stored

"""Background WAL checkpoints, so that no commit on the request path ever pays for one."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path


class Checkpointer:
    """A thread with its own connection: PASSIVE soon after writes, TRUNCATE once writes have been quiet a while.

    The app's connections run with `wal_autocheckpoint=0`; this thread looks at the WAL every `every_s` seconds
    (a PASSIVE checkpoint that finds nothing new is a few microseconds and blocks nobody), copies new frames into
    the database, and empties the WAL file after `quiet_s` seconds without new frames. It never waits for a lock
    (busy_timeout 0): a busy round is retried on the next one. Writes from other processes are checkpointed too.
    """

    def __init__(self, path: Path, *, every_s: float = 0.5, quiet_s: float = 3.0) -> None:
        self.path, self.every_s, self.quiet_s = Path(path), every_s, quiet_s
        self.passive = 0  # PASSIVE checkpoints that copied new frames (for tests and benchmarks)
        self.truncated = 0  # TRUNCATE checkpoints that emptied the WAL
        self._frames = 0  # WAL frames seen in the last round (0: the WAL is empty)
        self._last_change = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(target=self._loop, name="sparklio-checkpoint", daemon=True)
            self._thread.start()

    def connect(self) -> sqlite3.Connection:
        """A connection that never waits for a lock."""
        conn = sqlite3.connect(str(self.path), timeout=0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=0")
        return conn

    def _loop(self) -> None:
        try:
            conn = self.connect()
        except sqlite3.Error:
            return  # the file is gone (a test's temp dir): nothing to checkpoint
        try:
            while not self._stop.wait(self.every_s):
                self.step(conn)
        finally:
            conn.close()

    def step(self, conn: sqlite3.Connection) -> None:
        """One round: PASSIVE when the WAL has new frames, TRUNCATE when it has been quiet; errors only wait."""
        try:
            busy, frames, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            now = time.monotonic()
            if frames != self._frames:
                self._frames, self._last_change = frames, now
                if frames > 0:
                    self.passive += 1
            elif frames > 0 and now - self._last_change >= self.quiet_s:
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    self._frames = 0
                    self.truncated += 1
        except sqlite3.Error:
            pass  # locked, busy or gone: the next round retries

    def stop(self) -> None:
        """Stop the background thread (no final checkpoint)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def close(self) -> None:
        """Stop the thread; a last TRUNCATE leaves an empty WAL when no other connection is reading it."""
        self.stop()
        try:
            conn = self.connect()
        except sqlite3.Error:
            return
        try:
            if not conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                self.truncated += 1
        except sqlite3.Error:
            pass  # another process holds the file: its own checkpointer empties the WAL
        finally:
            conn.close()

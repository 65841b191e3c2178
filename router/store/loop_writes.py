"""Request-path writes on the loop that never wait there for a lock: inline, or on a thread when another holds it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import peewee

T = TypeVar("T")


class LoopWrites:
    """Runs an awaited write (the question, a hold) at once on the loop's connection with busy_timeout 0.

    A short write inline costs the loop less than any hand-off to a thread (measured: benchmarks/concurrency_bench.py),
    and SQLite answers "busy" at BEGIN IMMEDIATE at once when another process or thread holds the write lock; only
    then does the write go to a worker thread (its own connection) that waits for the lock as every write used to,
    while the loop keeps running. Each write is one IMMEDIATE transaction and its caller gets the result only after
    COMMIT. A caller cancelled while its write waits on the thread does not stop the write; `on_cancel(result)` then
    runs once it has committed (so no answer stays pending and no hold is left behind).
    """

    def __init__(self, db: peewee.Database | peewee.DatabaseProxy, busy_timeout_ms: int) -> None:
        self.db = db
        self.busy_timeout_ms = busy_timeout_ms
        self.inline = 0  # writes committed on the loop (for tests and benchmarks)
        self.on_thread = 0  # writes that found the lock held and waited on a worker thread
        self._settling: set[asyncio.Future] = set()  # on_cancel writes in flight (kept referenced)

    async def run(self, fn: Callable[[], T], *, on_cancel: Callable[[T], None] | None = None) -> T:
        """`fn()`'s result once it is committed in its own IMMEDIATE transaction."""
        conn = self.db.connection()
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            with self.db.atomic("IMMEDIATE"):
                result = fn()
            self.inline += 1
            return result
        except peewee.OperationalError as exc:
            if not _locked(exc):
                raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        self.on_thread += 1  # another process writes: wait for its lock off the loop
        fut = asyncio.get_running_loop().run_in_executor(None, self._write, fn)
        try:
            return await asyncio.shield(fut)
        except asyncio.CancelledError:
            if on_cancel is not None:
                fut.add_done_callback(lambda f: self._settle(f, on_cancel))
            raise

    def _write(self, fn: Callable[[], T]) -> T:
        with self.db.atomic("IMMEDIATE"):  # this thread's connection, with the usual busy timeout
            return fn()

    def _settle(self, done: asyncio.Future, on_cancel: Callable[[Any], None]) -> None:
        """After a cancelled caller's write committed on the thread: its `on_cancel`, written the same way."""
        if done.cancelled() or done.exception() is not None:
            return
        result = done.result()
        task = asyncio.ensure_future(self.run(lambda: on_cancel(result)))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)


def _locked(exc: Exception) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text

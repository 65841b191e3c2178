"""Writes that arrive in the same loop turn commit in one transaction on the loop; a thread only for a held lock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import peewee

T = TypeVar("T")
_Item = tuple[Callable[[], Any], Callable[[Any], None] | None, asyncio.Future]


class GroupCommit:
    """Batches request-path writes (the question, holds) that coroutines await, without a writer thread.

    Every write queued while the loop runs one turn is applied at the end of that turn in one IMMEDIATE transaction,
    each in its own savepoint (one failing write fails only its caller), and each caller gets its result only after
    COMMIT: what a caller was told is stored is on disk, and a kill before COMMIT loses only writes nobody was told
    about. The transaction starts with busy_timeout 0, so the loop never waits for another process's lock: when one
    is held, the batch runs on a worker thread (its own connection) that waits for the lock as every write did.
    A write whose caller was cancelled still commits, and its `on_cancel(result)` runs in the same transaction.
    """

    def __init__(self, db: peewee.SqliteDatabase, busy_timeout_ms: int) -> None:
        self.db = db
        self.busy_timeout_ms = busy_timeout_ms
        self.batches = 0  # transactions committed (for tests and benchmarks)
        self.writes = 0  # writes committed in them
        self.on_thread = 0  # batches that found the lock held and ran on a worker thread
        self._pending: list[_Item] = []

    async def run(self, fn: Callable[[], T], *, on_cancel: Callable[[T], None] | None = None) -> T:
        """`fn()`'s result once it is committed, together with whatever else arrived in this loop turn."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)  # runs after every task already ready in this turn has queued its write
        self._pending.append((fn, on_cancel, fut))
        try:
            return await fut
        except asyncio.CancelledError:
            if on_cancel is not None and fut.done() and not fut.cancelled() and fut.exception() is None:
                on_cancel(fut.result())  # committed just before the cancel reached the caller
            raise

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        conn = self.db.connection()
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            outcomes = self._commit(batch)
        except peewee.OperationalError as exc:
            if not _locked(exc):
                outcomes = [(False, exc)] * len(batch)
            else:  # another process writes: wait for it off the loop
                self.on_thread += 1
                task = asyncio.get_running_loop().run_in_executor(None, self._commit_or_fail, batch)
                task.add_done_callback(lambda f: _deliver(batch, f.result()))
                return
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        _deliver(batch, outcomes)

    def _commit_or_fail(self, batch: list[_Item]) -> list[tuple[bool, Any]]:
        try:
            return self._commit(batch)
        except Exception as exc:
            return [(False, exc)] * len(batch)

    def _commit(self, batch: list[_Item]) -> list[tuple[bool, Any]]:
        """Apply the batch in one transaction; (ok, result or exception) per write, in order."""
        outcomes: list[tuple[bool, Any]] = []
        with self.db.atomic("IMMEDIATE"):
            for fn, on_cancel, fut in batch:
                try:
                    with self.db.atomic():  # a savepoint: a failed write leaves no trace and fails alone
                        result = fn()
                        if fut.cancelled() and on_cancel is not None:
                            on_cancel(result)
                    outcomes.append((True, result))
                except Exception as exc:
                    outcomes.append((False, exc))
        self.batches += 1
        self.writes += len(batch)
        return outcomes


def _locked(exc: Exception) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _deliver(batch: list[_Item], outcomes: list[tuple[bool, Any]]) -> None:
    """Hand each caller its committed result or its error (on the loop)."""
    for (_, _, fut), (ok, value) in zip(batch, outcomes):
        if fut.done():
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value if isinstance(value, BaseException) else sqlite3.Error(str(value)))

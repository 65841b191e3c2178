"""Request-path writes, grouped: what is awaited in one loop turn commits in one transaction, never waiting there."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import peewee

T = TypeVar("T")
Outcome = tuple[bool, Any]  # (True, result) or (False, the exception the write raised)


class _Write(Generic[T]):
    """One awaited write in a batch: its function, its caller's future and what undoes it for a cancelled caller."""

    __slots__ = ("fn", "future", "on_cancel", "undone")

    def __init__(self, fn: Callable[[], T], on_cancel: Callable[[T], None] | None, future: asyncio.Future) -> None:
        self.fn, self.on_cancel, self.future = fn, on_cancel, future
        self.undone = False  # on_cancel ran in the write's own savepoint


class LoopWrites:
    """Group commit for the awaited writes of the request path (the question, a hold, a ledger row), on the loop's
    connection.

    The first task to write in a loop turn writes at once (a lone request pays no extra turn: its question and its
    hold commit in its first step, as before). Writes of other tasks in that turn (fifty requests started by one
    gather, streams ending together) are queued, and once the turn's ready callbacks have run they commit in ONE
    IMMEDIATE transaction, each in its own savepoint (a failing write rolls back alone and raises only to its
    own caller), and every caller gets its result after that COMMIT. The loop's connection runs the batch with
    busy_timeout 0, so SQLite answers "busy" at BEGIN IMMEDIATE at once when another process or thread holds the
    write lock; only then does the whole batch go to a worker thread (its own connection, the usual busy timeout)
    while the loop keeps running. A caller cancelled before its write ran still gets the write, undone by
    `on_cancel(result)` in the same savepoint; one cancelled while its write waited on the thread (or after it
    committed) gets `on_cancel` written once it has committed: no answer stays pending, no hold is left behind.
    """

    def __init__(self, db: peewee.Database | peewee.DatabaseProxy, busy_timeout_ms: int) -> None:
        self.db = db
        self.busy_timeout_ms = busy_timeout_ms
        self.inline = 0  # writes committed on the loop (for tests and benchmarks)
        self.on_thread = 0  # writes that found the lock held and waited on a worker thread
        self.commits = 0  # transactions committed: one per batch
        self._queue: list[_Write] = []
        self._turn_owner: asyncio.Task | None = None  # the task whose writes ran at once in this loop turn
        self._settling: set[asyncio.Future] = set()  # thread batches and on_cancel writes in flight (kept referenced)

    async def run(self, fn: Callable[[], T], *, on_cancel: Callable[[T], None] | None = None, group: bool = True) -> T:
        """`fn()`'s result once it is committed, in one IMMEDIATE transaction with the writes queued in this turn
        (`group=False`: at once, in its own)."""
        loop = asyncio.get_running_loop()
        write = _Write(fn, on_cancel, loop.create_future())
        me = asyncio.current_task()
        if not group or (not self._queue and self._turn_owner in (None, me)):  # no turn to wait for
            if self._turn_owner is None:
                self._turn_owner = me
                loop.call_soon(self._new_turn)
            self._flush([write])
        else:
            self._queue.append(write)
            if len(self._queue) == 1:
                loop.call_soon(self._flush)
        try:
            return await write.future
        except asyncio.CancelledError:
            done = write.future
            if done.done() and not done.cancelled() and done.exception() is None:
                self._undo(write, done.result())  # committed, but its caller stopped before it saw the result
            raise

    def _new_turn(self) -> None:
        self._turn_owner = None

    def _flush(self, batch: list[_Write] | None = None) -> None:
        """Commit `batch` (by default the queued one) on the loop, or hand it to a thread when another connection
        holds the lock."""
        if batch is None:
            batch, self._queue = self._queue, []
        conn = self.db.connection()
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            outcomes = self._commit(batch, on_loop=True)
        except peewee.OperationalError as exc:
            if not _locked(exc):
                self._deliver(batch, [(False, exc)] * len(batch))
                return
            outcomes = None
        except BaseException as exc:  # nothing may leave a caller waiting for ever
            self._deliver(batch, [(False, exc)] * len(batch))
            raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        if outcomes is not None:
            self.inline += len(batch)
            self._deliver(batch, outcomes)
            return
        self.on_thread += len(batch)  # another process writes: wait for its lock off the loop
        waiting = asyncio.get_running_loop().run_in_executor(None, self._commit, batch, False)
        self._settling.add(waiting)
        waiting.add_done_callback(lambda f: self._thread_done(batch, f))

    def _commit(self, batch: list[_Write], on_loop: bool) -> list[Outcome]:
        """Run the batch in one IMMEDIATE transaction on this thread's connection, each write in a savepoint (a
        write alone needs none: its transaction rolls back)."""
        outcomes: list[Outcome] = []
        alone = len(batch) == 1
        with self.db.atomic("IMMEDIATE") as txn:
            conn = self.db.connection()
            for write in batch:
                if not alone:
                    conn.execute("SAVEPOINT loop_write")
                try:
                    result = write.fn()
                    if on_loop and write.future.cancelled() and write.on_cancel is not None:
                        write.on_cancel(result)  # its caller stopped before the batch ran: undone in the same write
                        write.undone = True
                except Exception as exc:
                    if alone:
                        txn.rollback()
                    else:
                        conn.execute("ROLLBACK TO loop_write")
                        conn.execute("RELEASE loop_write")
                    outcomes.append((False, exc))
                    continue
                if not alone:
                    conn.execute("RELEASE loop_write")
                outcomes.append((True, result))
        self.commits += 1
        return outcomes

    def _thread_done(self, batch: list[_Write], done: asyncio.Future) -> None:
        self._settling.discard(done)
        exc = done.exception()
        self._deliver(batch, [(False, exc)] * len(batch) if exc is not None else done.result())

    def _deliver(self, batch: list[_Write], outcomes: list[Outcome]) -> None:
        """Each caller its own result or exception; a cancelled caller's committed write gets its `on_cancel`."""
        for write, (ok, value) in zip(batch, outcomes, strict=True):
            if write.future.cancelled():
                if ok and not write.undone:
                    self._undo(write, value)
            elif ok:
                write.future.set_result(value)
            else:
                write.future.set_exception(value)

    def _undo(self, write: _Write, result: Any) -> None:
        """Write `on_cancel(result)` for a caller that stopped after its write committed."""
        on_cancel = write.on_cancel
        if on_cancel is None or write.undone:
            return
        write.undone = True
        task = asyncio.ensure_future(self.run(lambda: on_cancel(result)))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)


def _locked(exc: Exception) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text

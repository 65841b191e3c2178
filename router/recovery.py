"""Recovery after a crash: owner identity for holds and pending answers, and the start-up sweep of dead leftovers."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from router.store.db import database

log = logging.getLogger(__name__)

TEMP_PREFIX = "sparklio-data-"  # CSV copies: sparklio-data-<pid>-<start>-<random>
INTERRUPTED_TEXT = "Interrupted: Sparklio was closed before this answer finished."
PROGRESS_EVERY_S = 2.0  # how often a streaming attempt records how much it has received
_LEGACY_AGE_S = 30 * 60  # rows from before owners were recorded count as dead after this


@functools.lru_cache(maxsize=1)
def me() -> tuple[int, float]:
    """(pid, start time) of this process: together they name it even after its pid is reused."""
    import psutil

    return os.getpid(), round(psutil.Process().create_time(), 2)


def is_alive(pid: int | None, started: float | None) -> bool:
    """True when the process `pid` that started at `started` still runs (a reused pid does not count)."""
    if not pid:
        return False
    import psutil

    try:
        proc = psutil.Process(int(pid))
        return started is None or abs(proc.create_time() - float(started)) < 1.0
    except (psutil.Error, ValueError, OverflowError):
        return False


@dataclass
class RecoveryReport:
    """What the start-up sweep found and fixed."""

    interrupted: int = 0
    settled: int = 0
    settled_usd: float = 0.0
    released: int = 0
    temp_removed: int = 0


def _dead(pid: Any, started: Any, created: float, now: float) -> bool:
    if pid is None:
        return created < now - _LEGACY_AGE_S
    return not is_alive(pid, started)


def interrupt_dead_answers(now: float | None = None) -> int:
    """Answers left `pending` by a process that is gone become `interrupted`; returns how many."""
    now = time.time() if now is None else now
    rows = database.execute_sql(
        "SELECT id, owner_pid, owner_started, created_at, content FROM messages WHERE status = 'pending'"
    ).fetchall()
    dead = [(mid, content) for mid, pid, started, created, content in rows if _dead(pid, started, created, now)]
    for mid, content in dead:
        database.execute_sql(
            "UPDATE messages SET status = 'interrupted', content = ?, owner_pid = NULL"
            " WHERE id = ? AND status = 'pending'",
            (content or INTERRUPTED_TEXT, mid),
        )
    return len(dead)


def settle_dead_holds(budget: Any, catalog: Any, now: float | None = None) -> tuple[int, float, int]:
    """Holds of dead processes become estimated ledger rows (prompt + text received so far); returns counts."""
    from router.pricing import call_cost
    from router.types import Reservation, Usage

    now = time.time() if now is None else now
    rows = database.execute_sql(
        "SELECT id, month, provider, model, amount_usd, created_at, owner_pid, owner_started, task, kind,"
        " message_id, conversation_id, workflow_run_id, input_tokens, output_chars FROM reservations"
    ).fetchall()
    settled, usd, released = 0, 0.0, 0
    for (
        rid,
        month,
        provider,
        model_id,
        amount,
        created,
        pid,
        started,
        task,
        kind,
        message_id,
        conv_id,
        run_id,
        in_tok,
        out_chars,
    ) in rows:
        if not _dead(pid, started, created, now):
            continue
        res = Reservation(rid, model_id, provider, month, amount)
        model = catalog.models.get(model_id)
        if model is None or not task:  # nothing to price it by: the hold is simply released
            budget.release(res)
            released += 1
            continue
        usage = Usage(input_tokens=int(in_tok or 0), output_tokens=int(out_chars or 0) // 4)
        cost = min(call_cost(model, usage), float(amount))  # never more than the worst case that was held
        budget.record_attempt(
            res,
            ts=created,
            kind=kind or "chat",
            task=task,
            model=model_id,
            provider=provider,
            outcome="cancelled",
            error_class="Interrupted",
            error="the process ended during this call; cost estimated from the prompt"
            f" and the {int(out_chars or 0)} characters received",
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=cost,
            message_id=message_id,
            conversation_id=conv_id,
            workflow_run_id=run_id,
        )
        settled, usd = settled + 1, usd + cost
    return settled, usd, released


def sweep_temp(now: float | None = None) -> int:
    """Remove CSV temp copies left by processes that are gone; returns how many folders went."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"))
    except OSError:
        return 0
    for path in entries:
        parts = path.name[len(TEMP_PREFIX) :].split("-")
        try:
            pid, started = int(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            pid, started = None, None
        try:
            created = path.stat().st_mtime
        except OSError:
            continue
        if _dead(pid, started, created, now):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def temp_dir() -> Path:
    """A new temp folder named after this process, so a later start can sweep it if this one dies."""
    pid, started = me()
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{pid}-{started:.2f}-"))


def recover(budget: Any, catalog: Any) -> RecoveryReport:
    """The start-up sweep: interrupted answers, settled or released holds, removed temp copies."""
    report = RecoveryReport()
    database.execute_sql("PRAGMA busy_timeout = 500")  # another process busy writing: sweep at the next start
    try:
        with database.atomic("IMMEDIATE"):
            report.interrupted = interrupt_dead_answers()
        report.settled, report.settled_usd, report.released = settle_dead_holds(budget, catalog)
        report.temp_removed = sweep_temp()
    except Exception as exc:
        log.info("start-up recovery skipped: %s", exc)
    finally:
        database.execute_sql("PRAGMA busy_timeout = 10000")
    if report.interrupted or report.settled or report.released:
        log.info("recovered: %s", report)
    return report


class HoldProgress:
    """Records, every few seconds while a held attempt streams, how much text it has received (for settling after a
    kill). A timer per attempt, not a check per streamed chunk."""

    def __init__(self, every_s: float = PROGRESS_EVERY_S, writes: Any = None) -> None:
        self.every_s = every_s
        self.writes = writes  # the request path's writer (router/store/loop_writes.py); None: written at once
        self._pending: set[asyncio.Future] = set()  # notes in flight (kept referenced)

    def watch(self, hold: Any, chars: Callable[[], int]) -> Callable[[], None]:
        """Store `chars()` for the hold every `every_s` seconds while it changes; returns the function that stops it.

        The first write comes `every_s` after the start: the first token is never delayed by a write."""
        if hold is None or not getattr(hold, "id", 0):
            return _nothing
        loop = asyncio.get_running_loop()
        last = 0

        def tick() -> None:
            nonlocal last, timer
            now = chars()
            if now != last:
                last = now
                self.note(hold.id, now)
            timer = loop.call_later(self.every_s, tick)

        timer: asyncio.Handle = loop.call_later(self.every_s, tick)
        return lambda: timer.cancel()

    def note(self, hold_id: int, chars: int) -> None:
        """Write `chars` on the hold through the writer, never waiting on the loop for another process's lock."""
        if self.writes is None:
            self.write(hold_id, chars)
            return
        task = asyncio.ensure_future(self.writes.run(lambda: self.write(hold_id, chars)))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @staticmethod
    def write(hold_id: int, chars: int) -> None:
        """Note `chars` on the hold (best effort: a failed note only makes a later estimate coarser)."""
        try:
            database.execute_sql("UPDATE reservations SET output_chars = ? WHERE id = ?", (int(chars), hold_id))
        except Exception as exc:
            log.debug("hold progress not written: %s", exc)


def _nothing() -> None:
    return None

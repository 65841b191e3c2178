"""Provider health shared by every process through the database: model cool-downs and unreachable providers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from router.store.db import database

log = logging.getLogger(__name__)

COOLDOWN_AFTER = 3  # consecutive failed requests before a model cools down


class Health:
    """Reads and writes the provider_health table (keys 'model:<id>' and 'provider:<name>')."""

    def __init__(self, settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._writes = 0  # this object's own writes (a connection's data_version counts only the others')
        self._snapshot: tuple[tuple, list[tuple[str, float, str]]] | None = None

    def _write(self, sql: str, params: tuple) -> None:
        self._writes += 1
        try:
            with database.atomic("IMMEDIATE"):
                database.execute_sql(sql, params)
        except Exception as exc:
            log.debug("provider health not written: %s", exc)

    def _rows(self) -> list[tuple[str, float, str]]:
        """(key, until, reason) of every row (failure counts, cool-downs, unreachable marks), read again only when the
        database changed: every request reads health before it is sent, and `PRAGMA data_version` (which moves when
        another connection commits) is cheaper than the table's queries."""
        conn = database.connection()
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        stamp = (conn, version, self._writes)
        if self._snapshot is None or self._snapshot[0] != stamp:
            rows = database.execute_sql("SELECT key, until, reason FROM provider_health").fetchall()
            self._snapshot = (stamp, [(k, float(u), r or "") for k, u, r in rows])
        return self._snapshot[1]

    # ---- models ----
    def note_failure(self, model_id: str, why: str = "") -> None:
        """Count a failed request; the third in a row cools the model down (cooldown_s setting)."""
        now = self.clock()
        cooldown = self.settings.cooldown_s
        self._write(
            "INSERT INTO provider_health(key, failures, until, reason, updated_at) VALUES (?, 1, 0, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET failures = failures + 1, reason = excluded.reason,"
            " updated_at = excluded.updated_at,"
            " until = CASE WHEN failures + 1 >= ? THEN ? ELSE until END",
            (f"model:{model_id}", why[:200], now, COOLDOWN_AFTER, now + cooldown),
        )

    def failing(self, model_id: str) -> bool:
        """The model has a failure count or cool-down a success would clear (read from the snapshot)."""
        key = f"model:{model_id}"
        try:
            return any(k == key for k, _, _ in self._rows())
        except Exception:
            return False

    def note_success(self, model_id: str) -> None:
        """A success clears the model's failure count and cool-down (and its provider's unreachable mark)."""
        if self.failing(model_id):  # nearly always nothing to clear: the snapshot, not a write, on every answer
            self._write("DELETE FROM provider_health WHERE key = ?", (f"model:{model_id}",))

    def cooldowns(self, rows: list[tuple[str, float, str]] | None = None) -> dict[str, float]:
        """Model id -> unix time its cool-down ends (only those still running); `rows`: a snapshot already read."""
        try:
            rows, now = self._rows() if rows is None else rows, self.clock()
        except Exception:
            return {}
        return {k[len("model:") :]: u for k, u, _ in rows if k.startswith("model:") and u > now}

    # ---- providers ----
    def mark_unreachable(self, provider: str, why: str) -> None:
        """Nobody answers at the provider's address: every process skips it for unreachable_s seconds."""
        now = self.clock()
        self._write(
            "INSERT OR REPLACE INTO provider_health(key, failures, until, reason, updated_at) VALUES (?, 1, ?, ?, ?)",
            (f"provider:{provider}", now + self.settings.unreachable_s, why[:200], now),
        )

    def unreachable(self, rows: list[tuple[str, float, str]] | None = None) -> dict[str, tuple[float, str]]:
        """Provider -> (until, why) for providers marked unreachable and not yet due for another try."""
        try:
            rows, now = self._rows() if rows is None else rows, self.clock()
        except Exception:
            return {}
        return {k[len("provider:") :]: (u, r) for k, u, r in rows if k.startswith("provider:") and u > now}

    def availability(self, registry):
        """The registry's availability with cool-downs and unreachable providers taken out (the reason says when they
        are retried), from the one snapshot of the table (the send path plans with it)."""
        now = self.clock()
        try:
            rows = self._rows()
        except Exception:
            rows = []
        avail = registry.availability(self.cooldowns(rows))
        for provider, (until, why) in self.unreachable(rows).items():
            if provider in avail.ready:
                avail.ready.discard(provider)
                avail.reasons[provider] = f"unreachable ({why}); tried again in {max(int(until - now), 1)} s"
        return avail

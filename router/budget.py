"""The budget agent: atomic worst-case holds, the ledger write, alerts, anomalies and the month forecast."""

from __future__ import annotations

import calendar
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from router import recovery
from router.budget_alerts import ANOMALY_FACTOR, alert_event, anomaly_event, fire, spend_spike
from router.catalog import ModelSpec
from router.display import fmt_usd
from router.errors import BudgetExceededError, SparklioError
from router.events import AppEvent, EventBus
from router.store.db import database
from router.store.models import LlmUsage
from router.types import Reservation
from router.validate import MAX_USD

log = logging.getLogger(__name__)

HOLD_TTL_S = 30 * 60  # a hold left by a crashed process stops counting after this

# The ledger's columns are LlmUsage's fields (router/store/models.py); tests/test_ledger_row.py checks them
# against the migrated table.
_FIELDS = [f for f in LlmUsage._meta.sorted_fields if f.name != "id"]
LEDGER_COLUMNS = tuple(f.column_name for f in _FIELDS)
_DERIVED = ("ts", "day", "month")  # record_attempt stamps these
_REQUIRED = tuple(f.name for f in _FIELDS if not f.null and f.default is None and f.name not in _DERIVED)
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in _FIELDS if f.name not in _REQUIRED + _DERIVED}
_INSERT_SQL = f"INSERT INTO llm_usage ({', '.join(LEDGER_COLUMNS)}) VALUES ({', '.join('?' for _ in LEDGER_COLUMNS)})"


def tier_for_limit(limit_usd: float) -> str:
    """The policy's budget tier for a monthly limit: <=50 low, <=200 standard, else premium."""
    if limit_usd <= 50:
        return "low"
    if limit_usd <= 200:
        return "standard"
    return "premium"


def effective_tier(settings: Any) -> str:
    """The budget_tier setting when set, else the tier derived from the monthly limit."""
    return settings.budget_tier or tier_for_limit(settings.monthly_limit_usd)


def parse_usd(value: Any, what: str = "limit") -> float:
    """A non-negative, finite dollar amount from user input, or SparklioError naming the value."""
    if isinstance(value, bool):
        raise SparklioError(f"the {what} must be a number of US dollars, not {value!r}")
    try:
        usd = float(str(value).strip().lstrip("$")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise SparklioError(f"the {what} must be a number of US dollars, not {value!r}") from None
    if not math.isfinite(usd) or usd < 0:
        raise SparklioError(f"the {what} must be zero or more US dollars, not {value!r}")
    if usd > MAX_USD:  # issue 13: 1e308 is not a budget
        raise SparklioError(f"the {what} must be at most {fmt_usd(MAX_USD)}, not {value!r}")
    return round(usd, 6)


@dataclass
class BudgetStatus:
    """Where the month stands: spend, holds, limits, forecast, tier and alerts."""

    month: str
    spent_usd: float
    spent_by_provider: dict[str, float]
    limit_usd: float
    provider_limits: dict[str, float]
    percent: float
    held_usd: float
    remaining_usd: float
    forecast_usd: float
    tier: str
    tier_source: str  # setting | derived
    hard_stop: bool
    thresholds: list[float]
    alerts: list[dict] = field(default_factory=list)
    daily: list[tuple[str, float]] = field(default_factory=list)

    def to_json(self) -> dict:
        """The `sparklio budget --json` shape."""
        d = asdict(self)
        d["daily"] = [{"day": day, "cost_usd": round(c, 6)} for day, c in self.daily]
        return d


class Budget:
    """Holds, the ledger write and budget alerts; every check reads O(1) totals, never the ledger."""

    def __init__(
        self,
        settings: Any,
        events: EventBus | None = None,
        *,
        clock: Callable[[], float] = time.time,
        tz: tzinfo | None = None,
        writes: Any = None,
    ) -> None:
        self.settings = settings
        self.writes = writes  # router/store/loop_writes.py: an awaited hold never waits on the loop for a lock
        self.events = events
        self.clock = clock
        self.tz = tz  # None: the machine's local time zone
        self._anomaly_done: str = ""  # day for which the anomaly alert is known to be fired

    # ---- time helpers ----
    def local(self, ts: float) -> datetime:
        """`ts` as an aware datetime in the user's time zone."""
        return datetime.fromtimestamp(ts, self.tz) if self.tz else datetime.fromtimestamp(ts).astimezone()

    def _day_month(self, ts: float) -> tuple[str, str]:
        d = self.local(ts)
        return d.strftime("%Y-%m-%d"), d.strftime("%Y-%m")

    # ---- settings ----
    def limits(self) -> tuple[float, dict[str, float]]:
        """(monthly limit, per-provider limits) from the settings."""
        total = self.settings.monthly_limit_usd
        prov = {str(k): float(v) for k, v in self.settings.provider_limits.items() if v is not None}
        return total, prov

    def tier(self) -> str:
        """The effective budget tier (setting, else derived from the monthly limit)."""
        return effective_tier(self.settings)

    def set_monthly_limit(self, usd: Any) -> float:
        """Validate and store the monthly limit; fires any alert the new limit crosses."""
        value = parse_usd(usd, "monthly limit")
        self.settings.monthly_limit_usd = value
        self.check_alerts()
        return value

    def set_provider_limit(self, provider: str, usd: Any | None) -> float | None:
        """Set (or with None remove) one provider's monthly limit."""
        if not provider or not isinstance(provider, str):
            raise SparklioError(f"a provider limit needs a provider name, not {provider!r}")
        limits = dict(self.settings.provider_limits)
        value = None if usd is None or usd == "" else parse_usd(usd, f"{provider} limit")
        if value is None:
            limits.pop(provider, None)
        else:
            limits[provider] = value
        self.settings.provider_limits = limits
        self.check_alerts()
        return value

    # ---- SQL helpers (run inside a transaction by the callers) ----
    @staticmethod
    def _spent(month: str) -> dict[str, float]:
        rows = database.execute_sql("SELECT provider, cost_usd FROM spend_totals WHERE period = ?", (month,))
        return {p: float(c) for p, c in rows.fetchall()}

    @staticmethod
    def _held(month: str, now: float) -> dict[str, float]:
        rows = database.execute_sql(
            "SELECT provider, SUM(amount_usd) FROM reservations WHERE month = ? AND expires_at > ? GROUP BY provider",
            (month, now),
        )
        return {p: float(c) for p, c in rows.fetchall()}

    @staticmethod
    def _spent_and_held(month: str, now: float) -> tuple[dict[str, float], dict[str, float]]:
        """`_spent` and `_held` in one read (the hold on the send path)."""
        rows = database.execute_sql(
            "SELECT 0, provider, cost_usd FROM spend_totals WHERE period = ? UNION ALL"
            " SELECT 1, provider, SUM(amount_usd) FROM reservations WHERE month = ? AND expires_at > ?"
            " GROUP BY provider",
            (month, month, now),
        ).fetchall()
        spent = {p: float(c) for k, p, c in rows if k == 0}
        return spent, {p: float(c) for k, p, c in rows if k == 1}

    def _threshold_alerts(self, month: str, spent: dict[str, float], now: float) -> list[AppEvent]:
        """Fire (once) every threshold alert that the spend has reached; returns the events to publish."""
        total_limit, prov_limits = self.limits()
        thresholds = sorted(float(t) for t in self.settings.alert_thresholds)
        checks = [("total", total_limit, sum(spent.values()))]
        checks += [(p, lim, spent.get(p, 0.0)) for p, lim in sorted(prov_limits.items())]
        out = []
        for key, limit, used in checks:
            fired = [
                t
                for t in thresholds
                if used > 0 and used >= t * limit - 1e-12 and fire("budget", month, key, t, limit, used, now)
            ]
            if fired:  # issue 13: one jump past 80% and 100% says only "100%" (the lower one is recorded silently)
                out.append(alert_event(key, max(fired), used, limit, month, self.settings.hard_stop))
        return out

    def publish(self, events: list[AppEvent]) -> None:
        """Publish alert events (after the transaction that decided them committed)."""
        if self.events:
            for ev in events:
                self.events.publish(ev)

    # ---- reservations ----
    def reserve(
        self, model: ModelSpec, worst_case_usd: float, note: dict | None = None, *, ttl_s: float = HOLD_TTL_S
    ) -> Reservation | None:
        """Hold `worst_case_usd` for a cloud call, atomically; None for local models (never blocked).

        `note` (task, kind, message_id, conversation_id, workflow_run_id, input_tokens) lets a later start settle
        the hold into an estimated ledger row if this process dies (router/recovery.py). `ttl_s`: how long the hold
        counts if nothing settles it (a Batch API job may take a day).
        """
        if model.local:
            return None
        with database.atomic("IMMEDIATE"):
            held = self._hold(model, worst_case_usd, note, ttl_s)
        return self._settle(*held)

    async def areserve(
        self, model: ModelSpec, worst_case_usd: float, note: dict | None = None, *, ttl_s: float = HOLD_TTL_S
    ) -> Reservation | None:
        """`reserve` for a coroutine: never waits on the loop for another process's lock (router/store/loop_writes.py);
        a caller cancelled while it waited leaves no hold behind."""
        if model.local:
            return None
        if self.writes is None:
            return self.reserve(model, worst_case_usd, note, ttl_s=ttl_s)
        held = await self.writes.run(  # at once: grouped, it would wait behind every other request's planning
            lambda: self._hold(model, worst_case_usd, note, ttl_s),
            on_cancel=lambda out: self.release(out[0]),
            group=False,
        )
        return self._settle(*held)

    def hold_within(
        self, model: ModelSpec, worst_case_usd: float, note: dict | None = None
    ) -> tuple[Reservation, list[AppEvent]] | None:
        """The check-and-hold inside the caller's open IMMEDIATE transaction (chat: with the turn's rows, one commit
        before the network); None, with nothing written, when it would be refused: the attempt then asks `areserve`,
        which refuses it the usual way. Publish the returned alerts once the transaction has committed."""
        conn = database.connection()
        conn.execute("SAVEPOINT hold_within")  # a refusal leaves no hold and no alert marked fired
        try:
            hold, refusal, events = self._hold(model, worst_case_usd, note, HOLD_TTL_S)
        except BaseException:
            conn.execute("ROLLBACK TO hold_within")
            conn.execute("RELEASE hold_within")
            raise
        if refusal or not hold.id:
            conn.execute("ROLLBACK TO hold_within")
        conn.execute("RELEASE hold_within")
        return None if refusal or not hold.id else (hold, events)

    def _hold(
        self, model: ModelSpec, worst_case_usd: float, note: dict | None, ttl_s: float
    ) -> tuple[Reservation, str, list[AppEvent]]:
        """The check-and-hold, run inside the caller's IMMEDIATE transaction (atomic against every process): the hold
        (id 0 when refused), the refusal (empty when none) and the alerts to publish."""
        amount = max(float(worst_case_usd or 0.0), 0.0)
        now = self.clock()
        _, month = self._day_month(now)
        total_limit, prov_limits = self.limits()
        hard_stop = self.settings.hard_stop
        events: list[AppEvent] = []
        refusal = ""
        database.execute_sql("DELETE FROM reservations WHERE expires_at <= ?", (now,))
        spent, held = self._spent_and_held(month, now)
        checks = [("total", "monthly", total_limit, sum(spent.values()), sum(held.values()))]
        if model.provider in prov_limits:
            checks.append(
                (
                    model.provider,
                    f"{model.provider}",
                    prov_limits[model.provider],
                    spent.get(model.provider, 0.0),
                    held.get(model.provider, 0.0),
                )
            )
        for key, label, limit, used, on_hold in checks:
            if used + on_hold + amount > limit + 1e-9:
                if not refusal:
                    refusal = (
                        f"{model.name} refused: it could cost up to {fmt_usd(amount)}, and {fmt_usd(used)}"
                        f" spent + {fmt_usd(on_hold)} held would pass the {label} limit of"
                        f" {fmt_usd(limit)}; raise the limit or use a local model"
                    )
                if fire("budget", month, key, 1.0, limit, used, now):
                    events.append(alert_event(key, 1.0, used, limit, month, self.settings.hard_stop, amount))
        rid = 0
        if not refusal or not hard_stop:
            n = note or {}
            pid, started = recovery.me()  # the owner: a restart never touches a live process's hold
            cur = database.execute_sql(
                "INSERT INTO reservations(month, provider, model, amount_usd, created_at, expires_at, owner_pid,"
                " owner_started, task, kind, message_id, conversation_id, workflow_run_id, input_tokens)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    month,
                    model.provider,
                    model.id,
                    amount,
                    now,
                    now + ttl_s,
                    pid,
                    started,
                    n.get("task"),
                    n.get("kind"),
                    n.get("message_id"),
                    n.get("conversation_id"),
                    n.get("workflow_run_id"),
                    int(n.get("input_tokens") or 0),
                ),
            )
            rid = cur.lastrowid
        if refusal and hard_stop:
            events.append(
                AppEvent(
                    "budget_refused",
                    "Budget limit reached",
                    refusal,
                    {"model": model.id, "provider": model.provider, "amount": amount, "hard_stop": hard_stop},
                )
            )
        return Reservation(rid, model.id, model.provider, month, amount), refusal if hard_stop else "", events

    def _settle(self, hold: Reservation, refusal: str, events: list[AppEvent]) -> Reservation:
        """After the hold's transaction: publish its alerts, and raise a refusal."""
        self.publish(events)
        if refusal:
            raise BudgetExceededError(refusal)
        return hold

    def release(self, res: Reservation | None) -> None:
        """Drop a hold without recording anything (the attempt never happened)."""
        if res is not None and res.id:
            with database.atomic("IMMEDIATE"):
                database.execute_sql("DELETE FROM reservations WHERE id = ?", (res.id,))

    # ---- the ledger write ----
    def record_attempt(self, res: Reservation | None, *, with_row: Callable[[], Any] | None = None, **row: Any) -> int:
        """Insert one ledger row and release its hold in one transaction, then fire alerts; returns the row id.

        `with_row` writes something that belongs with the row (the answer's message) in the same transaction: one
        commit, and a crash leaves both or neither. Its failure is logged and never costs the ledger row."""
        values = self._ledger_values(row)
        with database.atomic("IMMEDIATE"):
            rid, events = self._ledger(values, res, with_row)
        self.publish(events)
        return rid

    async def arecord_attempt(
        self, res: Reservation | None, *, with_row: Callable[[], Any] | None = None, **row: Any
    ) -> int:
        """`record_attempt` for a coroutine: rows of streams ending in the same loop turn commit together, and the
        loop never waits for another process's lock (router/store/loop_writes.py)."""
        if self.writes is None:
            return self.record_attempt(res, with_row=with_row, **row)
        values = self._ledger_values(row)
        rid, events = await self.writes.run(lambda: self._ledger(values, res, with_row))
        self.publish(events)
        return rid

    def _ledger_values(self, row: dict[str, Any]) -> dict[str, Any]:
        """A ledger row's column values, checked and stamped with its time, day and month."""
        unknown = set(row) - set(LEDGER_COLUMNS)
        if unknown:
            raise TypeError(f"unknown ledger columns: {sorted(unknown)}")
        missing = [k for k in _REQUIRED if not row.get(k)]
        if missing:
            raise TypeError(f"ledger row lacks {missing}")
        ts = float(row.get("ts") or self.clock())
        day, month = self._day_month(ts)
        values = {**_DEFAULTS, **row, "ts": ts, "day": day, "month": month}
        values["cached"] = int(bool(values["cached"]))
        values["experiment"] = int(bool(values["experiment"]))
        return values

    def _ledger(
        self, values: dict[str, Any], res: Reservation | None, with_row: Callable[[], Any] | None
    ) -> tuple[int, list[AppEvent]]:
        """The ledger write, inside the caller's IMMEDIATE transaction: the row, its hold released, what rides
        along, and the alerts it fires (to publish after COMMIT)."""
        events: list[AppEvent] = []
        rid = database.execute_sql(_INSERT_SQL, tuple(values[c] for c in LEDGER_COLUMNS)).lastrowid
        if res is not None:
            database.execute_sql("DELETE FROM reservations WHERE id = ?", (res.id,))
        if with_row is not None:
            _also(with_row)
        if float(values["cost_usd"] or 0.0) > 0:
            now, day, month = self.clock(), values["day"], values["month"]
            events += self._threshold_alerts(month, self._spent(month), now)
            if self._anomaly_done != day:
                events += self._anomaly(day, now)
        return int(rid), events

    def _anomaly(self, day: str, now: float) -> list[AppEvent]:
        """Fire once a day when today's spend is over 3x the trailing 7-day daily average (after 7 days of history)."""
        spike = spend_spike(day)
        if spike is None:
            return []
        self._anomaly_done = day
        today, avg = spike
        if not fire("anomaly", day, "total", ANOMALY_FACTOR, avg, today, now):
            return []
        return [anomaly_event(day, today, avg)]

    def check_alerts(self) -> list[AppEvent]:
        """Re-evaluate threshold alerts now (e.g. after a limit change); returns what fired."""
        now = self.clock()
        _, month = self._day_month(now)
        with database.atomic("IMMEDIATE"):
            events = self._threshold_alerts(month, self._spent(month), now)
        self.publish(events)
        return events

    # ---- status ----
    def status(self, now: float | None = None) -> BudgetStatus:
        """The month's spend, holds, limits, forecast, tier, alerts fired and daily series."""
        now = self.clock() if now is None else now
        local = self.local(now)
        month = local.strftime("%Y-%m")
        with database.atomic():
            spent = self._spent(month)
            held = sum(self._held(month, now).values())
            alerts = database.execute_sql(
                "SELECT limit_key, threshold, limit_usd, spent_usd, fired_at FROM alerts_fired"
                " WHERE kind = 'budget' AND period = ? ORDER BY fired_at",
                (month,),
            ).fetchall()
            daily = database.execute_sql(
                "SELECT period, SUM(cost_usd) FROM spend_totals WHERE period BETWEEN ? AND ?"
                " GROUP BY period ORDER BY period",
                (f"{month}-01", f"{month}-31"),
            ).fetchall()
        total = sum(spent.values())
        limit, prov = self.limits()
        days_in_month = calendar.monthrange(local.year, local.month)[1]
        month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        elapsed_days = max((local - month_start).total_seconds() / 86400.0, 1.0)
        setting_tier = self.settings.budget_tier
        return BudgetStatus(
            month=month,
            spent_usd=round(total, 6),
            spent_by_provider={p: round(c, 6) for p, c in sorted(spent.items()) if c},
            limit_usd=limit,
            provider_limits=prov,
            percent=round(total / limit * 100.0, 2) if limit > 0 else (100.0 if total > 0 else 0.0),
            held_usd=round(held, 6),
            remaining_usd=round(max(limit - total - held, 0.0), 6),
            forecast_usd=round(total / elapsed_days * days_in_month, 6),
            tier=setting_tier or tier_for_limit(limit),
            tier_source="setting" if setting_tier else "derived",
            hard_stop=self.settings.hard_stop,
            thresholds=[float(t) for t in self.settings.alert_thresholds],
            alerts=[
                {"limit": k, "threshold": t, "limit_usd": round(lu, 6), "spent": round(s, 6), "fired_at": f}
                for k, t, lu, s, f in alerts
            ],
            daily=[(d, float(c)) for d, c in daily],
        )


def _also(write: Callable[[], Any]) -> None:
    """A write that rides along with a ledger row (its failure leaves the row, and the caller writes it again)."""
    try:
        write()
    except Exception as exc:
        log.warning("a write with the ledger row failed: %s", exc)

"""Budget alerts: each fired once (recorded in `alerts_fired`), their wording, and the daily spend-spike check."""

from __future__ import annotations

from datetime import date, timedelta

from router.display import fmt_usd
from router.events import AppEvent
from router.store.db import database

ANOMALY_FACTOR = 3.0
ANOMALY_WINDOW_DAYS = 7


def fire(kind: str, period: str, key: str, threshold: float, limit: float, spent: float, now: float) -> bool:
    """Record the alert; True only the first time it fires for this period, limit and threshold."""
    cur = database.execute_sql(
        "INSERT OR IGNORE INTO alerts_fired(kind, period, limit_key, threshold, limit_usd, spent_usd, fired_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, period, key, threshold, round(limit, 6), spent, now),
    )
    return cur.rowcount == 1


def alert_event(
    key: str, threshold: float, spent: float, limit: float, month: str, hard_stop: bool, call_usd: float | None = None
) -> AppEvent:
    """The tray alert for a limit (`key`: "total" or a provider) reaching `threshold` of it."""
    who = "Monthly budget" if key == "total" else f"{key} budget"
    pct = round(threshold * 100)
    tail = ""
    if threshold >= 1.0 and hard_stop:
        tail = " Cloud calls are stopped; local models keep working."
    elif threshold >= 1.0:
        tail = " Warn-only mode: calls continue."
    if call_usd is not None:  # the first call that would pass the limit
        title = f"{who}: limit reached"
        text = (
            f"{fmt_usd(spent)} of {fmt_usd(limit)} spent in {month}; a call of up to"
            f" {fmt_usd(call_usd)} would pass the limit.{tail}"
        )
    else:  # the title names the limit and the threshold; the text does not repeat them
        title = f"{who}: {pct}% reached"
        text = f"{fmt_usd(spent)} of {fmt_usd(limit)} spent in {month}.{tail}"
    return AppEvent(
        "budget_alert",
        title,
        text,
        {"limit": key, "threshold": threshold, "spent": round(spent, 6), "limit_usd": limit, "month": month},
    )


def spend_spike(day: str) -> tuple[float, float] | None:
    """(today's spend, the trailing daily average) when today is over 3x that average after a full week of history."""
    start = (date.fromisoformat(day) - timedelta(days=ANOMALY_WINDOW_DAYS)).isoformat()
    row = database.execute_sql(
        "SELECT COALESCE(SUM(CASE WHEN period = ? THEN cost_usd END), 0),"
        " COALESCE(SUM(CASE WHEN period < ? THEN cost_usd END), 0)"
        " FROM spend_totals WHERE length(period) = 10 AND period BETWEEN ? AND ?",
        (day, day, start, day),
    ).fetchone()
    today, avg = float(row[0]), float(row[1]) / ANOMALY_WINDOW_DAYS
    if avg <= 0 or today <= ANOMALY_FACTOR * avg:
        return None
    history = database.execute_sql(  # the first days of use are not a spike
        "SELECT 1 FROM spend_totals WHERE period BETWEEN '0000-00-00' AND ? AND length(period) = 10 LIMIT 1",
        (start,),
    ).fetchone()
    return (today, avg) if history is not None else None


def anomaly_event(day: str, today: float, avg: float) -> AppEvent:
    """The tray alert for an unusual day of spending."""
    return AppEvent(
        "cost_anomaly",
        "Unusual spending today",
        f"{fmt_usd(today)} spent today is {today / avg:.1f}x the {fmt_usd(avg)} daily average of"
        f" the last {ANOMALY_WINDOW_DAYS} days.",
        {"day": day, "spent": round(today, 6), "average": round(avg, 6), "factor": ANOMALY_FACTOR},
    )

"""`sparklio budget`, `stats`, `rate`, `policy suggestions`: the money and learning commands."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import click

from router.cli.common import Session, json_flag, pass_session, print_json
from router.cli.table import fit_table
from router.display import fmt_usd
from router.errors import SparklioError
from router.validate import MAX_ROW_ID


def _usd(v: float | None) -> str:
    return "-" if v is None else fmt_usd(v)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.0f}%"


def _ms(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v / 1000:.1f}s" if v >= 1000 else f"{v:.0f}ms"


def _whole(text: str, what: str) -> int:
    try:
        n = int(str(text).strip())
    except ValueError:
        raise SparklioError(f"{what}, not {text!r}") from None
    if not -MAX_ROW_ID <= n <= MAX_ROW_ID:  # issue 13: no OverflowError from SQLite
        raise SparklioError(f"{what}, not {text}")
    return n


def _collect_alerts(app) -> tuple[list, Any]:
    """Subscribe to the app's events for this command; returns (list, unsubscribe)."""
    seen: list = []
    events = getattr(app, "events", None)
    unsub = events.subscribe(seen.append) if events is not None else (lambda: None)
    return seen, unsub


def _print_alerts(seen: list) -> None:
    for ev in seen:  # budget alerts and anomalies are already printed by the CLI's alert line (once)
        if ev.kind in ("budget_refused", "policy_suggestion", "policy_adopted"):
            print(f"! {ev.title}: {ev.message}", file=sys.stderr)


# ---- budget ----


@click.command()
@click.option("--set-monthly", metavar="USD", help="set the monthly limit in US dollars")
@click.option(
    "--provider-limit",
    multiple=True,
    metavar="PROVIDER=USD",
    help="set one provider's monthly limit (PROVIDER=none removes it; repeatable)",
)
@click.option("--hard-stop", type=click.Choice(["on", "off"]), help="at 100%: stop cloud calls (on) or only warn (off)")
@json_flag
@pass_session
def budget(
    session: Session, set_monthly: str | None, provider_limit: tuple[str, ...], hard_stop: str | None, as_json: bool
) -> int:
    """The month's spend, limits, forecast and alerts.

    --set-monthly, --provider-limit and --hard-stop change the limits first.
    """
    app = session.app
    seen, unsub = _collect_alerts(app)
    try:
        if set_monthly is not None:
            app.budget.set_monthly_limit(set_monthly)
        for spec in provider_limit:
            provider, sep, value = spec.partition("=")
            if not sep or not provider.strip():
                raise SparklioError(f"a provider limit looks like openai=20 (or openai=none), not {spec!r}")
            value = value.strip()
            app.budget.set_provider_limit(provider.strip(), None if value.lower() in ("none", "off", "") else value)
        if hard_stop is not None:
            app.settings.hard_stop = hard_stop == "on"
        st = app.budget.status()
    finally:
        unsub()
    if as_json:
        print_json(st.to_json())
        return 0
    print(
        f"Budget for {st.month}: {_usd(st.spent_usd)} of {_usd(st.limit_usd)} spent ({st.percent:.0f}%),"
        f" {_usd(st.held_usd)} held for calls in flight, {_usd(st.remaining_usd)} left"
    )
    print(
        f"Forecast for the month: {_usd(st.forecast_usd)}"
        + ("  (over the limit at this pace)" if st.forecast_usd > st.limit_usd else "")
    )
    print(
        f"Budget tier: {st.tier} ({'chosen in Settings' if st.tier_source == 'setting' else 'from the limit'});"
        f" at 100%: {'cloud calls stop' if st.hard_stop else 'warn only'};"
        f" alerts at {', '.join(f'{t * 100:.0f}%' for t in st.thresholds)}"
    )
    for provider in sorted(set(st.spent_by_provider) | set(st.provider_limits)):
        lim = st.provider_limits.get(provider)
        print(
            f"  {provider:<10} {_usd(st.spent_by_provider.get(provider, 0.0)):>10}"
            + (f" of {_usd(lim)}" if lim is not None else "")
        )
    for a in st.alerts:
        who = "monthly" if a["limit"] == "total" else a["limit"]
        print(f"  alert: {who} {a['threshold'] * 100:.0f}% reached ({_usd(a['spent'])} of {_usd(a['limit_usd'])})")
    _print_alerts(seen)
    return 0


# ---- stats ----

_COLS = ("requests", "ok%", "fallback%", "p50", "p95", "ttft p50", "tokens in/out", "cost", "rating", "share")


def _table(title: str, groups: list[dict]) -> None:
    print(title)
    if not groups:
        print("  (no requests in this range)")
        return
    rows = []
    for g in groups:
        rating = "-" if g["rating_avg"] is None else f"{g['rating_avg']:.1f} ({g['ratings']})"
        rows.append(
            [
                g["key"],
                str(g["requests"]),
                _pct(g["success_rate"]),
                _pct(g["fallback_rate"]),
                _ms(g["latency_p50"]),
                _ms(g["latency_p95"]),
                _ms(g["ttft_p50"]),
                f"{g['input_tokens']}/{g['output_tokens']}",
                _usd(g["cost_usd"]),
                rating,
                _pct(g["share"]),
            ]
        )
    # sized to the terminal: the least telling columns go first (ttft, p95, share, fallback%, tokens)
    for line in fit_table(["", *_COLS], rows, right=set(range(1, len(_COLS) + 1)), drop_order=[6, 5, 10, 3, 7]):
        print(line)


@click.command()
@click.option("--since", metavar="DATE", help="first day (YYYY-MM-DD)")
@click.option("--until", metavar="DATE", help="last day (YYYY-MM-DD)")
@json_flag
@pass_session
def stats(session: Session, since: str | None, until: str | None, as_json: bool) -> int:
    """Per-model and per-task statistics, cost per day, cache savings."""
    app = session.app
    rep = app.stats.report(since=since, until=until)
    rep["auto_corrections"] = app.auto.summary()
    if as_json:
        print_json(rep)
        return 0
    t = rep["totals"]
    span = f"since {rep['since']}" if rep["since"] else "all time"
    print(
        f"Sparklio usage, {span}{' until ' + rep['until'] if rep['until'] else ''}: {t['answers']} answers,"
        f" {t['calls']} model calls, {t['failed']} failed, {_usd(t['cost_usd'])} spent"
    )
    _table("\nBy model", rep["models"])
    _table("\nBy task type", rep["tasks"])
    c = rep["cache"]
    print(
        f"\nCache: {c['hits']} of {c['answers']} answers from the cache ({_pct(c['hit_rate'])}),"
        f" {_usd(c['saved_usd'])} saved"
    )
    a = rep["auto_corrections"]
    print(
        f"Auto: {a['answer_corrections']} of {a['auto_answers']} auto-routed answers corrected"
        f" ({_pct(a['corrected_rate'])}); {a['composer_corrections']} Auto guesses overridden in the composer"
    )
    days = rep["cost_per_day"][-14:]
    if days:
        print("\nCost per day" + (" (last 14 days with activity)" if len(rep["cost_per_day"]) > 14 else ""))
        for d in days:
            print(f"  {d['day']}  {_usd(d['cost_usd']):>10}  saved {_usd(d['saved_usd'])}")
    bd = rep["burn_down"]
    if bd["points"]:
        last = bd["points"][-1]
        print(
            f"\nBurn-down {bd['month']}: {_usd(last['cumulative_usd'])} spent,"
            f" {_usd(max(last['remaining_usd'], 0.0))} of"
            f" {_usd(bd['limit_usd'])} left (on an even pace: {_usd(last['ideal_remaining_usd'])} left by"
            f" {last['day']})"
        )
    print(
        f"\n(percentiles from histograms, within {rep['percentile_resolution'] * 100:.0f}%;"
        f" computed in {rep['query_ms']} ms)"
    )
    return 0


# ---- rating and suggestions ----


@click.command()
@click.argument("message_id")
@click.argument("stars")
@click.option("--task", metavar="TASK", help="the task the prompt really was (Auto learns the correction)")
@click.option("--complexity", metavar="LEVEL", help="with --task: simple, medium or complex")
@pass_session
def rate(session: Session, message_id: str, stars: str, task: str | None, complexity: str | None) -> int:
    """Rate an answer from 1 to 5 stars."""
    app = session.app
    mid = _whole(message_id, "a message id must be a whole number")
    stars_n = _whole(stars, "a rating must be a whole number of stars from 1 to 5")
    if complexity and not task:
        raise SparklioError("--complexity corrects Auto together with --task: give the right task too")
    if task:
        _check_task(app, task, complexity)
    made = app.rate(mid, stars_n)
    print(f"Rated message {mid}: {'★' * stars_n}{'☆' * (5 - stars_n)}")
    if task:
        guess = app.auto.correct_answer(mid, task, complexity, source="cli")
        print(
            f"Auto will learn: task {task}"
            + (f", complexity {complexity}" if complexity else "")
            + f" (it had said {guess.task}, {guess.complexity})"
        )
    for s in made or []:
        verb = (
            "applied automatically"
            if s.status == "auto"
            else f"accept with `sparklio policy suggestions --accept {s.id}`"
        )
        print(f"Suggestion {s.id}: {s.text} ({verb})")
    return 0


def _check_task(app, task: str, complexity: str | None) -> None:
    """One clear line for a task or complexity Auto does not know."""
    from router.classify import COMPLEXITY_LEVELS, TASK_TYPES

    if task not in TASK_TYPES:
        raise SparklioError(f"unknown task {task!r}: choose one of {', '.join(TASK_TYPES)}")
    if complexity is not None and complexity not in COMPLEXITY_LEVELS:
        raise SparklioError(f"unknown complexity {complexity!r}: choose simple, medium or complex")


@click.group()
def policy() -> None:
    """Routing policy suggestions learned from your ratings."""


@policy.command()
@click.option("--accept", metavar="ID")
@click.option("--reject", metavar="ID")
@click.option("--all", "show_all", is_flag=True, help="include decided suggestions")
@json_flag
@pass_session
def suggestions(session: Session, accept: str | None, reject: str | None, show_all: bool, as_json: bool) -> int:
    """List, accept or reject suggestions."""
    if accept is not None and reject is not None:
        raise SparklioError("choose --accept or --reject, not both")
    app = session.app
    if accept is not None:
        s = app.learning.accept(_whole(accept, "a suggestion id must be a whole number"))
        print(f"Accepted {s.id}: {s.model} is now the primary model for {s.task}")
        print(f"New {s.task} row: {' → '.join(app.policy.row(s.task))}")
        return 0
    if reject is not None:
        s = app.learning.reject(_whole(reject, "a suggestion id must be a whole number"))
        print(f"Rejected {s.id}: {s.task} keeps {s.current} as primary")
        return 0
    items = app.learning.suggestions(None if show_all else "open")
    if as_json:
        print_json([asdict(s) for s in items])
        return 0
    if not items:
        print("No open suggestions. The router proposes changes once answers have at least 10 ratings per model.")
        return 0
    for s in items:
        ev = s.evidence
        print(f"[{s.id}] {s.status:<9} {s.text}")
        if ev:
            print(
                f"      P(better) {ev.get('p_better', 0):.2f}; cost/answer {_usd(ev.get('model_cost_per_answer'))}"
                f" vs {_usd(ev.get('current_cost_per_answer'))}"
            )
    return 0


COMMANDS = (budget, stats, rate, policy)

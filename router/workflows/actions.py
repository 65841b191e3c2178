"""Local workflow steps (no model, $0): read a data file's schema, pick an interpretation, run SQL, sum the ledger."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from router.errors import SparklioError
from router.workflows.datafile import DataSource, open_data

Chooser = Callable[[str, list[str]], "int | Awaitable[int | None] | None"]
_ITEM_RE = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+(.*\S)\s*$")
_NO_SUCH = re.compile(r"no such (table|column): ([\w.]+)", re.I)


class NoMatch(SparklioError):
    """The question cannot be answered from the data: a clear answer, not a failure."""


def split_items(text: str, mode: str) -> list[str]:
    """Items of a numbered/bulleted list ('numbered') or non-empty lines ('lines'); the whole text as a fallback."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if mode == "numbered":
        items = [m.group(1) for m in (_ITEM_RE.match(ln) for ln in lines) if m]
        if items:
            return items
        paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return paras if len(paras) > 1 else [text.strip()]
    return [ln.strip() for ln in lines] or [text.strip()]


def extract_sql(reply: str) -> str | None:
    """The SQL in a model reply: a ```sql block, any ``` block, or a statement starting SELECT/WITH."""
    for pattern in (r"```sql\s*\n?(.*?)```", r"```\s*\n?(.*?)```"):
        m = re.search(pattern, reply, re.S | re.I)
        if m and m.group(1).strip():
            return m.group(1).strip()
    m = re.search(r"(?im)^\s*((?:SELECT|WITH)\b.*?)(?:;|\n\s*\n|$)", reply, re.S)
    return m.group(1).strip() if m else None


def open_source(path: str) -> DataSource:
    """Open the run's data file (SQLite, or a CSV loaded into a temp SQLite table)."""
    if not path.strip():
        raise SparklioError("No data file was given: pass --input data=PATH (a .sqlite, .db or .csv file)")
    return open_data(path.strip())


async def read_schema(path: str, sources: dict[str, DataSource]) -> str:
    """The schema text the model sees (the DataSource is kept for run_sql)."""
    src = sources.get(path)
    if src is None:
        src = await asyncio.to_thread(open_source, path)
        sources[path] = src
    return src.schema_text()


async def pick(options: list[str], rendered_choice: str, chooser: Chooser | None, step_title: str) -> str:
    """The chosen item: the number the user gave, else the chooser's answer, else the first (most likely)."""
    if not options:
        raise SparklioError(f"{step_title}: there is nothing to choose from")
    raw = rendered_choice.strip()
    index: int | None = None
    if raw:
        try:
            index = int(float(raw))
        except ValueError:
            raise SparklioError(
                f"{step_title}: the choice must be a number from 1 to {len(options)}, not {raw!r}"
            ) from None
    elif chooser is not None:
        got: Any = chooser(step_title, options)
        index = await got if asyncio.iscoroutine(got) or isinstance(got, asyncio.Future) else got
    if index is None:
        return options[0]
    if not 1 <= index <= len(options):
        raise SparklioError(f"{step_title}: choose a number from 1 to {len(options)}, not {index}")
    return options[index - 1]


async def run_sql(reply: str, src: DataSource, *, max_rows: int = 1000, timeout_s: float = 2.0) -> dict[str, Any]:
    """Execute the SQL in a model reply read-only; NoMatch when the data cannot answer the question."""
    where = src.path.name
    sql = extract_sql(reply)
    if sql is None:
        m = re.search(r"NO_MATCH\s*:?\s*(.*)", reply)
        if m:
            why = m.group(1).strip().splitlines()[0] if m.group(1).strip() else "the data has nothing on it"
            raise NoMatch(f"Nothing in {where} answers this question: {why.rstrip('.')}. It holds: {_holds(src)}")
        raise NoMatch(f"No query could be written for this question from {where}. It holds: {_holds(src)}")
    try:
        result = await asyncio.to_thread(src.query, sql, max_rows=max_rows, timeout_s=timeout_s)
    except SparklioError as exc:
        m = _NO_SUCH.search(str(exc))
        if m:
            raise NoMatch(
                f"The question does not match the data in {where}: it has no {m.group(1)} "
                f"{m.group(2)!r}. It holds: {_holds(src)}"
            ) from None
        raise
    if not result.rows:
        raise NoMatch(f"The query ran on {where} but no rows match the question (SQL: {' '.join(sql.split())})")
    out = result.to_json()
    out["source"] = where
    return out


def _holds(src: DataSource) -> str:
    """'table sales (region, amount); view v (...)' for no-match answers."""
    parts = []
    for t in src.tables[:6]:
        cols = ", ".join(c.name for c in t.columns[:12]) + (", …" if len(t.columns) > 12 else "")
        parts.append(f"{t.kind} {t.name} ({cols})")
    return "; ".join(parts)


def ledger_summary(app: Any, days_text: str) -> str:
    """The ledger's aggregate for the last N days as text; prompts only when include_prompts_in_review is on."""
    try:
        days = max(1, min(int(float(days_text or "30")), 3650))
    except ValueError:
        raise SparklioError(f"Days to review must be a whole number, not {days_text!r}") from None
    since = (date.today() - timedelta(days=days - 1)).isoformat()
    stats = app.stats
    totals = stats.totals(since)
    lines = [
        f"Usage over the last {days} days (since {since}):",
        f"calls {totals['calls']}, answers {totals['answers']}, failed {totals['failed']}, "
        f"input tokens {totals['input_tokens']}, output tokens {totals['output_tokens']}, "
        f"cost ${float(totals['cost_usd']):.4f}, saved by cache ${float(totals['saved_usd']):.4f}",
    ]
    for title, groups in (("By task", stats.by_task(since)), ("By model", stats.by_model(since))):
        lines.append(f"{title}: key | calls | success | fallback | cost $ | $/answer | p50 ms | rating")
        for g in groups:
            lines.append(
                " | ".join(
                    [
                        g.key,
                        str(g.calls),
                        _pct(g.success_rate),
                        _pct(g.fallback_rate),
                        f"{g.cost_usd:.4f}",
                        f"{g.cost_per_answer or 0:.5f}",
                        f"{g.latency_p50:.0f}" if g.latency_p50 else "-",
                        f"{g.rating_avg:.1f}" if g.rating_avg else "-",
                    ]
                )
            )
    cache = stats.cache(since)
    lines.append(f"Cache: {cache['hits']} hits of {cache['answers']} answers, saved ${cache['saved_usd']:.4f}")
    lines.append(
        f"Monthly limit ${app.settings.monthly_limit_usd:.2f}; "
        f"budget tier {app.settings.budget_tier or 'derived from the limit'}"
    )
    if app.settings.include_prompts_in_review:
        lines.append("Recent prompts (the user opted in to sharing them):")
        lines += [f"- {p}" for p in _recent_prompts(since)]
    else:
        lines.append("(Prompts are not included: the user has not opted in.)")
    return "\n".join(lines)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.0f}%"


def _recent_prompts(since: str, limit: int = 40) -> list[str]:
    from datetime import datetime

    from router.store.models import ChatMessage

    start = datetime.fromisoformat(since).timestamp()
    rows = (
        ChatMessage.select(ChatMessage.content)
        .where((ChatMessage.role == "user") & (ChatMessage.created_at >= start))
        .order_by(ChatMessage.id.desc())
        .limit(limit)
    )
    return [" ".join(r.content.split())[:200] for r in rows]

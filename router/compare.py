"""Side-by-side compare: one prompt to 2-3 models at once, priced first; the user's verdict teaches the learner.

The rule (documented in the README): one compare verdict is stored as one row per pair, and the learner counts
each row as PREFERENCE_WEIGHT ratings — the winner PREFERENCE_WEIGHT five-star ratings, the loser as many
one-star ratings; a tie gives both PREFERENCE_WEIGHT three-star ratings. A direct, same-prompt judgement is
stronger evidence than a star given to one answer in isolation, hence a weight above one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from router.errors import SparklioError
from router.store.db import database
from router.types import AnswerDone, RouteRequest, TextDelta

PREFERENCE_WEIGHT = 2
MAX_MODELS = 3
# Ratings plus compare verdicts as weighted (task, model, weight, stars) evidence for the learner.
EVIDENCE_SQL = (
    f"SELECT task, model, 1 AS w, stars FROM ratings"
    f" UNION ALL SELECT task, winner, {PREFERENCE_WEIGHT}, CASE tie WHEN 1 THEN 3 ELSE 5 END"
    f" FROM preferences"
    f" UNION ALL SELECT task, loser, {PREFERENCE_WEIGHT}, CASE tie WHEN 1 THEN 3 ELSE 1 END"
    f" FROM preferences"
)


@dataclass
class Contender:
    """One model's side of a compare: its worst-case price before sending, then its answer."""

    model: str
    label: str
    hold_usd: float
    text: str = ""
    cost_usd: float = 0.0
    latency_ms: float | None = None
    error: str = ""
    done: bool = False


def suggested_models(app: Any, request: RouteRequest) -> list[tuple[str, str]]:
    """(model, why) for "the router's pick vs the next best vs one cheaper", as routed now."""
    plan = app.plan(replace(request, model=None, explore=False))
    entries = [e.model for e in plan.chain] + [a.model for a in plan.alternatives]
    if not entries:
        raise SparklioError("no model can answer this prompt now, so there is nothing to compare")
    pick = entries[0]
    out = [(pick, "router's pick")]
    nxt = next((m for m in entries[1:]), None)
    if nxt:
        out.append((nxt, "next best"))
    price = _unit_price(app, pick)
    cheaper = sorted((_unit_price(app, m), m) for m in entries if m not in dict(out) and _unit_price(app, m) < price)
    if cheaper:
        out.append((cheaper[0][1], "cheaper"))
    return out[:MAX_MODELS]


def _unit_price(app: Any, model_id: str) -> float:
    spec = app.catalog.get(model_id)
    return 0.0 if spec.local else (spec.input_price or 0.0) + 4 * (spec.output_price or 0.0)


def price(app: Any, request: RouteRequest, models: list[str]) -> list[Contender]:
    """Each model's worst-case hold for this request (what compare reserves before sending)."""
    if not 2 <= len(models) <= MAX_MODELS or len(set(models)) != len(models):
        raise SparklioError(f"compare needs 2 to {MAX_MODELS} different models, not {len(models)}")
    out = []
    for m in models:
        spec = app.catalog.get(m)
        plan = app.plan(replace(request, model=m, explore=False))
        out.append(
            Contender(
                m,
                spec.name if hasattr(spec, "name") else m,
                app.engine.worst_case(spec, plan, replace(request, model=m)),
            )
        )
    return out


async def run(
    app: Any,
    request: RouteRequest,
    contenders: list[Contender],
    on_update: Callable[[int, Contender], Any] | None = None,
) -> list[Contender]:
    """Stream every model at once (each attempt holds its own budget); one failing leaves the others running."""
    if not request.messages or not request.prompt.strip():
        raise SparklioError("type a prompt to compare")

    async def one(i: int, c: Contender) -> None:
        req = replace(request, model=c.model, use_cache=False, explore=False, conversation_id=None)
        try:
            async for ev in app.run(req, store=False):
                if isinstance(ev, TextDelta):
                    c.text += ev.text
                elif isinstance(ev, AnswerDone):
                    a = ev.answer
                    c.text, c.cost_usd, c.latency_ms = a.text, a.cost_usd, a.latency_ms
                if on_update:
                    on_update(i, c)
        except SparklioError as exc:
            c.error = str(exc)
        c.done = True
        if on_update:
            on_update(i, c)

    await asyncio.gather(*(one(i, c) for i, c in enumerate(contenders)))
    return contenders


def prefer(app: Any, task: str, models: list[str], winner: str | None, prompt: str = "") -> int:
    """Store a verdict (winner None = tie) as pairwise rows and let the learner look again; returns rows stored."""
    if winner is not None and winner not in models:
        raise SparklioError(f"{winner} was not one of the compared models ({', '.join(models)})")
    now = time.time()
    if winner is None:
        pairs = [(a, b, 1) for i, a in enumerate(models) for b in models[i + 1 :]]
    else:
        pairs = [(winner, m, 0) for m in models if m != winner]
    with database.atomic():
        for w, lo, tie in pairs:
            database.execute_sql(
                "INSERT INTO preferences(task, winner, loser, tie, prompt_chars, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (task, w, lo, tie, len(prompt), now),
            )
    app.learning.refresh(task)
    return len(pairs)

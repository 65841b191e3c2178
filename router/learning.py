"""Ratings, A/B exploration and a Thompson-sampling learner that proposes task-table changes."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from router.budget import effective_tier
from router.catalog import ModelSpec
from router.compare import EVIDENCE_SQL  # star ratings plus weighted compare verdicts
from router.errors import SparklioError
from router.events import AppEvent, EventBus
from router.store.db import database
from router.types import BUDGET_TIERS, PlanEntry, RoutePlan

MIN_RATINGS = 10  # per model, before the learner compares it
MIN_MARGIN = 0.3  # stars the challenger's mean must lead by
MIN_PROBABILITY = 0.9  # posterior probability that the challenger's reward is higher
COST_WEIGHT = 0.05  # reward = quality in [0, 1] - COST_WEIGHT * cost relative to the dearer of the two (0.2 stars)
SAMPLES = 4000
_RANK = {t: i for i, t in enumerate(BUDGET_TIERS)}


@dataclass
class Suggestion:
    """A proposed change of a task's primary model, with the evidence behind it."""

    id: int
    task: str
    model: str
    current: str
    text: str
    evidence: dict = field(default_factory=dict)
    status: str = "open"
    created_at: float = 0.0
    decided_at: float | None = None


def _suggestion(row: tuple) -> Suggestion:
    sid, task, model, current, text, evidence, status, created, decided = row
    return Suggestion(sid, task, model, current, text, _json_dict(evidence), status, created, decided)


_SUGGESTION_COLS = "id, task, model, current, text, evidence, status, created_at, decided_at"


class Learning:
    """Star ratings, exploration of same-tier alternatives, and policy suggestions from the ratings."""

    def __init__(
        self,
        settings: Any,
        policy: Any,
        events: EventBus | None = None,
        rng: random.Random | None = None,
        *,
        catalog: Any | None = None,
        budget: Any | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.events = events
        self.rng = rng or random.Random()
        self.catalog = catalog
        self.budget = budget
        self.clock = clock

    # ---- helpers ----
    def _lookup(self, model_id: str) -> ModelSpec | None:
        if self.catalog is None:
            return None
        models = getattr(self.catalog, "models", self.catalog)
        return models.get(model_id) if hasattr(models, "get") else None

    def _tier(self) -> str:
        return self.budget.tier() if self.budget is not None else effective_tier(self.settings)

    def _publish(self, kind: str, title: str, message: str, data: dict) -> None:
        if self.events:
            self.events.publish(AppEvent(kind, title, message, data))

    # ---- ratings ----
    def rate(self, message_id: Any, stars: Any) -> list[Suggestion]:
        """Store (or replace) a 1-5 star rating of an answer; returns any suggestions it triggered."""
        if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
            raise SparklioError(f"a rating must be a whole number of stars from 1 to 5, not {stars!r}")
        if isinstance(message_id, bool) or not isinstance(message_id, int) or message_id <= 0:
            raise SparklioError(f"a message id must be a positive whole number, not {message_id!r}")
        msg = database.execute_sql(
            "SELECT role, model, status, created_at, meta FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if msg is None:
            raise SparklioError(f"there is no message {message_id} to rate")
        role, model, status, created, meta = msg
        if role != "assistant":
            raise SparklioError(f"message {message_id} is a {role} message; only answers can be rated")
        led = database.execute_sql(
            "SELECT task, model, experiment, day FROM llm_usage WHERE message_id = ? AND outcome = 'ok'"
            " ORDER BY id DESC LIMIT 1",
            (message_id,),
        ).fetchone()
        if led is None and status == "ok" and model:  # no ledger link: the stored answer's own record
            m = _json_dict(meta)
            if m.get("task"):
                led = (m["task"], model, bool(m.get("experiment")), None)
        if led is None or status != "ok":
            raise SparklioError(f"message {message_id} is not a finished answer, so it cannot be rated")
        task, led_model, experiment, day = led
        database.execute_sql(
            "INSERT INTO ratings(message_id, stars, model, task, day, experiment, rated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(message_id) DO UPDATE SET stars = excluded.stars, rated_at = excluded.rated_at",
            (
                message_id,
                stars,
                led_model or model,
                task,
                day or datetime.fromtimestamp(created).date().isoformat(),
                int(bool(experiment)),
                self.clock(),
            ),
        )
        return self.refresh(task)

    # ---- exploration ----
    def maybe_explore(
        self, plan: RoutePlan, alternatives: list[PlanEntry], model_lookup: Callable[[str], ModelSpec | None]
    ) -> RoutePlan:
        """With probability exploration_rate, put another eligible same-tier model first and mark an experiment."""
        rate = self.settings.exploration_rate
        if rate <= 0 or not plan.chain or self.rng.random() >= rate:
            return plan
        primary = plan.chain[0]
        p_spec = _safe(model_lookup, primary.model)
        if p_spec is None:
            return plan
        allowed = _RANK.get(plan.budget, 0)
        pool: dict[str, PlanEntry] = {}
        for e in list(plan.chain[1:]) + list(alternatives):
            spec = _safe(model_lookup, e.model)
            if (
                e.model != primary.model
                and spec is not None
                and spec.kind == p_spec.kind
                and spec.min_budget == p_spec.min_budget
                and _RANK.get(spec.min_budget, 9) <= allowed
            ):
                pool.setdefault(e.model, e)
        if not pool:
            return plan
        pick = self.rng.choice(sorted(pool))
        entry = pool[pick]
        why = (
            f"experiment: tried instead of {primary.model} ({rate:.0%} A/B exploration among"
            f" {p_spec.min_budget}-tier models); rate the answer to teach the router"
        )
        chain = [replace(entry, _why=why)]  # keeps `serves`: a retired slot stays served by its successor
        chain += [e for e in plan.chain if e.model != pick]
        rest = [a for a in plan.alternatives if a.model != pick]
        return replace(plan, chain=chain, alternatives=rest, experiment=True)

    # ---- the learner ----
    def _cost_per_answer(self, task: str) -> dict[str, float]:
        rows = database.execute_sql(
            "SELECT model, SUM(cost_usd) / NULLIF(SUM(ok), 0) FROM usage_rollup WHERE grain = 'm' AND task = ?"
            " GROUP BY model",
            (task,),
        ).fetchall()
        return {m: float(c or 0.0) for m, c in rows}

    def _p_better(self, a: tuple[float, float], b: tuple[float, float], cost_a: float, cost_b: float) -> float:
        """Posterior probability that model a's reward beats model b's (Thompson draws from Beta posteriors)."""
        dearer = max(cost_a, cost_b)
        pen_a = COST_WEIGHT * (cost_a / dearer) if dearer > 0 else 0.0
        pen_b = COST_WEIGHT * (cost_b / dearer) if dearer > 0 else 0.0
        beta = self.rng.betavariate
        wins = sum(beta(*a) - pen_a > beta(*b) - pen_b for _ in range(SAMPLES))
        return wins / SAMPLES

    def refresh(self, task: str | None = None) -> list[Suggestion]:
        """Compare rated models per task type; record (and with auto_adopt, apply) well-supported changes."""
        where, args = ("WHERE task = ?", (task,)) if task else ("", ())
        rows = database.execute_sql(
            f"SELECT task, model, SUM(w), SUM(w * stars) * 1.0 / SUM(w), SUM(w * (stars - 1)) FROM ({EVIDENCE_SQL})"
            f" {where} GROUP BY task, model HAVING SUM(w) >= ?",
            (*args, MIN_RATINGS),
        ).fetchall()
        by_task: dict[str, dict[str, tuple[int, float, float]]] = {}
        for t, m, n, mean, succ in rows:
            by_task.setdefault(t, {})[m] = (int(n), float(mean), float(succ))
        tier_rank = _RANK[self._tier()]
        made = []
        for t, models in sorted(by_task.items()):
            try:
                current = self.policy.row(t)[0]
            except (SparklioError, IndexError):
                continue
            if current not in models:
                continue
            cur_spec = self._lookup(current)
            costs = self._cost_per_answer(t)
            n_p, mean_p, s_p = models[current]
            decided = {
                m
                for (m,) in database.execute_sql(
                    "SELECT model FROM suggestions WHERE task = ? AND current = ? AND status IN ('open', 'rejected')",
                    (t, current),
                ).fetchall()
            }
            best = None
            for m, (n, mean, s) in sorted(models.items()):
                spec = self._lookup(m)
                if m == current or m in decided or spec is None or _RANK.get(spec.min_budget, 9) > tier_rank:
                    continue
                if cur_spec is not None and spec.kind != cur_spec.kind:
                    continue
                if mean - mean_p < MIN_MARGIN:
                    continue
                # Each rating is 4 Bernoulli steps (1 star = 0 of 4, 5 stars = 4 of 4): Beta(1 + s, 1 + 4n - s).
                p = self._p_better(
                    (1 + s, 1 + 4 * n - s), (1 + s_p, 1 + 4 * n_p - s_p), costs.get(m, 0.0), costs.get(current, 0.0)
                )
                if p >= MIN_PROBABILITY and (best is None or (p, mean) > (best[1], best[2])):
                    best = (m, p, mean, n)
            if best is not None:
                made.append(self._propose(t, current, best, (n_p, mean_p), costs))
        return made

    def _propose(self, task: str, current: str, best: tuple, cur: tuple, costs: dict) -> Suggestion:
        model, p, mean, n = best
        n_p, mean_p = cur
        text = f"for {task}, {model} rated {mean:.1f} vs {current} {mean_p:.1f} over {n + n_p} ratings: make it primary"
        evidence = {
            "model_mean": round(mean, 3),
            "model_ratings": n,
            "current_mean": round(mean_p, 3),
            "current_ratings": n_p,
            "p_better": round(p, 4),
            "model_cost_per_answer": costs.get(model, 0.0),
            "current_cost_per_answer": costs.get(current, 0.0),
        }
        now = self.clock()
        with database.atomic("IMMEDIATE"):
            database.execute_sql(
                "UPDATE suggestions SET status = 'superseded', decided_at = ? WHERE task = ? AND status = 'open'",
                (now, task),
            )
            sid = database.execute_sql(
                "INSERT INTO suggestions(task, model, current, text, evidence, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, 'open', ?)",
                (task, model, current, text, json.dumps(evidence), now),
            ).lastrowid
        self._publish(
            "policy_suggestion", "The router has a suggestion", text, {"id": sid, "task": task, "model": model}
        )
        if self.settings.auto_adopt:
            return self.accept(sid, auto=True)
        return self._get(sid)

    # ---- decisions ----
    def _get(self, sid: Any) -> Suggestion:
        if isinstance(sid, bool) or not isinstance(sid, int):
            try:
                sid = int(str(sid).strip())
            except ValueError:
                raise SparklioError(f"a suggestion id must be a whole number, not {sid!r}") from None
        row = database.execute_sql(f"SELECT {_SUGGESTION_COLS} FROM suggestions WHERE id = ?", (sid,)).fetchone()
        if row is None:
            raise SparklioError(f"there is no suggestion {sid}")
        return _suggestion(row)

    def suggestions(self, status: str | None = "open") -> list[Suggestion]:
        """Suggestions with `status` (None: all), newest first."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = database.execute_sql(
            f"SELECT {_SUGGESTION_COLS} FROM suggestions {where} ORDER BY id DESC", args
        ).fetchall()
        return [_suggestion(r) for r in rows]

    def accept(self, sid: Any, *, auto: bool = False) -> Suggestion:
        """Make the suggested model the task's primary (the old primary becomes the first fallback)."""
        sug = self._get(sid)
        if sug.status != "open":
            raise SparklioError(f"suggestion {sug.id} is already {sug.status}")
        spec = self._lookup(sug.model)
        if spec is None or _RANK.get(spec.min_budget, 9) > _RANK[self._tier()]:
            raise SparklioError(f"{sug.model} is not allowed in the {self._tier()} budget tier; suggestion not applied")
        row = [sug.model] + [m for m in self.policy.row(sug.task) if m != sug.model]
        day = datetime.fromtimestamp(self.clock()).date().isoformat()
        self.policy.set_task_row(sug.task, row, origin=f"learned:{day}")
        status = "auto" if auto else "accepted"
        database.execute_sql(
            "UPDATE suggestions SET status = ?, decided_at = ? WHERE id = ?", (status, self.clock(), sug.id)
        )
        self._publish(
            "policy_adopted",
            "Routing policy updated",
            f"{sug.model} is now the primary model for {sug.task}" + (" (adopted automatically)" * auto),
            {"id": sug.id, "task": sug.task, "model": sug.model, "row": row, "auto": auto},
        )
        return self._get(sug.id)

    def reject(self, sid: Any) -> Suggestion:
        """Dismiss a suggestion; the same change is not proposed again for the same current primary."""
        sug = self._get(sid)
        if sug.status != "open":
            raise SparklioError(f"suggestion {sug.id} is already {sug.status}")
        database.execute_sql(
            "UPDATE suggestions SET status = 'rejected', decided_at = ? WHERE id = ?", (self.clock(), sug.id)
        )
        return self._get(sug.id)


def _json_dict(text: str | None) -> dict:
    """A JSON object from text, or {} when it is missing or unreadable."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _safe(lookup: Callable[[str], ModelSpec | None], model_id: str) -> ModelSpec | None:
    """`lookup(model_id)`, or None when it raises (an unknown id)."""
    try:
        return lookup(model_id)
    except (SparklioError, KeyError):
        return None

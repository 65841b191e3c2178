"""Retired models and their successors: by date, by a provider's live model list, or by a 404 it answered.

State lives in SQLite (`model_lists`, `model_not_found`, migration 005), so every process shares it. The derived
answer — which catalog ids are retired, why, and which model serves each — is computed once per change and read
by the planner on every request.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime

from router.catalog import Catalog, ModelSpec
from router.providers.info import PROVIDERS, label
from router.types import BUDGET_TIERS

_RANK = {t: i for i, t in enumerate(BUDGET_TIERS)}
_SNAPSHOT = re.compile(r"-\d{8}$|-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class LiveList:
    """One provider's model list as its API returned it, and when."""

    provider: str
    fetched_at: float
    ids: frozenset
    error: str = ""

    def names(self, api_model: str) -> bool:
        """True when the list names this API model (or a dated snapshot of it, as Anthropic lists them)."""
        if api_model in self.ids:
            return True
        return any(_SNAPSHOT.sub("", i) == api_model for i in self.ids if i.startswith(api_model + "-"))


@dataclass(frozen=True)
class Retirement:
    """Why a catalog model is retired, and which model serves its slot (None: nothing does)."""

    model: str
    source: str  # date | list | not_found | catalog
    why: str
    successor: str | None = None


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d")


class Lifecycle:
    """Which catalog models are retired for the keys in use, and who serves them."""

    def __init__(self, catalog: Catalog, today: date | None = None, price_cache=None) -> None:
        self.catalog = catalog
        self.today = today
        self.price_cache = price_cache  # genai-prices lookups for listed models that join the catalog
        self._seen: tuple = ((), 0.0)  # (the tables' change mark, when it was read)
        self.lists: dict[str, LiveList] = {}
        self.not_found: dict[tuple[str, str], tuple[float, str]] = {}
        self.version = 0
        self._key: tuple | None = None
        self._retired: dict[str, Retirement] = {}

    # ---- state ----
    def load(self) -> None:
        """Read the stored lists and 404s (start-up, and when another process changed them)."""
        from router.store.db import database

        self.lists = {}
        for provider, fetched_at, ids, error in database.execute_sql(
            "SELECT provider, fetched_at, models, error FROM model_lists"
        ):
            import json

            self.lists[provider] = LiveList(provider, float(fetched_at), frozenset(json.loads(ids)), error or "")
        self.not_found = {
            (p, m): (float(at), msg)
            for p, m, at, msg in database.execute_sql("SELECT provider, api_model, at, message FROM model_not_found")
        }
        self.version += 1
        self._seen = (self._mark(), time.monotonic())
        from router.model_lists import join_listed

        join_listed(self.catalog, self, self.price_cache)

    @staticmethod
    def _mark() -> tuple:
        """A cheap fingerprint of the stored lists and 404s (changes when any process writes them)."""
        from router.store.db import database

        return tuple(
            database.execute_sql(
                "SELECT (SELECT MAX(fetched_at) FROM model_lists), (SELECT COUNT(*) FROM model_not_found),"
                " (SELECT MAX(at) FROM model_not_found)"
            ).fetchone()
        )

    def current(self, every_s: float = 2.0) -> dict[str, Retirement]:
        """retired(), after re-reading the tables (at most every `every_s`) if another process changed them."""
        mark, seen_at = self._seen
        if time.monotonic() - seen_at > every_s:
            now_mark = self._mark()
            if now_mark != mark:
                self.load()
            else:
                self._seen = (mark, time.monotonic())
        return self.retired()

    def mark_not_found(self, model: ModelSpec, message: str) -> None:
        """The provider answered 404 for this model: retired from now on, in every process."""
        from router.store.db import database

        now = time.time()
        with database.atomic():
            database.execute_sql(
                "INSERT OR REPLACE INTO model_not_found(provider, api_model, at, message) VALUES (?, ?, ?, ?)",
                (model.provider, model.api_model, now, message[:300]),
            )
        self.not_found[(model.provider, model.api_model)] = (now, message)
        self.version += 1
        self._seen = (self._mark(), time.monotonic())

    def set_list(self, provider: str, ids: list[str], fetched_at: float) -> None:
        """A fresh list from the provider: stored; models it names again come back."""
        import json

        from router.store.db import database

        with database.atomic():
            database.execute_sql(
                "INSERT OR REPLACE INTO model_lists(provider, fetched_at, models, error) VALUES (?, ?, ?, '')",
                (provider, fetched_at, json.dumps(sorted(ids))),
            )
            listed = LiveList(provider, fetched_at, frozenset(ids))
            for p, api_model in [k for k in self.not_found if k[0] == provider and listed.names(k[1])]:
                database.execute_sql("DELETE FROM model_not_found WHERE provider = ? AND api_model = ?", (p, api_model))
                del self.not_found[(p, api_model)]
        self.lists[provider] = listed
        self.version += 1
        self._seen = (self._mark(), time.monotonic())

    def set_error(self, provider: str, error: str) -> None:
        """A refresh failed: the last list stays, the failure is shown next to it."""
        from router.store.db import database

        database.execute_sql("UPDATE model_lists SET error = ? WHERE provider = ?", (error[:300], provider))
        old = self.lists.get(provider)
        if old is not None:
            self.lists[provider] = LiveList(provider, old.fetched_at, old.ids, error)

    # ---- the derived answer ----
    def retired(self) -> dict[str, Retirement]:
        """Catalog id -> Retirement for every retired model (recomputed only after a change)."""
        today = self.today or date.today()
        key = (self.catalog.version, len(self.catalog), self.version, today)
        if key != self._key:
            self._retired = self._compute(today)
            self._key = key
        return self._retired

    def why_retired(self, m: ModelSpec, today: date) -> tuple[str, str] | None:
        """(source, human reason) when this model is retired, else None."""
        if m.local:
            return None
        who = label(m.provider)
        nf = self.not_found.get((m.provider, m.api_model))
        row = PROVIDERS.get(m.provider)
        listed = self.lists.get(m.provider) if row and row.list_is_complete else None
        if nf and (listed is None or nf[0] >= listed.fetched_at):
            return "not_found", f"{who} answered 404 for {m.api_model} on {_day(nf[0])}"
        if listed is not None:
            if listed.names(m.api_model):
                return None
            return "list", f"{who}'s model list of {_day(listed.fetched_at)} no longer names {m.api_model}"
        if m.retires and date.fromisoformat(m.retires) <= today:
            return "date", f"{who} retired {m.name} on {m.retires}"
        if m.lifecycle == "retired":
            return "catalog", f"{who} no longer serves {m.name}"
        return None

    def _compute(self, today: date) -> dict[str, Retirement]:
        gone = {}
        for m in self.catalog:
            found = self.why_retired(m, today)
            if found:
                gone[m.id] = found
        out = {}
        for mid, (source, why) in gone.items():
            out[mid] = Retirement(mid, source, why, self._successor(self.catalog.models[mid], gone))
        return out

    def _successor(self, m: ModelSpec, gone: dict) -> str | None:
        """The explicit successor (followed while it is retired too), else the family's newest live model."""
        seen = {m.id}
        nxt = m.successor
        while nxt and nxt in self.catalog and nxt not in seen:
            if nxt not in gone:
                return nxt
            seen.add(nxt)
            nxt = self.catalog.models[nxt].successor
        if not m.family:
            return None
        effort = m.params.get("reasoning_effort")
        pool = [
            c
            for c in self.catalog
            if c.family == m.family
            and c.id not in gone
            and c.kind == m.kind
            and c.priced
            and c.params.get("reasoning_effort") == effort
            and _RANK[c.min_budget] <= _RANK[m.min_budget]
        ]
        if not pool:
            return None
        best = [c for c in pool if m.capabilities <= c.capabilities] or pool
        return max(best, key=lambda c: (c.generation, c.released, -(c.output_price or 0.0))).id

    def describe(self, model_id: str) -> str:
        """'' for a live model; else 'retired (why); served by X' for lists and tables."""
        r = self.retired().get(model_id)
        if r is None:
            return ""
        return f"retired ({r.why}); " + (f"served by {r.successor}" if r.successor else "no successor")

"""The response cache: answers keyed by model, parameters and normalised messages, kept in the app's SQLite file."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from router.catalog import ModelSpec
from router.store.db import database
from router.types import Message, Usage

log = logging.getLogger(__name__)

# Task types whose answers do not go stale within a day (the policy document's "static content").
STATIC_TASKS = frozenset({"template_generation", "translation", "embeddings", "embedding"})
PURGE_EVERY = 200  # puts between sweeps of expired rows
_USAGE_FIELDS = {f.name for f in fields(Usage)}
_INT_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "images",
)


@dataclass
class CachedAnswer:
    """A stored answer: its text, the usage and cost of the original call, and the model that made it."""

    text: str
    usage: Usage
    cost_usd: float
    model_id: str
    task: str = ""
    created_at: float = 0.0
    expires_at: float = 0.0


def _norm_text(text: str) -> str:
    """Unicode NFC, LF line ends, no trailing spaces per line, no outer blank space."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def normalise_messages(messages: list[Message]) -> list[dict]:
    """Messages as plain data for hashing; images by content digest."""
    return [
        {
            "role": m.role,
            "content": _norm_text(m.content),
            "images": [[hashlib.sha256(img.data).hexdigest(), img.mime] for img in m.images],
        }
        for m in messages
    ]


class ResponseCache:
    """get/put/clear over cache_entries; TTL per task type from the settings."""

    def __init__(self, settings: Any, *, policy: Any | None = None, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.policy = policy  # when given, its task rows say which tasks are static
        self.clock = clock
        self._puts = 0

    @property
    def enabled(self) -> bool:
        """The cache_enabled setting."""
        return self.settings.cache_enabled

    def key(self, model: ModelSpec, messages: list[Message], params: dict | None = None) -> str:
        """sha256 of model id, wire name, model params, request params and the normalised messages."""
        payload = {
            "model": model.id,
            "api_model": model.api_model,
            "model_params": model.params or {},
            "params": {k: v for k, v in (params or {}).items() if v is not None},
            "messages": normalise_messages(messages),
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def ttl_for(self, task: str) -> int:
        """Seconds an answer for `task` stays fresh (static types 24 h, others 1 h, by default)."""
        static = (self.policy.cache_ttl_class(task) == "static") if self.policy is not None else task in STATIC_TASKS
        return self.settings.cache_ttl_static_s if static else self.settings.cache_ttl_dynamic_s

    def get(self, key: str) -> CachedAnswer | None:
        """The fresh answer under `key`, else None (expired and corrupted rows are removed); the caller counts a hit it
        serves (`count_hit`, in the served attempt's ledger transaction)."""
        if not self.enabled:
            return None
        row = database.execute_sql(
            "SELECT model, task, text, usage, cost_usd, created_at, expires_at FROM cache_entries WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        now = self.clock()
        try:
            answer = self._decode(row)
        except (ValueError, TypeError) as exc:
            log.warning("dropped a corrupted response-cache entry %s: %s", key[:12], exc)
            database.execute_sql("DELETE FROM cache_entries WHERE key = ?", (key,))
            return None
        if answer.expires_at <= now:
            database.execute_sql("DELETE FROM cache_entries WHERE key = ? AND expires_at <= ?", (key, now))
            return None
        return answer

    def count_hit(self, key: str) -> None:
        """One more answer served from the entry under `key`."""
        database.execute_sql("UPDATE cache_entries SET hits = hits + 1 WHERE key = ?", (key,))

    @staticmethod
    def _decode(row: tuple) -> CachedAnswer:
        """Parse a row, raising ValueError/TypeError on anything malformed."""
        model, task, text, usage_json, cost, created, expires = row
        if not isinstance(text, str) or not isinstance(model, str) or not model:
            raise ValueError("text or model is not a string")
        usage = json.loads(usage_json)
        if not isinstance(usage, dict) or set(usage) - _USAGE_FIELDS:
            raise ValueError("usage is not a Usage object")
        if any(not isinstance(usage.get(k, 0), int) or isinstance(usage.get(k, 0), bool) for k in _INT_FIELDS):
            raise ValueError("usage token counts are not whole numbers")
        cost = float(cost)
        if not math.isfinite(cost) or cost < 0:
            raise ValueError(f"bad cost {cost!r}")
        return CachedAnswer(
            text=text,
            usage=Usage(**usage),
            cost_usd=cost,
            model_id=model,
            task=str(task or ""),
            created_at=float(created),
            expires_at=float(expires),
        )

    def put(self, key: str, model: ModelSpec | str, task: str, text: str, usage: Usage | None, cost_usd: float) -> None:
        """Store a complete answer under `key` with the task type's TTL (no-op when the cache is off)."""
        if not self.enabled:
            return
        now = self.clock()
        model_id = model.id if isinstance(model, ModelSpec) else str(model)
        usage_json = json.dumps(asdict(usage or Usage()))
        database.execute_sql(
            "INSERT OR REPLACE INTO cache_entries(key, model, task, text, usage, cost_usd, created_at, expires_at,"
            " hits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (key, model_id, task or "", text, usage_json, float(cost_usd or 0.0), now, now + self.ttl_for(task)),
        )
        self._puts += 1
        if self._puts % PURGE_EVERY == 0:
            self.purge_expired()

    def purge_expired(self) -> int:
        """Delete expired rows; returns how many."""
        return database.execute_sql("DELETE FROM cache_entries WHERE expires_at <= ?", (self.clock(),)).rowcount

    def clear(self) -> int:
        """Delete every cached answer; returns how many."""
        return database.execute_sql("DELETE FROM cache_entries").rowcount

    def summary(self) -> dict:
        """Entries (fresh/expired), stored bytes, hits served and money saved so far."""
        now = self.clock()
        fresh, expired, size, hits = database.execute_sql(
            "SELECT COALESCE(SUM(expires_at > ?), 0), COALESCE(SUM(expires_at <= ?), 0),"
            " COALESCE(SUM(LENGTH(text) + LENGTH(usage)), 0), COALESCE(SUM(hits), 0) FROM cache_entries",
            (now, now),
        ).fetchone()
        served, saved = database.execute_sql(
            "SELECT COALESCE(SUM(cache_hits), 0), COALESCE(SUM(saved_usd), 0) FROM usage_rollup WHERE grain = 'm'"
        ).fetchone()
        return {
            "enabled": self.enabled,
            "entries": int(fresh),
            "expired": int(expired),
            "bytes": int(size),
            "hits_on_entries": int(hits),
            "hits_served": int(served),
            "saved_usd": round(float(saved), 6),
            "ttl_static_s": self.settings.cache_ttl_static_s,
            "ttl_dynamic_s": self.settings.cache_ttl_dynamic_s,
        }

"""Local models stay in the chain: the last Ollama list seen is kept, and a slow status check never removes it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from router.errors import SparklioError
from router.events import AppEvent
from router.ollama_catalog import LocalModel, catalog_entries
from router.providers.info import PROVIDERS, load
from router.store.db import database

log = logging.getLogger(__name__)

MIN_TIMEOUT_S = 1.5
MAX_TIMEOUT_S = 4.5  # below OllamaManager.status()'s own 5 s, so a slow answer is told apart from "not running"


def _read() -> tuple[list[dict], float | None, float] | None:
    row = database.execute_sql(
        "SELECT models, latency_ms, checked_at FROM local_snapshot WHERE provider = 'ollama'"
    ).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0]), row[1], float(row[2])
    except ValueError:
        return None


def adaptive_timeout() -> float:
    """Three times the last status check's latency, between 1.5 and 4.5 s."""
    try:
        snap = _read()
    except Exception:
        snap = None
    last_ms = snap[1] if snap and snap[1] else 0.0
    return min(max(3 * last_ms / 1000.0, MIN_TIMEOUT_S), MAX_TIMEOUT_S)


def _install(app: Any, models: list[LocalModel]) -> None:
    app.catalog.set_installed("ollama", {s.id: s for s in catalog_entries(models, app.catalog)})


def load_snapshot(app: Any) -> bool:
    """At start: the last list Ollama answered joins the catalog (until a check says otherwise); True if any."""
    try:
        snap = _read()
        if not snap or not snap[0]:
            return False
        _install(app, [LocalModel.from_row(e) for e in snap[0]])
    except Exception as exc:
        log.debug("Ollama snapshot not used: %s", exc)
        return False
    app.registry.ollama_reachable = True
    app.registry.ollama_message = f"Ollama was running at {time.strftime('%H:%M', time.localtime(snap[2]))}"
    return True


def _save(models: list[LocalModel], latency_ms: float) -> None:
    rows = [m.to_row() for m in models]
    with database.atomic("IMMEDIATE"):
        database.execute_sql(
            "INSERT OR REPLACE INTO local_snapshot(provider, models, latency_ms, checked_at)"
            " VALUES ('ollama', ?, ?, ?)",
            (json.dumps(rows), latency_ms, time.time()),
        )


async def refresh(app: Any, timeout: float | None = None) -> bool:
    """Ask Ollama which models are installed; True when it answered. A timeout keeps the last known list."""
    limit = max(timeout or 0.0, adaptive_timeout())
    mgr = load(PROVIDERS["ollama"].manager)(app.registry.ollama_host())  # the Ollama manager (local_models)
    t0 = time.perf_counter()
    try:
        status = await asyncio.wait_for(mgr.status(), limit)
        if not status.running:  # a quick, definite "nobody there"
            raise SparklioError(status.message)
        latency_ms = (time.perf_counter() - t0) * 1000
        models = await asyncio.wait_for(mgr.list_models(), limit * 4)
    except TimeoutError:
        app.registry.ollama_message = (
            f"Ollama did not answer within {limit:.1f} s; the models seen last time stay in use"
        )
        _note_latency(limit * 1000)
        return False
    except (SparklioError, OSError) as exc:
        app.registry.ollama_reachable = False
        app.registry.ollama_message = str(exc) or "Ollama is not running"
        app.events.publish(AppEvent("catalog_changed"))
        return False
    try:
        _save(models, latency_ms)
    except Exception as exc:
        log.debug("Ollama snapshot not saved: %s", exc)
    _install(app, models)
    app.registry.ollama_reachable = True
    app.registry.ollama_message = "Ollama is running"
    app.events.publish(AppEvent("catalog_changed"))
    return True


def _note_latency(ms: float) -> None:
    """A slow check raises the next check's timeout (the list itself is untouched)."""
    try:
        with database.atomic("IMMEDIATE"):
            database.execute_sql("UPDATE local_snapshot SET latency_ms = ? WHERE provider = 'ollama'", (ms,))
    except Exception:
        pass

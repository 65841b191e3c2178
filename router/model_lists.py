"""Live model lists: each provider's own list call, stored with its time, reused for 24 h; new family members join.

Fetched in the background (the app after first paint, `ask` while it runs) or on demand (`sparklio models
--refresh`, the Models page's Refresh button). Offline, or with no answer, the stored list stands; with no list
yet, the catalog as shipped (its published retirement dates) decides.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from pathlib import Path

from router.catalog import Catalog, _spec_from_table
from router.errors import SparklioError
from router.families import family_for
from router.providers.info import PROVIDERS

log = logging.getLogger(__name__)

MAX_AGE_S = 24 * 3600
LISTED = tuple(p.name for p in PROVIDERS.values() if p.lists_models)  # a models.list call (Ollama: its tags)


def age_text(seconds: float) -> str:
    """'3 min ago', '5 h ago', '2 days ago'."""
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def is_fresh(app, provider: str, now: float | None = None) -> bool:
    """True when the stored list is younger than 24 h and its last refresh did not fail."""
    lst = app.lifecycle.lists.get(provider)
    now = time.time() if now is None else now
    return lst is not None and not lst.error and now - lst.fetched_at < MAX_AGE_S


async def refresh_lists(app, *, force: bool = False, timeout: float = 15.0) -> dict[str, str]:
    """Fetch the model list of every provider with a key or a server; provider -> what happened (one line)."""
    if app.offline:
        return {name: "offline mode: the stored list stands" for name in LISTED}
    ready = app.registry.availability().ready
    names = [n for n in LISTED if n in ready and (force or not is_fresh(app, n))]
    results = dict(await asyncio.gather(*(_refresh_one(app, n, timeout) for n in names)))
    if "ollama" in ready or app.registry.ollama_reachable is not False:
        results["ollama"] = await _refresh_ollama(app)
    if join_listed(app.catalog, app.lifecycle, app.data_dir / "price-cache.json") or results:
        from router.events import AppEvent

        app.events.publish(AppEvent("catalog_changed"))
    return results


async def _refresh_one(app, name: str, timeout: float) -> tuple[str, str]:
    """One provider's list through its SDK; a failure keeps the old list and is remembered next to it."""
    try:
        await asyncio.to_thread(app.registry.prepare, name)  # SDK import and client setup off the event loop
        ids = await asyncio.wait_for(app.registry.get(name).list_models(), timeout)
    except TimeoutError:
        app.lifecycle.set_error(name, f"no answer within {timeout:g} s")
        return name, f"failed: no answer within {timeout:g} s (the stored list stands)"
    except SparklioError as exc:
        app.lifecycle.set_error(name, str(exc))
        return name, f"failed: {exc} (the stored list stands)"
    app.lifecycle.set_list(name, ids, time.time())
    return name, f"{len(ids)} models listed"


async def _refresh_ollama(app) -> str:
    """Ollama's tags (installed models) through the facade's discovery; stored like the cloud lists."""
    if not await app.refresh_local():
        return f"not reachable: {app.registry.ollama_message}"
    names = [m.api_model for m in app.catalog if m.provider == "ollama" and m.installed]
    app.lifecycle.set_list("ollama", names, time.time())
    return f"{len(names)} models installed"


def join_listed(catalog: Catalog, lifecycle, price_cache: Path | None) -> list[str]:
    """Listed models the catalog lacks that match a family join it (priced by genai-prices); returns their ids."""
    from router.pricing import apply_known_prices

    known = {(m.provider, m.api_model) for m in catalog}
    added: dict = {}
    refs: dict[str, str] = {}
    for provider, listed in lifecycle.lists.items():
        for api_model in sorted(listed.ids):
            name = api_model.removeprefix("models/")
            if (provider, name) in known or name in catalog:
                continue
            found = family_for(provider, name, catalog.families)
            if found is None:
                continue
            fam, gen = found
            table = {**fam.table_for(name, gen), "api_model": name, "display_name": f"{fam.label} {name}"}
            try:
                spec, ref = _spec_from_table(name, table, f"{provider}'s model list")
            except SparklioError as exc:
                log.warning("skipping listed model %s: %s", name, exc)
                continue
            added[name] = replace(spec, description=f"joined from {provider}'s model list")
            if ref:
                refs[name] = ref
    for spec in apply_known_prices(added, refs, price_cache).values():
        catalog.upsert(spec)
    return list(added)

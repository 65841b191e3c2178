"""Runs one request through the facade into a ChatItem: deltas, progress, stop, clear errors (the view coalesces)."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Callable
from typing import Any

from router.batch.types import BatchQueued
from router.chat import TurnStored, answer_meta
from router.errors import AllProvidersFailedError, BudgetExceededError, ConfigError, NoRouteError, SparklioError
from router.providers.info import PROVIDERS
from router.types import AnswerDone, AttemptFailed, AttemptStarted, PartialWithdrawn, RetryScheduled, TextDelta
from ui.chat.items import ChatItem
from ui.chat.pacing import STREAMING

log = logging.getLogger(__name__)


def warm_providers(app: Any, only: set[str] | None = None) -> list[str]:
    """Import the SDKs of the providers that can answer, or just `only` (in a worker thread: ~0.5-2 s each)."""
    import importlib

    ready = {s.model.provider for s in app.model_status() if s.available and s.model.kind == "chat"}
    ready = ready if only is None else ready & only
    done = []
    for name in sorted(ready):
        module = PROVIDERS[name].sdk_module if name in PROVIDERS else ""
        if module and module not in done:
            try:
                importlib.import_module(module)
                app.registry.prepare(name)  # the SDK client and its TLS context, off the loop thread
                done.append(module)
            except Exception:
                log.info("could not preload %s", module, exc_info=True)
    return done


def warm_request(app: Any, request: Any) -> asyncio.Future:
    """Preload only the SDK of the provider that answers first: the first send no longer waits for every SDK.

    (Waiting for all of them — Anthropic ~2 s, Google ~1.8 s, OpenAI ~0.5 s — was the first send's 3.5-4.5 s.)"""
    try:
        chain = app.plan(request).chain
        only = {chain[0].provider} if chain else set()
    except Exception:  # planning errors are reported by the request itself
        only = set()
    return preload(app, only)


def preload(app: Any, only: set[str] | None = None) -> asyncio.Future:
    """`warm_providers` in a worker thread; once it is done, the SDK modules it imported are kept out of the
    cyclic GC's sight (on the loop thread), as start-up's are: otherwise each later full collection walks
    them again, ~60-100 ms of frozen window every few seconds while answers stream."""
    known = len(sys.modules)
    fut = asyncio.ensure_future(asyncio.to_thread(warm_providers, app, only))
    fut.add_done_callback(lambda _f: gc.freeze() if len(sys.modules) > known else None)
    return fut


def advice(exc: BaseException, offline: bool = False) -> dict:
    """What to do next for a failed request: a hint line and which page can fix it."""
    if isinstance(exc, AllProvidersFailedError):
        errs = " ".join(f"{getattr(a, 'error_class', '')} {getattr(a, 'error', '')}".lower() for a in exc.attempts)
        if any(k in errs for k in ("401", "403", "auth", "api key", "permission")):
            return {
                "hint": "A provider refused the API key: check it in Settings → Keys (the “Test connection” "
                "button says whether it works).",
                "settings_link": True,
            }
        if "budget" in errs:
            return {
                "hint": "The budget stopped the cloud models: raise the limit on the Budget page or pick a "
                "local model in the routing panel.",
                "budget_link": True,
            }
        if any(k in errs for k in ("rate", "429", "quota")):
            return {
                "hint": "The providers are rate-limiting you: wait a minute, or pin another model in the routing panel."
            }
        return {
            "hint": "The providers could not answer right now: try again, or pin another model in the routing panel."
        }
    if isinstance(exc, BudgetExceededError):
        return {
            "hint": "Raise the limit on the Budget page, turn off the hard stop in Settings, or pick a local model.",
            "budget_link": True,
        }
    if isinstance(exc, NoRouteError):
        if offline:
            return {
                "hint": "Offline mode is on, so only local models can answer: install Ollama and pull a model, "
                "or click the Offline badge in the status bar to go back online."
            }
        return {
            "hint": "Add an API key in Settings → Keys, or install Ollama (ollama.com) and pull a model for "
            "free local answers.",
            "settings_link": True,
        }
    if isinstance(exc, ConfigError):
        return {"hint": "Fix the file named above, then restart Sparklio."}
    return {}


def attempt_dicts(attempts: list) -> list[dict]:
    """Attempts (router.types.Attempt or dicts) as plain dicts."""
    return [a if isinstance(a, dict) else dict(a.__dict__) for a in attempts]


class AnswerStream:
    """Feeds `app.run(request)` into `item`; `refresh(item)` marks it changed (MessageView.refresh_item: the view
    re-renders each changed item at most once per frame, however many deltas arrived)."""

    def __init__(
        self,
        app: Any,
        request: Any,
        item: ChatItem,
        refresh: Callable[[ChatItem], None],
        prepare: Any = None,
        store_user: bool = True,
        user: ChatItem | None = None,
    ) -> None:
        self.app = app
        self.user = user  # the question's item: it gets its stored id as soon as the facade stores it
        self.store_user = store_user  # False when regenerating: the question is stored already
        self.prepare = prepare  # an awaitable finished first (the SDK preload), so no import blocks the loop
        self.request = request
        self.item = item
        self.refresh = refresh
        self._rev0 = item.rev
        self.error: BaseException | None = None
        self.notices: list[str] = []  # GPU arbitration steps taken for this answer

    @property
    def flushes(self) -> int:
        """How often the view re-rendered this answer so far (many deltas per re-render)."""
        return self.item.rev - self._rev0

    def notice(self, text: str) -> None:
        """A step taken for this answer (e.g. the image model moved off the GPU): shown now and in the footer."""
        self.notices.append(text)
        self._progress(text)

    def _progress(self, text: str) -> None:
        self.item.meta["progress"] = text
        self.refresh(self.item)

    async def run(self) -> ChatItem:
        """Stream the answer; never raises except CancelledError (after marking the item stopped)."""
        item = self.item
        try:
            if self.prepare is not None:
                if not self.prepare.done():  # say what the wait is (first answer of a session only)
                    self._progress("Loading the provider's client library (first answer only)…")
                try:
                    await asyncio.shield(self.prepare)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.info("provider preload failed", exc_info=True)
            async for ev in self.app.run(self.request, store_user=self.store_user):
                if isinstance(ev, TextDelta):
                    item.text += ev.text
                    self.refresh(item)
                elif isinstance(ev, AttemptStarted):
                    item.model = ev.model
                    where = f"Falling back to {ev.model}…" if ev.position else f"Asking {ev.model}…"
                    where = where if ev.attempt == 1 else f"Retrying {ev.model} (try {ev.attempt})…"
                    wait = f" waiting up to {ev.wait_s:.0f} s for the first words" if ev.wait_s else ""
                    self._progress(where + wait)  # issue 13: say what we wait for, and how long at most
                elif isinstance(ev, RetryScheduled):
                    self._progress(f"{ev.model} hiccuped; retrying in {ev.delay_s:.1f} s")
                elif isinstance(ev, AttemptFailed):
                    item.meta.setdefault("attempts", []).append(dict(ev.attempt.__dict__))
                    self._progress(f"{ev.attempt.model} failed: {ev.attempt.error}")
                elif isinstance(ev, PartialWithdrawn):
                    item.text = ""
                    self._progress(f"{ev.model} was cut off; its partial answer was discarded")
                elif isinstance(ev, TurnStored):
                    self.item.id = ev.answer_message_id
                    if self.user is not None and ev.user_message_id is not None:
                        self.user.id = ev.user_message_id
                elif isinstance(ev, AnswerDone):
                    self._done(ev.answer)
                elif isinstance(ev, BatchQueued):
                    self._queued(ev)
                await STREAMING.pause()  # a stream that fell behind yields to the window between events
        except asyncio.CancelledError:
            item.status = "stopped"
            item.meta.pop("progress", None)
            self.refresh(item)
            raise
        except SparklioError as exc:
            self._fail(exc)
        except Exception as exc:  # never a traceback in the UI
            log.exception("chat request failed")
            self._fail(exc, f"Something went wrong ({type(exc).__name__}: {exc}). The log has the details.")
        return item

    def _done(self, answer: Any) -> None:
        item = self.item
        item.text = answer.text
        item.model = answer.model
        item.id = answer.message_id
        item.status = "ok"
        item.meta = answer_meta(answer)  # the footer facts (sources included) as the facade stored them
        if self.notices:
            item.meta["notices"] = list(self.notices)
        self.refresh(item)

    def _queued(self, ev: BatchQueued) -> None:
        """The request went to a Batch API: say so; the answer replaces this text when the job ends."""
        item = self.item
        item.text = (
            f"Queued as batch job {ev.job_id} on {ev.model} (up to ${ev.hold_usd:.4f} held). The answer "
            "arrives within 24 hours at half price; a notification tells you when."
        )
        item.model, item.id, item.status = ev.model, ev.message_id, "ok"
        item.meta = {"batch_job": ev.job_id}
        self.refresh(item)

    def _fail(self, exc: BaseException, text: str | None = None) -> None:
        item = self.item
        self.error = exc
        attempts = attempt_dicts(getattr(exc, "attempts", None) or item.meta.get("attempts") or [])
        offline = bool(getattr(self.app, "offline", False))
        item.role = "error"
        item.status = "error"
        item.text = text or str(exc) or "The request failed."
        item.meta = {"attempts": attempts, **advice(exc, offline)}
        self.refresh(item)

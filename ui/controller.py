"""AppController: the Qt seam over the router facade (signals out, async tasks in)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)
CATALOG_SETTINGS = frozenset({"endpoints", "compat_models", "sd_model_path"})  # changing one changes the models


class AppController(QObject):
    """Holds the Sparklio facade once loaded and turns router events into Qt signals.

    Pages receive this object; they read `controller.app` (None until `ready` fired) and
    schedule coroutines with `controller.spawn(...)` so nothing blocks the Qt thread.
    """

    ready = Signal()  # the facade is loaded: pages may query it
    appEvent = Signal(object)  # router.events.AppEvent (budget alerts, anomalies, settings changes)
    offlineChanged = Signal(bool)
    ledgerChanged = Signal()  # a request finished: budget/stats views may refresh
    catalogChanged = Signal()  # models appeared or disappeared (Ollama discovery, settings, keys)
    message = Signal(str, str)  # (level, line): every page's error or notice; the status bar shows it
    navigateRequested = Signal(str)  # a page key from ui.pages.PAGES ("settings", "budget", ...)
    editImageRequested = Signal(object, str)  # image bytes and "img2img"/"inpaint": open them in Images → Edit
    loadFailed = Signal(str)  # the facade could not open (one clear line)
    chatImagesPending = Signal()  # images wait for the chat composer (take_chat_images)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app: Any = None  # router.app.Sparklio
        self._tasks: set[asyncio.Task] = set()
        self._unsubscribe: Any = None
        self._chat_images: list[Any] = []  # router.types.ImageInput for the chat composer
        self._catalog_pending = False  # catalogChanged fires once per event-loop turn, however many causes

    def attach(self, app: Any) -> None:
        """Adopt a loaded facade, forward its events as signals and announce readiness."""
        self.app = app
        self._unsubscribe = app.events.subscribe(self._on_event)
        self.ready.emit()

    def _on_event(self, event: Any) -> None:
        self.appEvent.emit(event)
        key = event.data.get("key") if event.kind == "settings_changed" else None
        if key == "offline":
            self.offlineChanged.emit(bool(event.data.get("value")))
        if event.kind == "catalog_changed" or key in CATALOG_SETTINGS:
            self._catalog_soon()
        if event.kind in ("budget_alert", "cost_anomaly", "budget_refused", "batch_done"):
            self.ledgerChanged.emit()

    def spawn(self, coro: Coroutine) -> asyncio.Task:
        """Run `coro` on the qasync loop; errors are reported on `error`, never raised into Qt."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.report(exc)

    # ---- the message bridge: the one way any page reports an error or a notice ----
    def error(self, text: str) -> None:
        """Report a failure in one line."""
        self.message.emit("error", text)

    def warning(self, text: str) -> None:
        """Report something the user should know that did not fail (e.g. a cancelled job)."""
        self.message.emit("warning", text)

    def info(self, text: str) -> None:
        """Report a notice."""
        self.message.emit("info", text)

    def report(self, exc: BaseException) -> None:
        """An exception as one error line (unexpected ones are logged with their traceback)."""
        from router.errors import SparklioError

        if not isinstance(exc, SparklioError):
            log.error("background task failed", exc_info=exc)
        self.error(str(exc) if isinstance(exc, SparklioError) else f"Something went wrong: {type(exc).__name__}: {exc}")

    # ---- only the controller emits its signals: pages call these ----
    def ledger_changed(self) -> None:
        """A request finished or the limits changed: budget and stats views re-read the ledger."""
        self.ledgerChanged.emit()

    def keys_changed(self) -> None:
        """API keys were added or removed: providers became (un)available."""
        self._catalog_soon()

    def _catalog_soon(self) -> None:
        """One catalogChanged for everything that changed the models in this turn of the event loop."""
        if not self._catalog_pending:
            self._catalog_pending = True
            QTimer.singleShot(0, self._emit_catalog)

    def _emit_catalog(self) -> None:
        self._catalog_pending = False
        self.catalogChanged.emit()

    # ---- helpers shared by the window, tray and pages ----
    def attach_to_chat(self, images: list[Any]) -> None:
        """Put images into the chat composer (from any page) and show the chat."""
        self._chat_images.extend(images)
        self.navigate("chat")  # builds the chat page on first use; it takes the images as it starts
        self.chatImagesPending.emit()

    def take_chat_images(self) -> list[Any]:
        """The images waiting for the chat composer (emptied)."""
        out, self._chat_images = self._chat_images, []
        return out

    def navigate(self, key: str) -> None:
        """Ask the main window to show a page."""
        self.navigateRequested.emit(key)

    @property
    def offline(self) -> bool:
        """Local-only mode (False until the facade is loaded)."""
        return bool(self.app is not None and self.app.offline)

    def set_offline(self, on: bool) -> bool:
        """Switch local-only mode; returns the mode now in force."""
        if self.app is None:
            self.error("Sparklio is still starting; try again in a moment.")
            return False
        try:
            self.app.set_offline(bool(on))
        except Exception as exc:
            self.report(exc)
        return self.offline

    def month_status(self) -> Any:
        """router.budget.BudgetStatus for this month, or None (not loaded / unreadable)."""
        if self.app is None:
            return None
        try:
            return self.app.budget.status()
        except Exception:
            log.exception("budget status failed")
            return None

    def ollama_state(self) -> tuple[bool | None, str]:
        """(reachable, message): None while not probed yet."""
        reg = getattr(self.app, "registry", None)
        if reg is None:
            return None, "Ollama: not checked yet"
        return reg.ollama_reachable, reg.ollama_message

    def refresh_local(self) -> asyncio.Task | None:
        """Probe Ollama in the background (the catalog_changed event updates the views)."""
        if self.app is None:
            return None
        return self.spawn(self.app.refresh_local())

    def refresh_models(self, force: bool = False) -> asyncio.Task | None:
        """Fetch provider model lists older than 24 h in the background (catalog_changed redraws the views)."""
        if self.app is None or not hasattr(self.app, "refresh_models"):
            return None
        return self.spawn(self.app.refresh_models(force=force))

    async def shutdown(self) -> None:
        """Cancel running tasks and close the facade."""
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.app is not None:
            await self.app.aclose()

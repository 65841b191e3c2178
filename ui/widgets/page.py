"""PageBase: the shared page frame (header, "Loading…" until the facade is ready, async helpers)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from router.errors import SparklioError
from ui.widgets.card import Banner, PageHeader, muted

log = logging.getLogger(__name__)


def alive(widget: QWidget) -> bool:
    """False once the C++ side of `widget` has been deleted."""
    try:
        import shiboken6

        return shiboken6.isValid(widget)
    except ImportError:  # pragma: no cover - shiboken ships with PySide6
        return True


class PageBase(QWidget):
    """A page: header, banner and scrollable content; subclasses implement `reload(app)`.

    `refresh()` is cheap to call often: calls collapse into one reload on the next event-loop turn.
    Before the facade is ready the page shows "Loading…". `loaded` fires after each finished reload.
    """

    loaded = Signal()
    follows_ledger = True  # reload after each finished request (ledgerChanged) while visible

    def __init__(
        self, controller: Any, title: str, subtitle: str = "", *, scroll: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self._pending = False
        self._dirty = True
        self._tasks: set[asyncio.Task] = set()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.loading = muted(QLabel("Loading…"))
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        inner = QWidget()
        inner.setObjectName("pageContent")
        self.content = QVBoxLayout(inner)
        self.content.setContentsMargins(28, 22, 28, 24)
        self.content.setSpacing(14)
        self.header = PageHeader(title, subtitle)
        self.content.addWidget(self.header)
        self.banner = Banner()
        self.content.addWidget(self.banner)
        if scroll:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setWidget(inner)
            self.stack.addWidget(area)
        else:
            self.stack.addWidget(inner)
        controller.ready.connect(self._on_ready)
        controller.ledgerChanged.connect(self._on_data_changed)
        self.stack.setCurrentIndex(0 if controller.app is None else 1)

    # ---- lifecycle ----
    @property
    def app(self) -> Any:
        """The router facade (None before ready)."""
        return self.controller.app

    def _on_ready(self) -> None:
        self.stack.setCurrentIndex(1)
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _on_data_changed(self) -> None:
        if not self.follows_ledger:
            return
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        """Reload when shown with stale data."""
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Schedule one reload from the facade (shows "Loading…" while it is not ready)."""
        if self.app is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._do_reload)

    def _do_reload(self) -> None:
        if not alive(self):
            return
        self._pending = False
        self._dirty = False
        try:
            self.reload(self.app)
        except SparklioError as exc:
            self.controller.error(str(exc))
            self.loaded.emit()
        except Exception as exc:  # a page bug shows one line, never a traceback
            log.exception("%s reload failed", type(self).__name__)
            self.controller.error(f"This page could not load: {type(exc).__name__}: {exc}")
            self.loaded.emit()

    def reload(self, app: Any) -> None:
        """Fill the widgets from `app`; call `self.loaded.emit()` when done (async loads: at the end)."""
        self.loaded.emit()

    # ---- async helpers ----
    def spawn(
        self,
        coro: Coroutine,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> asyncio.Task:
        """Run `coro` on the event loop; deliver its result to `on_done`, a failure to `on_error` (else reported)."""

        async def runner() -> Any:
            try:
                result = await coro
            except asyncio.CancelledError:
                raise
            except SparklioError as exc:
                if alive(self):
                    (on_error or self.controller.error)(str(exc))
                return None
            except Exception as exc:  # never a traceback in the user's face
                log.exception("page task failed")
                if alive(self):
                    msg = f"Something went wrong: {type(exc).__name__}: {exc}"
                    (on_error or self.controller.error)(msg)
                return None
            if on_done is not None and alive(self):
                on_done(result)
            return result

        task = self.controller.spawn(runner())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _t: coro.close())  # cancelled before it started: never left un-awaited
        return task

    def in_thread(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> asyncio.Task:
        """Run blocking `fn(*args)` in a worker thread; `on_done(result)` runs back on the Qt thread."""
        return self.spawn(asyncio.to_thread(fn, *args), on_done, on_error)

    def busy(self) -> bool:
        """True while a task started by this page is running."""
        return bool(self._tasks) or self._pending

"""GUI entry: QApplication + qasync loop, paint the window first, then load the router facade."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication

from router.heap import settle_heap

log = logging.getLogger(__name__)
ORG = "Sparklio"
_IMMORTAL = 1 << 40


def guard_pyside_refcounts() -> None:
    """Make None/True/False immortal on Python < 3.12, as PEP 683 does in 3.12.

    The installed PySide6 6.12 abi3 wheel assumes immortal singletons: every void call drops a
    reference to None (and signal emits one to a bool), so a 3.11 process aborts with
    "none_dealloc" after a few thousand Qt calls. Raising their counts far out of reach is
    exactly what 3.12 does for these objects.
    """
    if sys.version_info >= (3, 12):
        return
    import ctypes

    for obj in (None, True, False):
        cell = ctypes.c_ssize_t.from_address(id(obj))
        if cell.value < _IMMORTAL:
            cell.value += _IMMORTAL


class MainThreadGC(QObject):
    """Run Python's cyclic GC only on the GUI thread.

    A collection triggered inside a worker thread (asyncio.to_thread: SDK imports, the classifier)
    may destroy unreachable Qt objects there, and a QObject deleted off its thread corrupts Qt's
    timer lists (a segfault later). So automatic GC is off and this timer collects instead.
    """

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds."""
        c0, c1, c2 = gc.get_count()
        if c0 > self.threshold[0]:
            gen = 2 if c2 > self.threshold[2] else 1 if c1 > self.threshold[1] else 0
            gc.collect(gen)

    def stop(self) -> None:
        """Hand collection back to Python (after a final collection here)."""
        self.timer.stop()
        gc.collect()
        gc.enable()


def make_qapp(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists) with names, icon and the system-following theme."""
    from ui import theme

    guard_pyside_refcounts()
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName("Sparklio")
    app.setWindowIcon(theme.app_icon())
    theme.install(theme.Theme()).apply(app)
    app.setQuitOnLastWindowClosed(False)  # closing the window may keep Sparklio in the tray
    return app


async def load_facade(
    controller: Any, data_dir: str | Path | None = None, *, offline: bool = False, **open_kw: Any
) -> Any:
    """Import router.app off the UI thread, open it, apply --offline, attach it; None (and a line) on failure."""
    from router.errors import SparklioError

    try:
        module = await asyncio.to_thread(importlib.import_module, "router.app")
        app = module.Sparklio.open(data_dir, **open_kw)
        if offline:
            app.set_offline(True)
    except SparklioError as exc:
        controller.loadFailed.emit(str(exc))
        return None
    except Exception as exc:  # never a traceback in the window
        log.exception("could not open the Sparklio data folder")
        controller.loadFailed.emit(f"Sparklio could not start: {type(exc).__name__}: {exc}")
        return None
    controller.attach(app)
    controller.refresh_local()
    from ui.batch_poller import BatchPoller

    controller.batch_poller = BatchPoller(controller)
    controller.batch_poller.poll()  # jobs that ended while the app was closed land now
    controller.spawn(_warm_classifier(app))
    from router.updates import keep_checking

    controller.spawn(keep_checking(app))  # weekly, never offline, never downloads (Settings → General → Updates)
    controller.refresh_models()  # lists older than 24 h; the stored ones serve until they arrive
    return app


async def _warm_classifier(app: Any) -> None:
    """Load the task classifier off the UI thread so the first Send does not freeze the window."""
    classify = getattr(app, "classify", None)
    if classify is not None:
        try:
            await asyncio.to_thread(classify, "warm up", False)
        except Exception:
            log.info("classifier warm-up failed", exc_info=True)
    settle_heap()


def install_excepthook(controller: Any) -> None:
    """An exception escaping a Qt slot is logged and shown as one line, never as a traceback or a crash."""

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        controller.error(
            f"Something went wrong: {exc_type.__name__}: {exc}"
            if str(exc)
            else f"Something went wrong: {exc_type.__name__}"
        )

    sys.excepthook = hook


def run(
    argv: list[str] | None = None,
    *,
    data_dir: str | Path | None = None,
    offline: bool = False,
    on_first_paint: Callable[[], None] | None = None,
    on_ready: Callable[[Any], None] | None = None,
) -> int:
    """Start the desktop app and block until the user quits; returns the exit code."""
    import qasync

    from ui.controller import AppController
    from ui.main_window import MainWindow

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    qapp = make_qapp(argv)
    collector = MainThreadGC(parent=qapp)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    controller = AppController()
    install_excepthook(controller)
    window = MainWindow(controller)
    quit_event = asyncio.Event()
    window.quitRequested.connect(quit_event.set)
    qapp.aboutToQuit.connect(quit_event.set)
    quit_on_sigterm(loop, quit_event, qapp)  # issue 13: `kill` closes the app like the Quit menu

    async def start() -> None:
        app = await load_facade(controller, data_dir, offline=offline)
        if on_ready is not None:
            on_ready(app)

    def painted() -> None:
        if on_first_paint is not None:
            on_first_paint()
        loop.call_soon(lambda: loop.create_task(start()))  # after the first frame is on screen

    window.firstPaint.connect(painted)

    async def main() -> int:
        window.show()
        await quit_event.wait()
        window.hide()
        await controller.shutdown()
        collector.stop()
        return 0

    with loop:
        try:
            return loop.run_until_complete(main())
        except RuntimeError:  # Qt quit on its own (session logout): nothing left to wait for
            log.info("Qt event loop ended before a clean shutdown")
            return 0


def quit_on_sigterm(loop: Any, quit_event: Any, parent: Any) -> None:
    """SIGTERM sets the quit event (running answers are stopped and recorded, then the facade closes)."""
    import signal

    from PySide6.QtCore import QTimer

    if not hasattr(signal, "SIGTERM"):
        return
    signal.signal(signal.SIGTERM, lambda *_: loop.call_soon_threadsafe(quit_event.set))
    tick = QTimer(parent)  # Python sees a signal only when it runs: wake it twice a second
    tick.timeout.connect(lambda: None)
    tick.start(500)

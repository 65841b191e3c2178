"""UI fixtures: a qasync loop on qtbot's QApplication, isolated QSettings, a real facade on fake servers."""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

from ui import theme
from ui.app import MainThreadGC, guard_pyside_refcounts

guard_pyside_refcounts()  # PySide6 6.12 on 3.11 drops None/bool references on void calls (see ui/app.py)


class QLoop:
    """Drives coroutines on the qasync loop from synchronous pytest-qt tests."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, coro: Coroutine, timeout: float = 15.0) -> Any:
        """Run `coro` to completion on the Qt-integrated loop (Qt events are processed meanwhile)."""
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def until(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        """Spin the loop until `predicate()` is truthy; fails the test after `timeout` seconds."""

        async def poll() -> Any:
            deadline = time.monotonic() + timeout
            while True:
                value = predicate()
                if value:
                    return value
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out waiting for {what}")
                await asyncio.sleep(0.01)

        return self.run(poll(), timeout + 5)

    def spin(self, seconds: float = 0.05) -> None:
        """Let the loop and Qt run for a moment (for layout and paint)."""
        self.run(asyncio.sleep(seconds))


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path):
    """QSettings go to a tmp INI file, never the developer's real settings."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("Sparklio")
    QCoreApplication.setApplicationName("SparklioTest")
    yield tmp_path / "qsettings"


@pytest.fixture
def qloop(qapp):
    """A qasync QEventLoop installed on qtbot's QApplication (light theme applied)."""
    theme.install(theme.Theme(dark=False)).apply(qapp)
    qapp.setQuitOnLastWindowClosed(False)
    collector = MainThreadGC(parent=qapp)  # as the app does: Qt objects are never collected off-thread
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield QLoop(loop)
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)
    collector.stop()
    collector.deleteLater()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens (an absent Ollama)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def fake_openai():
    """The fake OpenAI server on 127.0.0.1 (its model list is set by `facade`)."""
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI() as fake:
        yield fake


def open_facade(data_dir, keyring, *, openai=None, ollama_url: str = "") -> Any:
    """A real Sparklio facade: no retry waits, no exploration; OpenAI pointed at the fake when given."""
    from router.app import Sparklio
    from router.engine import RetryPolicy

    app = Sparklio.open(
        data_dir,
        keyring=keyring,
        rng=random.Random(3),
        retry=RetryPolicy(retries=1, backoff_base_s=0.0, jitter=0.0, retry_after_cap_s=0.0),
    )
    app.settings.set("exploration_rate", 0.0)
    endpoints = {"ollama": ollama_url}
    if openai is not None:
        endpoints["openai"] = openai.base_url
        app.secrets.set("openai", "sk-test-ui")
        openai.models = sorted({m.api_model for m in app.catalog if m.provider == "openai"})
    app.settings.set("endpoints", endpoints)
    return app


@pytest.fixture
def facade(data_dir, memory_keyring, fake_openai, closed_port_url, qloop):
    """Sparklio on a tmp data dir with an OpenAI key and the fake OpenAI server; Ollama absent."""
    app = open_facade(data_dir, memory_keyring, openai=fake_openai, ollama_url=closed_port_url)
    yield app
    qloop.run(app.aclose())


@pytest.fixture
def bare_facade(data_dir, memory_keyring, closed_port_url, qloop):
    """First run: no keys, no endpoints, no Ollama."""
    app = open_facade(data_dir, memory_keyring, ollama_url=closed_port_url)
    yield app
    qloop.run(app.aclose())


def make_window(qtbot, qloop, app, *, force_tray: bool = True, size: tuple[int, int] | None = (1200, 780)):
    """A shown MainWindow attached to `app` (tray forced so notifications can be observed offscreen)."""
    from ui.controller import AppController
    from ui.main_window import MainWindow

    controller = AppController()
    win = MainWindow(controller, force_tray=force_tray)
    if size is not None:
        win.resize(*size)
    win.show()
    controller.attach(app)
    qloop.spin(0.02)
    return win


def close_window(win) -> None:
    """Close for real (not to the tray) and delete the widgets now, not whenever the GC gets to them."""
    win._quitting = True
    win.close()
    win.tray.hide()
    win.tray.menu.deleteLater()
    win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(qtbot, qloop, facade):
    """The main window on the configured facade."""
    win = make_window(qtbot, qloop, facade)
    yield win
    close_window(win)


@pytest.fixture
def chat(window):
    """The chat page of `window`."""
    return window.show_page("chat")

"""Shared helpers for the page tests: a demo facade on a seeded copy of the demo database, page loading."""

from __future__ import annotations

import importlib
import shutil
from datetime import datetime

import pytest

from router.demo import seed_demo
from tests.ui.conftest import open_facade
from ui.controller import AppController

NOW = datetime(2026, 11, 24, 15, 0).timestamp()  # a fixed "now": the demo month is the same on every run
PAGES = {
    "budget": "BudgetPage",
    "stats": "StatsPage",
    "settings": "SettingsPage",
    "models": "ModelsPage",
    "images": "ImagesPage",
    "workflows": "WorkflowsPage",
}


def page_class(key: str):
    """The page class from its module."""
    return getattr(importlib.import_module(f"ui.pages.{key}"), PAGES[key])


def pin_clock(app) -> None:
    """Make the facade's budget (and so the pages) live on NOW."""
    app.budget.clock = lambda: NOW


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """router/demo.py's database, seeded once per module (each test gets its own copy)."""
    from router.store.db import database

    folder = tmp_path_factory.mktemp("demo")
    summary = seed_demo(folder, seed=7, now=NOW)
    assert summary.ledger_rows > 1000 and summary.suggestions == 1
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return folder / "sparklio.db"


@pytest.fixture
def demo(demo_db, data_dir, memory_keyring, closed_port_url, qloop):
    """A real facade on a demo database (a month of ledger rows, ratings, one suggestion); Ollama absent."""
    shutil.copyfile(demo_db, data_dir / "sparklio.db")
    app = open_facade(data_dir, memory_keyring, ollama_url=closed_port_url)
    pin_clock(app)
    yield app
    qloop.run(app.aclose())


@pytest.fixture
def controller(demo):
    """A controller attached to the demo facade."""
    c = AppController()
    c.attach(demo)
    yield c
    c.app = None


def open_page(qtbot, qloop, key: str, controller):
    """Build a page, show it, reload it and wait until it says it has loaded."""
    page = page_class(key)(controller)
    qtbot.addWidget(page)
    page.resize(1000, 760)
    page.show()
    reload(qloop, page)
    return page


def all_file_bytes(folder) -> bytes:
    """Every byte under `folder` (the database, its WAL, images, anything)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def reload(qloop, page) -> None:
    """Refresh and wait for the `loaded` signal."""
    seen = []
    page.loaded.connect(lambda: seen.append(1))
    page.refresh()
    qloop.until(lambda: seen and not page.busy(), what=f"{type(page).__name__} to load")


_CLOSED_LOOPS: list = []


@pytest.fixture
def keep_closed_loops(qloop):
    """Keep each test's closed qasync loop referenced.

    qasync's close() only flags its timer object; Qt timers stay registered until they fire. If Python's
    cyclic GC later frees that QObject from a worker thread (a diffusion step allocates a lot), Qt is left
    with dangling timers and the next one to fire crashes the process. Referenced loops are never freed, and
    garbage left by earlier tests is collected here, on the Qt thread.
    """
    import gc

    gc.collect()
    yield
    _CLOSED_LOOPS.append(qloop.loop)

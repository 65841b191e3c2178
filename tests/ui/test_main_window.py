"""Main window: every page opens, shortcuts, restored geometry and page, first run, status bar, startup imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import close_window, make_window
from ui.pages import PAGES, PlaceholderPage
from ui.statusbar import BudgetMeter, budget_text

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_opens_from_the_sidebar_and_shortcuts(qtbot, qloop, window):
    for p in PAGES:
        qtbot.mouseClick(window.buttons[p.key], Qt.MouseButton.LeftButton)
        assert window.current_key == p.key and window.stack.currentWidget() is window.pages[p.key]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    for i, p in enumerate(PAGES):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + i), Qt.KeyboardModifier.ControlModifier)
        assert window.current_key == p.key
    window.show_page("stats")
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    chat = window.pages["chat"]
    assert window.current_key == "chat" and chat.conversations.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert chat.conversation_id is None and chat.composer.edit.hasFocus()


def test_geometry_and_last_page_are_restored(qtbot, qloop, facade):
    win = make_window(qtbot, qloop, facade)
    win.resize(780, 690)  # fits the 800x800 offscreen screen once clamped by restoreGeometry
    win.show_page("budget")
    close_window(win)
    assert QSettings().value("window/page") == "budget"
    again = make_window(qtbot, qloop, facade, size=None)
    assert again.current_key == "budget" and again.buttons["budget"].isChecked()
    assert (again.width(), again.height()) == (780, 690)
    close_window(again)


def test_first_run_shows_welcome_and_every_page_still_opens(qtbot, qloop, bare_facade):
    win = make_window(qtbot, qloop, bare_facade)
    chat = win.show_page("chat")
    qloop.run(bare_facade.refresh_local())  # Ollama is absent
    qloop.spin(0.05)
    assert chat.empty.welcome.isVisible() and chat.stack.currentWidget() is chat.empty
    assert win.status.ollama.text().startswith("○ Ollama off")
    for p in PAGES:
        page = win.show_page(p.key)
        assert page is not None and page.isVisible()
    win.show_page("chat")
    qtbot.mouseClick(chat.empty.welcome.settings_button, Qt.MouseButton.LeftButton)
    assert win.current_key == "settings"
    # once a key exists the welcome panel gives way to the quiet empty state
    bare_facade.secrets.set("openai", "sk-now-set")
    win.show_page("chat")
    assert not chat.empty.welcome.isVisible() and chat.empty.blank.isVisible()
    close_window(win)


def test_missing_page_module_falls_back_to_placeholder(qtbot):
    from ui.pages import create_page

    page = create_page("images", controller=None)
    qtbot.addWidget(page)
    # whichever it is, it opens: the real page, or a placeholder that says so plainly
    assert isinstance(page, PlaceholderPage) or hasattr(page, "refresh")
    placeholder = PlaceholderPage("Stats", "Coming soon.")
    qtbot.addWidget(placeholder)
    assert placeholder.title == "Stats" and placeholder.text == "Coming soon."


def test_budget_meter_text_and_colours(qtbot):
    meter = BudgetMeter()
    qtbot.addWidget(meter)
    meter.set_spend(12.4, 100)
    assert meter.format() == "$12.40 of $100 (12%)" and meter.level == "ok"
    meter.set_spend(85, 100)
    assert meter.level == "warn" and meter.property("level") == "warn"
    meter.set_spend(100, 100)
    assert meter.level == "over" and meter.value() == meter.maximum()
    meter.set_spend(250, 100)
    assert meter.format() == "$250 of $100 (250%)" and meter.value() == meter.maximum()


def test_status_bar_follows_the_ledger(qtbot, qloop, window, facade):
    chat = window.show_page("chat")
    assert window.status.budget.format() == "$0.00 of $100 (0%)"
    facade.settings.set("monthly_limit_usd", 0.002)
    facade.settings.set("hard_stop", False)
    qtbot.keyClicks(chat.composer.edit, "Write a long poem about the sea and the sky")
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    qloop.until(lambda: chat.task is not None and chat.task.done(), what="the answer")
    st = facade.budget.status()
    text, frac = budget_text(st.spent_usd, st.limit_usd)
    assert st.spent_usd > 0 and window.status.budget.format() == text
    assert window.status.budget.level == ("over" if frac >= 1 else "warn" if frac >= 0.8 else "ok")


def test_startup_imports_stay_light(tmp_path):
    """Up to the first painted window no provider SDK, torch, diffusers or router.app is imported."""
    script = (
        "import json, sys\n"
        "from ui.app import make_qapp\n"
        "from ui.controller import AppController\n"
        "from ui.main_window import MainWindow\n"
        "app = make_qapp()\n"
        "w = MainWindow(AppController())\n"
        "w.show(); w.repaint(); app.processEvents()\n"
        "heavy = ['torch', 'diffusers', 'transformers', 'openai', 'anthropic', 'google.genai', 'ollama',"
        " 'router.app', 'peewee', 'genai_prices']\n"
        "print(json.dumps({'painted': w._painted, 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"painted": True, "loaded": []}


def test_main_parses_global_options():
    from main import _global_options

    opts, rest = _global_options(["--data-dir", "/tmp/x", "ask", "--offline", "hello"])
    assert opts.data_dir == "/tmp/x" and opts.offline and rest == ["ask", "hello"]
    opts, rest = _global_options(["--offline"])
    assert opts.offline and rest == []


def test_main_delegates_subcommands_to_the_cli(tmp_path, capsys, memory_keyring):
    pytest.importorskip("router.cli")  # the CLI lands in its own issue
    from main import main

    code = main(["--data-dir", str(tmp_path / "data"), "budget", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["limit_usd"] == 100.0


def test_load_facade_applies_offline_flag_and_reports_failures(qtbot, qloop, tmp_path, memory_keyring):
    from ui.app import load_facade
    from ui.controller import AppController

    controller = AppController()
    with qtbot.waitSignal(controller.ready, timeout=5000):
        app = qloop.run(load_facade(controller, tmp_path / "data", offline=True, keyring=memory_keyring))
    assert controller.app is app and app.offline  # --offline reaches the facade
    qloop.run(controller.shutdown())
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    failed = AppController()
    with qtbot.waitSignal(failed.loadFailed, timeout=5000) as sig:
        assert qloop.run(load_facade(failed, blocker / "data", keyring=memory_keyring)) is None
    assert failed.app is None and "\n" not in sig.args[0] and "Traceback" not in sig.args[0]


class _Gpu:
    """A GPU reading source with the GpuMonitor shape (snapshot() -> GpuSnapshot | None)."""

    def __init__(self, snap):
        self.snap = snap

    def snapshot(self):
        return self.snap


def test_vram_meter_only_with_a_gpu(qtbot, qloop):
    from local_models.gpu import GpuSnapshot
    from ui.controller import AppController
    from ui.statusbar import StatusBar

    bar = StatusBar(AppController(), gpu=_Gpu(GpuSnapshot(0, "Test GPU", 8192, 3072, 5120)))
    qtbot.addWidget(bar)
    bar.show()
    qloop.run(bar.refresh_vram())
    assert bar.vram.isVisible() and bar.vram.format() == "VRAM 3.0 / 8 GB" and "5,120 MiB free" in bar.vram.toolTip()
    none = StatusBar(AppController(), gpu=_Gpu(None))
    qtbot.addWidget(none)
    none.show()
    qloop.run(none.refresh_vram())
    assert not none.vram.isVisible()

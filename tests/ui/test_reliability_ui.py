"""Reliability in the GUI: an answer left pending by a killed process shows as interrupted after the next start."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.ui.conftest import close_window, make_window, open_facade
from ui.chat.items import footer_html
from ui.theme import LIGHT


def _killed_process_left_a_pending_answer(data_dir, keyring) -> int:
    """What `kill -9` mid-answer leaves: the question, and an answer still `pending`, owned by a dead process."""
    import psutil

    from router.app import Sparklio

    app = Sparklio(data_dir, keyring=keyring, env={})
    cid = app.conversations.create().id
    app.conversations.add(cid, "user", "Summarise the launch plan")
    mid = app.conversations.add(cid, "assistant", "The plan has three", status="pending")
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(child.pid).create_time()
    child.wait()
    app.store.db.execute_sql(
        "UPDATE messages SET owner_pid = ?, owner_started = ? WHERE id = ?", (child.pid, started, mid)
    )
    app.store.close()
    return cid


def test_interrupted_answer_is_shown_as_such(
    qtbot, qloop, data_dir, memory_keyring, fake_openai, closed_port_url, tmp_path
):
    cid = _killed_process_left_a_pending_answer(data_dir, memory_keyring)
    app = open_facade(data_dir, memory_keyring, openai=fake_openai, ollama_url=closed_port_url)
    assert app.recovered.interrupted == 1
    win = make_window(qtbot, qloop, app)
    try:
        chat = win.show_page("chat")
        chat.open_conversation(cid)
        qloop.spin(0.1)
        item = chat.view.store.items[-1]
        assert item.status == "interrupted" and item.text == "The plan has three"  # the partial text is kept
        assert ">interrupted: Sparklio was closed before it finished</span>" in footer_html(item, LIGHT)
        win.grab().save(str(tmp_path / "interrupted.png"))
    finally:
        close_window(win)
        qloop.run(app.aclose())


def test_time_limits_are_set_in_settings_and_used_by_the_next_request(qtbot, qloop, facade, fake_openai, tmp_path):
    from PySide6.QtCore import Qt

    from router.types import Message, RouteRequest
    from tests.ui.pages_support import open_page
    from ui.controller import AppController

    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "settings", controller)
    page.tabs.setCurrentIndex(3)
    card = page.time_limits
    assert card.spins["ttft:standard"].value() == 10.0 and card.spins["idle_gap_s"].value() == 10.0
    card.spins["request_deadline_s"].setValue(0.5)
    qtbot.mouseClick(card.save_btn, Qt.MouseButton.LeftButton)
    assert card.message.text().startswith("Saved") and facade.settings.get("request_deadline_s") == 0.5
    page.grab().save(str(tmp_path / "time-limits.png"))
    fake_openai.timeout(5.0)  # the only provider hangs: the whole-request deadline ends the wait
    request = RouteRequest([Message("user", "hi")], task="chat_response", complexity="simple", model="gpt-4o-mini")
    try:
        qloop.run(facade.ask(request, store=False))
    except Exception as exc:
        assert "whole-request deadline passed" in str(exc)
    else:
        raise AssertionError("a hung provider answered")
    controller.app = None


@pytest.mark.slow
def test_sigterm_closes_the_desktop_app_like_quit(data_dir, tmp_path):
    import os
    import signal
    import time
    from pathlib import Path

    if not hasattr(signal, "SIGTERM"):
        pytest.skip("no SIGTERM here")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen", "OLLAMA_HOST": "http://127.0.0.1:9"}
    proc = subprocess.Popen(
        [sys.executable, str(root / "main.py"), "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (data_dir / "sparklio.db").exists() and time.monotonic() < deadline:  # the facade has opened
            assert proc.poll() is None, proc.communicate()[0].decode()[-2000:]
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0  # the quit path ran (the default SIGTERM action would give -15)

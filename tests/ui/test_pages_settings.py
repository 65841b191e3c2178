"""Settings page: keys only in the keyring (never in SQLite or files), no-backend path, routing, offline, cache."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import open_facade
from tests.ui.pages_support import all_file_bytes, open_page
from ui.controller import AppController

pytestmark = pytest.mark.usefixtures("keep_closed_loops")


# ---------------------------------------------------------------- settings


def test_settings_keys_round_trip_through_the_keyring_only(qtbot, qloop, facade, memory_keyring, data_dir):
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "settings", controller)
    row = page.keys.rows["anthropic"]
    assert page.keys.notice.kind == "ok" and not page.keys.file_store_row.isVisible()
    key = "sk-ant-demo-0123456789abcdef"
    qtbot.keyClicks(row.edit, key)
    assert row.edit.echoMode() == row.edit.EchoMode.Password
    qtbot.mouseClick(row.show_btn, Qt.MouseButton.LeftButton)
    assert row.edit.echoMode() == row.edit.EchoMode.Normal and row.edit.text() == key
    qtbot.mouseClick(row.save_btn, Qt.MouseButton.LeftButton)
    assert memory_keyring.store[("sparklio", "anthropic")] == key
    assert row.edit.text() == "" and "keyring" in row.status.text()
    assert facade.secrets.get("anthropic") == key
    facade.store.db.execute_sql("PRAGMA wal_checkpoint(FULL)")
    data = all_file_bytes(data_dir)
    assert key.encode() not in data and b"sk-test-ui" not in data  # never in SQLite or any file
    # a fresh page shows only where the key lives and its last characters, never the key
    again = open_page(qtbot, qloop, "settings", controller)
    arow = again.keys.rows["anthropic"]
    assert arow.edit.text() == "" and "…cdef" in arow.status.text()
    qtbot.mouseClick(arow.remove_btn, Qt.MouseButton.LeftButton)
    assert ("sparklio", "anthropic") not in memory_keyring.store and "No key" in arow.status.text()
    controller.app = None


def test_settings_test_connection_calls_the_provider(qtbot, qloop, facade, fake_openai):
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "settings", controller)
    row = page.keys.rows["openai"]
    qtbot.mouseClick(row.test_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: row.test_btn.isEnabled(), what="the connection test")
    assert row.status.text().startswith("Connected"), row.status.text()
    assert any(r.path.endswith("/models") for r in fake_openai.requests)
    controller.app = None


def test_settings_without_a_keyring_keeps_keys_for_the_session(
    qtbot, qloop, data_dir, closed_port_url, monkeypatch, tmp_path
):
    from keyring.backends import fail
    from PySide6.QtWidgets import QMessageBox

    app = open_facade(data_dir, fail.Keyring(), ollama_url=closed_port_url)
    controller = AppController()
    controller.attach(app)
    try:
        page = open_page(qtbot, qloop, "settings", controller)
        card = page.keys
        assert not app.secrets.backend_ok
        assert card.notice.kind == "warn" and card.notice.text() == app.secrets.backend_message
        assert "session only" in card.notice.text() and card.file_store_row.isVisible()
        row = card.rows["openai"]
        row.edit.setText("sk-session-key-123456")
        qtbot.mouseClick(row.save_btn, Qt.MouseButton.LeftButton)
        assert "session only" in row.status.text() and app.secrets.get("openai") == "sk-session-key-123456"
        # the plain-file store only after an explicit, warned choice
        warned = []
        monkeypatch.setattr(
            QMessageBox, "warning", lambda *a, **k: warned.append(a[2]) or QMessageBox.StandardButton.Yes
        )
        card.file_store_path = str(tmp_path / "keys.cfg")
        qtbot.mouseClick(card.file_store_btn, Qt.MouseButton.LeftButton)
        assert "UNENCRYPTED" in warned[0] and "keys.cfg" in warned[0]
        from ui.pages.settings_keys import file_keyring

        assert file_keyring(str(tmp_path / "keys.cfg")).get_password("sparklio", "openai") == "sk-session-key-123456"
        assert app.secrets.backend_ok and not card.file_store_row.isVisible()
        assert b"sk-session-key" not in all_file_bytes(data_dir)
    finally:
        controller.app = None
        qloop.run(app.aclose())


def test_settings_routing_task_table_offline_and_cache(qtbot, qloop, controller, demo):
    page = open_page(qtbot, qloop, "settings", controller)
    w = page.weights
    for key, value in (("complexity", 50), ("budget", 50), ("speed", 0), ("quality", 0)):
        w.sliders[key].setValue(value)
    w.exploration.setValue(10.0)
    qtbot.mouseClick(w.save_btn, Qt.MouseButton.LeftButton)
    assert demo.settings.get("weights") == {"complexity": 0.5, "budget": 0.5, "speed": 0.0, "quality": 0.0}
    assert demo.settings.get("exploration_rate") == 0.1 and w.message.text() == "Saved."
    # the task table: change a fallback, then reset to the documents' row
    t = page.tasks
    default = demo.policy.default_row("translation")
    t.combos["translation"][1].setCurrentText("gpt-4")
    assert demo.policy.row("translation")[:2] == [default[0], "gpt-4"]
    r = t.tasks.index("translation")
    assert "edited" in t.table.item(r, 0).text()
    t.table.cellWidget(r, 4).click()
    assert demo.policy.row("translation") == default and "edited" not in t.table.item(r, 0).text()
    # endpoints are validated
    page.endpoints.edits["openai"].setText("ftp://nope")
    said = []
    page.controller.message.connect(lambda level, text: said.append((level, text)))  # the one message bridge
    page.endpoints.save()
    assert said[-1][0] == "error" and "must start with http" in said[-1][1], said
    # offline mode: one switch, announced to the rest of the app
    changes = []
    controller.offlineChanged.connect(changes.append)
    page.general.offline.setChecked(True)
    assert demo.offline and changes == [True]
    page.general.offline.setChecked(False)
    # cache: TTLs saved, clear reports what it removed
    page.cache.static_h.setValue(48)
    page.cache.save()
    assert demo.settings.get("cache_ttl_static_s") == 48 * 3600
    page.cache.clear()
    assert page.cache.summary.text().startswith("Cleared")
    assert page.data.path.text().endswith("data")

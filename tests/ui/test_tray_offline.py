"""Tray notifications for budget alerts and anomalies, the offline switch, keep-in-tray and quit."""

from __future__ import annotations

from PySide6.QtCore import Qt

from router.events import AppEvent
from ui.statusbar import budget_text


def send(qtbot, qloop, chat, text: str):
    qtbot.keyClicks(chat.composer.edit, text)
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    qloop.until(lambda: chat.task is not None and chat.task.done(), what="the answer")
    return chat.view.store.items[-1]


def test_budget_alert_becomes_a_tray_notification(qtbot, qloop, window, facade, fake_openai):
    fake_openai.reply_text = " ".join(["verse"] * 3000)  # enough tokens that cents round cleanly
    shown: list[tuple[str, str]] = []
    window.tray.icon.shown.connect(lambda t, m: shown.append((t, m)))
    chat = window.show_page("chat")
    first = send(qtbot, qloop, chat, "Write a short poem about autumn leaves")
    assert first.status == "ok"
    spent = facade.budget.status().spent_usd
    assert spent > 0 and shown == []
    facade.settings.set("hard_stop", False)  # warn-only, so the next answer may cross 100%
    facade.settings.set("monthly_limit_usd", spent * 1.2)  # now at ~83%: the 80% alert
    chat.composer.clear()
    chat.composer.routing.set_values(model=first.model)  # the same model again (a lower tier would pick cheaper)
    assert send(qtbot, qloop, chat, "And one about winter snow").status == "ok"  # past 100%
    alerts = [e for e in facade.events.history if e.kind == "budget_alert"]
    assert {e.data["threshold"] for e in alerts} >= {0.8, 1.0}
    assert shown == [(e.title, e.message) for e in alerts]  # every alert reached the tray, in order
    st = facade.budget.status()
    assert window.tray.spend_action.text() == "This month: " + budget_text(st.spent_usd, st.limit_usd)[0]
    assert window.status.budget.level == "over"


def test_cost_anomaly_is_notified_and_other_events_are_not(qtbot, qloop, window, facade):
    with qtbot.waitSignal(window.tray.notified, timeout=2000) as sig:
        facade.events.publish(AppEvent("cost_anomaly", "Unusual spending today", "$9.00 is 4.0x the average."))
    assert sig.args == ["Unusual spending today", "$9.00 is 4.0x the average."]
    with qtbot.assertNotEmitted(window.tray.notified):
        facade.settings.set("cache_enabled", False)  # a settings_changed event is not a notification


def test_offline_badge_switches_local_only_mode(qtbot, qloop, window, facade, fake_openai):
    chat = window.show_page("chat")
    badge = window.status.offline
    assert badge.text() == "Online" and not facade.offline
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    assert facade.offline and badge.isChecked() and badge.text() == "Offline"
    assert window.tray.offline_action.isChecked() and chat.banner.isVisible()
    assert not any(s.available for s in facade.model_status() if not s.model.local)
    item = send(qtbot, qloop, chat, "Hello while offline")
    assert item.role == "error" and "Offline mode is on" in item.meta["hint"]
    assert fake_openai.requests == []  # nothing left the machine
    window.tray.offline_action.trigger()  # the tray switch turns it back off
    assert not facade.offline and badge.text() == "Online" and not chat.banner.isVisible()
    chat.composer.clear()
    assert send(qtbot, qloop, chat, "Hello again").status == "ok" and fake_openai.requests


def test_close_keeps_app_in_tray_and_quit_quits(qtbot, qloop, window, facade):
    assert window.tray.available and facade.settings.get("keep_in_tray")
    with qtbot.assertNotEmitted(window.quitRequested):
        window.close()
    assert not window.isVisible()
    window.tray.menu.actions()[0].trigger()  # "Show Sparklio"
    assert window.isVisible()
    facade.settings.set("keep_in_tray", False)
    with qtbot.waitSignal(window.quitRequested, timeout=1000):
        window.close()
    window.show()
    facade.settings.set("keep_in_tray", True)
    quit_action = next(a for a in window.tray.menu.actions() if a.text() == "Quit Sparklio")
    with qtbot.waitSignal(window.quitRequested, timeout=1000):
        quit_action.trigger()

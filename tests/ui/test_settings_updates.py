"""Settings → General → Updates against a loopback fake release feed: offer, newest, feed down, weekly, offline."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from router import __version__
from router.updates import weekly_check
from tests.fakes.release_feed import ReleaseFeed
from tests.ui.pages_support import open_page
from ui.controller import AppController


@pytest.fixture
def feed():
    with ReleaseFeed("v0.2.0") as f:
        yield f


def test_check_for_updates_offers_a_newer_version_and_never_downloads(
    qtbot, qloop, facade, feed, closed_port_url, tmp_path
):
    facade.settings.set("update_feed_url", feed.url)
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "settings", controller)
    card = page.updates
    page.tabs.setCurrentIndex(page.tabs.count() - 1)
    assert card.weekly.isChecked() and card.feed.text() == feed.url and not card.open_btn.isVisible()
    qtbot.mouseClick(card.check_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: card.check_btn.isEnabled(), what="the check")
    assert card.message.text() == f"Sparklio 0.2.0 is available (you have {__version__})."
    assert card.open_btn.isVisible() and card.url.endswith("/releases/tag/v0.2.0") and feed.hits == 1
    card.grab().save(os.environ.get("SPARKLIO_SHOT", str(tmp_path / "updates.png")))
    feed.body = ReleaseFeed.release(f"v{__version__}")
    qtbot.mouseClick(card.check_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: card.check_btn.isEnabled(), what="the check")
    assert card.message.text() == f"Sparklio {__version__} is the newest version."
    card.feed.setText(closed_port_url)
    qtbot.mouseClick(card.save_feed_btn, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(card.check_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: card.check_btn.isEnabled(), what="the check")
    assert card.message.text() == "Could not reach the release feed (ConnectError)."
    card.feed.setText("ftp://nope")
    qtbot.mouseClick(card.save_feed_btn, Qt.MouseButton.LeftButton)
    assert "must start with http:// or https://" in card.message.text()
    card.weekly.click()
    assert facade.settings.get("update_check_weekly") is False
    facade.set_offline(True)
    controller.offlineChanged.emit(True)
    assert not card.check_btn.isEnabled() and "update checks are off" in card.message.text()
    controller.app = None


def test_the_weekly_check_shows_its_offer_in_settings(qtbot, qloop, facade, feed):
    facade.settings.set("update_feed_url", feed.url)
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "settings", controller)
    assert qloop.run(weekly_check(facade)).version == "0.2.0"
    qloop.until(lambda: not page.updates.open_btn.isHidden(), what="the offer")
    assert "0.2.0 is available" in page.updates.message.text()
    controller.app = None

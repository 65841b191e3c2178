"""Settings → General → Updates: "Check for updates", the weekly check, the feed URL; never downloads by itself."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton

from router import __version__
from router.errors import SparklioError
from ui.widgets import palette
from ui.widgets.card import Card, muted


class UpdatesCard(Card):
    """Shows the version, checks the release feed on request, offers a newer version's download page."""

    def __init__(self, page: Any) -> None:
        super().__init__(
            "Updates",
            f"Sparklio {__version__}. A newer version is only ever offered: its download "
            "page opens when you click, nothing is downloaded by itself.",
        )
        self.page = page
        self.url = ""
        self.weekly = QCheckBox("Check once a week (never in offline mode)")
        self.feed = QLineEdit()
        self.feed.setPlaceholderText("release feed URL (GitHub latest-release JSON)")
        self.save_feed_btn = QPushButton("Save feed")
        row = QHBoxLayout()
        row.addWidget(muted(QLabel("Feed")))
        row.addWidget(self.feed, 1)
        row.addWidget(self.save_feed_btn)
        self.check_btn = QPushButton("Check for updates")
        self.open_btn = QPushButton("Open download page")
        self.open_btn.hide()
        actions = QHBoxLayout()
        actions.addWidget(self.check_btn)
        actions.addWidget(self.open_btn)
        actions.addStretch(1)
        self.message = muted(QLabel(""))
        self.message.setWordWrap(True)
        for item in (self.weekly, row, actions, self.message):
            (self.body.addLayout if isinstance(item, QHBoxLayout) else self.body.addWidget)(item)
        self.weekly.toggled.connect(self._weekly_toggled)
        self.save_feed_btn.clicked.connect(self.save_feed)
        self.check_btn.clicked.connect(self.check)
        self.open_btn.clicked.connect(self.open_page)
        page.controller.appEvent.connect(self._on_event)
        page.controller.offlineChanged.connect(lambda _on: self.page.app is not None and self.load(self.page.app))

    def load(self, app: Any) -> None:
        """Reflect the settings and offline mode."""
        self.weekly.blockSignals(True)
        self.weekly.setChecked(app.settings.update_check_weekly)
        self.weekly.blockSignals(False)
        self.feed.setText(app.settings.update_feed_url or "")
        self.check_btn.setEnabled(not app.offline)
        if app.offline:
            self._say("Offline mode is on: update checks are off.")

    def _say(self, text: str, kind: str = "muted") -> None:
        self.message.setStyleSheet(f"color: {palette.color(kind).name()};")
        self.message.setText(text)

    def _weekly_toggled(self, on: bool) -> None:
        if self.page.app is not None:
            self.page.app.settings.update_check_weekly = on

    def save_feed(self) -> None:
        """Validate and store the feed URL."""
        try:
            self.page.app.settings.update_feed_url = self.feed.text()
        except SparklioError as exc:
            self._say(str(exc), "danger")
            return
        self._say("Feed saved.", "ok")

    def check(self) -> None:
        """Ask the feed now (off the event loop)."""
        app = self.page.app
        if app is None or app.offline:
            return
        from router.updates import check

        self.check_btn.setEnabled(False)
        self._say("Checking…")
        url = app.settings.update_feed_url
        self.page.spawn(asyncio.to_thread(check, url, strict=True), self.checked, self.failed)

    def checked(self, info: Any) -> None:
        """Offer a newer version, or say this one is the newest."""
        self.check_btn.setEnabled(True)
        self.page.app.settings.update_last_check = time.time()
        if info is None:
            self._say(f"Sparklio {__version__} is the newest version.", "ok")
            return
        self.offer(info.version, info.url)

    def failed(self, message: str) -> None:
        """One line: the feed could not be read."""
        self.check_btn.setEnabled(True)
        self._say(message[:1].upper() + message[1:] + ".", "warn")

    def offer(self, version: str, url: str) -> None:
        """A newer version: say so and show the button that opens its page."""
        self.url = url
        self._say(f"Sparklio {version} is available (you have {__version__}).", "accent")
        self.open_btn.show()

    def _on_event(self, event: Any) -> None:
        if event.kind == "update_available":
            self.offer(event.data["version"], event.data["url"])

    def open_page(self) -> None:
        """The user's consent: open the release page in the browser."""
        if self.url:
            QDesktopServices.openUrl(QUrl(self.url))

"""System tray: show / offline mode / month spend / quit, and notifications for budget alerts and anomalies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui import theme
from ui.statusbar import budget_text

NOTIFY_KINDS = ("budget_alert", "cost_anomaly", "update_available", "batch_done")


class TrayIcon(QSystemTrayIcon):
    """QSystemTrayIcon that also announces each notification on `shown` (the window falls back to it)."""

    shown = Signal(str, str)

    def showMessage(self, title: str, message: str, *args: Any) -> None:
        """Show a desktop notification and tell listeners."""
        icon = args[0] if args else QSystemTrayIcon.MessageIcon.Information
        msecs = args[1] if len(args) > 1 else 8000
        super().showMessage(title, message, icon, msecs)
        self.shown.emit(title, message)


class Tray(QObject):
    """Owns the tray icon when the desktop has a tray (or `force`); `notified` fires for every notification."""

    notified = Signal(str, str)  # title, message (sent even without a tray: the window shows it instead)

    def __init__(
        self,
        controller: Any,
        show_window: Callable[[], None],
        quit_app: Callable[[], None],
        parent: QObject | None = None,
        *,
        force: bool = False,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.icon: TrayIcon | None = None
        self.offline_action = QAction("Offline mode (local models only)", self)
        self.offline_action.setCheckable(True)
        self.offline_action.triggered.connect(lambda on: controller.set_offline(on))
        self.spend_action = QAction("This month: …", self)
        self.spend_action.setEnabled(False)
        self.menu = QMenu()
        self.menu.addAction("Show Sparklio", show_window)
        self.menu.addSeparator()
        self.menu.addAction(self.offline_action)
        self.menu.addAction(self.spend_action)
        self.menu.addSeparator()
        self.menu.addAction("Quit Sparklio", quit_app)
        if force or QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = TrayIcon(theme.app_icon(), self)
            self.icon.setToolTip("Sparklio")
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(
                lambda reason: show_window() if reason == QSystemTrayIcon.ActivationReason.Trigger else None
            )
            self.icon.show()
        controller.appEvent.connect(self.on_event)
        controller.offlineChanged.connect(self.offline_action.setChecked)
        controller.ledgerChanged.connect(self.refresh)
        controller.ready.connect(self.refresh)
        self.menu.aboutToShow.connect(self.refresh)

    @property
    def available(self) -> bool:
        """True when a tray icon exists (closing the window can then keep the app running)."""
        return self.icon is not None

    def refresh(self) -> None:
        """Update the offline check mark and the month's spend line."""
        self.offline_action.setChecked(self.controller.offline)
        st = self.controller.month_status()
        if st is not None:
            text, _ = budget_text(st.spent_usd, st.limit_usd)
            self.spend_action.setText(f"This month: {text}")
            if self.icon is not None:
                self.icon.setToolTip(f"Sparklio — {text}")

    def on_event(self, event: Any) -> None:
        """Budget alerts and cost anomalies become notifications."""
        if event.kind in NOTIFY_KINDS:
            self.notify(event.title or "Sparklio", event.message)
            self.refresh()

    def notify(self, title: str, message: str) -> None:
        """A desktop notification (through the tray when there is one)."""
        if self.icon is not None:
            warn = QSystemTrayIcon.MessageIcon.Warning
            self.icon.showMessage(title, message, warn, 10000)
        self.notified.emit(title, message)

    def hide(self) -> None:
        """Remove the icon (on quit)."""
        if self.icon is not None:
            self.icon.hide()

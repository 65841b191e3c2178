"""The main window: sidebar, lazily built pages, status bar, tray and restored geometry."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.pages import PAGES, create_page
from ui.statusbar import StatusBar
from ui.tray import Tray

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Sidebar + stacked pages; Ctrl+1..7 switch pages, Ctrl+N new chat, Ctrl+K search chats."""

    pageShown = Signal(str)
    firstPaint = Signal()
    quitRequested = Signal()  # the user chose to quit (ui.app ends the loop after closing the facade)

    def __init__(
        self, controller: Any, settings: QSettings | None = None, *, force_tray: bool = False, gpu: Any = None
    ) -> None:
        super().__init__()
        self.controller = controller
        self.qsettings = settings if settings is not None else QSettings()
        self.setWindowTitle("Sparklio")
        self.setWindowIcon(theme.app_icon())
        self.setMinimumSize(QSize(760, 520))
        self.pages: dict[str, QWidget] = {}
        self.current_key = ""
        self._quitting = False
        self._painted = False
        self._told_tray = False
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._build_sidebar(central))
        self.stack = QStackedWidget(central)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status = StatusBar(controller, self, gpu=gpu)
        self.setStatusBar(self.status)
        self.tray = Tray(controller, self.show_window, self.quit, self, force=force_tray)
        self.tray.notified.connect(self._notified)
        for i, p in enumerate(PAGES):
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, activated=lambda k=p.key: self.show_page(k))
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_chat)
        QShortcut(QKeySequence("Ctrl+K"), self, activated=self.search_chats)
        controller.navigateRequested.connect(self.show_page)
        controller.editImageRequested.connect(self.open_in_studio)
        theme.current().changed.connect(self._retint)
        controller.loadFailed.connect(lambda text: self.status.showMessage(text))
        geometry = self.qsettings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1240, 800)
        last = str(self.qsettings.value("window/page", "chat") or "chat")
        self.show_page(last if last in self.buttons else "chat")

    def _build_sidebar(self, parent: QWidget) -> QFrame:
        t = theme.current()
        side = QFrame(parent)
        side.setObjectName("Sidebar")
        side.setFixedWidth(184)
        col = QVBoxLayout(side)
        col.setContentsMargins(10, 14, 10, 12)
        col.setSpacing(2)
        brand = QHBoxLayout()
        logo = QLabel(side)
        logo.setPixmap(theme.app_icon().pixmap(26, 26))
        brand.addWidget(logo)
        name = QLabel("Sparklio", side)
        name.setObjectName("SidebarBrand")
        brand.addWidget(name, 1)
        col.addLayout(brand)
        col.addSpacing(8)
        self.buttons: dict[str, QToolButton] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for i, p in enumerate(PAGES):
            b = QToolButton(side)
            b.setObjectName("SidebarButton")
            b.setText(f"  {p.title}")
            b.setIcon(t.icon(p.icon, "muted", 18))
            b.setIconSize(QSize(18, 18))
            b.setCheckable(True)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.setToolTip(f"{p.title} (Ctrl+{i + 1})")
            b.clicked.connect(lambda _c=False, k=p.key: self.show_page(k))
            self.group.addButton(b)
            self.buttons[p.key] = b
            col.addWidget(b)
            if p.key == "chat":
                col.addSpacing(6)
            if p.key == "models":
                col.addSpacing(6)
        col.addStretch(1)
        hint = QLabel("Ctrl+N new chat\nCtrl+K search", side)
        hint.setObjectName("Muted")
        hint.setStyleSheet("font-size: 8pt;")
        col.addWidget(hint)
        return side

    def _retint(self) -> None:
        """The system switched light/dark: re-tint the sidebar icons."""
        t = theme.current()
        for p in PAGES:
            self.buttons[p.key].setIcon(t.icon(p.icon, "muted", 18))
        self.status.refresh_theme()

    # ---- pages ----
    def page(self, key: str) -> QWidget:
        """The page widget for `key`, built on first use."""
        if key not in self.pages:
            w = create_page(key, self.controller, self.stack)
            self.pages[key] = w
            self.stack.addWidget(w)
        return self.pages[key]

    def open_in_studio(self, data: bytes, mode: str) -> None:
        """A chat image (or any image) as the source of an edit on the Images page."""
        page = self.show_page("images")
        if page is not None:
            page.edit.set_source(data, mode, name="chat image")

    def show_page(self, key: str) -> QWidget | None:
        """Switch to a page, refresh it and remember it."""
        if key not in self.buttons:
            return None
        w = self.page(key)
        self.stack.setCurrentWidget(w)
        self.buttons[key].setChecked(True)
        self.current_key = key
        refresh = getattr(w, "refresh", None)
        if callable(refresh) and self.controller.app is not None:
            try:
                refresh()
            except Exception as exc:  # a page bug must not break navigation
                log.exception("page %s refresh failed", key)
                self.status.showMessage(f"The {key} page could not refresh ({type(exc).__name__}).", 8000)
        self.qsettings.setValue("window/page", key)
        self.pageShown.emit(key)
        return w

    def new_chat(self) -> None:
        """Ctrl+N."""
        page = self.show_page("chat")
        if hasattr(page, "new_chat"):
            page.new_chat()

    def search_chats(self) -> None:
        """Ctrl+K."""
        page = self.show_page("chat")
        if hasattr(page, "conversations"):
            page.conversations.focus_search()

    # ---- window life ----
    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.firstPaint.emit()

    def show_window(self) -> None:
        """Bring the window back (tray)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def keep_in_tray(self) -> bool:
        """Closing hides to the tray when the setting is on and a tray exists."""
        app = self.controller.app
        on = True if app is None else app.settings.keep_in_tray
        return on and self.tray.available

    def save_state(self) -> None:
        """Remember geometry and the current page."""
        self.qsettings.setValue("window/geometry", self.saveGeometry())
        self.qsettings.setValue("window/page", self.current_key or "chat")
        self.qsettings.sync()

    def closeEvent(self, event: Any) -> None:
        self.save_state()
        if not self._quitting and self.keep_in_tray():
            event.ignore()
            self.hide()
            if not self._told_tray:
                self._told_tray = True
                self.tray.notify(
                    "Sparklio is still running",
                    "It keeps watching your budget from the tray. Use Quit in the tray menu to close it.",
                )
            return
        self.tray.hide()
        event.accept()
        self.quitRequested.emit()

    def quit(self) -> None:
        """Quit for real (tray menu)."""
        self._quitting = True
        self.close()

    def _notified(self, title: str, message: str) -> None:
        if not self.tray.available:
            self.status.showMessage(f"{title} — {message}", 15000)

"""A small click-away popover for explanations (the answer footer's "why?")."""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QFrame, QLabel, QTextBrowser, QVBoxLayout, QWidget


class Popover(QFrame):
    """A frameless popup with a title and selectable text; closes on click outside or Esc."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("WelcomeCard")
        self.setMaximumWidth(640)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 14)
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: 600;")
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setMinimumWidth(500)
        lay.addWidget(self.title)
        lay.addWidget(self.body)

    def show_text(self, title: str, text: str, pos: QPoint, *, emphasis: str = "", max_lines: int = 18) -> None:
        """Show plain `text` near the global position `pos` (lines naming `emphasis` in bold; long lists cut)."""
        self.title.setText(title)
        lines = text.splitlines()
        if len(lines) > max_lines:
            lines = lines[:max_lines] + [f"  … and {len(lines) - max_lines} more"]
        out = []
        for line in lines:
            esc = html.escape(line).replace("  ", "&nbsp;&nbsp;")
            out.append(f"<b>{esc}</b>" if emphasis and f" {emphasis} " in f" {line} " else esc)
        self.body.setText("<br>".join(out))
        self.adjustSize()
        screen = QGuiApplication.screenAt(pos) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x = min(max(pos.x() - 20, area.left()), area.right() - self.width())
        y = pos.y() + 12
        if y + self.height() > area.bottom():
            y = pos.y() - self.height() - 12
        self.move(x, max(y, area.top()))
        self.show()


def show_text_dialog(parent: QWidget, html_text: str, css: str) -> QDialog:
    """A window with a message's text, freely selectable ("Select text…" in the message menu)."""
    dlg = QDialog(parent)
    dlg.setWindowTitle("Message text")
    dlg.resize(680, 480)
    lay = QVBoxLayout(dlg)
    browser = QTextBrowser(dlg)
    browser.setOpenLinks(False)
    browser.document().setDefaultStyleSheet(css)
    browser.setHtml(html_text)
    lay.addWidget(browser)
    dlg.show()
    return dlg

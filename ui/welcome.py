"""First-run welcome panel and the calm empty state shown in an empty chat."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui import theme


def needs_setup(app: Any) -> bool:
    """True when no chat model can answer: no cloud key, no compatible endpoint, no reachable Ollama."""
    if app is None:
        return False
    try:
        statuses = app.model_status()
    except Exception:
        return False
    return not any(s.available and s.model.kind == "chat" for s in statuses) and not app.offline


class _Step(QWidget):
    def __init__(self, number: int, title: str, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(12)
        num = QLabel(str(number), self)
        num.setObjectName("StepNumber")
        lay.addWidget(num, 0, Qt.AlignmentFlag.AlignTop)
        col = QVBoxLayout()
        col.setSpacing(2)
        head = QLabel(f"<b>{title}</b>", self)
        head.setObjectName("WelcomeStep")
        body = QLabel(text, self)
        body.setObjectName("Muted")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        body.setOpenExternalLinks(True)
        body.setFixedWidth(490)  # a fixed width lets the wrapped label report its real height
        col.addWidget(head)
        col.addWidget(body)
        lay.addLayout(col, 1)


class WelcomePanel(QFrame):
    """Says what to add and where when nothing can answer yet."""

    openSettings = Signal()
    recheck = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WelcomeCard")
        self.setFixedWidth(600)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 28, 32, 24)
        lay.setSpacing(10)
        title = QLabel("Welcome to Sparklio", self)
        title.setObjectName("WelcomeTitle")
        lay.addWidget(title)
        intro = QLabel(
            "Sparklio sends every request to the model that fits it best, within your budget. "
            "Nothing can answer yet — add at least one of these:",
            self,
        )
        intro.setWordWrap(True)
        intro.setFixedWidth(536)
        intro.setObjectName("Muted")
        lay.addWidget(intro)
        lay.addSpacing(4)
        lay.addWidget(
            _Step(
                1,
                "A cloud API key",
                "OpenAI, Anthropic or Google: open <b>Settings → Keys</b>, paste "
                "the key and press “Test connection”. Keys live in your system keyring.",
                self,
            )
        )
        lay.addWidget(
            _Step(
                2,
                "Free local models with Ollama",
                "Install Ollama from "
                '<a href="https://ollama.com/download">ollama.com</a>, then run '
                "<code>ollama pull llama3.2:3b</code>. Sparklio finds it by itself.",
                self,
            )
        )
        lay.addWidget(
            _Step(
                3,
                "An OpenAI-compatible server",
                "LM Studio, vLLM, LiteLLM…: set its URL in <b>Settings → Endpoints</b>.",
                self,
            )
        )
        row = QHBoxLayout()
        row.addStretch(1)
        self.recheck_button = QPushButton("Check again", self)
        self.recheck_button.clicked.connect(self.recheck)
        row.addWidget(self.recheck_button)
        self.settings_button = QPushButton("Open Settings → Keys", self)
        self.settings_button.setObjectName("Primary")
        self.settings_button.clicked.connect(self.openSettings)
        row.addWidget(self.settings_button)
        lay.addSpacing(6)
        lay.addLayout(row)


class EmptyState(QWidget):
    """The blank chat: a quiet prompt, or the welcome panel on first run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 24, 24, 24)
        lay.addStretch(1)
        self.welcome = WelcomePanel(self)
        lay.addWidget(self.welcome, 0, Qt.AlignmentFlag.AlignHCenter)
        self.blank = QWidget(self)
        col = QVBoxLayout(self.blank)
        icon = QLabel(self.blank)
        icon.setPixmap(theme.app_icon().pixmap(56, 56))
        icon.setFixedHeight(64)
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        col.addWidget(icon)
        col.addSpacing(12)  # the icon must never touch the heading
        head = QLabel("What can I help with?", self.blank)
        head.setObjectName("WelcomeTitle")
        head.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        col.addWidget(head)
        self.sub = QLabel("Pick a task or leave it on Auto — Sparklio chooses the model and shows why.", self.blank)
        self.sub.setObjectName("Muted")
        self.sub.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.sub.setWordWrap(True)
        col.addWidget(self.sub)
        lay.addWidget(self.blank, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        self.set_first_run(False)

    def set_first_run(self, first_run: bool) -> None:
        """Show the welcome panel (True) or the quiet prompt (False)."""
        self.welcome.setVisible(first_run)
        self.blank.setVisible(not first_run)

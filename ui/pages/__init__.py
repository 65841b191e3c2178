"""Page registry for the sidebar plus a calm placeholder page for anything not built or broken."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSpec:
    """One sidebar entry: key, title, icon name, and where its widget class lives."""

    key: str
    title: str
    icon: str
    module: str
    class_name: str
    blurb: str  # what the page will show (used by the placeholder)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("chat", "Chat", "chat", "ui.chat.page", "ChatPage", "Talk to the best model for each question."),
    PageSpec(
        "images",
        "Images",
        "images",
        "ui.pages.images",
        "ImagesPage",
        "Generate images in the cloud or on this machine.",
    ),
    PageSpec(
        "workflows",
        "Workflows",
        "workflows",
        "ui.pages.workflows",
        "WorkflowsPage",
        "Run multi-step workflows that route each step to the right model.",
    ),
    PageSpec(
        "models",
        "Models",
        "models",
        "ui.pages.models",
        "ModelsPage",
        "Every model Sparklio can route to, with prices and availability.",
    ),
    PageSpec(
        "stats", "Stats", "stats", "ui.pages.stats", "StatsPage", "Per-model and per-task cost, latency and ratings."
    ),
    PageSpec(
        "budget",
        "Budget",
        "budget",
        "ui.pages.budget",
        "BudgetPage",
        "This month's spend against your limits, with a forecast.",
    ),
    PageSpec(
        "settings",
        "Settings",
        "settings",
        "ui.pages.settings",
        "SettingsPage",
        "API keys, endpoints, budget, routing weights and offline mode.",
    ),
)


def spec(key: str) -> PageSpec:
    """The registry entry for `key` (KeyError if unknown)."""
    for p in PAGES:
        if p.key == key:
            return p
    raise KeyError(key)


class PlaceholderPage(QWidget):
    """A page that says plainly what will be here (or why it could not open)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.text = text
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        outer.addStretch(1)
        card = QFrame(self)
        card.setObjectName("PlaceholderCard")
        card.setMaximumWidth(560)
        lay = QVBoxLayout(card)
        lay.setContentsMargins(28, 24, 28, 24)
        lay.setSpacing(10)
        head = QLabel(title, card)
        head.setObjectName("PageTitle")
        body = QLabel(text, card)
        body.setObjectName("Muted")
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(head)
        lay.addWidget(body)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def refresh(self) -> None:
        """Nothing to reload."""


def create_page(key: str, controller: Any, parent: QWidget | None = None) -> QWidget:
    """Import the page's module lazily and build it; a PlaceholderPage when that fails."""
    p = spec(key)
    try:
        cls = getattr(importlib.import_module(p.module), p.class_name)
    except Exception as exc:  # not written yet, or broken: the app must still open
        log.info("page %s unavailable (%s); showing a placeholder", key, exc)
        return PlaceholderPage(p.title, f"{p.blurb}\n\nThis page is not available in this build yet.", parent)
    try:
        return cls(controller, parent)
    except Exception:
        log.exception("page %s failed to open", key)
        return PlaceholderPage(p.title, f"{p.blurb}\n\nThis page could not open; the log has the details.", parent)

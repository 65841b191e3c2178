"""Settings page: keys, endpoints, budget and tier, routing weights, task table, cache, offline mode, data folder."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from router.errors import SparklioError
from router.providers.info import PROVIDERS, with_endpoint
from ui.pages.budget import LimitEditor
from ui.pages.settings_images import ImageFilesCard
from ui.pages.settings_keys import KeysCard
from ui.pages.settings_limits import TimeLimitsCard
from ui.pages.settings_prompts import PromptsCard
from ui.pages.settings_routing import TaskTableCard, WeightsCard
from ui.pages.settings_updates import UpdatesCard
from ui.widgets import palette
from ui.widgets.card import Card, muted, plain_spins
from ui.widgets.format import count, money
from ui.widgets.page import PageBase


def _say(label: QLabel, text: str, kind: str = "muted") -> None:
    c = palette.color({"ok": "ok", "error": "danger", "warn": "warn"}.get(kind, "muted")).name()
    label.setStyleSheet(f"color: {c};")
    label.setText(text)


def _scroll(*cards: QWidget) -> QScrollArea:
    inner = QWidget()
    inner.setObjectName("pageContent")
    lay = QVBoxLayout(inner)
    lay.setContentsMargins(0, 10, 8, 10)
    lay.setSpacing(14)
    for c in cards:
        lay.addWidget(c)
    lay.addStretch(1)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(inner)
    return area


class EndpointsCard(Card):
    """Base URLs per provider, the OpenAI-compatible model names and the Ollama host."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__(
            "Endpoints", "Leave a field empty to use the provider's default (or its environment variable)."
        )
        self.page = page
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        self.edits: dict[str, QLineEdit] = {}
        for key in with_endpoint():
            e = QLineEdit()
            e.setPlaceholderText(PROVIDERS[key].endpoint_hint)
            self.edits[key] = e
            form.addRow(f"{PROVIDERS[key].label} URL", e)
        self.compat_models = QLineEdit()
        self.compat_models.setPlaceholderText("model names served there, comma-separated (e.g. llama-3.1-70b)")
        form.addRow("Compatible models", self.compat_models)
        self.body.addLayout(form)
        row = QHBoxLayout()
        self.message = muted(QLabel(""))
        self.message.setWordWrap(True)
        row.addWidget(self.message, 1)
        self.save_btn = QPushButton("Save endpoints")
        self.save_btn.setObjectName("Primary")
        row.addWidget(self.save_btn)
        self.body.addLayout(row)
        self.save_btn.clicked.connect(self.save)

    def load(self, app: Any) -> None:
        """Fill from settings."""
        eps = app.settings.endpoints
        for k, e in self.edits.items():
            e.setText(eps.get(k, "") or "")
        self.compat_models.setText(", ".join(app.settings.compat_models))
        _say(self.message, "")

    def save(self) -> None:
        """Validate and store; a new Ollama host is probed in the background."""
        app = self.page.app
        old_host = app.settings.endpoints.get("ollama", "")
        try:
            eps = app.settings.set("endpoints", {k: e.text() for k, e in self.edits.items()})
            names = [n.strip() for n in self.compat_models.text().split(",") if n.strip()]
            app.settings.compat_models = names
        except SparklioError as exc:
            _say(self.message, "", "muted")
            self.page.controller.error(str(exc))
            return
        _say(self.message, "Saved.", "ok")  # the settings' events tell the controller: catalogChanged
        if eps.get("ollama", "") != old_host and hasattr(app, "refresh_local"):
            self.page.spawn(app.refresh_local())  # publishes catalog_changed itself


class TierCard(Card):
    """The budget tier: derived from the monthly limit, or chosen."""

    TIERS = [
        ("Auto (from the monthly limit)", None),
        ("Low — local models and Gemini Flash first", "low"),
        ("Standard — GPT-4, Claude Sonnet, Gemini Pro", "standard"),
        ("Premium — no restrictions", "premium"),
    ]

    def __init__(self, page: SettingsPage) -> None:
        super().__init__("Budget tier", "Low up to $50 a month, Standard up to $200, Premium above — or choose.")
        self.page = page
        self.combo = QComboBox()
        for label, _v in self.TIERS:
            self.combo.addItem(label)
        row = QHBoxLayout()
        row.addWidget(self.combo)
        self.effective = muted(QLabel(""))
        row.addWidget(self.effective, 1)
        self.body.addLayout(row)
        self.combo.currentIndexChanged.connect(self.save)
        self._loading = False

    def load(self, app: Any) -> None:
        """Select the stored tier."""
        self._loading = True
        value = app.settings.budget_tier
        self.combo.setCurrentIndex(next((i for i, (_l, v) in enumerate(self.TIERS) if v == value), 0))
        self.effective.setText(f"In effect: {app.budget.tier()}")
        self._loading = False

    def save(self) -> None:
        """Store the choice."""
        if self._loading or self.page.app is None:
            return
        app = self.page.app
        app.settings.budget_tier = self.TIERS[self.combo.currentIndex()][1]
        self.effective.setText(f"In effect: {app.budget.tier()}")


class GeneralCard(Card):
    """Offline local-only mode, the response cache and the data folder."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__("Offline mode")
        self.page = page
        self.offline = QCheckBox("Local-only: no request leaves this machine (only Ollama and Stable Diffusion run)")
        self.body.addWidget(self.offline)
        self.offline.toggled.connect(self._offline_toggled)
        page.controller.offlineChanged.connect(self._offline_changed)

    def _offline_toggled(self, on: bool) -> None:
        app = self.page.app
        if app is not None and app.offline != on:
            app.set_offline(on)

    def _offline_changed(self, on: bool) -> None:
        if self.offline.isChecked() != on:
            self.offline.blockSignals(True)
            self.offline.setChecked(on)
            self.offline.blockSignals(False)

    def load(self, app: Any) -> None:
        """Reflect the current mode."""
        self._offline_changed(bool(app.offline))


class CacheCard(Card):
    """Response cache on/off, TTLs per task class, what it saved, and Clear."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__("Response cache", "Identical requests are answered from the cache for $0.")
        self.page = page
        self.enabled = QCheckBox("Answer repeated requests from the cache")
        self.body.addWidget(self.enabled)
        form = QFormLayout()
        self.static_h = QSpinBox()
        self.static_h.setRange(1, 24 * 30)
        self.static_h.setSuffix(" h")
        self.dynamic_m = QSpinBox()
        self.dynamic_m.setRange(1, 24 * 60)
        self.dynamic_m.setSuffix(" min")
        plain_spins(self.static_h, self.dynamic_m)
        for box in (self.static_h, self.dynamic_m):
            box.setMaximumWidth(120)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Templates, translation, embeddings", self.static_h)
        form.addRow("Everything else", self.dynamic_m)
        self.body.addLayout(form)
        row = QHBoxLayout()
        self.summary = muted(QLabel(""))
        self.summary.setWordWrap(True)
        row.addWidget(self.summary, 1)
        self.clear_btn = QPushButton("Clear cache")
        self.save_btn = QPushButton("Save")
        self.save_btn.setObjectName("Primary")
        row.addWidget(self.clear_btn)
        row.addWidget(self.save_btn)
        self.body.addLayout(row)
        self.save_btn.clicked.connect(self.save)
        self.clear_btn.clicked.connect(self.clear)

    def load(self, app: Any) -> None:
        """Fill from settings and the cache summary."""
        s = app.settings
        self.enabled.setChecked(bool(s.get("cache_enabled")))
        self.static_h.setValue(max(1, int(s.get("cache_ttl_static_s")) // 3600))
        self.dynamic_m.setValue(max(1, int(s.get("cache_ttl_dynamic_s")) // 60))
        sm = app.cache.summary()
        _say(self.summary, cache_summary_text(sm))

    def save(self) -> None:
        """Store the switch and TTLs."""
        app = self.page.app
        try:
            app.settings.cache_enabled = self.enabled.isChecked()
            app.settings.cache_ttl_static_s = self.static_h.value() * 3600
            app.settings.cache_ttl_dynamic_s = self.dynamic_m.value() * 60
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        _say(self.summary, "Saved.", "ok")

    def clear(self) -> None:
        """Delete every cached answer."""
        n = self.page.app.cache.clear()
        _say(self.summary, f"Cleared {n} cached answers.", "ok")


class DataCard(Card):
    """Where the database, images and attachments live."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__("Data folder", "Conversations, the ledger, images and settings live here (API keys do not).")
        self.page = page
        self.path = QLabel("")
        self.path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path.setWordWrap(True)
        self.body.addWidget(self.path)
        row = QHBoxLayout()
        self.open_btn = QPushButton("Open in file manager")
        self.change_btn = QPushButton("Change…")
        row.addWidget(self.open_btn)
        row.addWidget(self.change_btn)
        row.addStretch(1)
        self.body.addLayout(row)
        self.message = muted(QLabel(""))
        self.message.setWordWrap(True)
        self.message.hide()
        self.body.addWidget(self.message)
        self.open_btn.clicked.connect(self.open_folder)
        self.change_btn.clicked.connect(self.change)

    def load(self, app: Any) -> None:
        """Show the folder in use."""
        self.path.setText(str(Path(app.data_dir).resolve()))

    def open_folder(self) -> None:
        """Open the folder in the system file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(self.path.text()))

    def change(self) -> None:
        """Choose a new folder; it applies on the next start."""
        self.message.show()
        paths = importlib.import_module("router.paths")
        setter = getattr(paths, "set_default_data_dir", None)
        if setter is None:
            _say(
                self.message, "To use another folder, start Sparklio with --data-dir PATH or set SPARKLIO_HOME.", "warn"
            )
            return
        folder = QFileDialog.getExistingDirectory(self, "Choose the data folder", self.path.text())
        if not folder:
            return
        try:
            setter(Path(folder))
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        _say(self.message, f"Sparklio will use {folder} from the next start.", "ok")


def cache_summary_text(sm: dict) -> str:
    """What is in the cache now, apart from what it has served over time (so the two counts never clash)."""
    expired = f" ({count(sm['expired'])} expired)" if sm.get("expired") else ""
    return (
        f"In the cache now: {count(sm['entries'])} answers{expired}. Since you started:"
        f" {count(sm['hits_served'])} answers served from it, {money(sm['saved_usd'])} saved."
    )


class SettingsPage(PageBase):
    """All settings in tabs; each control validates through the router and says what happened."""

    follows_ledger = False  # a finished chat request must not wipe half-typed settings

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(
            controller,
            "Settings",
            "API keys, endpoints, budget, routing weights and offline mode.",
            scroll=False,
            parent=parent,
        )
        self.keys = KeysCard(self)
        self.endpoints = EndpointsCard(self)
        self.tier = TierCard(self)
        self.limits = LimitEditor(self)
        self.weights = WeightsCard(self)
        self.tasks = TaskTableCard(self)
        self.prompts = PromptsCard(self)
        self.time_limits = TimeLimitsCard(self)
        self.general = GeneralCard(self)
        self.cache = CacheCard(self)
        self.data = DataCard(self)
        self.updates = UpdatesCard(self)
        self.image_files = ImageFilesCard(self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(_scroll(self.keys), "API keys")
        self.tabs.addTab(_scroll(self.endpoints), "Endpoints")
        self.tabs.addTab(_scroll(self.tier, self.limits), "Budget")
        self.tabs.addTab(_scroll(self.weights, self.time_limits, self.tasks, self.prompts), "Routing")
        self.tabs.addTab(_scroll(self.image_files), "Images")
        self.tabs.addTab(_scroll(self.general, self.cache, self.data, self.updates), "General")
        self.content.addWidget(self.tabs, 1)

    def reload(self, app: Any) -> None:
        """Fill every section from the facade."""
        for section in (
            self.keys,
            self.endpoints,
            self.tier,
            self.limits,
            self.weights,
            self.time_limits,
            self.tasks,
            self.general,
            self.cache,
            self.data,
            self.updates,
            self.prompts,
            self.image_files,
        ):
            section.load(app)
        self.loaded.emit()

"""Settings → Routing → Time limits: how long Sparklio waits for a provider before it falls back (issue 13)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QPushButton

from router.deadlines import DEFAULT_TTFT_S
from router.errors import SparklioError
from router.settings import Settings
from ui.widgets import palette
from ui.widgets.card import Card, muted, plain_spins

# (setting, label, explanation); time-to-first-token rows are per speed class
FIELDS = (
    (
        "ttft:realtime",
        "First words, realtime models",
        "a realtime model that says nothing for this long is retried once",
    ),
    ("ttft:standard", "First words, standard models", "with the retry, a hung provider falls back in about 2x this"),
    ("ttft:batch", "First words, batch models", "reasoning models think before they answer"),
    ("ttft:local", "First words, local models", "Ollama may first load the model into memory"),
    ("idle_gap_s", "Silence while streaming", "a stream that stops this long is cut and retried"),
    ("request_deadline_s", "Whole request", "the whole chain of models, retries included"),
    ("connect_timeout_s", "Connecting", "no connection by then: the provider is skipped for a while"),
)


class TimeLimitsCard(Card):
    """One spin box per limit, saved through the settings validators."""

    def __init__(self, page: Any) -> None:
        super().__init__("Time limits", "How long Sparklio waits before it retries or falls back to the next model.")
        self.page = page
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.spins: dict[str, QDoubleSpinBox] = {}
        for i, (key, label, why) in enumerate(FIELDS):
            box = QDoubleSpinBox()
            box.setRange(0.5, 3600.0)
            box.setDecimals(1)
            box.setSuffix(" s")
            box.setMaximumWidth(110)
            plain_spins(box)
            grid.addWidget(QLabel(label), i, 0)
            grid.addWidget(box, i, 1)
            grid.addWidget(muted(QLabel(why)), i, 2)
            self.spins[key] = box
        grid.setColumnStretch(2, 1)
        self.body.addLayout(grid)
        row = QHBoxLayout()
        self.message = muted(QLabel(""))
        row.addWidget(self.message, 1)
        self.defaults_btn = QPushButton("Defaults")
        self.save_btn = QPushButton("Save")
        self.save_btn.setObjectName("Primary")
        row.addWidget(self.defaults_btn)
        row.addWidget(self.save_btn)
        self.body.addLayout(row)
        self.defaults_btn.clicked.connect(self.defaults)
        self.save_btn.clicked.connect(self.save)

    def _fill(self, ttft: dict, get) -> None:
        for key, box in self.spins.items():
            box.setValue(float(ttft[key[5:]]) if key.startswith("ttft:") else float(get(key)))

    def load(self, app: Any) -> None:
        """Fill from settings."""
        self._fill({**DEFAULT_TTFT_S, **app.settings.ttft_s}, app.settings.get)
        self.message.setText("")

    def defaults(self) -> None:
        """Show the defaults (saved with Save)."""
        self._fill(DEFAULT_TTFT_S, Settings.default)

    def save(self) -> None:
        """Store every limit (validated by the router's settings)."""
        app = self.page.app
        try:
            app.settings.ttft_s = {k[5:]: b.value() for k, b in self.spins.items() if k.startswith("ttft:")}
            for key, box in self.spins.items():
                if not key.startswith("ttft:"):
                    app.settings.set(key, box.value())
        except SparklioError as exc:
            self.message.setStyleSheet(f"color: {palette.color('danger').name()};")
            self.message.setText(str(exc))
            return
        self.load(app)
        self.message.setStyleSheet(f"color: {palette.color('ok').name()};")
        self.message.setText("Saved: used from the next request.")

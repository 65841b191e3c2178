"""Compare: one prompt to two or three models side by side, priced first; the user's pick teaches the router."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from router import compare
from router.errors import SparklioError
from router.types import Message, RouteRequest
from ui.widgets.card import muted

NONE = "__none__"


class CompareDialog(QDialog):
    """Prompt, 2-3 models (the router's suggestion or the user's), price, parallel answers, verdict buttons."""

    def __init__(
        self, controller: Any, prompt: str = "", task: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.task_choice = task
        self.contenders: list[compare.Contender] = []
        self.job: asyncio.Task | None = None
        self.verdict: str | None = None
        self.setWindowTitle("Compare models")
        self.resize(1180, 720)
        lay = QVBoxLayout(self)
        self.prompt = QPlainTextEdit(prompt)
        self.prompt.setPlaceholderText("One prompt, sent to every model below")
        self.prompt.setFixedHeight(80)
        lay.addWidget(self.prompt)
        pick = QHBoxLayout()
        self.combos = [QComboBox() for _ in range(compare.MAX_MODELS)]
        pick.addWidget(QLabel("Models:"))
        for c in self.combos:
            pick.addWidget(c, 1)
        self.suggest_btn = QPushButton("Router's pick vs next best vs cheaper")
        self.suggest_btn.clicked.connect(self.suggest)
        pick.addWidget(self.suggest_btn)
        lay.addLayout(pick)
        row = QHBoxLayout()
        self.price_label = QLabel("")
        self.price_label.setWordWrap(True)
        row.addWidget(self.price_label, 1)
        self.send_btn = QPushButton("Send to all")
        self.send_btn.setObjectName("Primary")
        self.send_btn.clicked.connect(self.send)
        row.addWidget(self.send_btn)
        lay.addLayout(row)
        self.grid = QGridLayout()
        lay.addLayout(self.grid, 1)
        self.columns: list[tuple[QLabel, QTextBrowser, QLabel, QPushButton]] = []
        verdict = QHBoxLayout()
        self.verdict_label = muted(
            QLabel(
                f"Pick the better answer: it counts as {compare.PREFERENCE_WEIGHT} ratings for the router's learner."
            )
        )
        verdict.addWidget(self.verdict_label, 1)
        self.tie_btn = QPushButton("Tie")
        self.tie_btn.clicked.connect(lambda: self.choose(None))
        self.tie_btn.setEnabled(False)
        verdict.addWidget(self.tie_btn)
        lay.addLayout(verdict)
        self._fill_models()
        for c in self.combos:
            c.currentIndexChanged.connect(self.update_price)
        self.prompt.textChanged.connect(self.update_price)
        self.suggest()

    # ---- models and price ----
    def _fill_models(self) -> None:
        app = self.controller.app
        usable = [s.model for s in app.model_status() if s.available and s.model.kind == "chat"]
        for i, c in enumerate(self.combos):
            c.blockSignals(True)
            c.clear()
            if i == compare.MAX_MODELS - 1:
                c.addItem("(no third model)", NONE)
            for m in sorted(usable, key=lambda m: m.name.lower()):
                c.addItem(m.name, m.id)
            c.blockSignals(False)

    def request(self) -> RouteRequest:
        """The compare request as typed."""
        return RouteRequest([Message("user", self.prompt.toPlainText().strip())], task=self.task_choice)

    def models(self) -> list[str]:
        """The chosen catalog ids (the optional third left out when unset)."""
        return [c.currentData() for c in self.combos if c.currentData() not in (None, NONE)]

    def set_models(self, models: list[str]) -> None:
        """Choose models by catalog id (a missing third clears the third box)."""
        for i, c in enumerate(self.combos):
            c.blockSignals(True)
            idx = c.findData(models[i]) if i < len(models) else c.findData(NONE)
            c.setCurrentIndex(max(idx, 0))
            c.blockSignals(False)
        self.update_price()

    def suggest(self) -> None:
        """Fill the boxes with the router's pick, the next best and one cheaper model, as routed now."""
        try:
            picks = compare.suggested_models(self.controller.app, self.request())
        except SparklioError as exc:
            self.price_label.setText(str(exc))
            return
        self.set_models([m for m, _ in picks])
        for c, (_m, why) in zip(self.combos, picks):
            c.setToolTip(why)

    def update_price(self) -> None:
        """The worst-case price of sending to every chosen model (reserved before sending)."""
        try:
            self.contenders = compare.price(self.controller.app, self.request(), self.models())
        except SparklioError as exc:
            self.contenders = []
            self.price_label.setText(str(exc))
            self.send_btn.setEnabled(False)
            return
        total = sum(c.hold_usd for c in self.contenders)
        parts = " · ".join(f"{c.label} up to ${c.hold_usd:.4f}" for c in self.contenders)
        self.price_label.setText(f"<b>Up to ${total:.4f}</b> in all ({parts})")
        self.send_btn.setEnabled(self.job is None and bool(self.prompt.toPlainText().strip()))

    # ---- running ----
    def send(self) -> asyncio.Task | None:
        """Stream every model at once."""
        if self.job is not None or not self.contenders or not self.prompt.toPlainText().strip():
            return None
        self._columns()
        self.verdict = None
        self.send_btn.setEnabled(False)
        self.tie_btn.setEnabled(False)
        fresh = [replace(c, text="", done=False, error="") for c in self.contenders]
        self.contenders = fresh
        self.job = self.controller.spawn(compare.run(self.controller.app, self.request(), fresh, self._update))
        self.job.add_done_callback(lambda _t: self._done())
        return self.job

    def _columns(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.columns = []
        for i, c in enumerate(self.contenders):
            head = QLabel(f"<b>{c.label}</b>")
            body = QTextBrowser()
            foot = muted(QLabel("waiting…"))
            btn = QPushButton(f"{c.label} is better")
            btn.setEnabled(False)
            btn.clicked.connect(lambda _=False, m=c.model: self.choose(m))
            for r, w in enumerate((head, body, foot, btn)):
                self.grid.addWidget(w, r, i)
            self.columns.append((head, body, foot, btn))
        self.grid.setRowStretch(1, 1)

    def _update(self, i: int, c: compare.Contender) -> None:
        if i >= len(self.columns):
            return
        _head, body, foot, _btn = self.columns[i]
        body.setMarkdown(c.error or c.text)
        if c.error:
            foot.setText(f"failed: {c.error}")
        elif c.done:
            foot.setText(f"${c.cost_usd:.4f} · {(c.latency_ms or 0) / 1000:.1f} s")
        else:
            foot.setText("streaming…")

    def _done(self) -> None:
        self.job = None
        ok = [c for c in self.contenders if c.done and not c.error]
        for (_h, _b, _f, btn), c in zip(self.columns, self.contenders):
            btn.setEnabled(len(ok) >= 2 and c in ok)
        self.tie_btn.setEnabled(len(ok) >= 2)
        self.send_btn.setEnabled(True)
        self.controller.ledger_changed()

    def choose(self, model: str | None) -> None:
        """Store the verdict (None = tie) as a pairwise preference for the learner."""
        ok = [c.model for c in self.contenders if c.done and not c.error]
        try:
            task = self.controller.app.plan(self.request()).task
            compare.prefer(self.controller.app, task, ok, model, self.prompt.toPlainText())
        except SparklioError as exc:
            self.verdict_label.setText(str(exc))
            return
        self.verdict = model or "tie"
        self.verdict_label.setText(
            f"Saved: {'a tie' if model is None else model + ' won'} for {task}. "
            "The learner counts it next to your star ratings."
        )
        for _h, _b, _f, btn in self.columns:
            btn.setEnabled(False)
        self.tie_btn.setEnabled(False)

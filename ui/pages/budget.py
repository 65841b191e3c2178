"""Budget page: month-to-date spend against the limits, forecast, alerts, holds, cost per day, limit editor."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from router.errors import SparklioError
from router.providers.info import PROVIDERS, keyed
from router.savings import month_discounts
from ui.widgets import palette
from ui.widgets.card import Card, Meter, StatTile, muted, tile_row
from ui.widgets.charts import ChartView
from ui.widgets.format import level, money
from ui.widgets.page import PageBase


def provider_name(p: str) -> str:
    """Human name of a provider id."""
    row = PROVIDERS.get(p)
    return p if row is None else f"{row.label} (local)" if row.local else row.label


def parse_thresholds(text: str) -> list[float]:
    """ "80, 100" (percent) -> [0.8, 1.0]; a clear SparklioError for anything else."""
    parts = [p.strip().rstrip("%") for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise SparklioError("give at least one alert threshold, e.g. 80, 100")
    out = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise SparklioError(f"alert thresholds are percentages such as 80, 100 — not {p!r}") from None
        if not 1 <= v <= 100:
            raise SparklioError(f"an alert threshold must be between 1% and 100%, not {p}%")
        out.append(round(v / 100, 4))
    return sorted(set(out))


class LimitEditor(Card):
    """Monthly limit, per-provider limits, hard stop vs warn-only, alert thresholds; validates before saving."""

    def __init__(self, page: BudgetPage) -> None:
        super().__init__("Limits and alerts", "Calendar month in your time zone. Local models are never blocked.")
        self.page = page
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        self.monthly = QLineEdit()
        self.monthly.setPlaceholderText("e.g. 100")
        self.monthly.setMaximumWidth(160)
        form.addRow("Monthly limit (USD)", self.monthly)
        self.provider_edits: dict[str, QLineEdit] = {}
        for p in keyed():  # the paid providers: those that take a key
            e = QLineEdit()
            e.setPlaceholderText("no limit")
            e.setMaximumWidth(160)
            self.provider_edits[p] = e
            form.addRow(f"{provider_name(p)} limit", e)
        self.thresholds = QLineEdit()
        self.thresholds.setPlaceholderText("80, 100")
        self.thresholds.setMaximumWidth(160)
        form.addRow("Alert at (% of limit)", self.thresholds)
        mode = QWidget()
        ml = QHBoxLayout(mode)
        ml.setContentsMargins(0, 0, 0, 0)
        self.hard_stop = QRadioButton("Stop cloud calls")
        self.warn_only = QRadioButton("Warn only")
        group = QButtonGroup(self)
        group.addButton(self.hard_stop)
        group.addButton(self.warn_only)
        ml.addWidget(self.hard_stop)
        ml.addWidget(self.warn_only)
        ml.addStretch(1)
        form.addRow("At 100%", mode)
        self.body.addLayout(form)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.hide()
        self.body.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.revert = QPushButton("Revert")
        self.save = QPushButton("Save limits")
        self.save.setObjectName("Primary")
        row.addWidget(self.revert)
        row.addWidget(self.save)
        self.body.addLayout(row)
        self.save.clicked.connect(self.on_save)
        self.revert.clicked.connect(lambda: self.load(self.page.app))
        for e in [self.monthly, self.thresholds, *self.provider_edits.values()]:
            e.returnPressed.connect(self.on_save)

    def load(self, app: Any) -> None:
        """Fill the fields from the current settings."""
        if app is None:
            return
        s = app.settings
        self.monthly.setText(f"{float(s.get('monthly_limit_usd')):g}")
        limits = s.get("provider_limits") or {}
        for p, e in self.provider_edits.items():
            e.setText(f"{float(limits[p]):g}" if p in limits else "")
        self.thresholds.setText(", ".join(f"{t * 100:g}" for t in s.get("alert_thresholds") or []))
        (self.hard_stop if s.get("hard_stop") else self.warn_only).setChecked(True)
        self._say("", "ok")

    def _say(self, text: str, kind: str) -> None:
        c = palette.color({"ok": "ok", "error": "danger"}.get(kind, "muted")).name()
        self.message.setStyleSheet(f"color: {c};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def on_save(self) -> None:
        """Validate every field first (nothing is stored if one is wrong), then save."""
        app = self.page.app
        if app is None:
            return
        from router.budget import parse_usd

        try:
            monthly = parse_usd(self.monthly.text(), "monthly limit")
            prov = {
                p: (parse_usd(e.text(), f"{provider_name(p)} limit") if e.text().strip() else None)
                for p, e in self.provider_edits.items()
            }
            thresholds = parse_thresholds(self.thresholds.text() or "80, 100")
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        try:
            app.settings.alert_thresholds = thresholds
            app.settings.hard_stop = self.hard_stop.isChecked()
            for p, v in prov.items():
                app.budget.set_provider_limit(p, v)
            app.budget.set_monthly_limit(monthly)
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        self._say("Saved.", "ok")
        self.page.controller.ledger_changed()  # the status bar meter and this page re-read the limits


class BudgetPage(PageBase):
    """Month-to-date spend and limits, forecast, alerts, holds, cost per day and the limit editor."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(
            controller, "Budget", "This month's spend against your limits, with a forecast.", parent=parent
        )
        self.status: Any = None
        tiles = Card()
        self.t_spent = StatTile("spent this month")
        self.t_forecast = StatTile("forecast for the month")
        self.t_remaining = StatTile("left to spend")
        self.t_held = StatTile("held for calls in flight")
        self.t_batch = StatTile("saved by batch")
        tiles.body.addLayout(tile_row(self.t_spent, self.t_forecast, self.t_remaining, self.t_held, self.t_batch))
        self.content.addWidget(tiles)

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(14)
        self.meters_card = Card("Month to date", "Meters turn amber at 80% and red at 100% of a limit.")
        self.meters_box = QVBoxLayout()
        self.meters_box.setSpacing(12)
        self.meters_card.body.addLayout(self.meters_box)
        self.meters_card.body.addStretch(1)
        self.chart_card = Card("Cost per day")
        self.chart = ChartView(height=230)
        self.chart_card.body.addWidget(self.chart)
        self.editor = LimitEditor(self)
        self.alerts_card = Card("Alerts this month")
        self.alerts_text = QLabel("")
        self.alerts_text.setWordWrap(True)
        self.alerts_text.setTextFormat(Qt.TextFormat.RichText)
        self.alerts_card.body.addWidget(self.alerts_text)
        self.alerts_card.body.addStretch(1)
        grid.addWidget(self.meters_card, 0, 0)
        grid.addWidget(self.chart_card, 0, 1)
        grid.addWidget(self.editor, 1, 0)
        grid.addWidget(self.alerts_card, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.content.addLayout(grid)
        self.content.addStretch(1)

    def reload(self, app: Any) -> None:
        """Read the budget status (O(1) totals) and fill every card."""
        st = app.budget.status()
        self.status = st
        self.editor.load(app)
        self._tiles(st)
        self._batch_tile(month_discounts(st.month))
        self._meters(st)
        self._chart(st, app.budget.local(app.budget.clock()).date())
        self._alerts(st)
        if st.limit_usd > 0 and st.spent_usd >= st.limit_usd:
            msg = (
                "The monthly limit is reached: cloud calls are stopped; local models keep working."
                if st.hard_stop
                else "The monthly limit is reached (warn-only: cloud calls continue)."
            )
            self.banner.show_message(msg, "error" if st.hard_stop else "warn")
        elif getattr(app, "offline", False):
            self.banner.show_message("Offline mode is on: only local models run, so nothing is being spent.", "info")
        else:
            self.banner.clear_message()
        self.loaded.emit()

    def _tiles(self, st: Any) -> None:
        lvl = level(st.spent_usd / st.limit_usd) if st.limit_usd > 0 else "ok"
        self.t_spent.set_value(money(st.spent_usd), palette.level_color(lvl).name() if lvl != "ok" else None)
        self.t_spent.caption.setText(f"spent of {money(st.limit_usd)} in {_month_name(st.month)}")
        flvl = level(st.forecast_usd / st.limit_usd) if st.limit_usd > 0 else "ok"
        self.t_forecast.set_value(money(st.forecast_usd), palette.level_color(flvl).name() if flvl != "ok" else None)
        self.t_remaining.set_value(money(st.remaining_usd))
        self.t_held.set_value(money(st.held_usd))

    def _batch_tile(self, saved: dict) -> None:
        """What the Batch APIs (half price) and provider prompt caches saved this month."""
        self.t_batch.set_value(money(saved["batch_saved_usd"]))
        n = saved["batch_requests"]
        self.t_batch.caption.setText(
            f"saved by batch ({n} request{'' if n == 1 else 's'}); prompt caching {money(saved['cache_saved_usd'])}"
        )

    def _meters(self, st: Any) -> None:
        while self.meters_box.count():
            item = self.meters_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        warn = min(st.thresholds) if st.thresholds else 0.8
        total = Meter("All providers")
        frac = st.spent_usd / st.limit_usd if st.limit_usd > 0 else (1.0 if st.spent_usd else 0.0)
        total.set_fraction(frac, f"{money(st.spent_usd)} of {money(st.limit_usd)}", warn=warn)
        total.label.setStyleSheet("font-weight: 600;")
        self.meters_box.addWidget(total)
        providers = sorted(
            set(st.spent_by_provider) | set(st.provider_limits), key=lambda p: -st.spent_by_provider.get(p, 0.0)
        )
        for p in providers:
            spent = st.spent_by_provider.get(p, 0.0)
            m = Meter(provider_name(p))
            lim = st.provider_limits.get(p)
            if lim is not None:
                f = spent / lim if lim > 0 else (1.0 if spent else 0.0)
                m.set_fraction(f, f"{money(spent)} of {money(lim)}", warn=warn)
            else:
                share = spent / st.spent_usd if st.spent_usd else 0.0
                m.set_fraction(share, f"{money(spent)} · no limit", warn=2.0, over=3.0)
            self.meters_box.addWidget(m)
        if not providers:
            self.meters_box.addWidget(muted(QLabel("Nothing spent yet this month.")))

    def _chart(self, st: Any, today: date) -> None:
        y, mth = (int(x) for x in st.month.split("-"))
        n_days = calendar.monthrange(y, mth)[1]
        last = today.day if (today.year, today.month) == (y, mth) else n_days
        last = max(last, max((int(d[-2:]) for d, _ in st.daily), default=1))
        by_day = {int(d[-2:]): c for d, c in st.daily}
        days = list(range(1, last + 1))
        cats = [str(d) for d in days]
        self.chart.set_bars(
            cats, {"Cost": [by_day.get(d, 0.0) for d in days]}, money=True, label_every=5 if len(days) > 12 else 1
        )

    def _alerts(self, st: Any) -> None:
        muted_c = palette.muted_color().name()
        lines = [
            f"Alerts fire at <b>{' and '.join(f'{t * 100:g}%' for t in st.thresholds) or 'no thresholds'}</b>"
            f" of each limit, once per month. At 100%: <b>{'cloud calls stop' if st.hard_stop else 'warn only'}"
            "</b>."
        ]
        if st.alerts:
            for a in st.alerts:
                who = "Monthly budget" if a["limit"] == "total" else f"{provider_name(a['limit'])} budget"
                lines.append(
                    f"• {who} reached {a['threshold'] * 100:g}% ({money(a['spent'])} of {money(a['limit_usd'])})"
                )
        else:
            lines.append(f"<span style='color:{muted_c}'>No alert has fired this month.</span>")
        src = "from the monthly limit" if st.tier_source == "derived" else "chosen in Settings"
        lines.append(f"Budget tier: <b>{st.tier.capitalize()}</b> ({src}).")
        lines.append(
            f"<span style='color:{muted_c}'>{money(st.held_usd)} is held right now for calls in flight"
            " (worst case, released when they finish).</span>"
        )
        self.alerts_text.setText("<br>".join(lines))


def _month_name(month: str) -> str:
    try:
        y, m = (int(x) for x in month.split("-"))
        return f"{calendar.month_name[m]} {y}"
    except ValueError:
        return month

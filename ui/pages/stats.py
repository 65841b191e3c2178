"""Stats page: per-model and per-task tables, charts, a date filter, CSV export and the learner's suggestions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from router.errors import SparklioError
from router.savings import discounts
from router.stats import ranked_by_rating
from ui.widgets.card import Card, StatTile, muted, plain_spins, tile_row
from ui.widgets.charts import ChartView
from ui.widgets.format import count, duration_ms, money, percent
from ui.widgets.page import PageBase, alive
from ui.widgets.table import Column, RecordTable, write_csv


def _rating(v: Any) -> str:
    return "—" if v is None else f"{v:.1f} ★"


def _pct(v: Any) -> str:
    return percent(v) if v is not None else "—"


def columns(key_header: str) -> list[Column]:
    """The table columns for the per-model ("Model") or per-task ("Task") table."""
    cols = [Column("key", key_header)]
    if key_header == "Model":
        cols.append(Column("provider", "Provider"))
    return cols + [
        Column("requests", "Requests", count, True, "model calls plus cache hits"),
        Column("success_rate", "Success", _pct, True, "successful calls / (successful + failed)"),
        Column("fallback_rate", "Fallback", _pct, True, "answers given by a fallback model"),
        Column("share", "Share", _pct, True, "share of all answers"),
        Column("latency_p50", "p50", duration_ms, True, "median latency"),
        Column("latency_p95", "p95", duration_ms, True, "95th percentile latency"),
        Column("ttft_p50", "TTFT p50", duration_ms, True, "median time to first token"),
        Column("input_tokens", "Tokens in", count, True),
        Column("output_tokens", "Tokens out", count, True),
        Column("cost_usd", "Cost", money, True),
        Column("cost_per_answer", "Per answer", money, True),
        Column("rating_avg", "Rating", _rating, True, "average stars"),
        Column("ratings", "Ratings", count, True),
        Column("cache_hits", "Cache hits", count, True),
        Column("saved_usd", "Saved", money, True, "money the cache saved"),
    ]


def load_stats(stats: Any, learning: Any, since: str, until: str, auto: Any = None) -> dict:
    """Everything the page shows, as plain data (runs in a worker thread)."""
    return {
        "auto": auto.summary() if auto is not None else None,
        "models": [asdict(g) for g in stats.by_model(since, until)],
        "tasks": [asdict(g) for g in stats.by_task(since, until)],
        "share": stats.usage_share(since, until),
        "daily": stats.cost_per_day(since, until),
        "cache": stats.cache(since, until),
        "provider_cache": discounts(since, until),
        "totals": stats.totals(since, until),
        "suggestions": learning.suggestions("open") if learning is not None else [],
    }


class SuggestionRow(QWidget):
    """One learner suggestion with Accept / Reject."""

    def __init__(self, sug: Any, page: StatsPage) -> None:
        super().__init__()
        self.sug = sug
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 2)
        text = QLabel(sug.text[:1].upper() + sug.text[1:])
        text.setWordWrap(True)
        ev = sug.evidence or {}
        if "p_better" in ev:
            text.setToolTip(
                f"Probability the suggestion is better: {ev['p_better']:.0%}; cost per answer "
                f"{money(ev.get('model_cost_per_answer'))} vs {money(ev.get('current_cost_per_answer'))}"
            )
        lay.addWidget(text, 1)
        self.accept_btn = QPushButton("Accept")
        self.accept_btn.setObjectName("Primary")
        self.reject_btn = QPushButton("Reject")
        lay.addWidget(self.reject_btn)
        lay.addWidget(self.accept_btn)
        self.accept_btn.clicked.connect(lambda: page.decide(sug.id, True))
        self.reject_btn.clicked.connect(lambda: page.decide(sug.id, False))


class StatsPage(PageBase):
    """Per-model and per-task statistics with charts, date filter, CSV export and suggestions."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(controller, "Stats", "Per-model and per-task cost, latency and ratings.", parent=parent)
        self.data: dict = {}
        self.suggestion_rows: list[SuggestionRow] = []
        self._setting_dates = False
        # ---- filter bar ----
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.preset = QComboBox()
        self.preset.addItems(["Last 7 days", "Last 30 days", "This month", "Last 90 days", "All time", "Custom"])
        self.preset.setCurrentIndex(1)
        self.since = QDateEdit()
        self.until = QDateEdit()
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        plain_spins(self.since, self.until)
        bar.addWidget(self.preset)
        bar.addWidget(muted(QLabel("From")))
        bar.addWidget(self.since)
        bar.addWidget(muted(QLabel("to")))
        bar.addWidget(self.until)
        bar.addStretch(1)
        self.export_btn = QPushButton("Export CSV…")
        bar.addWidget(self.export_btn)
        self.content.addLayout(bar)
        # ---- tiles ----
        tiles = Card()
        self.t_answers = StatTile("answers")
        self.t_cost = StatTile("spent")
        self.t_saved = StatTile("saved by the cache")
        self.t_prompt_cache = StatTile("saved by provider prompt caching")
        self.t_failed = StatTile("failed calls")
        self.t_tokens = StatTile("tokens in / out")
        self.t_auto = StatTile("Auto corrected (all time)")
        tiles.body.addLayout(
            tile_row(
                self.t_answers,
                self.t_cost,
                self.t_saved,
                self.t_prompt_cache,
                self.t_failed,
                self.t_tokens,
                self.t_auto,
            )
        )
        self.content.addWidget(tiles)
        # ---- suggestions ----
        self.sugg_card = Card(
            "Suggestions from your ratings",
            "The router compares rated models per task and proposes a new primary when the"
            " evidence is strong. Nothing changes until you accept.",
        )
        self.sugg_box = QVBoxLayout()
        self.sugg_card.body.addLayout(self.sugg_box)
        self.auto_adopt = QCheckBox("Adopt suggestions automatically")
        self.sugg_card.body.addWidget(self.auto_adopt)
        self.content.addWidget(self.sugg_card)
        # ---- charts ----
        grid = QGridLayout()
        grid.setSpacing(14)
        self.c_daily = ChartView(height=210)
        self.c_share = ChartView(height=210)
        self.c_latency = ChartView(height=290)
        self.c_rating = ChartView(height=290)
        for i, (title, view) in enumerate(
            (
                ("Cost per day", self.c_daily),
                ("Usage share", self.c_share),
                ("Latency p50 / p95", self.c_latency),
                ("Average rating", self.c_rating),
            )
        ):
            card = Card(title)
            card.body.addWidget(view)
            grid.addWidget(card, i // 2, i % 2)
        self.content.addLayout(grid)
        # ---- tables ----
        self.tabs = QTabWidget()
        self.model_table = RecordTable(columns("Model"), sort_key="cost_usd")
        self.task_table = RecordTable(columns("Task"), sort_key="cost_usd")
        self.tabs.addTab(self.model_table, "By model")
        self.tabs.addTab(self.task_table, "By task")
        tcard = Card("Details", "Click a column header to sort. Percentiles are within 5%.")
        tcard.body.addWidget(self.tabs)
        self.content.addWidget(tcard)
        self.content.addStretch(1)
        # ---- wiring ----
        self._apply_preset(quiet=True)
        self.preset.currentIndexChanged.connect(lambda _i: self._apply_preset())
        self.since.dateChanged.connect(self._dates_edited)
        self.until.dateChanged.connect(self._dates_edited)
        self.export_btn.clicked.connect(self.on_export)
        self.auto_adopt.toggled.connect(self._auto_adopt_toggled)

    # ---- dates ----
    def today(self) -> date:
        """Today in the budget's clock (the user's local day)."""
        app = self.app
        if app is not None and hasattr(app, "budget"):
            return app.budget.local(app.budget.clock()).date()
        return date.today()

    def _apply_preset(self, quiet: bool = False) -> None:
        idx = self.preset.currentIndex()
        today = self.today()
        starts = {
            0: today - timedelta(days=6),
            1: today - timedelta(days=29),
            2: today.replace(day=1),
            3: today - timedelta(days=89),
            4: date(2000, 1, 1),
        }
        if idx not in starts:
            return
        self._setting_dates = True
        self.since.setDate(QDate(starts[idx]))
        self.until.setDate(QDate(today))
        self._setting_dates = False
        if not quiet:
            self.refresh()

    def _dates_edited(self) -> None:
        if self._setting_dates:
            return
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(5)
        self.preset.blockSignals(False)
        self.refresh()

    def set_range(self, since: date, until: date) -> None:
        """Set a custom date range and reload."""
        self._setting_dates = True
        self.since.setDate(QDate(since))
        self.until.setDate(QDate(until))
        self._setting_dates = False
        self._dates_edited()

    def range(self) -> tuple[str, str]:
        """The filter as ISO days (since, until)."""
        return self.since.date().toPython().isoformat(), self.until.date().toPython().isoformat()

    # ---- loading ----
    def reload(self, app: Any) -> None:
        """Query the stats layer in a worker thread, then fill tables and charts."""
        if self.preset.currentIndex() != 5:
            self._apply_preset(quiet=True)
        since, until = self.range()
        if since > until:
            self.banner.show_message("The start date is after the end date.", "warn")
            self.loaded.emit()
            return
        self.auto_adopt.blockSignals(True)
        self.auto_adopt.setChecked(app.settings.auto_adopt)
        self.auto_adopt.blockSignals(False)

        def done(data: dict | None) -> None:
            if data is not None:
                self.banner.clear_message()
                self.show_data(data)
            self.loaded.emit()

        self.in_thread(
            load_stats,
            app.stats,
            getattr(app, "learning", None),
            since,
            until,
            getattr(app, "auto", None),
            on_done=done,
            on_error=lambda m: (self.controller.error(m), self.loaded.emit()),
        )

    def show_data(self, data: dict) -> None:
        """Fill every widget from loaded data."""
        self.data = data
        t = data["totals"]
        self.t_answers.set_value(count(t["answers"]))
        self.t_cost.set_value(money(t["cost_usd"]))
        c = data["cache"]
        self.t_saved.set_value(money(c["saved_usd"]))
        self.t_saved.caption.setText(f"saved by the cache ({_pct(c['hit_rate'])} hit rate)")
        pc = data["provider_cache"]
        self.t_prompt_cache.set_value(money(pc["cache_saved_usd"]))
        self.t_prompt_cache.caption.setText(
            f"saved by provider prompt caching ({count(pc['cached_input_tokens'])} tokens read from it)"
        )
        self.t_failed.set_value(count(t["failed"]))
        self.t_tokens.set_value(f"{count(t['input_tokens'])} / {count(t['output_tokens'])}")
        a = data.get("auto")
        if a is not None:
            self.t_auto.set_value(f"{count(a['answer_corrections'])} of {count(a['auto_answers'])}")
            self.t_auto.caption.setText(f"Auto answers corrected ({_pct(a['corrected_rate'])})")
            self.t_auto.setToolTip(
                f"All time. Auto's task was also overridden {a['composer_corrections']} times"
                " in the composer; every correction teaches Auto (capped)."
            )
        self.model_table.set_records(data["models"])
        self.task_table.set_records(data["tasks"])
        self._charts(data)
        self._suggestions(data["suggestions"])

    def _charts(self, data: dict) -> None:
        daily = data["daily"]
        self.c_daily.set_bars(
            [d["day"][5:] for d in daily],
            {"Cost": [d["cost_usd"] for d in daily]},
            money=True,
            label_every=max(1, len(daily) // 6),
        )
        self.c_share.set_pie([(m, n) for m, n, _s in data["share"]])
        lat = [m for m in data["models"] if m["latency_p50"] is not None]
        lat.sort(key=lambda m: -(m["answers"] or 0))
        lat = sorted(lat[:7], key=lambda m: -(m["latency_p50"] or 0))
        self.c_latency.set_bars(
            [m["key"] for m in lat],
            {
                "p50 (s)": [(m["latency_p50"] or 0) / 1000 for m in lat],
                "p95 (s)": [(m["latency_p95"] or 0) / 1000 for m in lat],
            },
            horizontal=True,
            unit=" s",
        )
        rated = ranked_by_rating(data["models"])[:8][::-1]  # Bayesian average: one lucky 5-star is not first
        self.c_rating.set_bars(
            [f"{m['key']} ({m['ratings']})" for m in rated],
            {"Stars": [m["rating_avg"] for m in rated]},
            horizontal=True,
            max_value=5,
        )

    def _suggestions(self, suggestions: list) -> None:
        while self.sugg_box.count():
            item = self.sugg_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.suggestion_rows = [SuggestionRow(s, self) for s in suggestions]
        for row in self.suggestion_rows:
            self.sugg_box.addWidget(row)
        if not suggestions:
            self.sugg_box.addWidget(muted(QLabel("No open suggestions. Rate answers in Chat to teach the router.")))

    # ---- actions ----
    def decide(self, suggestion_id: int, accept: bool) -> None:
        """Accept or reject a suggestion, then reload."""
        app = self.app
        try:
            sug = app.learning.accept(suggestion_id) if accept else app.learning.reject(suggestion_id)
        except SparklioError as exc:
            self.controller.error(str(exc))
            return
        if accept:
            self.banner.show_message(f"{sug.model} is now the primary model for {sug.task}.", "ok")
        else:
            self.banner.show_message("Suggestion dismissed; it will not be proposed again.", "info")
        self._refresh_keep_banner()

    def _refresh_keep_banner(self) -> None:
        text, kind = self.banner.text(), self.banner.kind
        self.refresh()

        def again() -> None:
            if alive(self):
                self.banner.show_message(text, kind)
            try:
                self.loaded.disconnect(again)
            except (RuntimeError, TypeError):
                pass

        self.loaded.connect(again)

    def _auto_adopt_toggled(self, on: bool) -> None:
        if self.app is None:
            return
        try:
            self.app.settings.auto_adopt = on
        except SparklioError as exc:
            self.controller.error(str(exc))

    def current_table(self) -> RecordTable:
        """The table on the visible tab."""
        return self.model_table if self.tabs.currentIndex() == 0 else self.task_table

    def write_csv(self, path: str | Path, which: str | None = None) -> int:
        """Write the per-model ("models") or per-task ("tasks") table, as sorted on screen; returns rows."""
        table = {"models": self.model_table, "tasks": self.task_table}.get(which or "", self.current_table())
        return write_csv(path, table.source.columns, table.visible_records())

    def on_export(self) -> None:
        """Ask where to save the visible table as CSV."""
        which = "models" if self.tabs.currentIndex() == 0 else "tasks"
        since, until = self.range()
        path, _ = QFileDialog.getSaveFileName(
            self, "Export statistics", f"sparklio-{which}-{since}-{until}.csv", "CSV files (*.csv)"
        )
        if not path:
            return
        try:
            n = self.write_csv(path, which)
        except OSError as exc:
            self.controller.error(f"Could not write {path}: {exc.strerror or exc}")
            return
        self.banner.show_message(f"Saved {n} rows to {path}.", "ok")

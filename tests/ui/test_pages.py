"""Budget and Stats pages (and every page before/after ready) against a real facade on the demo database."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from router.demo import seed_demo
from router.settings import FIELDS
from tests.ui.pages_support import NOW, PAGES, open_page, page_class
from ui.controller import AppController
from ui.widgets.format import money

pytestmark = pytest.mark.usefixtures("keep_closed_loops")


# ---------------------------------------------------------------- every page


@pytest.mark.parametrize("key", list(PAGES))
def test_page_says_loading_before_ready_then_fills(qtbot, qloop, demo, key):
    controller = AppController()
    page = page_class(key)(controller)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qloop.spin(0.02)
    assert page.stack.currentIndex() == 0 and page.loading.text() == "Loading…"
    seen = []
    page.loaded.connect(lambda: seen.append(1))
    controller.attach(demo)  # ready fires: a visible page loads by itself
    qloop.until(lambda: seen and not page.busy(), what="the page to load after ready")
    assert page.stack.currentIndex() == 1
    assert page.banner.kind != "error" or not page.banner.isVisible(), page.banner.text()
    controller.app = None


# ---------------------------------------------------------------- budget


def test_budget_page_shows_month_against_limits(qtbot, qloop, controller, demo):
    page = open_page(qtbot, qloop, "budget", controller)
    st = demo.budget.status()
    assert st.spent_usd > 0 and st.month == "2026-11"
    assert page.t_spent.value.text() == money(st.spent_usd)
    assert page.t_forecast.value.text() == money(st.forecast_usd)
    meters = [page.meters_box.itemAt(i).widget() for i in range(page.meters_box.count())]
    total = meters[0]
    assert total.value.text() == f"{money(st.spent_usd)} of {money(st.limit_usd)}"
    by_label = {m.label.text(): m for m in meters[1:]}
    openai = by_label["OpenAI"]
    frac = st.spent_by_provider["openai"] / st.provider_limits["openai"]
    assert openai.level == ("over" if frac >= 1 else "warn" if frac >= 0.8 else "ok")
    assert openai.value.text() == f"{money(st.spent_by_provider['openai'])} of {money(30.0)}"
    # cost per day: one bar per day up to "today" (the 24th), matching the ledger's daily totals
    assert page.chart.kind == "bars" and len(page.chart.categories) == 24
    daily = dict(st.daily)
    assert page.chart.values["Cost"][9] == pytest.approx(daily.get("2026-11-10", 0.0))
    fired = {a["limit"] for a in st.alerts}
    for key in fired:
        assert ("OpenAI" if key == "openai" else "Monthly" if key == "total" else key) in page.alerts_text.text()


def test_budget_limit_editor_validates_then_saves(qtbot, qloop, controller, demo):
    page = open_page(qtbot, qloop, "budget", controller)
    ed = page.editor
    before = {k: demo.settings.get(k) for k in FIELDS}
    said = []
    controller.message.connect(lambda level, text: said.append((level, text)))  # the one message bridge
    for field, text, words in (
        (ed.monthly, "abc", "monthly limit must be a number"),
        (ed.monthly, "-5", "zero or more"),
        (ed.provider_edits["openai"], "ten", "OpenAI limit must be a number"),
        (ed.thresholds, "80, 150", "between 1% and 100%"),
    ):
        ed.load(demo)
        field.setText(text)
        qtbot.mouseClick(ed.save, Qt.MouseButton.LeftButton)
        assert said[-1][0] == "error" and words in said[-1][1], said
        assert {k: demo.settings.get(k) for k in FIELDS} == before  # nothing half-saved
    ed.load(demo)
    ed.monthly.setText("$75")
    ed.provider_edits["openai"].setText("40")
    ed.provider_edits["anthropic"].setText("")
    ed.provider_edits["google"].setText("12.5")
    ed.thresholds.setText("50, 90%, 100")
    ed.warn_only.setChecked(True)
    seen = []
    page.loaded.connect(lambda: seen.append(1))
    qtbot.mouseClick(ed.save, Qt.MouseButton.LeftButton)
    assert ed.message.text() == "Saved."
    s = demo.settings
    assert s.get("monthly_limit_usd") == 75.0
    assert s.get("provider_limits") == {"openai": 40.0, "google": 12.5}
    assert s.get("alert_thresholds") == [0.5, 0.9, 1.0] and s.get("hard_stop") is False
    qloop.until(lambda: seen, what="the page to reload after saving")
    assert page.meters_box.itemAt(0).widget().value.text().endswith("of $75.00")


# ---------------------------------------------------------------- stats


def test_stats_tables_sort_and_csv_export_writes_visible_rows(qtbot, qloop, controller, demo, tmp_path):
    page = open_page(qtbot, qloop, "stats", controller)
    since, until = page.range()
    assert (since, until) == ("2026-10-26", "2026-11-24")  # last 30 days by the budget's clock
    expected = demo.stats.by_model(since, until)
    table = page.model_table
    assert sorted(r["key"] for r in table.visible_records()) == sorted(g.key for g in expected)
    costs = [r["cost_usd"] for r in table.visible_records()]
    assert costs == sorted(costs, reverse=True)  # default: dearest first
    col = [c.key for c in table.source.columns].index("requests")
    table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    rows = table.visible_records()
    assert [r["requests"] for r in rows] == sorted(g.requests for g in expected)
    out = tmp_path / "models.csv"
    assert page.write_csv(out, "models") == len(rows)
    with open(out, newline="", encoding="utf-8") as fh:
        got = list(csv.reader(fh))
    assert got[0] == [c.header for c in table.source.columns]
    assert [line[0] for line in got[1:]] == [r["key"] for r in rows]
    cost_i = got[0].index("Cost")
    assert [float(line[cost_i]) for line in got[1:]] == pytest.approx([r["cost_usd"] for r in rows])
    # per-task table and the charts come from the same range
    assert {r["key"] for r in page.task_table.visible_records()} == {g.key for g in demo.stats.by_task(since, until)}
    assert page.c_daily.kind == "bars" and page.c_share.kind == "pie"
    assert len(page.c_daily.categories) == len(demo.stats.cost_per_day(since, until))


def test_stats_date_filter_narrows_the_rows(qtbot, qloop, controller, demo):
    page = open_page(qtbot, qloop, "stats", controller)
    day = datetime.fromtimestamp(NOW).date() - timedelta(days=3)
    seen = []
    page.loaded.connect(lambda: seen.append(1))
    page.set_range(day, day)
    qloop.until(lambda: seen and not page.busy(), what="the filtered reload")
    assert page.preset.currentText() == "Custom"
    one_day = demo.stats.totals(day.isoformat(), day.isoformat())
    assert page.t_cost.value.text() == money(one_day["cost_usd"])
    assert sum(r["requests"] for r in page.model_table.visible_records()) == sum(
        g.requests for g in demo.stats.by_model(day.isoformat(), day.isoformat())
    )


@pytest.mark.parametrize("accept", [True, False])
def test_suggestion_accept_or_reject_changes_state(qtbot, qloop, controller, demo, accept):
    page = open_page(qtbot, qloop, "stats", controller)
    [sug] = demo.learning.suggestions("open")
    assert sug.task == "brief_questions" and sug.current == "gpt-4"
    [row] = page.suggestion_rows
    assert row.sug.id == sug.id
    seen = []
    page.loaded.connect(lambda: seen.append(1))
    qtbot.mouseClick(row.accept_btn if accept else row.reject_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: seen and not page.busy(), what="the reload after deciding")
    after = demo.learning._get(sug.id)
    assert after.status == ("accepted" if accept else "rejected")
    assert demo.learning.suggestions("open") == [] and page.suggestion_rows == []
    primary = demo.policy.row("brief_questions")[0]
    assert primary == (sug.model if accept else "gpt-4")
    assert (sug.model in page.banner.text()) == accept


# ---------------------------------------------------------------- the demo database


def test_demo_seed_is_deterministic_and_needs_an_empty_folder(tmp_path):
    from router.errors import SparklioError
    from router.store.db import database

    def snapshot(folder):
        s = seed_demo(folder, seed=11, now=NOW, days=6)
        rows = database.execute_sql(
            "SELECT day, task, model, outcome, cost_usd, input_tokens FROM llm_usage ORDER BY id"
        ).fetchall()
        conv = database.execute_sql("SELECT title FROM conversations ORDER BY id").fetchall()
        return s, rows, conv

    a, rows_a, conv_a = snapshot(tmp_path / "a")
    b, rows_b, conv_b = snapshot(tmp_path / "b")
    assert a == b and rows_a == rows_b and conv_a == conv_b and len(rows_a) == a.ledger_rows > 0
    assert {r[3] for r in rows_a} >= {"ok", "error"} and a.ratings > 30
    spent = database.execute_sql("SELECT COALESCE(SUM(cost_usd), 0) FROM llm_usage WHERE month = '2026-11'").fetchone()[
        0
    ]
    assert spent == pytest.approx(b.month_spend_usd, abs=1e-3)
    with pytest.raises(SparklioError, match="empty data folder"):
        seed_demo(tmp_path / "b", seed=11, now=NOW)


def test_stats_shows_how_often_auto_was_corrected(qtbot, qloop, controller, demo):
    conv = demo.conversations.create()
    demo.conversations.add(conv.id, "user", "make our spring banner pop")
    for _ in range(3):
        mid = demo.conversations.add(conv.id, "assistant", "ok", meta={"task": "chat_response", "auto_task": True})
    demo.auto.correct_answer(mid, "image_generation_quality", source="answer")
    page = open_page(qtbot, qloop, "stats", controller)
    assert page.t_auto.value.text() == "1 of 3"
    assert "33%" in page.t_auto.caption.text() and "overridden 0 times in the composer" in page.t_auto.toolTip()

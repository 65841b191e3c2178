"""Issue 16's small fixes: row provenance in plans, Bayesian rating rank, terminal tables, tidy prompts."""

from __future__ import annotations

import asyncio

import pytest

from router.cli.table import fit_table
from router.stats import ranked_by_rating
from router.types import Message, RouteRequest
from tests.conftest import make_cloud_app


@pytest.fixture
def app(data_dir, memory_keyring, fake_openai):
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    yield app
    asyncio.run(app.aclose())


def _primary_why(app, task: str) -> str:
    plan = app.plan(RouteRequest([Message("user", "hello there")], task=task))
    return plan.chain[0].why


def test_plan_says_where_each_row_came_from(app):
    task = "brief_questions"
    assert "(policy document)" in _primary_why(app, task) or "(strategy document)" in _primary_why(app, task)
    row = app.policy.row(task)
    app.policy.set_task_row(task, [row[1], row[0]], app.catalog)
    assert f"of the {task} row (your edit)" in _primary_why(app, task)
    app.policy.set_task_row(task, row, app.catalog, origin="learned:2026-12-04")
    assert "(learned from your ratings on 2026-12-04)" in _primary_why(app, task)
    app.policy.reset_task_row(task)
    assert "your edit" not in _primary_why(app, task) and "learned" not in _primary_why(app, task)


def test_one_lucky_rating_does_not_top_the_chart():
    groups = [
        {"key": "lucky", "ratings": 1, "rating_avg": 5.0},
        {"key": "steady", "ratings": 40, "rating_avg": 4.6},
        {"key": "weak", "ratings": 30, "rating_avg": 3.0},
        {"key": "unrated", "ratings": 0, "rating_avg": None},
    ]
    assert [g["key"] for g in ranked_by_rating(groups)] == ["steady", "lucky", "weak"]
    assert ranked_by_rating([{"key": "x", "ratings": 0, "rating_avg": None}]) == []


def test_terminal_table_fits_the_width_and_keeps_the_key_column():
    headers = ["model", "requests", "p50", "ttft", "cost"]
    rows = [["claude-3-5-sonnet", "210", "5.9 s", "1.2 s", "$5.80"], ["gpt-4", "216", "4.7 s", "999 ms", "$25.07"]]
    wide = fit_table(headers, rows, right={1, 2, 3, 4}, width=200)
    assert len({len(line) for line in wide[1:]}) == 1 and "ttft" in wide[0]  # aligned, nothing dropped
    narrow = fit_table(headers, rows, right={1, 2, 3, 4}, drop_order=[3, 2], width=44)
    assert all(len(line) <= 44 for line in narrow) and "ttft" not in narrow[0] and "model" in narrow[0]
    assert narrow[1].split()[0] == "claude-3-5-sonnet"


def test_caption_prompt_reads_well_for_any_platform(app):
    from router.workflows.runner import WorkflowRunner

    wf = WorkflowRunner(app).get("sns_post_set")
    assert "a Instagram" not in wf.step("captions").prompt.replace("{inputs.platform}", "Instagram")

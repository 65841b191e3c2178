"""The ledger's columns are defined once (LlmUsage); an attempt record becomes exactly one row of them."""

from __future__ import annotations

import pytest

from router.attempts import AttemptRecord
from router.budget import LEDGER_COLUMNS, Budget
from router.catalog import ModelSpec
from router.errors import TransientError
from router.settings import Settings
from router.store import database, open_store
from router.store.models import LlmUsage
from router.types import Usage

MODEL = ModelSpec(id="gpt-test", provider="openai", api_model="gpt-test", input_price=1.0, output_price=2.0)


@pytest.fixture
def budget(data_dir):
    store = open_store(data_dir)
    yield Budget(Settings(store))
    store.close()


def test_the_model_is_the_migrated_table(budget):
    table = [r[1] for r in database.execute_sql("PRAGMA table_info(llm_usage)").fetchall() if r[1] != "id"]
    assert sorted(table) == sorted(LEDGER_COLUMNS)  # every migration's column, and nothing the SQL lacks
    assert LEDGER_COLUMNS == tuple(f.column_name for f in LlmUsage._meta.sorted_fields if f.name != "id")


def test_an_attempt_record_is_one_ledger_row(budget):
    rec = AttemptRecord(
        MODEL,
        "chat",
        "copywriting_standard",
        position=1,
        number=2,
        message_id=7,
        conversation_id=3,
        workflow_run_id=None,
        experiment=True,
        policy_model="gpt-old",
    )
    rec.outcome = "cut"
    rec.ttft = rec.t0 + 0.25
    rec.text = ["Fresh ", "sourdough"]
    usage = rec.estimate(120)
    assert usage == Usage(input_tokens=120, output_tokens=len("Fresh sourdough") // 4)
    row = rec.ledger_row(usage=usage, cost=0.002, error=TransientError("cut", provider="openai", reason="stream_cut"))
    assert set(row) <= set(LEDGER_COLUMNS)
    rid = budget.record_attempt(rec.hold, **row)
    got = LlmUsage.get_by_id(rid)
    assert (got.model, got.provider, got.task, got.kind, got.outcome) == (
        "gpt-test",
        "openai",
        "copywriting_standard",
        "chat",
        "cut",
    )
    assert (got.fallback_position, got.attempt, got.message_id, got.conversation_id) == (1, 2, 7, 3)
    assert got.experiment is False  # an experiment is the primary's slot only; this was the fallback
    assert got.policy_model == "gpt-old" and got.error == "cut" and got.error_class == "stream_cut"
    assert got.ttft_ms == pytest.approx(250.0) and got.cost_usd == pytest.approx(0.002)
    assert (got.input_tokens, got.output_tokens, got.cache_saved_usd, got.batch_job_id) == (120, 3, 0.0, None)


def test_a_row_with_an_unknown_column_is_refused(budget):
    with pytest.raises(TypeError, match="unknown ledger columns"):
        budget.record_attempt(None, task="t", model="m", provider="p", outcome="ok", colour="blue")

"""A live answer is stored in its ledger row's transaction: one commit at the end of a stream, both or neither."""

from __future__ import annotations

from router.store.db import database
from router.store.models import ChatMessage, LlmUsage
from router.types import AnswerDone, Message, RouteRequest


async def test_answer_and_ledger_row_commit_together(cloud_app, fake_openai):
    app = cloud_app
    statements: list[str] = []
    conn = database.connection()
    conn.set_trace_callback(statements.append)
    try:
        request = RouteRequest([Message("user", "Name a bread")], model="gpt-4o-mini", use_cache=False)
        answers = [ev.answer async for ev in app.run(request) if isinstance(ev, AnswerDone)]
    finally:
        conn.set_trace_callback(None)
    done = answers[0]
    begin = max(i for i, q in enumerate(statements) if q.startswith("INSERT INTO llm_usage"))
    begin = max(i for i in range(begin) if statements[i].startswith("BEGIN"))
    end = next(i for i in range(begin, len(statements)) if statements[i].startswith("COMMIT"))
    txn = statements[begin:end]
    assert any(q.startswith("UPDATE messages SET content") for q in txn)  # the answer, inside the ledger's transaction
    assert not any(q.startswith("UPDATE messages") for q in statements[end:])  # and not written a second time
    msg = ChatMessage.get_by_id(done.message_id)
    assert msg.status == "ok" and msg.content == done.text and msg.meta_dict["cost_usd"] == done.cost_usd
    assert LlmUsage.select().where(LlmUsage.message_id == done.message_id).count() == 1


def test_a_failing_write_with_the_row_never_costs_the_row(cloud_app):
    budget, m = cloud_app.budget, cloud_app.catalog.get("gpt-4o-mini")
    hold = budget.reserve(m, 0.05, {"task": "chat_response"})

    def broken() -> None:
        database.execute_sql("UPDATE no_such_table SET x = 1")

    rid = budget.record_attempt(
        hold, with_row=broken, task="chat_response", model=m.id, provider=m.provider, outcome="ok", cost_usd=0.01
    )
    row = LlmUsage.get_by_id(rid)
    assert row.cost_usd == 0.01 and row.outcome == "ok"
    assert database.execute_sql("SELECT COUNT(*) FROM reservations").fetchone()[0] == 0  # the hold released too

"""Request-path writes (router/store/loop_writes.py): inline on the loop, a held lock never blocks the loop, a
cancelled caller leaves nothing pending or held, and a kill -9 loses nothing that was acknowledged."""

from __future__ import annotations

import asyncio
import sqlite3
import textwrap

import pytest

from router.store import database
from router.types import AnswerDone, Message, RouteRequest
from tests.write_helpers import acked_then_killed, count, insert_conversation


def ask(prompt: str, **kw) -> RouteRequest:
    return RouteRequest([Message("user", prompt)], task="chat_response", complexity="simple", model="gpt-4o-mini", **kw)


async def test_a_write_commits_inline_and_a_failing_one_leaves_no_trace(store):
    writes = store.writes
    rid = await writes.run(lambda: insert_conversation("kept"))
    assert rid > 0 and writes.inline == 1 and count(store.path) == 1  # committed before the caller got its id

    def boom() -> None:
        insert_conversation("rolled back")
        raise ValueError("this write fails")

    with pytest.raises(ValueError, match="this write fails"):
        await writes.run(boom)
    assert count(store.path) == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10_000  # the loop's connection restored


async def test_a_lock_held_by_another_process_never_blocks_the_loop(store):
    other = sqlite3.connect(str(store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    other.execute("INSERT INTO conversations(title, created_at, updated_at) VALUES ('theirs', 0, 0)")
    write = asyncio.ensure_future(store.writes.run(lambda: insert_conversation("ours")))
    ticks = 0
    for _ in range(10):  # the loop keeps turning while the write waits for the lock on a worker thread
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 10 and not write.done()
    other.execute("COMMIT")
    other.close()
    assert await write > 0
    assert store.writes.on_thread == 1 and store.writes.inline == 0
    assert count(store.path) == 2
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10_000  # the loop's connection restored


async def test_a_chat_request_waits_for_another_process_off_the_loop(cloud_app):
    """The live path: the question and the hold wait for another process's lock on a worker thread."""
    other = sqlite3.connect(str(cloud_app.store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    asyncio.get_running_loop().call_later(0.3, lambda: (other.execute("COMMIT"), other.close()))
    answer = await cloud_app.ask(ask("Write a haiku about autumn", use_cache=False))
    assert answer.text and cloud_app.store.writes.on_thread >= 1
    assert count(cloud_app.store.path, "reservations") == 0 and count(cloud_app.store.path, "llm_usage") == 1


async def test_a_finished_streams_ledger_row_waits_for_another_process_off_the_loop(cloud_app):
    """The ledger row (with the answer) goes through LoopWrites too: a lock taken mid-stream never freezes the loop
    (the COMMIT that frees it is a loop callback), and the row is written once the lock is free."""
    path, other = cloud_app.store.path, None
    async for ev in cloud_app.run(ask("Write a haiku about autumn", use_cache=False)):
        if type(ev).__name__ == "TextDelta" and other is None:
            other = sqlite3.connect(str(path), isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another process starts writing while the answer streams
            asyncio.get_running_loop().call_later(0.3, lambda c=other: (c.execute("COMMIT"), c.close()))
        if isinstance(ev, AnswerDone):
            done = ev.answer
    assert done.text and cloud_app.store.writes.on_thread >= 1
    assert count(path, "llm_usage") == 1 and count(path, "reservations") == 0
    stored = database.execute_sql("SELECT content, status FROM messages WHERE id = ?", (done.message_id,)).fetchone()
    assert stored == (done.text, "ok")  # the answer committed with its ledger row


async def test_the_question_and_the_hold_commit_before_the_first_token(cloud_app):
    """Seen from another connection (another process) while the answer streams."""
    path, seen = cloud_app.store.path, {}
    async for ev in cloud_app.run(ask("Write a haiku about autumn", use_cache=False)):
        if type(ev).__name__ == "TextDelta" and not seen:
            conn = sqlite3.connect(str(path))
            seen = {
                "messages": conn.execute("SELECT role, content, status FROM messages ORDER BY id").fetchall(),
                "holds": conn.execute("SELECT COUNT(*) FROM reservations").fetchone()[0],
                "ledger": conn.execute("SELECT COUNT(*) FROM llm_usage").fetchone()[0],
            }
            conn.close()
        if isinstance(ev, AnswerDone):
            assert ev.answer.text
    assert seen["messages"] == [("user", "Write a haiku about autumn", "ok"), ("assistant", "", "pending")]
    assert seen["holds"] == 1 and seen["ledger"] == 0
    assert count(path, "reservations") == 0 and count(path, "llm_usage") == 1  # settled with its ledger row
    assert cloud_app.store.writes.inline >= 2  # the question and the hold went through LoopWrites


async def test_a_question_stopped_while_another_process_writes_is_stored_and_its_answer_cancelled(
    cloud_app, fake_openai
):
    other = sqlite3.connect(str(cloud_app.store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the question has to wait for this lock (on a worker thread)

    async def consume() -> None:
        async for _ in cloud_app.run(ask("Stop me at once")):
            pass

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0.05)
    task.cancel()  # stopped before the question could commit
    with pytest.raises(asyncio.CancelledError):
        await task
    other.execute("COMMIT")
    other.close()
    for _ in range(100):  # the question commits on the thread, then its answer is marked cancelled
        rows = database.execute_sql("SELECT role, content, status FROM messages ORDER BY id").fetchall()
        if rows and rows[-1][2] == "cancelled":
            break
        await asyncio.sleep(0.05)
    assert rows == [("user", "Stop me at once", "ok"), ("assistant", "", "cancelled")]  # the user's text kept
    assert not [r for r in fake_openai.requests if r.path == "/v1/chat/completions"]  # nothing was sent


async def test_a_hold_whose_caller_is_cancelled_while_it_waits_is_released(cloud_app):
    model = cloud_app.catalog.get("gpt-4o-mini")
    other = sqlite3.connect(str(cloud_app.store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    task = asyncio.ensure_future(cloud_app.budget.areserve(model, 0.10))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    other.execute("COMMIT")
    other.close()
    for _ in range(100):  # the hold commits on the thread, then is released
        if cloud_app.store.writes.inline >= 1:
            break
        await asyncio.sleep(0.05)
    assert cloud_app.store.writes.on_thread == 1 and cloud_app.store.writes.inline == 1
    assert count(cloud_app.store.path, "reservations") == 0


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from router.store import database, open_store
    store = open_store(sys.argv[1])

    async def main():
        i = 0
        while True:
            i += 1
            title = f"w{i}"
            rid = await store.writes.run(lambda: database.execute_sql(
                "INSERT INTO conversations(title, created_at, updated_at) VALUES (?, 0, 0)", (title,)).lastrowid)
            print(title, rid, flush=True)  # acknowledged: its transaction has committed

    asyncio.run(main())
    """
)


def test_kill_9_during_writes_loses_nothing_acknowledged(data_dir):
    acked, stored = acked_then_killed(data_dir, CHILD, 400)
    assert all(stored.get(title) == int(rid) for title, rid in acked)

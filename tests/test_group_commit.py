"""Group commit (router/store/loop_writes.py): writes awaited in one loop turn commit in one transaction, a failing
write fails alone, a cancelled caller leaves no hold, a held lock sends the whole batch to a thread, and a kill -9
during batched writes loses nothing acknowledged."""

from __future__ import annotations

import asyncio
import sqlite3
import textwrap

import pytest

from router.store import database
from tests.write_helpers import acked_then_killed, count, insert_conversation


def traced() -> list[str]:
    """The statements the loop's connection runs from now on (what SQLite itself executes)."""
    seen: list[str] = []
    database.connection().set_trace_callback(seen.append)
    return seen


def transactions(statements: list[str]) -> tuple[int, int]:
    """(BEGIN, COMMIT) statements among `statements`."""
    begins = sum(s.strip().upper().startswith("BEGIN") for s in statements)
    return begins, sum(s.strip().upper() == "COMMIT" for s in statements)


async def test_fifty_writes_awaited_together_commit_in_one_transaction(store):
    """The first task writes at once (a lone request waits for no turn); the other 49 of its turn commit together."""
    seen = traced()
    ids = await asyncio.gather(*(store.writes.run(lambda i=i: insert_conversation(f"c{i}")) for i in range(50)))
    database.connection().set_trace_callback(None)
    assert transactions(seen) == (2, 2) and store.writes.commits == 2 and store.writes.inline == 50
    batch = seen[[i for i, s in enumerate(seen) if s.startswith("BEGIN")][1] - 1 :]  # from its busy_timeout 0
    assert sum(s.startswith("INSERT INTO conversations") for s in batch) == 49  # 49 writes, one BEGIN ... COMMIT
    assert sum(s.startswith("PRAGMA busy_timeout") for s in batch) == 2  # toggled once for the batch, not per write
    assert len(set(ids)) == 50 and count(store.path) == 50  # each caller its own id, all committed before they got it
    await store.writes.run(lambda: insert_conversation("later"))  # a later turn: its own transaction
    assert store.writes.commits == 3


async def test_a_lone_task_writes_at_once_without_waiting_for_a_turn(store):
    """A lone request's question and hold commit in its first step, each in its own transaction, as before."""
    first = await store.writes.run(lambda: insert_conversation("question"))
    assert count(store.path) == 1  # committed before the task ever gave the loop a turn
    second = await store.writes.run(lambda: insert_conversation("hold"))
    assert second == first + 1 and store.writes.commits == 2 and count(store.path) == 2


async def test_a_failing_write_in_a_batch_fails_alone(store):
    def boom() -> int:
        insert_conversation("rolled back")
        raise ValueError("this write fails")

    results = await asyncio.gather(
        store.writes.run(lambda: insert_conversation("alone")),  # the turn's first task: at once
        store.writes.run(lambda: insert_conversation("first")),
        store.writes.run(boom),
        store.writes.run(lambda: insert_conversation("last")),
        return_exceptions=True,
    )
    assert isinstance(results[2], ValueError) and str(results[2]) == "this write fails"
    assert all(isinstance(r, int) for r in (results[1], results[3])) and store.writes.commits == 2
    titles = sorted(r[0] for r in database.execute_sql("SELECT title FROM conversations").fetchall())
    assert titles == ["alone", "first", "last"]
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10_000  # the loop's connection restored


def delete_conversation(rid: int) -> None:
    database.execute_sql("DELETE FROM conversations WHERE id = ?", (rid,))


@pytest.mark.parametrize("turns", [1, 2])
async def test_a_write_whose_caller_stops_in_a_batch_is_undone(store, turns):
    """turns=1: stopped before the batch ran (undone in its own savepoint); 2: after its COMMIT, before it woke.
    (A hold's `on_cancel` releases it the same way: router/budget.py.)"""
    tasks = [
        asyncio.ensure_future(store.writes.run(lambda i=i: insert_conversation(f"h{i}"), on_cancel=delete_conversation))
        for i in range(3)
    ]
    for _ in range(turns):  # 1: the batch is queued; 2: the batch has committed, its callers not yet resumed
        await asyncio.sleep(0)
    tasks[1].cancel()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(done[1], asyncio.CancelledError)
    kept = {r for r in done if not isinstance(r, BaseException)}
    for _ in range(100):  # the stopped caller's write is undone (in its own savepoint, or by a write after it)
        rows = {r[0] for r in database.execute_sql("SELECT id FROM conversations").fetchall()}
        if rows == kept:
            break
        await asyncio.sleep(0.01)
    assert rows == kept and len(kept) == 2 and store.writes.on_thread == 0
    # the first write alone, the other two in one batch; turns=2: the undo is a write of its own, after the batch
    assert store.writes.commits == 1 + turns


async def test_a_batch_waits_for_another_process_on_a_thread_in_one_transaction(store):
    other = sqlite3.connect(str(store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    batch = asyncio.gather(*(store.writes.run(lambda i=i: insert_conversation(f"ours{i}")) for i in range(5)))
    for _ in range(10):  # the loop keeps turning while the batch waits for the lock on a worker thread
        await asyncio.sleep(0.01)
    assert not batch.done() and count(store.path) == 0
    other.execute("COMMIT")
    other.close()
    assert len(set(await batch)) == 5 and count(store.path) == 5
    assert store.writes.on_thread == 5 and store.writes.inline == 0 and store.writes.commits == 2  # 1 + 4


async def test_ledger_rows_of_streams_ending_together_commit_in_one_transaction(cloud_app):
    budget, model = cloud_app.budget, cloud_app.catalog.get("gpt-4o-mini")
    holds = await asyncio.gather(*(budget.areserve(model, 0.05, {"task": "chat_response"}) for _ in range(5)))
    assert cloud_app.store.writes.commits == 5 and count(cloud_app.store.path, "reservations") == 5  # at once
    row = {"task": "chat_response", "model": model.id, "provider": model.provider, "outcome": "ok", "cost_usd": 0.01}
    ids = await asyncio.gather(*(budget.arecord_attempt(h, **row) for h in holds))
    assert cloud_app.store.writes.commits == 7 and len(set(ids)) == 5  # the first at once, four together
    assert count(cloud_app.store.path, "reservations") == 0 and count(cloud_app.store.path, "llm_usage") == 5
    assert budget.status().spent_usd == 0.05  # the trigger-kept totals saw every row


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from router.store import database, open_store
    store = open_store(sys.argv[1])

    async def write(title):
        rid = await store.writes.run(lambda: database.execute_sql(
            "INSERT INTO conversations(title, created_at, updated_at) VALUES (?, 0, 0)", (title,)).lastrowid)
        print(title, rid, flush=True)  # acknowledged: its batch's transaction has committed

    async def main():
        i = 0
        while True:  # eight writes awaited together: one batch, one transaction
            i += 1
            await asyncio.gather(*(write(f"w{i}.{k}") for k in range(8)))

    asyncio.run(main())
    """
)


def test_kill_9_during_batched_writes_loses_nothing_acknowledged(data_dir):
    acked, stored = acked_then_killed(data_dir, CHILD, 1000)
    assert all(stored.get(title) == int(rid) for title, rid in acked)
    rounds = {title.split(".")[0] for title in stored}
    batched = [sum(f"{r}.{k}" in stored for k in range(1, 8)) for r in rounds]
    assert set(batched) <= {0, 7}  # the seven queued behind the first: one transaction, all or nothing


async def locked_mid_answer(app, text: str) -> list:
    """Run a request while another process takes the write lock at its first streamed text; asserts the loop keeps
    turning while the request's writes wait for that lock on a thread; the request's events once it is let go."""
    from router.types import Message, RouteRequest, TextDelta

    other = sqlite3.connect(str(app.store.path), isolation_level=None)
    locked = asyncio.Event()

    async def consume() -> list:
        seen = []
        request = RouteRequest([Message("user", text)], task="chat_response", model="gpt-4o-mini")
        async for ev in app.run(request):
            seen.append(ev)
            if isinstance(ev, TextDelta) and not locked.is_set():
                other.execute("BEGIN IMMEDIATE")  # another process starts writing mid-answer
                locked.set()
        return seen

    task = asyncio.create_task(consume())
    await locked.wait()
    for _ in range(20):  # the loop keeps turning while the request's next write waits for the lock on a thread
        await asyncio.sleep(0.01)
    assert not task.done() and app.store.writes.on_thread >= 1
    other.execute("COMMIT")
    other.close()
    return await task


async def test_a_failed_attempts_row_waits_for_another_process_off_the_loop(cloud_app, fake_openai):
    fake_openai.cut_stream(after_chunks=3)  # the answer starts, then the connection drops: a "cut" row, a retry
    await locked_mid_answer(cloud_app, "Name a bread")
    outcomes = [r[0] for r in sqlite3.connect(str(cloud_app.store.path)).execute("SELECT outcome FROM llm_usage")]
    assert outcomes == ["cut", "ok"] and count(cloud_app.store.path, "reservations") == 0


def transaction_of(statements: list[str], needle: str) -> int | None:
    """Index of the BEGIN of the transaction that ran the statement containing `needle` (None: it ran on its own)."""
    begin = None
    for i, sql in enumerate(statements):
        head = sql.strip().upper()
        if head.startswith("BEGIN"):
            begin = i
        elif head in ("COMMIT", "ROLLBACK"):
            begin = None
        elif needle in sql:
            return begin
    raise AssertionError(f"no statement contains {needle!r}")


async def test_an_answer_is_cached_in_its_ledger_rows_transaction(cloud_app, fake_openai):
    from router.types import AnswerDone, Message, RouteRequest

    assert cloud_app.cache.enabled
    request = RouteRequest([Message("user", "Name a cheese")], task="chat_response", model="gpt-4o-mini")
    seen = traced()
    [ev async for ev in cloud_app.run(request)]
    ledger = transaction_of(seen, "INSERT INTO llm_usage")
    assert ledger is not None and transaction_of(seen, "INTO cache_entries") == ledger  # one commit, one lock wait
    assert transaction_of(seen, "UPDATE messages SET") == ledger  # with the answer, as before
    sent, seen[:] = len(fake_openai.requests), []
    again = [ev.answer async for ev in cloud_app.run(request) if isinstance(ev, AnswerDone)]
    assert again[0].cached and len(fake_openai.requests) == sent
    served = transaction_of(seen, "INSERT INTO llm_usage")  # the free row of the cache hit, with the hit counted
    assert served is not None and transaction_of(seen, "SET hits = hits + 1") == served
    assert cloud_app.cache.summary()["hits_on_entries"] == 1


async def test_a_stop_while_another_process_writes_never_freezes_the_loop(cloud_app, fake_openai):
    from router.types import Message, RouteRequest, TextDelta

    fake_openai.chunk_delay_s = 0.05  # a slow answer, stopped mid-stream
    other = sqlite3.connect(str(cloud_app.store.path), isolation_level=None)
    streaming = asyncio.Event()

    async def consume() -> None:
        request = RouteRequest([Message("user", "Name a pastry")], task="chat_response", model="gpt-4o-mini")
        async for ev in cloud_app.run(request):
            if isinstance(ev, TextDelta):
                streaming.set()

    task = asyncio.create_task(consume())
    await streaming.wait()
    other.execute("BEGIN IMMEDIATE")  # another process writes when the user presses Stop
    task.cancel()
    for _ in range(20):  # the cancelled attempt's row and the answer's status wait for the lock on a thread
        await asyncio.sleep(0.01)
    assert not task.done() and cloud_app.store.writes.on_thread >= 1
    other.execute("COMMIT")
    other.close()
    with pytest.raises(asyncio.CancelledError):
        await task
    db = sqlite3.connect(str(cloud_app.store.path))
    assert db.execute("SELECT outcome FROM llm_usage").fetchall() == [("cancelled",)]
    assert db.execute("SELECT status FROM messages WHERE role = 'assistant'").fetchall() == [("cancelled",)]
    assert count(cloud_app.store.path, "reservations") == 0


async def test_a_streams_progress_note_waits_for_another_process_off_the_loop(cloud_app):
    from router.recovery import HoldProgress

    model = cloud_app.catalog.get("gpt-4o-mini")
    hold = await cloud_app.budget.areserve(model, 0.05, {"task": "chat_response"})
    other = sqlite3.connect(str(cloud_app.store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writes while the answer streams
    stop = HoldProgress(every_s=0.01, writes=cloud_app.store.writes).watch(hold, lambda: 42)
    for _ in range(10):  # the loop keeps turning while the note waits for the lock on a thread
        await asyncio.sleep(0.01)
    assert cloud_app.store.writes.on_thread >= 1
    other.execute("COMMIT")
    for _ in range(100):
        await asyncio.sleep(0.01)
        if other.execute("SELECT output_chars FROM reservations").fetchone() == (42,):
            break
    stop()
    assert other.execute("SELECT output_chars FROM reservations").fetchone() == (42,)
    other.close()

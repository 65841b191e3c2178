"""Provider Batch APIs end to end: real SDK clients against the fakes' batch routes, real SQLite, restarts."""

from __future__ import annotations

import json

import pytest
from genai_prices import Usage as GUsage
from genai_prices import calc_price

from router.batch.types import BatchQueued
from router.cli import main as cli_main
from router.pricing import call_cost
from router.savings import discounts
from router.store.models import ChatMessage
from router.types import Message, RouteRequest
from tests.conftest import make_cloud_app
from tests.fakes.batch_queue import queue_of

CSV = "name,price\nStoneware mug,24\nLinen apron,38\nOak board FAILME,55\nGlazed bowl,30\n"


def held() -> float:
    from router.store.db import database

    return float(database.execute_sql("SELECT COALESCE(SUM(amount_usd), 0) FROM reservations").fetchone()[0])


def ledger(app) -> list[tuple]:
    return app.store.db.execute_sql(
        "SELECT model, outcome, cost_usd, batch_saved_usd, batch_job_id, input_tokens, output_tokens"
        " FROM llm_usage ORDER BY id"
    ).fetchall()


def chat_request(text="Write alt text for a photo of a blue stoneware mug", **kw) -> RouteRequest:
    return RouteRequest([Message("user", text)], task="copywriting_standard", speed="batch", can_wait=True, **kw)


def served(app, **kw):
    """The catalog model the plan calls for a pinned slot (a retired model's slot is served by its successor)."""
    return app.catalog.get(app.plan(chat_request(**kw)).chain[0].target)


async def queue_chat(app, text="Write alt text for a photo of a blue stoneware mug", **kw) -> BatchQueued:
    req = chat_request(text, **kw)
    events = [ev async for ev in app.run(req)]
    assert isinstance(events[-1], BatchQueued), events
    return events[-1]


async def test_chat_batch_survives_a_restart_and_lands_in_the_conversation(
    data_dir, memory_keyring, fake_anthropic, fake_openai
):
    app = make_cloud_app(data_dir, memory_keyring, anthropic=fake_anthropic, openai=fake_openai)
    sonnet = served(app, model="claude-sonnet-4.5")  # retired: the batch goes to the model serving its slot
    queued = await queue_chat(app, model="claude-sonnet-4.5")
    body = fake_anthropic.last.json["requests"][0]
    assert queued.model == sonnet.id and sonnet.provider == "anthropic"
    assert body["params"]["model"] == sonnet.api_model and "stream" not in body["params"]
    assert body["params"]["messages"][-1]["content"][0]["text"].startswith("Write alt text")
    msg = ChatMessage.get_by_id(queued.message_id)
    assert msg.status == "pending" and msg.meta_dict["batch_job"] == queued.job_id
    assert held() == pytest.approx(queued.hold_usd) and queued.hold_usd > 0
    assert ledger(app) == []  # nothing billed until the provider answers
    await app.aclose()  # the app is closed while the provider works

    app = make_cloud_app(data_dir, memory_keyring, anthropic=fake_anthropic, openai=fake_openai)
    try:
        first = await app.batch.poll_all()
        assert [j.status for j in first] == ["running"]
        assert "in_progress" in first[0].remote_status
        [job] = await app.batch.poll_all()
        assert job.status == "done"
        msg = ChatMessage.get_by_id(queued.message_id)
        assert msg.status == "ok" and msg.content == "Echo: Write alt text for a photo of a"
        [(model, outcome, cost, saved, job_id, tin, tout)] = ledger(app)
        g = GUsage(input_tokens=tin, output_tokens=tout)
        live = float(calc_price(g, sonnet.api_model, provider_id="anthropic").total_price)
        batch = float(
            calc_price(g, sonnet.api_model, provider_id="anthropic", price_context={"processing": "batch"}).total_price
        )
        assert (model, outcome, job_id) == (sonnet.id, "ok", queued.job_id)
        assert cost == pytest.approx(batch) and saved == pytest.approx(live - batch) and cost <= queued.hold_usd
        assert held() == 0.0  # the hold was settled
        assert msg.meta_dict["batch_saved_usd"] == pytest.approx(saved)
        assert discounts()["batch_saved_usd"] == pytest.approx(saved)
        done = [e for e in app.events.history if e.kind == "batch_done"]
        assert done and "1 of 1 answers" in done[-1].message
    finally:
        await app.aclose()


async def test_cancel_releases_the_hold(data_dir, memory_keyring, fake_openai):
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    try:
        queue_of(fake_openai).finish_after_polls = None  # the provider never finishes by itself
        queued = await queue_chat(app, model="gpt-4o-mini")
        assert (
            fake_openai.requests[-2].path == "/v1/files" and fake_openai.last.json["endpoint"] == "/v1/chat/completions"
        )
        assert held() == pytest.approx(queued.hold_usd) and queued.hold_usd > 0
        job = await app.batch.cancel(queued.job_id)
        assert held() == 0.0
        assert job.status == "cancelled"  # cancelling, then cancelled at the provider's next answer
        msg = ChatMessage.get_by_id(queued.message_id)
        assert msg.status == "cancelled"
        assert [(r[1], r[2]) for r in ledger(app)] == [("cancelled", 0.0)]
        with pytest.raises(Exception, match="already cancelled"):
            await app.batch.cancel(queued.job_id)
    finally:
        await app.aclose()


async def test_workflow_batch_partial_failure_retried_live(data_dir, memory_keyring, fake_anthropic, tmp_path):
    (tmp_path / "items.csv").write_text(CSV)
    app = make_cloud_app(data_dir, memory_keyring, anthropic=fake_anthropic)
    try:
        queue_of(fake_anthropic).fail_prompts = {"FAILME"}
        est = app.workflows.estimate("catalogue_copy", {"items": f"@{tmp_path / 'items.csv'}#name"})
        step = est.step("describe")
        assert step.calls == 4 and step.batch_cost_usd == pytest.approx(step.cost_usd / 2)
        result = await app.workflows.run("catalogue_copy", {"items": f"@{tmp_path / 'items.csv'}#name"}, batch="live")
        assert result.status == "waiting" and result.step("describe").status == "waiting"
        assert "batch job 1" in result.message
        sent = fake_anthropic.last.json["requests"]
        assert [r["params"]["messages"][0]["content"][0]["text"] for r in sent] == [
            "Product: Stoneware mug",
            "Product: Linen apron",
            "Product: Oak board FAILME",
            "Product: Glazed bowl",
        ]
        await app.batch.poll_all()
        await app.batch.poll_all()
        run = app.workflows.result(result.run_id)
        assert run.status == "done", run.message
        out = run.output("describe")
        assert out == [
            f"Echo: Product: {p}" for p in ("Stoneware mug", "Linen apron", "Oak board FAILME", "Glazed bowl")
        ]
        rows = ledger(app)
        assert [(r[1], r[4] is not None) for r in rows] == [("ok", True)] * 2 + [
            ("error", True),
            ("ok", True),
            ("ok", False),
        ]
        assert run.step("describe").cost_usd == pytest.approx(sum(r[2] for r in rows))
        assert held() == 0.0
    finally:
        await app.aclose()


async def test_a_retired_slot_is_batched_and_priced_on_the_model_that_serves_it(data_dir, memory_keyring, fake_openai):
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    app.settings.set("task_table", {"copywriting_standard": ["gpt-4", "gpt-4", "gpt-4"]})  # GPT-4 is retired
    try:
        step = app.workflows.estimate("catalogue_copy", {"items": "Stoneware mug\nLinen apron"}).step("describe")
        serving = app.catalog.get(step.model)
        assert serving.id != "gpt-4" and "gpt-4 → served by" in step.note
        assert step.batch_cost_usd == pytest.approx(step.cost_usd / 2)  # the same model at batch rates, never GPT-4's
        result = await app.workflows.run("catalogue_copy", {"items": "Stoneware mug\nLinen apron"}, batch="batch")
        assert result.status == "waiting"
        [batch] = queue_of(fake_openai).batches.values()
        assert {i.body["model"] for i in batch.items} == {serving.api_model}
        from router.batch import store

        assert store.get_job(1).model == serving.id
    finally:
        await app.aclose()


async def test_expired_items_go_into_a_new_batch_when_chosen(data_dir, memory_keyring, fake_openai):
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    app.settings.set("task_table", {"copywriting_standard": ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]})
    queue = queue_of(fake_openai)
    queue.expire_prompts = {"Linen"}
    try:
        result = await app.workflows.run(
            "catalogue_copy", {"items": "Stoneware mug\nLinen apron\nGlazed bowl"}, batch="batch"
        )
        assert result.status == "waiting"
        [_first] = await app.batch.poll_all()  # in progress
        queue.finish_all()
        jobs = await app.batch.poll_all()
        assert [j.status for j in jobs] == ["done"]
        from router.batch import store

        retry = store.get_job(2)
        assert retry.parent_job_id == 1 and retry.status == "running"
        assert [i.label for i in store.items(2)] == ["Product: Linen apron"]
        assert app.workflows.result(result.run_id).status == "waiting"
        queue.expire_prompts = set()
        await app.batch.poll_all()  # the new job: in progress
        await app.batch.poll_all()
        run = app.workflows.result(result.run_id)
        assert run.status == "done"
        assert run.output("describe") == [
            "Echo: Product: Stoneware mug",
            "Echo: Product: Linen apron",
            "Echo: Product: Glazed bowl",
        ]
        assert held() == 0.0
        assert all(r[4] is not None for r in ledger(app) if r[1] == "ok")  # every answer at batch price
    finally:
        await app.aclose()


def test_cli_batch_status_wait_and_bad_input(data_dir, memory_keyring, fake_openai, capsys):
    import asyncio

    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    queued = asyncio.run(queue_chat(app, model="gpt-4o-mini"))
    asyncio.run(app.aclose())
    assert cli_main(["--data-dir", str(data_dir), "batch", "status", "--no-poll"]) == 0
    assert f"{queued.job_id}  running" in capsys.readouterr().out.replace("    ", "")
    assert cli_main(["--data-dir", str(data_dir), "batch", "wait", str(queued.job_id), "--interval", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "done" in out and "1 ok" in out
    assert cli_main(["--data-dir", str(data_dir), "batch", "cancel", "99"]) == 1
    assert (
        capsys.readouterr().err.strip() == "sparklio: error: batch job 99 does not exist (see `sparklio batch status`)"
    )
    assert cli_main(["--data-dir", str(data_dir), "batch", "cancel", str(queued.job_id)]) == 1
    assert "already done" in capsys.readouterr().err


def test_batch_price_is_genai_prices_batch_rate(data_dir):
    from router.app import Sparklio
    from router.types import Usage

    app = Sparklio(data_dir)
    try:
        m = app.catalog.get("gpt-4o-mini")
        u = Usage(input_tokens=1200, output_tokens=300)
        g = float(
            calc_price(
                GUsage(input_tokens=1200, output_tokens=300),
                "gpt-4o-mini",
                provider_id="openai",
                price_context={"processing": "batch"},
            ).total_price
        )
        assert call_cost(m, u, batch=True) == pytest.approx(g) and g < call_cost(m, u)
    finally:
        app.store.close()


async def test_gemini_batch_mode_partial_failure_retried_live(data_dir, memory_keyring, fake_gemini):
    app = make_cloud_app(data_dir, memory_keyring, gemini=fake_gemini)
    queue_of(fake_gemini).fail_prompts = {"blocked"}
    try:
        ok = await queue_chat(app, "Alt text for a photo of a glazed bowl", model="gemini-2.5-flash")
        bad = await queue_chat(app, "Alt text for a blocked photo", model="gemini-2.5-flash")
        create = [r for r in fake_gemini.requests if r.path.endswith(":batchGenerateContent")]
        assert len(create) == 2
        inlined = create[0].json["batch"]["inputConfig"]["requests"]["requests"][0]
        assert inlined["metadata"] == {"key": "job1-item0"}
        assert inlined["request"]["contents"][0]["parts"][0]["text"] == "Alt text for a photo of a glazed bowl"
        await app.batch.poll_all()
        jobs = await app.batch.poll_all()
        assert [j.status for j in jobs] == ["done", "done"]
        assert ChatMessage.get_by_id(ok.message_id).content == "Echo: Alt text for a photo of a glazed"
        retried = ChatMessage.get_by_id(bad.message_id)  # failed in the batch, answered live
        assert retried.status == "ok" and retried.content == "Echo: Alt text for a blocked photo"
        rows = ledger(app)
        assert [(r[1], r[4] is not None) for r in rows] == [("ok", True), ("error", True), ("ok", False)]
        assert held() == 0.0
    finally:
        await app.aclose()


async def test_no_retry_leaves_the_failed_item_as_an_error(data_dir, memory_keyring, fake_anthropic):
    app = make_cloud_app(data_dir, memory_keyring, anthropic=fake_anthropic)
    queue_of(fake_anthropic).fail_prompts = {"flagged"}
    try:
        queued = await queue_chat(app, "A flagged caption", model="claude-sonnet-4.5", batch_retry="none")
        await app.batch.poll_all()
        [job] = await app.batch.poll_all()
        assert job.status == "done"
        msg = ChatMessage.get_by_id(queued.message_id)
        assert msg.status == "error" and "invalid_request_error: messages: content flagged" in msg.content
        assert [r[1] for r in ledger(app)] == ["error"] and held() == 0.0
        assert not any(r.path == "/v1/messages" for r in fake_anthropic.requests)  # nothing sent live
    finally:
        await app.aclose()


def test_cli_ask_can_wait_and_workflow_run_batch_from_a_csv(data_dir, memory_keyring, fake_openai, tmp_path, capsys):
    import asyncio

    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    app.settings.set("task_table", {"copywriting_standard": ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]})
    asyncio.run(app.aclose())
    base = ["--data-dir", str(data_dir)]
    assert (
        cli_main(
            base + ["ask", "--speed", "batch", "--can-wait", "--model", "gpt-4o-mini", "A caption for a linen apron"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Queued as batch job 1 on gpt-4o-mini") and "sparklio batch wait 1" in out
    (tmp_path / "items.csv").write_text(CSV.replace(" FAILME", ""))
    assert (
        cli_main(
            base
            + [
                "workflow",
                "run",
                "catalogue_copy",
                "--input",
                f"items=@{tmp_path / 'items.csv'}#name",
                "--batch",
                "--json",
            ]
        )
        == 0
    )
    run = json.loads(capsys.readouterr().out)
    assert run["status"] == "waiting" and "batch job 2" in run["message"]
    assert cli_main(base + ["batch", "wait", "2", "--interval", "0.01", "--json"]) == 0
    [job] = json.loads(capsys.readouterr().out)
    assert job["status"] == "done" and job["counts"] == {"ok": 4} and job["workflow_run_id"] == run["run_id"]
    assert cli_main(base + ["workflow", "show", str(run["run_id"]), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "done"
    assert cli_main(base + ["workflow", "run", "catalogue_copy", "--input", "items=@/nowhere/x.csv"]) == 1
    assert capsys.readouterr().err.strip() == "sparklio: error: input 'items': file /nowhere/x.csv does not exist"
    assert cli_main(base + ["ask", "--speed", "batch", "--can-wait", "--batch-retry", "later", "hi"]) == 2
    assert "'later' is not one of 'live', 'batch', 'none'" in capsys.readouterr().err


async def test_a_job_cut_off_before_the_provider_answered_is_released(data_dir, memory_keyring, fake_openai):
    """The app was killed between storing the job and the provider's answer: no id to poll, so it is closed."""
    from router.batch import store
    from router.batch.service import STALE_SUBMIT_S

    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    try:
        model = app.catalog.get("gpt-4o-mini")
        hold = app.budget.reserve(model, 0.25, ttl_s=3600)
        conv = app.conversations.create()
        mid = app.conversations.add(conv.id, "assistant", "", status="pending")
        job_id = store.insert_job(
            [
                {
                    "position": 0,
                    "request": store.encode_request([Message("user", "hi")], 50, None),
                    "message_id": mid,
                    "label": "",
                }
            ],
            provider="openai",
            model=model.id,
            task="chat_response",
            reservation_id=hold.id,
            hold_usd=0.25,
        )
        assert held() == pytest.approx(0.25)
        [job] = await app.batch.poll_all()
        assert job.status == "submitting" and held() == pytest.approx(0.25)  # still being sent, maybe
        app.store.db.execute_sql(
            "UPDATE batch_jobs SET updated_at = ? WHERE id = ?",  # long ago
            (1.0, job_id),
        )
        [job] = await app.batch.poll_all()
        assert job.status == "failed" and "stopped before the provider confirmed" in job.error
        assert held() == 0.0 and STALE_SUBMIT_S >= 60
        assert ChatMessage.get_by_id(mid).status == "error"
        assert not [r for r in fake_openai.requests if "batches" in r.path]
    finally:
        await app.aclose()


async def test_a_run_that_cannot_continue_says_so(data_dir, memory_keyring, fake_openai):
    """The user's workflow file was deleted while its batch ran: the run fails with a retry hint, never hangs."""
    from router.workflows.model import BUILTIN_DIR

    (data_dir / "workflows").mkdir()
    mine = data_dir / "workflows" / "mine.toml"
    mine.write_text((BUILTIN_DIR / "catalogue_copy.toml").read_text().replace('"catalogue_copy"', '"mine"'))
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    app.settings.set("task_table", {"copywriting_standard": ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]})
    try:
        result = await app.workflows.run("mine", {"items": "Mug\nBowl"}, batch="live")
        assert result.status == "waiting"
        mine.unlink()
        await app.batch.poll_all()
        [job] = await app.batch.poll_all()
        assert job.status == "done"
        run = app.workflows.result(result.run_id)
        assert run.status == "failed" and f"sparklio workflow retry {result.run_id} describe" in run.message
        assert held() == 0.0
    finally:
        await app.aclose()

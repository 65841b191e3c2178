"""Every built-in workflow end to end: real SDK clients -> fake servers, tiny SD on CPU, real SQLite ledger."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3

import pytest
from PIL import Image

from router.errors import SparklioError
from router.store.models import LlmUsage
from router.types import Message, RouteRequest
from router.workflows import records
from router.workflows.estimate import within
from router.workflows.runner import Progress
from tests.conftest import make_cloud_app

TOLERANCE = 0.20


def _requests_with(servers, text: str) -> int:
    return sum(text in (r.body or b"").decode("utf-8", "ignore") for s in servers.values() for r in s.requests)


def _check_run(result, engine, events: list[Progress] | None = None):
    """Common checks: every step done, ledger rows all carry the run id, per-step costs add up, estimate ±20%."""
    assert result.status == "done", result.message
    assert all(s.status == "done" for s in result.steps)
    rows = list(LlmUsage.select())
    assert rows and all(r.workflow_run_id == result.run_id for r in rows)
    assert result.cost_usd == pytest.approx(sum(r.cost_usd for r in rows))
    assert sum(s.cost_usd for s in result.steps) == pytest.approx(result.cost_usd)
    assert within(result.estimate_usd, result.cost_usd) <= TOLERANCE, (result.estimate_usd, result.cost_usd)
    if events is not None:
        started = [e.step_id for e in events if e.event == "step_started"]
        assert started == [s.step_id for s in result.steps]
        assert events[-1].event == "run_done"


async def test_sns_post_set(engine, app):
    events: list[Progress] = []
    est = engine.estimate("sns_post_set", {"brief": "Spring launch of our oat-milk latte"})
    result = await engine.run(
        "sns_post_set", {"brief": "Spring launch of our oat-milk latte"}, on_progress=events.append
    )
    _check_run(result, engine, events)
    captions = result.output("captions")
    assert [c.split(":")[0] for c in captions] == [f"Caption {i}" for i in range(1, 6)]
    images = result.output("images")
    assert len(images) == 5 and {i["model"] for i in images} == {"stable-diffusion"}
    for img in images:
        assert Image.open(img["path"]).size == (64, 64)
    assert result.step("images").cost_usd == 0.0
    assert result.output("hashtags").startswith("#oatlatte")
    assert [e.index for e in events if e.event == "item_done" and e.step_id == "captions"] == [1, 2, 3, 4, 5]
    # The estimate named the models that answered; the premium tier swaps SD for the row's DALL-E 3, which is
    # retired and served by today's GPT Image (5 images at its genai-prices price).
    sunburst = app.catalog.get("gpt-image-2.5-sunburst")
    assert est.step("images").model == "stable-diffusion" and est.step("images").premium_model == sunburst.id
    assert est.step("images").premium_cost_usd == pytest.approx(5 * sunburst.image_price())
    assert est.step("captions").model == result.step("captions").model
    assert est.premium_total_usd > est.total_usd + 0.15


async def test_blog_post(engine, app):
    result = await engine.run("blog_post", {"topic": "Baking sourdough at home", "keywords": "sourdough, starter"})
    _check_run(result, engine)
    assert result.step("image").model == "gpt-image-2.5-sunburst"  # dall-e-3 is retired: its successor serves
    assert result.step("image").cost_usd == pytest.approx(app.catalog.get("gpt-image-2.5-sunburst").image_price())
    assert result.output("draft").startswith("## Why sourdough")
    assert len(result.output("draft").split()) > 2000  # the draft step's budget (~2,000 words)
    assert result.output("seo").startswith("SEO title")


async def test_brand_analysis_sends_the_logo(engine, app, servers, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (128, 128), (214, 40, 40)).save(logo)
    result = await engine.run("brand_analysis", {"logo": str(logo), "brand": "Crumb & Co"})
    _check_run(result, engine)
    vision = app.catalog.get(result.step("vision").model)  # gpt-4v's slot: retired, served by today's model
    assert "vision" in vision.capabilities and vision.id != "gpt-4v"
    vision_req = next(r for r in servers[vision.provider].requests if b"Analyse the attached logo" in r.body)
    parts = vision_req.json["messages"][-1]["content"]
    assert any(
        (p["type"] == "image_url" and p["image_url"]["url"].startswith("data:image/png;base64,"))
        or (p["type"] == "image" and p["source"]["media_type"] == "image/png")
        for p in parts
    )
    assert "Crumb & Co" in result.output("kit") or result.output("kit")


async def test_image_too_large_for_every_vision_model(engine, tmp_path):
    big = tmp_path / "huge-logo.png"
    Image.frombytes("RGB", (2700, 2700), os.urandom(2700 * 2700 * 3)).save(big, compress_level=0)
    with pytest.raises(SparklioError, match=r"huge-logo.png .*too large for every vision model: the limit is 20 MB"):
        await engine.run("brand_analysis", {"logo": str(big)})
    assert LlmUsage.select().count() == 0


async def test_storyboard(engine, app):
    result = await engine.run("storyboard", {"idea": "A bakery wakes up before the city does"})
    _check_run(result, engine)
    scenes = result.output("scenes")
    assert len(scenes) == 4 and scenes[0].startswith("Scene 1")
    frames = result.output("frames")
    assert len(frames) == 4 and {f["model"] for f in frames} == {"gpt-image-2.5-sunburst"}
    assert result.step("frames").cost_usd == pytest.approx(4 * app.catalog.get("gpt-image-2.5-sunburst").image_price())


@pytest.fixture
def shop_db(tmp_path):
    path = tmp_path / "shop.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL, sold_on TEXT)")
    conn.executemany(
        "INSERT INTO sales(region, amount, sold_on) VALUES (?, ?, ?)",
        [("north", 120.0, "2026-01-03"), ("south", 80.5, "2026-01-04"), ("north", 30.0, "2026-01-05")],
    )
    conn.commit()
    conn.close()
    return path


async def test_ask_your_data_sqlite(engine, app, servers, shop_db):
    before = hashlib.sha256(shop_db.read_bytes()).hexdigest()
    offered: list[list[str]] = []

    async def choose(title: str, options: list[str]) -> int | None:  # what the app's picker dialog does
        offered.append(options)
        return 3

    result = await engine.run(
        "ask_your_data", {"data": str(shop_db), "question": "Which region sells most?"}, choose=choose
    )
    _check_run(result, engine)
    assert "TABLE sales (id INTEGER PRIMARY KEY, region TEXT" in result.output("schema")
    assert len(result.output("interpretations")) == 5 and offered == [result.output("interpretations")]
    assert result.output("pick").startswith("Interpretation 3")
    table = result.output("result")
    assert table["columns"] == ["region", "total"] and table["rows"] == [["north", 150.0], ["south", 80.5]]
    assert hashlib.sha256(shop_db.read_bytes()).hexdigest() == before
    models = {s.step_id: s.model for s in result.steps}
    est = engine.estimate("ask_your_data", {"data": str(shop_db), "question": "Which region sells most?"})
    for step in ("interpretations", "sql", "insights", "report"):  # retired or dominated rows: today's models
        assert models[step] == est.step(step).model and models[step] not in app.lifecycle.retired()
    assert models["schema"] is None and result.step("result").cost_usd == 0.0


async def test_ask_your_data_csv_with_awkward_headers_and_a_choice(engine, app, servers, tmp_path):
    csv_path = tmp_path / "2026 Orders.csv"
    csv_path.write_text(
        "Store Name,Unit Price ($),Store Name,,Qty\nLe Café,3.5,x,,2\nBistro,4,y,,1\nLe Café,2,z,,5\n", encoding="utf-8"
    )
    result = await engine.run(
        "ask_your_data", {"data": str(csv_path), "question": "Which store earns most?", "choice": "2"}
    )
    _check_run(result, engine)
    assert "'Unit Price ($)' -> unit_price" in result.output("schema")
    assert result.output("pick").startswith("Interpretation 2")  # no chooser here: the input decides
    sql_request = next(r for s in servers.values() for r in s.requests if b"SQLite SELECT statement" in r.body)
    assert "Interpretation: Interpretation 2" in sql_request.body.decode()  # the SQL step used the choice
    assert result.output("result")["rows"] == [["Le Café", 5.5], ["Bistro", 4.0]]


async def test_ask_your_data_question_that_matches_nothing(engine, app, servers, shop_db):
    result = await engine.run("ask_your_data", {"data": str(shop_db), "question": "What was the weather in May?"})
    assert result.status == "no_match"
    assert result.message.startswith("Nothing in shop.sqlite answers this question: the file has no weather data")
    assert "table sales (id, region, amount, sold_on)" in result.message
    assert [s.status for s in result.steps][-3:] == ["no_match", "skipped", "skipped"]
    assert _requests_with(servers, "three insights") == 0  # no money spent after the answer was clear


async def test_usage_review_keeps_prompts_private_unless_opted_in(engine, app, servers):
    secret = "our unannounced pistachio croissant"
    await app.ask(
        RouteRequest([Message("user", f"Write a tagline for {secret}")], task="chat_response", complexity="simple")
    )
    result = await engine.run("usage_review", {})
    assert result.status == "done"
    assert "chat_response" in result.output("ledger") and secret not in result.output("ledger")
    review = next(r for s in servers.values() for r in s.requests if b"review how a creator" in r.body)
    assert secret.encode() not in review.body
    assert result.step("review").model == "gpt-6.1-terra"  # gemini-2.5-pro's slot: 9.2 clears 9, cheaper
    assert within(result.estimate_usd, result.cost_usd) <= TOLERANCE
    app.settings.set("include_prompts_in_review", True)
    opted = await engine.run("usage_review", {"days": "7"})
    assert secret in opted.output("ledger")


async def test_failed_step_is_retried_and_rerouted_without_redoing_earlier_steps(engine, app, servers):
    draft_plan = app.plan(
        RouteRequest(
            [Message("user", "x" * 4000)],
            task="copywriting_standard",
            complexity="medium",
            max_output_tokens=3000,
            explore=False,
        )
    )

    def break_draft(p: Progress) -> None:
        if p.event == "step_done" and p.step_id == "outline":
            for entry in draft_plan.chain:  # every model in the draft's chain answers 400 once
                servers[entry.provider].fail_next(400)

    failed = await engine.run("blog_post", {"topic": "Sourdough"}, on_progress=break_draft)
    assert failed.status == "failed"
    assert [s.status for s in failed.steps] == ["done", "failed", "skipped", "skipped"]
    assert "retry it with: sparklio workflow retry" in failed.message and "draft" in failed.message
    assert failed.step("draft").error
    retried = await engine.retry(failed.run_id, "draft")
    assert retried.status == "done" and retried.run_id == failed.run_id
    assert _requests_with(servers, "Outline a blog post") == 1  # the outline was not redone
    rerouted = await engine.retry(failed.run_id, "draft", model="gpt-5.2")
    assert rerouted.step("draft").model == "gpt-5.2" and rerouted.status == "done"
    rows = records.step_rows(failed.run_id)
    assert (rows["outline"].tries, rows["draft"].tries, rows["draft"].pinned_model) == (1, 3, "gpt-5.2")
    assert _requests_with(servers, "Outline a blog post") == 1
    assert all(r.workflow_run_id == failed.run_id for r in LlmUsage.select())


async def test_cancel_marks_the_run_cancelled(engine, app):
    task: asyncio.Task | None = None

    def cancel_at_captions(p: Progress) -> None:
        if p.event == "step_started" and p.step_id == "captions":
            task.cancel()

    task = asyncio.ensure_future(engine.run("sns_post_set", {"brief": "Winter menu"}, on_progress=cancel_at_captions))
    with pytest.raises(asyncio.CancelledError):
        await task
    run = engine.runs(1)[0]
    assert run.status == "cancelled" and run.step("captions").status == "cancelled"
    assert run.step("analysis").status == "done" and run.step("images").status == "pending"


async def test_missing_required_input_is_a_clear_message(engine):
    with pytest.raises(SparklioError, match=r"workflow 'blog_post' needs input 'topic' \(What the post is about\)"):
        await engine.run("blog_post", {})
    with pytest.raises(SparklioError, match="has no input 'topc'"):
        await engine.run("blog_post", {"topc": "x"})
    with pytest.raises(SparklioError, match="no workflow named 'nope'"):
        await engine.run("nope", {})


async def test_user_workflow_with_template_error_is_reported_by_name(engine, app):
    folder = app.data_dir / "workflows"
    folder.mkdir()
    (folder / "mine.toml").write_text('[[steps]]\nid = "a"\ntask = "chat_response"\nprompt = "Hi {inputs.who}"\n')
    found, problems = engine.list()
    assert "mine" not in found and "sns_post_set" in found
    assert problems == [
        "mine.toml (workflow 'mine'), step 'a', prompt: placeholder {inputs.who} names input 'who', "
        "which is not declared (declared: none); add [inputs.who]"
    ]
    with pytest.raises(SparklioError, match="names input 'who'"):
        engine.get("mine")


def test_cli_estimate_run_runs_retry(data_dir, memory_keyring, servers, shop_db, capsys):
    import json

    from router.cli import main

    setup = make_cloud_app(
        data_dir, memory_keyring, openai=servers["openai"], anthropic=servers["anthropic"], gemini=servers["google"]
    )  # keys in the (process) keyring, endpoints in settings
    asyncio.run(setup.aclose())
    base = ["--data-dir", str(data_dir), "workflow"]
    inputs = ["--input", f"data={shop_db}", "--input", "question=Which region sells most?"]
    assert main(base + ["estimate", "ask_your_data", *inputs, "--json"]) == 0
    est = json.loads(capsys.readouterr().out)
    assert [s["model"] for s in est["steps"]][1] and est["total_usd"] > 0
    assert main(base + ["run", "ask_your_data", *inputs, "--json"]) == 0
    captured = capsys.readouterr()
    run = json.loads(captured.out)
    assert run["status"] == "done" and run["steps"][4]["output"]["rows"][0] == ["north", 150.0]
    assert run["steps"][2]["output"].startswith("Interpretation 1")  # no choice given: the most likely one
    assert f"✓ SQL — {est['steps'][3]['model']}" in captured.err and "Five interpretations" in captured.err
    assert within(run["estimate_usd"], run["cost_usd"]) <= TOLERANCE
    assert main(base + ["retry", str(run["run_id"]), "report", "--model", "gpt-5.2", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "## Short report — done, gpt-5.2" in text and f"Run {run['run_id']}: done" in text
    assert main(base + ["runs"]) == 0
    assert "ask_your_data" in capsys.readouterr().out
    assert main(base + ["run", "blog_post"]) == 1
    assert "needs input 'topic'" in capsys.readouterr().err
    assert main(base + ["run", "blog_post", "--input", "topic"]) == 1
    assert "--input needs KEY=VALUE, not 'topic'" in capsys.readouterr().err
    assert main(base + ["list"]) == 0
    assert "ask_your_data" in capsys.readouterr().out

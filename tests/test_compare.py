"""Compare (two fake providers streaming at once, holds for both, verdict stored and used by the learner),
conversation totals, export and edit-and-resend forks."""

from __future__ import annotations

import asyncio
import json

import pytest

from router import compare, conversation_tools
from router.errors import SparklioError
from router.learning import MIN_RATINGS
from router.store.db import database
from router.types import Message, RouteRequest
from tests.conftest import make_cloud_app


def preference_counts(task: str | None = None) -> dict[str, tuple[int, int, int]]:
    """model -> (wins, losses, ties) from compare verdicts."""
    where, args = ("WHERE task = ?", (task,)) if task else ("", ())
    out: dict[str, list[int]] = {}
    for w, lo, tie in database.execute_sql(f"SELECT winner, loser, tie FROM preferences {where}", args).fetchall():
        if tie:
            out.setdefault(w, [0, 0, 0])[2] += 1
            out.setdefault(lo, [0, 0, 0])[2] += 1
        else:
            out.setdefault(w, [0, 0, 0])[0] += 1
            out.setdefault(lo, [0, 0, 0])[1] += 1
    return {m: (a, b, c) for m, (a, b, c) in out.items()}


@pytest.fixture
def app(data_dir, memory_keyring, fake_openai, fake_anthropic):
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai, anthropic=fake_anthropic)
    yield app
    asyncio.run(app.aclose())


def _request(text: str = "Write a tagline for a bakery") -> RouteRequest:
    return RouteRequest([Message("user", text)], task="copywriting_standard")


def test_compare_streams_both_with_holds_and_the_verdict_teaches_the_learner(app, fake_openai, fake_anthropic):
    fake_openai.reply_text = fake_anthropic.reply_text = " ".join(f"word{i}" for i in range(40))
    fake_openai.chunk_delay_s = fake_anthropic.chunk_delay_s = 0.01
    models = ["gpt-4o-mini", "claude-haiku-4.5"]
    contenders = compare.price(app, _request(), models)
    assert [c.model for c in contenders] == models and all(c.hold_usd > 0 for c in contenders)
    seen_holds: list[int] = []
    streaming: set[int] = set()

    def update(i, c):
        if c.text and not c.done:
            streaming.add(i)
        seen_holds.append(database.execute_sql("SELECT COUNT(*) FROM reservations").fetchone()[0])

    done = asyncio.run(compare.run(app, _request(), contenders, update))
    assert all(c.done and not c.error and c.text.startswith("word0") for c in done)
    assert all(c.cost_usd > 0 and c.latency_ms is not None for c in done)
    assert streaming == {0, 1} and max(seen_holds) == 2  # both streams held budget at the same time
    assert database.execute_sql("SELECT COUNT(*) FROM reservations").fetchone()[0] == 0
    assert {r[0] for r in database.execute_sql("SELECT model FROM llm_usage WHERE outcome='ok'")} == set(models)
    # the verdict: stored pairwise, counted by the learner as PREFERENCE_WEIGHT ratings each
    assert compare.prefer(app, "copywriting_standard", models, "claude-haiku-4.5", "tagline") == 1
    assert preference_counts("copywriting_standard") == {"claude-haiku-4.5": (1, 0, 0), "gpt-4o-mini": (0, 1, 0)}
    with pytest.raises(SparklioError, match="was not one of the compared models"):
        compare.prefer(app, "copywriting_standard", models, "gpt-4")


def test_preferences_count_as_weighted_ratings_in_the_learner(app):
    task = "copywriting_standard"
    current = app.policy.row(task)[0]
    challenger = next(m for m in ("claude-haiku-4.5", "gpt-4o-mini", "gemini-2.5-flash") if m != current)
    wins = -(-MIN_RATINGS // compare.PREFERENCE_WEIGHT)  # enough verdicts to reach MIN_RATINGS
    assert app.learning.refresh(task) == []
    for _ in range(wins):
        compare.prefer(app, task, [current, challenger], challenger)
    made = app.learning.suggestions()
    assert [(s.task, s.model, s.current) for s in made] == [(task, challenger, current)]
    assert made[0].evidence["model_ratings"] == wins * compare.PREFERENCE_WEIGHT


def test_suggested_models_and_bad_compare(app):
    picks = compare.suggested_models(app, _request())
    assert picks[0][1] == "router's pick" and len(picks) >= 2 and len({m for m, _ in picks}) == len(picks)
    if len(picks) == 3:
        price = lambda m: compare._unit_price(app, m)  # noqa: E731
        assert price(picks[2][0]) < price(picks[0][0])
    with pytest.raises(SparklioError, match="2 to 3 different models"):
        compare.price(app, _request(), ["gpt-4o-mini"])


def test_totals_export_and_fork(app, tmp_path, fake_openai):
    fake_openai.reply_text = "Here is a draft."

    async def ask(text, cid=None):
        return await app.ask(RouteRequest([Message("user", text)], model="gpt-4o-mini", conversation_id=cid))

    async def two() -> int:  # one event loop: the SDK client belongs to it
        first = await ask("First question")
        cid = database.execute_sql("SELECT conversation_id FROM messages WHERE id = ?", (first.message_id,)).fetchone()[
            0
        ]
        await ask("Second question", cid)
        return cid

    cid = asyncio.run(two())
    t = conversation_tools.totals(cid)
    assert t.models == ["gpt-4o-mini"] and t.tokens > 0 and t.cost_usd > 0
    md = conversation_tools.export(app, cid, tmp_path / "chat.md")
    text = md.read_text()
    assert text.startswith("# First question") and "### You" in text and "### gpt-4o-mini" in text
    data = json.loads(conversation_tools.export(app, cid, tmp_path / "chat.json").read_text())
    assert [m["role"] for m in data["messages"]] == ["user", "assistant", "user", "assistant"]
    # edit the second prompt: a new branch with the first exchange; the original keeps all four messages
    second = data["messages"][2]["id"]
    branch = conversation_tools.fork(app, cid, second)
    assert [m.content for m in app.conversations.messages(branch)] == ["First question", "Here is a draft."]
    assert len(app.conversations.messages(cid)) == 4
    assert conversation_tools.branches(cid) == conversation_tools.branches(branch) == [cid, branch]
    with pytest.raises(SparklioError, match="is not a prompt"):
        conversation_tools.fork(app, cid, data["messages"][1]["id"])

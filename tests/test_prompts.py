"""Prompt library: the task's system prompt goes on the wire, the user's edit replaces it, empty turns it off."""

from __future__ import annotations

import asyncio

import pytest

from router.errors import SparklioError
from router.prompts import shipped
from router.types import Message, RouteRequest
from tests.conftest import make_cloud_app


@pytest.fixture
def app(data_dir, memory_keyring, fake_openai):
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    yield app
    asyncio.run(app.aclose())


def test_shipped_prompts_are_short_task_specific_and_state_a_format(app):
    table = shipped()
    chat_tasks = {t for t in app.policy.tasks if not t.startswith(("image_generation", "embeddings"))}
    assert chat_tasks <= set(table)
    assert all(len(text) <= 120 for text in table.values())  # concise: one or two short sentences
    assert "Output only SQL" in table["sql_generation"] and "Markdown" in table["report_generation"]


def test_system_prompt_round_trip_on_the_wire(app, fake_openai):
    loop = asyncio.new_event_loop()  # one loop for every call: the SDK client belongs to it

    def ask(messages):
        return loop.run_until_complete(app.ask(RouteRequest(messages, task="report_generation", model="gpt-4o-mini")))

    ask([Message("user", "total sales by region")])
    sent = fake_openai.last.json["messages"]
    assert sent[0]["role"] in ("system", "developer") and sent[0]["content"] == shipped()["report_generation"]
    app.prompts.set_system("report_generation", "Only SQL.")
    assert app.prompts.is_edited("report_generation")
    ask([Message("user", "total sales by month")])
    assert fake_openai.last.json["messages"][0]["content"] == "Only SQL."
    app.prompts.set_system("report_generation", "")  # off
    ask([Message("user", "top customer")])
    assert [m["role"] for m in fake_openai.last.json["messages"]] == ["user"]
    app.prompts.reset("report_generation")
    ask([Message("system", "Mine."), Message("user", "top product")])  # a request's own system prompt wins
    assert fake_openai.last.json["messages"][0]["content"] == "Mine."
    assert app.prompts.system_for("report_generation") == shipped()["report_generation"]
    loop.run_until_complete(app.aclose())
    loop.close()


def test_saved_prompts(app):
    app.prompts.save("tweet", "Write a tweet about: ")
    app.prompts.save("blog", "Outline a blog post about: ")
    app.prompts.save("tweet", "Write one tweet about: ")
    assert [p["name"] for p in app.prompts.saved()] == ["blog", "tweet"]
    assert [p["text"] for p in app.prompts.matching("tw")] == ["Write one tweet about: "]
    app.prompts.delete("blog")
    assert [p["name"] for p in app.prompts.saved()] == ["tweet"]
    with pytest.raises(SparklioError, match="needs a name"):
        app.prompts.save("", "x")

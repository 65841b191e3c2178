"""`sparklio ask` output: a cut answer never reaches stdout as if complete; every attempt is listed; embeddings."""

from __future__ import annotations

import io
import json

from router.cli import core_cmds
from router.types import Message, RouteRequest


def _request(text: str, **kw) -> RouteRequest:
    return RouteRequest([Message("user", text)], use_cache=False, **kw)


async def test_piped_stdout_gets_only_the_complete_answer(cloud_app, fake_openai, capsys):
    fake_openai.cut_stream(after_chunks=2)  # the first attempt dies mid-answer; the retry completes
    answer = await core_cmds._ask(
        cloud_app, _request("Say hello to the team", task="chat_response", model="gpt-4o-mini"), False
    )
    out, err = capsys.readouterr()
    assert out == answer.text + "\n"  # captured stdout is not a terminal: the answer is printed whole, once
    assert "cut off and is discarded" in err
    outcomes = [a["outcome"] for a in answer.to_json()["attempts"]]
    assert outcomes == ["cut", "ok"]  # the retry is an attempt of its own, as in the ledger
    assert cloud_app.sleeps.delays and 1.0 <= cloud_app.sleeps.delays[0] <= 1.5


def test_terminal_marks_a_cut_answer_in_place():
    buf = io.StringIO()
    writer = core_cmds._AnswerWriter(buf, live=True)
    writer.text("The first half of")
    writer.withdraw("gpt-4o-mini")
    writer.text("A complete answer.")
    writer.finish()
    assert buf.getvalue() == (
        "The first half of\n[cut off: the partial answer from gpt-4o-mini above is incomplete "
        "and discarded]\nA complete answer.\n"
    )


def test_piped_writer_drops_a_cut_attempt_and_ends_with_a_newline():
    buf = io.StringIO()
    writer = core_cmds._AnswerWriter(buf, live=False)
    writer.text("partial")
    writer.withdraw("m")
    assert buf.getvalue() == ""
    writer.text("whole answer")
    writer.finish()
    assert buf.getvalue() == "whole answer\n"


async def test_embeddings_task_embeds_instead_of_chatting(cloud_app, fake_openai, capsys):
    answer = await core_cmds._ask(cloud_app, _request("a cosy autumn candle", task="embeddings"), True)
    calls = [r for r in fake_openai.requests if r.path != "/v1/models"]  # the model list refreshes alongside
    assert calls[-1].path == "/v1/embeddings"
    assert not any(r.path.endswith("/chat/completions") for r in calls)
    shape = answer.to_json()
    assert (
        answer.model.startswith("text-embedding") and len(shape["embedding"]) == 8
    )  # the fake serves 8-dimensional vectors
    assert f"{len(shape['embedding']):,}-dimensional" in shape["text"]
    json.dumps(shape)  # the --json output is plain JSON
    rows = cloud_app.store.db.execute_sql("SELECT kind, outcome FROM llm_usage").fetchall()
    assert rows == [("embed", "ok")]

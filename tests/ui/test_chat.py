"""Chat: send, stream, stop, fallback footer, failures, rating, regenerate, attachments, documents, conversations."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage

from router.store.db import database
from router.types import Message, RouteRequest
from tests.fakes.openai_server import FakeOpenAI
from ui.chat.items import ChatItem, footer_html, source_tooltip
from ui.chat.markdown import render_markdown
from ui.theme import LIGHT

CODE_REPLY = "Here it is:\n\n```python\ndef add(a, b):\n\treturn a + b\n```\n\nDone."


class WordsOpenAI(FakeOpenAI):
    """The fake OpenAI server whose embeddings are hashed word counts (shared words: similar vectors)."""

    def _embeddings(self, ex):
        body = ex.request.json or {}
        texts = [body["input"]] if isinstance(body["input"], str) else list(body["input"])
        data = []
        for i, t in enumerate(texts):
            v = [0.0] * 32
            for w in re.findall(r"[a-z]+", t.lower()):
                if len(w) > 3:
                    v[int(hashlib.md5(w.encode()).hexdigest(), 16) % 32] += 1.0
            data.append({"object": "embedding", "index": i, "embedding": v})
        tokens = sum(len(t.split()) for t in texts)
        ex.send_json(
            {
                "object": "list",
                "data": data,
                "model": body.get("model"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )


@pytest.fixture
def fake_openai():
    """This module's fake OpenAI: the standard one, with word-based embeddings for the documents tests."""
    with WordsOpenAI() as fake:
        yield fake


def send(qtbot, qloop, chat, text: str):
    """Type `text` and press Enter, then wait for the answer to finish."""
    qtbot.keyClicks(chat.composer.edit, text)
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    qloop.until(lambda: chat.task is not None and chat.task.done(), what="the answer")
    return chat.view.store.items[-1]


def test_enter_sends_and_answer_streams_with_footer(qtbot, qloop, chat, facade, fake_openai):
    fake_openai.reply_text = CODE_REPLY
    qtbot.keyClicks(chat.composer.edit, "first line")
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert chat.composer.text() == "first line\n"  # Shift+Enter is a new line, nothing sent
    assert chat.task is None
    chat.composer.edit.clear()
    item = send(qtbot, qloop, chat, "Write an add function in Python")
    assert item.role == "assistant" and item.status == "ok"
    assert item.text == CODE_REPLY and item.id is not None
    assert item.model in facade.catalog.models and fake_openai.requests
    assert chat.composer.text() == "" and not chat.composer.busy
    footer = footer_html(item, LIGHT)
    assert item.model in footer and "why?" in footer and "Regenerate with" in footer and "rate:5" in footer
    stored = facade.conversations.messages(chat.conversation_id)
    assert [(m.role, m.status) for m in stored] == [("user", "ok"), ("assistant", "ok")]
    assert chat.conversations.ids() == [chat.conversation_id]
    # the copy link of the code block puts exactly the code on the clipboard
    chat.view.activate(item, "copy:code:0")
    assert QGuiApplication.clipboard().text() == "def add(a, b):\n\treturn a + b"


def test_deltas_are_coalesced_while_streaming(qtbot, qloop, chat, fake_openai):
    words = [f"word{i}" for i in range(240)]
    fake_openai.reply_text = " ".join(words)
    fake_openai.chunk_delay_s = 0.002
    item = send(qtbot, qloop, chat, "Stream a long answer")
    assert item.text == fake_openai.reply_text
    assert 0 < chat.stream.flushes < len(words)  # many deltas per repaint


def test_stop_keeps_partial_answer_marked_stopped(qtbot, qloop, chat, facade, fake_openai):
    fake_openai.reply_text = " ".join(f"w{i}" for i in range(400))
    fake_openai.chunk_delay_s = 0.01
    qtbot.keyClicks(chat.composer.edit, "Tell me a long story")
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    item = chat.view.store.items[-1]
    qloop.until(lambda: len(item.text) > 20, what="some streamed text")
    assert chat.composer.send_button.text() == "Stop"
    qtbot.mouseClick(chat.composer.send_button, Qt.MouseButton.LeftButton)
    qloop.until(lambda: chat.task.done(), what="the stop")
    assert item.status == "stopped" and 0 < len(item.text) < len(fake_openai.reply_text)
    assert "stopped" in footer_html(item, LIGHT)
    stored = facade.conversations.messages(chat.conversation_id)[-1]
    assert stored.status == "cancelled" and stored.content and item.text.startswith(stored.content[:10])
    assert chat.composer.send_button.text() == "Send"


def test_fallback_is_shown_in_the_footer(qtbot, qloop, chat, facade, fake_openai):
    fake_openai.reply_text = "Answer from the fallback."
    fake_openai.fail_next(400, times=1)  # permanent: the primary gives up, the next model answers
    item = send(qtbot, qloop, chat, "Summarise the plot of Hamlet briefly")
    assert item.status == "ok" and item.text == "Answer from the fallback."
    failed = [a for a in item.meta["attempts"] if a["outcome"] != "ok"]
    assert failed and failed[0]["model"] != item.model
    assert f"fell back from {failed[0]['model']}" in footer_html(item, LIGHT)


def test_all_providers_failing_shows_attempts_and_keeps_text(qtbot, qloop, chat, facade, fake_openai):
    fake_openai.fail_next(401, times=50)
    item = send(qtbot, qloop, chat, "Hello there")
    assert item.role == "error"
    models = {a["model"] for a in item.meta["attempts"]}
    assert len(models) >= 2 and "Settings → Keys" in item.meta["hint"]
    html = chat.view.delegate.layout(item, 800).doc.toPlainText()
    assert all(m in html for m in models) and "Try again" in html
    assert chat.composer.text() == "Hello there"  # the user's words stay
    assert chat.view.store.items[-2].text == "Hello there"


def test_partial_withdrawn_clears_cut_text(qtbot, qloop, chat, fake_openai):
    fake_openai.reply_text = "one two three four five six seven"
    fake_openai.cut_stream(after_chunks=3)
    item = send(qtbot, qloop, chat, "Count to seven")
    assert item.status == "ok" and item.text == fake_openai.reply_text  # no leftover from the cut stream


def test_rating_is_saved_and_shown_again(qtbot, qloop, chat, facade, fake_openai):
    item = send(qtbot, qloop, chat, "Rate me")
    chat.view.activate(item, "rate:4")
    row = database.execute_sql("SELECT stars, model FROM ratings WHERE message_id = ?", (item.id,)).fetchone()
    assert row == (4, item.model)
    chat.open_conversation(chat.conversation_id)
    reopened = chat.view.store.items[-1]
    assert reopened.meta.get("stars") == 4 and footer_html(reopened, LIGHT).count("★") == 4


def test_why_and_regenerate_with_another_model(qtbot, qloop, chat, facade, fake_openai):
    item = send(qtbot, qloop, chat, "Explain recursion")
    chat.view.activate(item, "why:")
    assert chat.why.isVisible() and item.model in chat.why.body.text()
    chat.why.hide()
    chat.view.activate(item, "regen:")
    names = [a.text() for a in chat._menu.actions() if a.isEnabled()]
    assert names and all(n != facade.catalog.get(item.model).name for n in names)
    chat._menu.hide()
    other = next(
        s.model.id for s in facade.model_status() if s.available and s.model.kind == "chat" and s.model.id != item.model
    )
    chat.regenerate(item, other)
    qloop.until(lambda: chat.task.done(), what="the regenerated answer")
    again = chat.view.store.items[-1]
    assert again.model == other and again.status == "ok" and again is not item, (again.role, again.text)
    assert fake_openai.last.json["model"] == facade.catalog.get(other).api_model


def test_pasted_image_goes_with_the_message(qtbot, qloop, chat, fake_openai):
    img = QImage(8, 8, QImage.Format.Format_RGB32)
    img.fill(QColor("red"))
    mime = QMimeData()
    mime.setImageData(img)
    chat.composer.edit.insertFromMimeData(mime)
    assert len(chat.composer.attachments) == 1 and chat.composer.send_button.isEnabled()
    item = send(qtbot, qloop, chat, "What colour is this?")
    assert item.status == "ok"
    parts = fake_openai.last.json["messages"][-1]["content"]
    assert any(p.get("type") == "image_url" for p in parts)
    assert chat.view.store.items[-2].images and not chat.composer.attachments
    assert chat.view.store.items[-2].id is not None  # the facade said which stored message the question is
    chat.regenerate(item, None)  # the facade loads the stored question, image and type included
    qloop.until(lambda: chat.task.done(), what="the regenerated answer")
    parts = fake_openai.last.json["messages"][-1]["content"]
    assert [p["image_url"]["url"][:15] for p in parts if p.get("type") == "image_url"] == ["data:image/png;"]


def test_markdown_escapes_html_and_numbers_code_blocks():
    r = render_markdown("<b>x</b> `a<b`\n\n```js\nlet a = 1;\n```\n```\nplain\n```", LIGHT)
    assert "&lt;b&gt;" in r.html and "<b>x</b>" not in r.html
    assert r.code_blocks == ["let a = 1;", "plain"] and "copy:code:1" in r.html


def test_conversations_search_rename_delete(qtbot, qloop, chat, facade):
    convs = facade.conversations
    a = convs.create("Banana bread")
    b = convs.create("Tax questions")
    convs.add(b.id, "user", "How do I file my banana import taxes?")
    c = convs.create("Holiday plan")
    chat.refresh()
    assert set(chat.conversations.ids()) == {a.id, b.id, c.id}
    chat.conversations.search.setText("banana")
    qloop.until(lambda: set(chat.conversations.ids()) == {a.id, b.id}, what="search results")
    chat.conversations.search.clear()
    qloop.until(lambda: len(chat.conversations.ids()) == 3, what="the full list")
    row = chat.conversations.ids().index(c.id)
    chat.conversations.list.item(row).setText("Summer holiday")  # as an inline edit does
    qloop.until(lambda: convs.get(c.id).title == "Summer holiday", what="the rename")
    chat.conversations.confirm = lambda title, text: False
    assert not chat.conversations.delete(a.id) and convs.get(a.id)
    chat.conversations.confirm = lambda title, text: True
    assert chat.conversations.delete(a.id)
    assert a.id not in chat.conversations.ids() and a.id not in [x.id for x in convs.list()]


def test_open_5000_message_conversation_lazily(qtbot, qloop, chat, facade):
    from router.store.models import ChatMessage

    conv = facade.conversations.create("Long one")
    rows = [
        {
            "conversation": conv.id,
            "role": "user" if i % 2 == 0 else "assistant",
            "content": f"message {i} " + "lorem ipsum " * (i % 7),
            "created_at": 1.0 + i,
        }
        for i in range(5000)
    ]
    with database.atomic():
        for i in range(0, 5000, 500):
            ChatMessage.insert_many(rows[i : i + 500]).execute()
    chat.refresh()
    before = chat.view.delegate.render_count
    chat.conversations.select(conv.id)
    qloop.spin(0.05)
    store = chat.view.store
    assert store.total == 5000 and store.rowCount() < 5000
    assert store.items[-1].text.startswith("message 4999")
    rendered = chat.view.delegate.render_count - before
    assert 0 < rendered < 60  # only what is on screen was rendered
    bar = chat.view.verticalScrollBar()
    assert bar.value() == bar.maximum()  # opened at the newest message
    shown = store.rowCount()
    bar.setValue(0)
    qloop.until(lambda: store.rowCount() > shown, what="older messages")
    assert store.items[0].text.startswith(f"message {5000 - store.rowCount()} ")


def test_streaming_render_keeps_finished_blocks(qtbot):
    from PySide6.QtGui import QFont

    from ui.chat.documents import StreamDocs

    s = StreamDocs(0)
    s.update("Para one.\n\n```py\nx = 1\n\ny = 2\n", "Asking…", QFont(), LIGHT)
    assert s.text == "Para one.\n\n" and len(s.chunks) == 1  # a blank line inside an open fence is no boundary
    first = s.chunks[0]
    s.update("Para one.\n\n```py\nx = 1\n\ny = 2\n```\n\nAfter.", "Asking…", QFont(), LIGHT)
    assert s.chunks[0] is first and len(s.chunks) == 2  # finished blocks are never rebuilt
    assert s.code_blocks == ["x = 1\n\ny = 2"] and "After." in s.tail.toPlainText()
    s.update("", "Retrying…", QFont(), LIGHT)  # a withdrawn partial answer starts over
    assert s.chunks == [] and s.code_blocks == []


def test_repeated_question_is_answered_from_cache_and_marked(qtbot, qloop, chat, fake_openai):
    first = send(qtbot, qloop, chat, "What is the capital of France?")
    calls = len(fake_openai.requests)
    chat.new_chat()
    again = send(qtbot, qloop, chat, "What is the capital of France?")
    assert again.text == first.text and again.meta["cached"] and not first.meta["cached"]
    assert len(fake_openai.requests) == calls  # no second call went out
    assert "cached" in footer_html(again, LIGHT) and "cached" not in footer_html(first, LIGHT)


NOTES = (
    "# Project Falcon\n\nThe Falcon launch window opens on 14 March; the backup date is 2 April.\n\n"
    "Budget owner: Priya Raman. Weekly sync is on Thursdays at 10:00.\n"
)


def chat_requests(fake):
    """Chat requests the fake OpenAI server received (not embeddings)."""
    return [r for r in fake.requests if r.path in ("/v1/chat/completions", "/v1/responses")]


def test_attached_document_is_used_and_cited(qtbot, qloop, chat, facade, fake_openai, tmp_path):
    doc = tmp_path / "falcon.md"
    doc.write_text(NOTES, encoding="utf-8")
    assert chat.conversation_id is None and not chat.knowledge.isVisible()
    task = chat.attach_documents([str(doc)])  # what "Documents…" does once the dialog returns
    qloop.until(lambda: task.done(), what="the document to be indexed")
    cid = chat.conversation_id
    assert cid is not None and cid in chat.conversations.ids()  # the chat was created for the document
    assert [s.name for s in facade.knowledge.sources(cid)] == ["falcon.md"]
    assert chat.knowledge.names() == ["falcon.md"] and chat.knowledge.isVisible()
    assert chat.window().status.last_line[0] != "error"
    fake_openai.reply_text = "It opens on 14 March [1]."
    item = send(qtbot, qloop, chat, "When does the Falcon launch window open?")
    assert item.status == "ok" and chat.conversation_id == cid
    sent = chat_requests(fake_openai)[-1].json
    prompt = json.dumps(sent.get("messages") or sent.get("input"))
    assert "launch window opens on 14 March" in prompt and "falcon.md, passage 1" in prompt
    sources = item.meta["sources"]
    assert sources and sources[0]["label"] == "falcon.md, passage 1" and sources[0]["path"] == str(doc.resolve())
    footer = chat.view.delegate.layout(item, 800).doc.toPlainText()
    assert "Sources: [1] falcon.md, passage 1" in footer
    assert str(doc.resolve()) in source_tooltip(item.meta, "src:0")
    chat.view.activate(item, "src:0")  # clicking a source lists the passages with file and similarity
    assert chat.popover.isVisible() and str(doc.resolve()) in chat.popover.body.text()
    chat.popover.hide()
    # reopened from the store, the footer still names the source
    chat.open_conversation(cid)
    assert "falcon.md, passage 1" in footer_html(chat.view.store.items[-1], LIGHT)
    # a new chat has no documents; switching back shows them again
    chat.new_chat()
    assert chat.knowledge.names() == [] and not chat.knowledge.isVisible()
    chat.open_conversation(cid)
    assert chat.knowledge.names() == ["falcon.md"]


def test_empty_document_is_refused_with_a_clear_line(qtbot, qloop, chat, facade, fake_openai, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n", encoding="utf-8")
    task = chat.attach_documents([empty])
    qloop.until(lambda: task.done(), what="the attach attempt")
    level, line = chat.window().status.last_line  # the page reports through the controller's message bridge
    assert level == "error" and "empty.md is empty" in line and line == chat.window().status.currentMessage()
    assert facade.knowledge.sources(chat.conversation_id) == [] and chat.knowledge.names() == []
    assert not any(r.path == "/v1/embeddings" for r in fake_openai.requests)  # nothing was embedded


def test_folder_with_skipped_files_and_removing_a_chip(qtbot, qloop, chat, facade, fake_openai, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text(NOTES, encoding="utf-8")
    (folder / "b.txt").write_text("Second document about the Heron project budget.", encoding="utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    task = chat.attach_documents([folder])
    qloop.until(lambda: task.done(), what="the folder to be indexed")
    cid = chat.conversation_id
    assert chat.knowledge.names() == ["a.md", "b.txt"]
    assert chat.knowledge.status.text() == "1 file skipped" and "photo.png" in chat.knowledge.status.toolTip()
    b_id = next(s.id for s in facade.knowledge.sources(cid) if s.name == "b.txt")
    qtbot.mouseClick(chat.knowledge.chips[b_id], Qt.MouseButton.LeftButton)
    assert [s.name for s in facade.knowledge.sources(cid)] == ["a.md"] and chat.knowledge.names() == ["a.md"]


def test_sources_footer_renders_used_and_unused_documents():
    used = ChatItem(
        "assistant",
        "ok",
        id=1,
        model="m",
        meta={"sources": [{"label": "notes.md, passage 3", "path": "/tmp/notes.md", "score": 0.83}]},
    )
    html = footer_html(used, LIGHT)
    assert "Sources:" in html and "[1] notes.md, passage 3" in html and 'href="src:0"' in html
    assert "0.83" in source_tooltip(used.meta, "src:0") and source_tooltip(used.meta, "src:5") == ""
    failed = ChatItem(
        "assistant",
        "ok",
        id=2,
        model="m",
        meta={"sources": [{"label": "documents not used: the embeddings model is offline", "path": "", "score": 0.0}]},
    )
    html = footer_html(failed, LIGHT)
    assert "Documents not used: the embeddings model is offline" in html and "Sources:" not in html
    assert "Sources" not in footer_html(ChatItem("assistant", "ok", id=3, model="m"), LIGHT)


def test_why_shows_confidence_and_wrong_task_teaches_auto(qtbot, qloop, chat, facade, fake_openai):
    """The why-popover shows Auto's confidence; "wrong task?" records a correction that Auto then applies."""
    prompt = "Write a short thank-you note to our first 100 customers"
    item = send(qtbot, qloop, chat, prompt)
    chat.view.activate(item, "why:")
    assert re.search(r"\(auto, \d+% sure\)", chat.why.body.text())
    chat.why.hide()
    assert "wrong task?" in footer_html(item, LIGHT)
    chat.view.activate(item, "wrongtask:")
    labels = [a.text() for a in chat._menu.actions()]
    assert (
        len(labels) == 22
        and not next(
            a for a in chat._menu.actions() if a.text() == facade.policy.task(item.meta["task"]).label
        ).isEnabled()
    )
    chat._menu.hide()
    from ui.chat.correction import correct_task

    correct_task(chat, item, "template_generation")
    facade.auto.wait(120)
    assert "task corrected to template_generation" in footer_html(item, LIGHT)
    assert facade.classify(prompt).task == "template_generation"
    row = database.execute_sql("SELECT source, task, message_id FROM classifier_corrections").fetchone()
    assert row == ("answer", "template_generation", item.id)
    chat.open_conversation(chat.conversation_id)  # the correction is shown again after reopening
    assert "task corrected to template_generation" in footer_html(chat.view.store.items[-1], LIGHT)


def test_footer_and_why_popover_name_the_slot_a_model_served(qtbot, qloop, chat, facade, fake_openai):
    item = send(qtbot, qloop, chat, "Say hi to the team")
    slot = facade.plan(RouteRequest([Message("user", "Say hi to the team")])).chain[0]
    assert slot.serves == item.model and item.meta["serves_for"] == slot.model  # e.g. gpt-3.5-turbo, retired
    assert f"for {slot.model}" in footer_html(item, LIGHT)
    assert f"{slot.model} → served by {item.model}" in item.meta["plan"]  # the why? popover's text

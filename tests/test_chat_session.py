"""router/chat.py owns a chat turn: history loaded by conversation id, attachments stored once with their MIME type,
document sources on the Answer (the GUI renders what it is given)."""

from __future__ import annotations

import json

from router.store.models import ChatMessage
from router.types import AnswerDone, ImageInput, Message

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00"
    b"\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)  # a 1x1 GIF


async def answer_of(app, request, **kw):
    answers = [ev.answer async for ev in app.run(request, **kw) if isinstance(ev, AnswerDone)]
    return answers[0]


def sent_messages(fake) -> list:
    return [r for r in fake.requests if r.path == "/v1/chat/completions"][-1].json["messages"]


async def test_history_is_loaded_by_conversation_id_without_failed_turns(cloud_app, fake_openai):
    app = cloud_app
    cid = app.conversations.create().id
    first = await answer_of(app, app.chat.request(cid, Message("user", "Name a bread"), model="gpt-4o-mini"))
    app.conversations.add(cid, "user", "A prompt whose answer failed")  # as a failed turn is stored
    app.conversations.add(cid, "assistant", "OpenAI timed out", status="error")
    request = app.chat.request(cid, Message("user", "And a cake?"), model="gpt-4o-mini")
    assert [(m.role, m.content) for m in request.messages] == [
        ("user", "Name a bread"),
        ("assistant", first.text),
        ("user", "And a cake?"),
    ]
    await answer_of(app, request)
    sent = [(m["role"], m["content"]) for m in sent_messages(fake_openai) if m["role"] != "system"]
    assert sent == [("user", "Name a bread"), ("assistant", first.text), ("user", "And a cake?")]


async def test_attachments_are_stored_once_with_their_mime_type(cloud_app, fake_openai):
    app = cloud_app
    cid = app.conversations.create().id
    gif = ImageInput(GIF, "image/gif", "dot.gif")
    answer = await answer_of(app, app.chat.request(cid, Message("user", "What is this?", [gif]), model="gpt-4o-mini"))
    stored = json.loads(ChatMessage.get_by_id(answer.user_message_id).attachments)
    assert [(a["mime"], a["name"]) for a in stored] == [("image/gif", "dot.gif")]
    files = list((app.data_dir / "attachments").iterdir())
    assert [f.read_bytes() for f in files] == [GIF]
    # regenerating loads the stored question with its stored type (a suffix guess would have said image/png)
    again = app.chat.request(cid, answer_to=answer.user_message_id, model="gpt-4o-mini", use_cache=False)
    assert [(m.role, m.content) for m in again.messages] == [("user", "What is this?")]
    assert [(i.mime, i.data) for i in again.messages[-1].images] == [("image/gif", GIF)]
    await answer_of(app, again, store_user=False)
    parts = sent_messages(fake_openai)[-1]["content"]
    assert [p["image_url"]["url"][:15] for p in parts if p["type"] == "image_url"] == ["data:image/gif;"]
    assert list((app.data_dir / "attachments").iterdir()) == files  # written once
    assert ChatMessage.select().where(ChatMessage.role == "user").count() == 1


async def test_sources_travel_on_the_answer(cloud_app, fake_openai, tmp_path):
    app = cloud_app
    cid = app.conversations.create().id
    doc = tmp_path / "oven.md"
    doc.write_text("The bakery oven is preheated to 240 degrees for sourdough.\n", encoding="utf-8")
    await app.knowledge.attach(cid, doc)
    answer = await answer_of(app, app.chat.request(cid, Message("user", "How hot is the oven?"), model="gpt-4o-mini"))
    assert [s["label"] for s in answer.sources] == ["oven.md, passage 1"]
    assert answer.sources[0]["path"] == str(doc.resolve())
    assert ChatMessage.get_by_id(answer.message_id).meta_dict["sources"] == answer.sources  # stored as given


async def test_a_turn_titles_and_touches_its_conversation(cloud_app, fake_openai):
    from router.store.models import Conversation
    from router.types import RouteRequest

    app = cloud_app
    long = "Write a short launch note for the spring bread collection please"
    new = await answer_of(app, RouteRequest([Message("user", long)], model="gpt-4o-mini"))  # no conversation yet
    row = Conversation.get_by_id(ChatMessage.get_by_id(new.message_id).conversation_id)
    assert row.title == "Write a short launch note for the spring…"
    assert [m.role for m in app.conversations.messages(row.id)] == ["user", "assistant"]
    untitled = app.conversations.create()
    await answer_of(app, app.chat.request(untitled.id, Message("user", "Name a cake"), model="gpt-4o-mini"))
    later = Conversation.get_by_id(untitled.id)
    assert later.title == "Name a cake" and later.updated_at > untitled.updated_at
    await answer_of(app, app.chat.request(untitled.id, Message("user", "And a bread?"), model="gpt-4o-mini"))
    again = Conversation.get_by_id(untitled.id)
    assert again.title == "Name a cake" and again.updated_at >= later.updated_at  # titled once, touched each turn
    pictured = app.conversations.create()
    gif = ImageInput(GIF, "image/gif", "dot.gif")
    await answer_of(app, app.chat.request(pictured.id, Message("user", " ", [gif]), model="gpt-4o-mini"))
    assert Conversation.get_by_id(pictured.id).title == "New chat"  # no words to name it after

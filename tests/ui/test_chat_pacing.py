"""Streaming into the chat view: one re-render per changed answer per frame, streams taking turns, Stop intact."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt

from router.store.models import LlmUsage
from ui.chat.items import ChatItem
from ui.chat.message_view import MessageView
from ui.chat.pacing import STREAMING, TurnSlice

ANSWER = (
    "## Plan\n\nHere is **bold** text with `code`.\n\n- one\n- two\n\n```python\ndef add(a, b):\n    return a + b\n```\n\n"
    + " ".join(f"word{i}" for i in range(80))
    + "\n\n> a quote\n"
)


def chunks(text: str, size: int = 7) -> list[str]:
    """`text` cut into small deltas, as a model streams it."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def make_view(qtbot) -> MessageView:
    view = MessageView()
    qtbot.addWidget(view)
    view.resize(900, 1400)
    view.show()
    return view


def test_many_deltas_in_one_turn_render_each_answer_once_per_frame(qtbot, qloop):
    view = make_view(qtbot)
    items = [ChatItem("assistant", "", status="streaming") for _ in range(3)]
    for item in items:
        view.add(item)
    qloop.spin(0.05)
    revs = [item.rev for item in items]
    renders, frames = view.delegate.render_count, view.frames
    for piece in chunks(ANSWER):  # every delta of three answers arrives within one loop turn
        for item in items:
            item.text += piece
            view.refresh_item(item)
    assert [item.rev for item in items] == revs  # nothing re-rendered yet: the changes wait for the frame
    qtbot.waitUntil(lambda: view.frames > frames)
    view.grab()  # paint: the documents are built now
    assert view.frames == frames + 1
    assert [item.rev for item in items] == [r + 1 for r in revs]  # one revision per answer for ~80 deltas
    assert view.delegate.render_count - renders == len(items)  # one render per answer
    for item in items:  # the answers end: the final render is at once, with the footer's facts
        item.status, item.model = "ok", "gpt-4o-mini"
        view.refresh_item(item)
    assert [item.rev for item in items] == [r + 2 for r in revs]
    assert all(ANSWER.rstrip() in item.text for item in items)

    whole = make_view(qtbot)  # the same answers shown complete at once, as a stored conversation shows them
    for _ in items:
        whole.add(ChatItem("assistant", ANSWER, status="ok", model="gpt-4o-mini"))
    qloop.spin(0.05)
    streamed = [view.delegate.layout(i, 900).doc.toHtml() for i in items]
    at_once = [whole.delegate.layout(i, 900).doc.toHtml() for i in whole.store.items]
    assert streamed == at_once
    assert view.grab().toImage() == whole.grab().toImage()  # the same pixels


def test_streams_woken_together_take_turns_once_the_budget_is_spent(qloop):
    turn = TurnSlice(budget_s=0.0)  # every event after a turn's first waits for the next turn
    log: list[str] = []

    async def stream(name: str) -> None:
        for _ in range(6):
            log.append(name)  # the work of one event
            await turn.pause()

    async def both() -> None:
        await asyncio.gather(stream("a"), stream("b"))

    qloop.run(both())
    assert sorted(log) == ["a"] * 6 + ["b"] * 6  # nothing dropped
    runs = "".join(log).replace("ab", "a b").replace("ba", "b a").split()
    assert max(len(r) for r in runs) <= 2  # neither stream ran all its events in one go
    assert turn.pauses > 0


def test_stop_while_a_stream_waits_for_its_turn_is_recorded_as_a_stop(
    qtbot, qloop, chat, facade, fake_openai, monkeypatch
):
    monkeypatch.setattr(STREAMING, "budget_s", 0.0)  # the stream waits for a new turn after every event
    fake_openai.reply_text = " ".join(f"w{i}" for i in range(600))
    fake_openai.chunk_delay_s = 0.002
    pauses = STREAMING.pauses
    qtbot.keyClicks(chat.composer.edit, "Tell me a long story")
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    item = chat.view.store.items[-1]
    qloop.until(lambda: len(item.text) > 40, what="some streamed text")
    assert STREAMING.pauses > pauses
    qtbot.mouseClick(chat.composer.send_button, Qt.MouseButton.LeftButton)
    qloop.until(lambda: chat.task.done(), what="the stop")
    assert item.status == "stopped" and 0 < len(item.text) < len(fake_openai.reply_text)
    stored = facade.conversations.messages(chat.conversation_id)[-1]
    assert stored.status == "cancelled" and stored.content and item.text.startswith(stored.content[:10])
    rows = list(LlmUsage.select().order_by(LlmUsage.id))
    assert rows and rows[-1].outcome == "cancelled"  # the attempt's ledger row, as for any Stop

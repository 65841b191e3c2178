"""One chat turn end to end: history by conversation id, attachments stored once, sources on the answer."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from router.errors import SparklioError
from router.types import (
    Answer,
    AnswerDone,
    ImageInput,
    Message,
    PartialWithdrawn,
    Reservation,
    RoutePlan,
    RouteRequest,
    TextDelta,
)

HISTORY = 40  # most recent stored messages sent as context
_SUFFIX = {"image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}


@dataclass
class TurnStored:
    """First event of a stored turn: the ids of the user's message (None when regenerating) and the pending answer."""

    conversation_id: int
    user_message_id: int | None
    answer_message_id: int


def save_attachments(folder: Path, msg: Message) -> list[dict]:
    """The message's images as files named by content (written once), described with their MIME type."""
    out = []
    for img in msg.images:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (hashlib.sha256(img.data).hexdigest()[:24] + _SUFFIX.get(img.mime, ".png"))
        if not path.exists():
            path.write_bytes(img.data)
        out.append({"kind": "image", "path": str(path), "mime": img.mime, "name": img.name})
    return out


def _images(row: Any) -> list[ImageInput]:
    """A stored message's image attachments with the MIME type stored with them (missing files are skipped)."""
    try:
        atts = json.loads(row.attachments or "[]")
    except ValueError:
        return []
    out = []
    for a in atts:
        if isinstance(a, dict) and a.get("kind", "image") == "image" and a.get("path"):
            try:
                data = Path(a["path"]).read_bytes()
            except OSError:
                continue
            out.append(ImageInput(data, str(a.get("mime") or "image/png"), str(a.get("name") or "")))
    return out


def history(conversation_id: int, *, before: int | None = None, limit: int = HISTORY) -> list[Message]:
    """Context for the next request: the last `limit` stored messages, without failed turns or their prompts."""
    from router.store.models import ChatMessage  # peewee: kept off the GUI's start-up path

    q = ChatMessage.select().where(ChatMessage.conversation == conversation_id)
    if before is not None:
        q = q.where(ChatMessage.id < before)
    rows = list(q.order_by(ChatMessage.id))
    kept = []
    for i, row in enumerate(rows):
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if row.role not in ("user", "assistant") or row.status in ("pending", "error"):
            continue
        if row.role == "user" and nxt is not None and nxt.status == "error":
            continue  # a prompt that got no answer is not context
        if row.content.strip() or row.attachments not in ("", "[]"):
            kept.append(row)
    return [Message(r.role, r.content, _images(r)) for r in kept[-limit:]]


def stored_prompt(message_id: int) -> Message:
    """A stored user message as the prompt of a new answer (regenerate, retry)."""
    from router.store.models import ChatMessage

    row = ChatMessage.get_or_none(ChatMessage.id == message_id)
    if row is None or row.role != "user":
        raise SparklioError(f"message {message_id} is not a stored question")
    return Message("user", row.content, _images(row))


def answer_meta(a: Answer) -> dict:
    """What an answer's footer needs, stored with the message and shown live."""
    meta = {
        "model": a.model,
        "provider": a.provider,
        "cost_usd": a.cost_usd,
        "cached": a.cached,
        "latency_ms": a.latency_ms,
        "ttft_ms": a.ttft_ms,
        "experiment": a.experiment,
        "usage": {
            "input_tokens": a.usage.input_tokens,
            "output_tokens": a.usage.output_tokens,
            "cached_input_tokens": a.usage.cached_input_tokens,
            "reasoning_tokens": a.usage.reasoning_tokens,
            "cache_write_tokens": a.usage.cache_write_tokens,
        },
        "cache_saved_usd": a.cache_saved_usd,
        "attempts": [dict(x.__dict__) for x in a.attempts],
        "plan": a.plan.explain() if a.plan else "",
        "task": a.plan.task if a.plan else "",
        "complexity": a.plan.complexity if a.plan else "",
        "auto_task": bool(a.plan and a.plan.auto_task),
        "serves_for": a.serves_for,
    }
    if a.sources:
        meta["sources"] = a.sources  # the document passages the answer drew on
    if a.image:
        meta["image"] = a.image  # size, steps, seconds, seed: the image footer shows these instead of tokens
    return meta


class ChatSession:
    """Runs chat turns for one app: stores the turn, adds documents, plans, executes and stores the answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(
        self, conversation_id: int, prompt: Message | None = None, *, answer_to: int | None = None, **routing: Any
    ) -> RouteRequest:
        """A turn's request: the stored history, then `prompt` (regenerating: the stored question `answer_to`)."""
        if answer_to is not None:
            return RouteRequest(
                history(conversation_id, before=answer_to) + [stored_prompt(answer_to)],
                conversation_id=conversation_id,
                **routing,
            )
        if prompt is None:
            raise SparklioError("the prompt is empty: type something to send")
        return RouteRequest(history(conversation_id) + [prompt], conversation_id=conversation_id, **routing)

    async def _store_turn(
        self, request: RouteRequest, store_user: bool, plan: RoutePlan | None
    ) -> tuple[RouteRequest, TurnStored, Reservation | None]:
        """One committed transaction: the user's text is safe before any network call (the loop never waits for
        another process's lock: router/store/loop_writes.py); planned already, the first attempt's budget hold
        commits with it (one commit per request before the network)."""
        app = self.app
        hold = plan is not None and plan.kind == "chat" and not _batched(request)

        def write() -> tuple[RouteRequest, TurnStored, Any]:
            last = request.messages[-1]
            prompt, attachments = (
                (last.content, save_attachments(app.data_dir / "attachments", last)) if store_user else (None, None)
            )
            cid, user_id, answer_id = app.conversations.start_turn(request.conversation_id, prompt, attachments)
            req = request if request.conversation_id == cid else replace(request, conversation_id=cid)
            held = app.engine.hold_first(plan, req, answer_id) if hold and plan is not None else None
            return req, TurnStored(cid, user_id, answer_id), held

        def stopped(done: tuple[RouteRequest, TurnStored, Any]) -> None:  # stopped before it got the ids
            app.conversations.update_message(done[1].answer_message_id, status="cancelled")  # never left pending
            app.budget.release(done[2][0] if done[2] else None)

        req, turn, held = await app.store.writes.run(write, on_cancel=stopped, group=False)  # at once
        if held is None:
            return req, turn, None
        app.budget.publish(held[1])
        return req, turn, held[0]

    def _plan_first(self, request: RouteRequest) -> tuple[RoutePlan | None, RouteRequest]:
        """The plan and the request with its task's system prompt, made before the turn is stored when that is
        quick and needs no network (no documents to add, the classifier loaded); (None, request) otherwise, and
        when planning fails (planned again after the turn is stored, so its error is stored with the answer)."""
        app = self.app
        if request.conversation_id is not None and app.knowledge.has_sources(request.conversation_id):
            return None, request  # the documents' search may call an embedding model: the turn is stored first
        if (request.task is None or request.complexity is None) and not app.auto.ready:
            return None, request  # a first classification may train for seconds: the user's text waits for nothing
        try:
            plan = app.plan(request, explore=True)
        except SparklioError:
            return None, request
        return plan, app.prompts.apply(request, plan.task)

    async def _with_documents(self, request: RouteRequest) -> tuple[RouteRequest, list[dict]]:
        """The conversation's document passages added to the prompt, and the sources to show with the answer."""
        app = self.app
        if request.conversation_id is None or not app.knowledge.has_sources(request.conversation_id):
            return request, []
        offline = app.offline if request.offline is None else bool(request.offline)
        try:
            messages, passages = await app.knowledge.augment(request.messages, request.conversation_id, offline=offline)
        except SparklioError as exc:  # documents unreachable: answer without them, and say so
            return request, [{"label": f"documents not used: {exc}", "path": "", "score": 0.0}]
        sources = [{"label": p.label, "path": p.path, "score": round(p.score, 3)} for p in passages]
        return replace(request, messages=messages), sources

    async def run(self, request: RouteRequest, *, store: bool = True, store_user: bool = True) -> AsyncIterator:
        """Plan and execute a chat request, yielding TurnStored (when stored), then engine events."""
        app = self.app
        plan, request = self._plan_first(request) if store else (None, request)
        stored = held = None
        if store:
            request, stored, held = await self._store_turn(request, store_user, plan)
            try:
                yield stored
            except BaseException:  # the consumer stopped at the turn: no answer is coming
                await self._update(stored.answer_message_id, lambda: app.budget.release(held), status="cancelled")
                raise
        answer_id = stored.answer_message_id if stored else None
        sources: list[dict] = []
        try:
            if plan is None:
                request, sources = await self._with_documents(request)
                plan = app.plan(request, explore=True)
                request = app.prompts.apply(request, plan.task)  # the task's short system prompt (prompt library)
            queued = await self._maybe_batch(request, plan, answer_id)
        except SparklioError as exc:
            await self._update(answer_id, content=str(exc), status="error")
            raise
        if queued is not None:  # the answer arrives when the provider's batch ends
            yield queued
            return
        text: list[str] = []
        saved: list[Answer] = []  # answers stored (live calls: in their ledger row's transaction)

        def save(answer: Answer) -> None:  # the answer on the event and in its message (in the caller's write)
            answer.user_message_id = stored.user_message_id if stored else None
            answer.sources = sources
            if answer_id is not None:
                app.conversations.update_message(
                    answer_id, content=answer.text, status="ok", model=answer.model, meta=answer_meta(answer)
                )
            saved.append(answer)

        try:
            async for ev in self._events(plan, request, answer_id, save if answer_id is not None else None, held):
                if isinstance(ev, TextDelta):
                    text.append(ev.text)
                elif isinstance(ev, PartialWithdrawn):
                    text.clear()
                elif isinstance(ev, AnswerDone) and not any(a is ev.answer for a in saved):
                    # not stored with its ledger row (an image, an embedding, a failed write there)
                    if answer_id is None:
                        save(ev.answer)
                    else:
                        await app.store.writes.run(lambda a=ev.answer: save(a))
                yield ev
        except asyncio.CancelledError:
            await self._update(answer_id, content="".join(text), status="cancelled", meta={"plan": plan.explain()})
            raise
        except SparklioError as exc:
            attempts = [a.__dict__ for a in getattr(exc, "attempts", [])]
            meta = {"plan": plan.explain(), "attempts": attempts}
            await self._update(answer_id, content=str(exc), status="error", meta=meta)
            raise

    def _events(
        self, plan: RoutePlan, request: RouteRequest, answer_id: int | None, save: Any = None, held: Any = None
    ) -> AsyncIterator:
        """The engine's events for the plan's kind (images and embeddings typed into the chat answer as Markdown)."""
        app = self.app
        if plan.kind == "image":
            from router.chat_images import image_answer_events

            return image_answer_events(app, plan, request, answer_id)
        if plan.kind == "embedding":
            from router.chat_images import embedding_answer_events

            return embedding_answer_events(app, plan, request, answer_id)

        def invoke(provider, model, max_out):  # the provider's own stream: no extra generator per chunk
            return provider.stream_chat(model, request.messages, max_tokens=max_out, temperature=request.temperature)

        def key_of(m: Any) -> str:
            return app.cache.key(m, request.messages, {"temperature": request.temperature})

        cache_key = key_of if request.use_cache and app.cache.enabled else None

        return app.engine.execute(
            plan, request, invoke, message_id=answer_id, cache_key=cache_key, on_answer=save, held=held
        )

    async def _maybe_batch(self, request: RouteRequest, plan: RoutePlan, answer_id: int | None):
        """A chat request at speed batch that can wait goes to a Batch API (None: it runs live)."""
        if not (_batched(request) and plan.kind == "chat"):
            return None
        queued = await self.app.batch.queue_chat(request, plan, answer_id)
        if queued is not None:
            await self._update(
                answer_id,
                content="",
                status="pending",
                model=queued.model,
                meta={"batch_job": queued.job_id, "plan": plan.explain()},
            )
        return queued

    async def _update(self, answer_id: int | None, also: Any = None, **fields: Any) -> None:
        """Set the answer's fields (and run `also` in the same write) through the request path's writer: the loop
        never waits there for another process's lock (router/store/loop_writes.py)."""
        if answer_id is None:
            return
        conversations = self.app.conversations

        def write() -> None:
            conversations.update_message(answer_id, **fields)
            if also is not None:
                also()

        await self.app.store.writes.run(write)


def _batched(request: RouteRequest) -> bool:
    """A request that may wait for a provider's Batch API (its chat plan is queued, not run live)."""
    return bool(request.can_wait and request.speed == "batch")

"""Conversations and their messages: create, list/search, rename, delete, append."""

from __future__ import annotations

import json
import time

from router import recovery
from router.errors import SparklioError
from router.store.models import ChatMessage, Conversation
from router.validate import clean_text

_UPDATABLE = frozenset({"role", "content", "attachments", "status", "model", "meta"})  # columns update_message sets


class Conversations:
    """CRUD over conversations and messages (the user's text is stored before any network call)."""

    def list(self, search: str = "", limit: int = 500) -> list[Conversation]:
        """Most recently updated first; `search` matches titles and message text."""
        q = Conversation.select().order_by(Conversation.updated_at.desc()).limit(limit)
        if search:
            like = f"%{search}%"
            hits = ChatMessage.select(ChatMessage.conversation).where(ChatMessage.content**like)
            q = q.where((Conversation.title**like) | (Conversation.id.in_(hits)))
        return list(q)

    def get(self, conversation_id: int) -> Conversation:
        """One conversation or a clear error."""
        conv = Conversation.get_or_none(Conversation.id == conversation_id)
        if conv is None:
            raise SparklioError(f"conversation {conversation_id} does not exist")
        return conv

    def create(self, title: str = "New chat") -> Conversation:
        """A new, empty conversation (plain SQL: on the send path)."""
        now, title = time.time(), (title or "New chat").strip()[:200]
        cur = Conversation._meta.database.execute_sql(
            "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)", (title, now, now)
        )
        return Conversation(id=cur.lastrowid, title=title, created_at=now, updated_at=now)

    def rename(self, conversation_id: int, title: str) -> None:
        """Change a conversation's title (non-empty)."""
        title = (title or "").strip()
        if not title:
            raise SparklioError("a conversation title cannot be empty")
        self.get(conversation_id)
        Conversation.update(title=title[:200]).where(Conversation.id == conversation_id).execute()

    def delete(self, conversation_id: int) -> None:
        """Delete a conversation and its messages (ledger rows stay: money spent is history)."""
        self.get(conversation_id)
        ChatMessage.delete().where(ChatMessage.conversation == conversation_id).execute()
        Conversation.delete().where(Conversation.id == conversation_id).execute()

    def messages(self, conversation_id: int, limit: int | None = None) -> list[ChatMessage]:
        """Messages oldest first (the last `limit` when given)."""
        q = ChatMessage.select().where(ChatMessage.conversation == conversation_id)
        if limit:
            rows = list(q.order_by(ChatMessage.id.desc()).limit(limit))
            return rows[::-1]
        return list(q.order_by(ChatMessage.id))

    def add(
        self,
        conversation_id: int | None,
        role: str,
        content: str,
        *,
        status: str = "ok",
        model: str | None = None,
        attachments: list | None = None,
        meta: dict | None = None,
        touch: bool = True,
    ) -> int:
        """Append a message and (with `touch`) the conversation's time; returns the message id (plain SQL: on the
        send path)."""
        now = time.time()
        db = ChatMessage._meta.database
        owner = recovery.me() if status == "pending" else (None, None)  # a restart settles a dead owner's answer
        cur = db.execute_sql(
            "INSERT INTO messages (conversation_id, role, content, attachments, status, model, meta, created_at,"
            " owner_pid, owner_started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                role,
                clean_text(content),
                json.dumps(attachments or []),
                status,
                model,
                json.dumps(meta or {}),
                now,
                *owner,
            ),
        )
        if touch and conversation_id is not None:
            db.execute_sql("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return cur.lastrowid

    def update_message(self, message_id: int, **fields) -> None:
        """Set fields on a stored message (meta given as a dict); plain SQL: every answer ends with one."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise TypeError(f"messages have no field {sorted(unknown)}")
        if "meta" in fields and isinstance(fields["meta"], dict):
            fields["meta"] = json.dumps(fields["meta"])
        if fields:
            sets = ", ".join(f"{k} = ?" for k in fields)
            ChatMessage._meta.database.execute_sql(
                f"UPDATE messages SET {sets} WHERE id = ?", (*fields.values(), int(message_id))
            )

    def start_turn(
        self, conversation_id: int | None, prompt: str | None, attachments: list | None = None
    ) -> tuple[int, int | None, int]:
        """A turn's rows in the caller's transaction, in as few statements as they need (the send path): the
        conversation (created titled after `prompt` when `conversation_id` is None; else titled when still "New
        chat", and touched), the user's message (`prompt` None: regenerating, none stored) and the pending answer.
        Returns (conversation id, user message id or None, answer id)."""
        now = time.time()
        title = title_for(prompt or "")
        db = Conversation._meta.database
        if conversation_id is None:
            conversation_id = db.execute_sql(
                "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
                (title or "New chat", now, now),
            ).lastrowid
        else:
            db.execute_sql(
                "UPDATE conversations SET updated_at = ?,"
                " title = CASE WHEN title = 'New chat' AND ? <> '' THEN ? ELSE title END WHERE id = ?",
                (now, title, title, conversation_id),
            )
        assert conversation_id is not None
        user_id = None
        if prompt is not None:
            user_id = self.add(conversation_id, "user", prompt, attachments=attachments, touch=False)
        return conversation_id, user_id, self.add(conversation_id, "assistant", "", status="pending", touch=False)


def title_for(first_prompt: str) -> str:
    """A chat's title from its first prompt: the first eight words ("" for a prompt without words)."""
    words = first_prompt.strip().split()
    return (" ".join(words[:8]) + ("…" if len(words) > 8 else ""))[:200] if words else ""

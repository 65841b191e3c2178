"""Per-conversation totals, export (Markdown with images, JSON) and edit-and-resend forks (branches)."""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from router.errors import SparklioError
from router.store.db import database

_IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\((file://[^)\s]+)\)")


@dataclass
class Totals:
    """What a conversation cost: USD, tokens and the models that answered (most used first)."""

    cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    models: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


def totals(conversation_id: int) -> Totals:
    """Sum of the ledger rows carrying this conversation's id (failed attempts included: they cost money)."""
    row = database.execute_sql(
        "SELECT COALESCE(SUM(cost_usd), 0), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)"
        " FROM llm_usage WHERE conversation_id = ?",
        (conversation_id,),
    ).fetchone()
    models = [
        m
        for (m,) in database.execute_sql(
            "SELECT model FROM llm_usage WHERE conversation_id = ? AND outcome = 'ok' GROUP BY model"
            " ORDER BY COUNT(*) DESC, model",
            (conversation_id,),
        ).fetchall()
    ]
    return Totals(float(row[0]), int(row[1]), int(row[2]), models)


def _rows(app: Any, conversation_id: int) -> list[Any]:
    return [m for m in app.conversations.messages(conversation_id) if m.status != "pending"]


def to_json(app: Any, conversation_id: int) -> dict[str, Any]:
    """The conversation as data: title, totals and every message with its model, attachments and meta."""
    conv = app.conversations.get(conversation_id)
    t = totals(conversation_id)
    return {
        "id": conv.id,
        "title": conv.title,
        "created_at": conv.created_at,
        "cost_usd": round(t.cost_usd, 6),
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "models": t.models,
        "messages": [
            {
                "id": m.id,
                "role": m.role,
                "content": m.content,
                "status": m.status,
                "model": m.model,
                "attachments": json.loads(m.attachments or "[]"),
                "meta": m.meta_dict,
                "created_at": m.created_at,
            }
            for m in _rows(app, conversation_id)
        ],
    }


def export(app: Any, conversation_id: int, dest: Path) -> Path:
    """Write `dest` (.md: Markdown with its images copied beside it into <name>_images/; .json: the data)."""
    dest = Path(dest).expanduser()
    data = to_json(app, conversation_id)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.suffix.lower() == ".json":
            dest.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
            return dest
        if dest.suffix.lower() != ".md":
            dest = dest.with_suffix(".md")
        dest.write_text(_markdown(data, dest), encoding="utf-8")
    except OSError as exc:
        raise SparklioError(f"cannot write {dest}: {exc.strerror or exc}") from None
    return dest


def _markdown(data: dict[str, Any], dest: Path) -> str:
    folder = dest.parent / f"{dest.stem}_images"

    def copy(path: str) -> str:
        src = Path(path)
        if not src.is_file():
            return path
        folder.mkdir(exist_ok=True)
        shutil.copyfile(src, folder / src.name)
        return f"{folder.name}/{src.name}"

    out = [
        f"# {data['title']}",
        "",
        f"*{len(data['messages'])} messages · ${data['cost_usd']:.4f} · "
        f"{data['input_tokens'] + data['output_tokens']:,} tokens · {', '.join(data['models']) or 'no model'}*",
        "",
    ]
    for m in data["messages"]:
        who = "You" if m["role"] == "user" else (f"{m['model']}" if m["model"] else m["role"].capitalize())
        out += [f"### {who}", ""]
        for a in m["attachments"]:
            if a.get("kind") == "image" and a.get("path"):
                out += [f"![{a.get('name') or 'image'}]({copy(a['path'])})", ""]
        text = _IMAGE_LINK.sub(
            lambda mm: f"![{mm.group(1)}]({copy(unquote(urlparse(mm.group(2)).path))})", m["content"]
        )
        out += [text.strip(), ""]
    return "\n".join(out).rstrip() + "\n"


# ---- branches ----
def fork(app: Any, conversation_id: int, message_id: int) -> int:
    """A new branch holding the messages before `message_id` (a user message being edited); returns its id.

    The original conversation is left as it was, so both branches stay and the user can switch between them."""
    conv = app.conversations.get(conversation_id)
    rows = app.conversations.messages(conversation_id)
    idx = next((i for i, m in enumerate(rows) if m.id == message_id), None)
    if idx is None or rows[idx].role != "user":
        raise SparklioError(f"message {message_id} is not a prompt of conversation {conversation_id}")
    root = family_root(conversation_id)
    with database.atomic():
        new = app.conversations.create(conv.title)
        database.execute_sql(
            "UPDATE conversations SET parent_id = ?, fork_message_id = ? WHERE id = ?", (root, message_id, new.id)
        )
        for m in rows[:idx]:
            database.execute_sql(
                "INSERT INTO messages (conversation_id, role, content, attachments, status, model, meta, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (new.id, m.role, m.content, m.attachments, m.status, m.model, m.meta, m.created_at),
            )
        database.execute_sql("UPDATE conversations SET updated_at = ? WHERE id = ?", (time.time(), new.id))
    return new.id


def family_root(conversation_id: int) -> int:
    """The conversation a branch was forked from (itself when it is an original)."""
    row = database.execute_sql("SELECT parent_id FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    return int(row[0]) if row and row[0] else conversation_id


def branches(conversation_id: int) -> list[int]:
    """Every branch of this conversation's family, oldest first (the original, then its forks)."""
    root = family_root(conversation_id)
    return [root] + [
        i
        for (i,) in database.execute_sql(
            "SELECT id FROM conversations WHERE parent_id = ? ORDER BY id", (root,)
        ).fetchall()
    ]

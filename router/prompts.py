"""The prompt library: short per-task system prompts shipped as data, the user's edits, and saved prompts."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from router.errors import ConfigError, SparklioError
from router.paths import RESOURCES
from router.types import Message, RouteRequest

PROMPTS_FILE = RESOURCES / "prompts.toml"
MAX_PROMPT_CHARS = 4000
MAX_NAME_CHARS = 60


@lru_cache(maxsize=4)
def shipped(path: Path = PROMPTS_FILE) -> dict[str, str]:
    """The shipped task -> system prompt table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read the prompt library: {exc}") from None
    return {str(k): str(v).strip() for k, v in (data.get("tasks") or {}).items()}


class PromptLibrary:
    """System prompts per task (shipped, or the user's edit) and the user's own saved prompts."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    # ---- per-task system prompts ----
    def system_for(self, task: str) -> str:
        """The system prompt sent for `task` ("" when none or turned off)."""
        own = self.settings.system_prompts
        return str(own[task]) if task in own else shipped().get(task, "")

    def is_edited(self, task: str) -> bool:
        """True when the user has changed (or turned off) this task's prompt."""
        return task in self.settings.system_prompts

    def set_system(self, task: str, text: str) -> None:
        """Store the user's prompt for `task` (empty text turns the system prompt off for it)."""
        if len(text) > MAX_PROMPT_CHARS:
            raise SparklioError(f"a system prompt must be under {MAX_PROMPT_CHARS} characters")
        own = dict(self.settings.system_prompts)
        own[task] = text.strip()
        self.settings.system_prompts = own

    def reset(self, task: str) -> None:
        """Go back to the shipped prompt for `task`."""
        own = dict(self.settings.system_prompts)
        own.pop(task, None)
        self.settings.system_prompts = own

    def apply(self, request: RouteRequest, task: str) -> RouteRequest:
        """The request with the task's system prompt first, unless it already carries a system message."""
        text = self.system_for(task)
        if not text or any(m.role == "system" for m in request.messages):
            return request
        return replace(request, messages=[Message("system", text)] + list(request.messages))

    # ---- the user's saved prompts ----
    def saved(self) -> list[dict[str, str]]:
        """Saved prompts, by name."""
        items = [p for p in self.settings.saved_prompts if isinstance(p, dict)]
        return sorted(items, key=lambda p: str(p.get("name", "")).lower())

    def save(self, name: str, text: str) -> None:
        """Save (or replace) a prompt under a short name."""
        name = name.strip()
        if not name or len(name) > MAX_NAME_CHARS or " " in name:
            raise SparklioError(f"a saved prompt needs a name of 1 to {MAX_NAME_CHARS} characters without spaces")
        if not text.strip() or len(text) > MAX_PROMPT_CHARS:
            raise SparklioError(f"a saved prompt needs text of 1 to {MAX_PROMPT_CHARS} characters")
        items = [p for p in self.saved() if p.get("name") != name] + [{"name": name, "text": text}]
        self.settings.saved_prompts = items

    def delete(self, name: str) -> None:
        """Forget a saved prompt."""
        self.settings.saved_prompts = [p for p in self.saved() if p.get("name") != name]

    def matching(self, prefix: str) -> list[dict[str, str]]:
        """Saved prompts whose name starts with (then contains) `prefix`, for the composer's "/" menu."""
        q = prefix.lower()
        items = self.saved()
        return [p for p in items if p["name"].lower().startswith(q)] + [
            p for p in items if q in p["name"].lower() and not p["name"].lower().startswith(q)
        ]

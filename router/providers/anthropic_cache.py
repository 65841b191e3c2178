"""Anthropic prompt caching: `cache_control` breakpoints on the stable prefix when it is long enough to qualify."""

from __future__ import annotations

from typing import Any

from router.cache_estimate import min_cacheable_tokens
from router.planner import _IMAGE_TOKENS

__all__ = ["min_cacheable_tokens", "place_breakpoints"]

MAX_BREAKPOINTS = 4  # the API's limit per request
EPHEMERAL: dict[str, str] = {"type": "ephemeral"}


def block_tokens(block: dict) -> int:
    """The planner's ~4 characters a token estimate for one content block."""
    if block.get("type") == "image":
        return _IMAGE_TOKENS
    return len(str(block.get("text", ""))) // 4 + 1


def place_breakpoints(
    system_parts: list[str], turns: list[dict], min_tokens: int
) -> tuple[list[dict] | str, list[dict]]:
    """(system, turns) with breakpoints on the system prompt, the knowledge context and the earlier turns.

    `system_parts` are the request's system messages in order (the system prompt, then the knowledge passages);
    a breakpoint goes on a part, and on the last block before the newest user turn, when the prefix up to and
    including it reaches `min_tokens`. Without any qualifying breakpoint the request is left as it was."""
    system_blocks: list[dict[str, Any]] = [{"type": "text", "text": p} for p in system_parts]
    prefix, marked = 0, 0
    for block in system_blocks:
        prefix += block_tokens(block)
        if prefix >= min_tokens and marked < MAX_BREAKPOINTS - 1:
            block["cache_control"] = dict(EPHEMERAL)
            marked += 1
    last_user = max((i for i, t in enumerate(turns) if t["role"] == "user"), default=0)
    history = turns[:last_user]
    for turn in history:
        prefix += sum(block_tokens(b) for b in turn["content"])
    new_turns = list(turns)
    if history and prefix >= min_tokens:
        tail = history[-1]
        blocks = [dict(b) for b in tail["content"]]
        blocks[-1]["cache_control"] = dict(EPHEMERAL)
        new_turns[last_user - 1] = {**tail, "content": blocks}
        marked += 1
    if not marked:
        return "\n\n".join(system_parts), turns
    return system_blocks, new_turns

"""Anthropic's prompt cache, simulated for the fake: prefixes at `cache_control` breakpoints are written, later
requests that share one (looking back up to 20 blocks, as the API does) read it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.fakes.http import count_tokens

LOOKBACK_BLOCKS = 20


def _blocks(body: dict) -> list[dict]:
    """Every cacheable block in prefix order: system blocks, then each message's content blocks."""
    system = body.get("system") or []
    out = [{"type": "text", "text": system}] if isinstance(system, str) and system else list(system)
    for m in body.get("messages", []):
        content = m.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        out.extend({**b, "_role": m.get("role")} for b in blocks)
    return out


def _tokens(block: dict) -> int:
    return count_tokens(block.get("text", "")) if block.get("type") == "text" else 0


class PromptCacheSim:
    """Remembers written prefixes (hash -> tokens) across requests to one fake server."""

    def __init__(self) -> None:
        self.written: dict[str, int] = {}

    def usage(self, body: dict) -> dict[str, int]:
        """input_tokens (uncached), cache_read_input_tokens and cache_creation_input_tokens for this request."""
        blocks = _blocks(body)
        digest = hashlib.sha256()
        hashes: list[str] = []
        cumulative: list[int] = []
        total = 0
        for b in blocks:
            clean = {k: v for k, v in b.items() if k != "cache_control"}
            digest.update(json.dumps(clean, sort_keys=True).encode())
            hashes.append(digest.copy().hexdigest())
            total += _tokens(b)
            cumulative.append(total)
        marks = [i for i, b in enumerate(blocks) if isinstance(b.get("cache_control"), dict)]
        read = 0
        for i in marks:
            for j in range(i, max(i - LOOKBACK_BLOCKS, -1), -1):
                if hashes[j] in self.written:
                    read = max(read, self.written[hashes[j]])
                    break
        last = cumulative[marks[-1]] if marks else 0
        write = max(last - read, 0)
        for i in marks:
            self.written[hashes[i]] = cumulative[i]
        return {
            "input_tokens": total - read - write,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": write,
        }


def apply(sim: PromptCacheSim | None, body: dict, usage: dict[str, Any]) -> dict[str, Any]:
    """`usage` with the simulated cache split when the fake simulates caching."""
    return usage if sim is None else {**usage, **sim.usage(body)}

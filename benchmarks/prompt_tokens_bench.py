"""Prompt library: input tokens per task on the labelled prompts — none, a generic long system prompt, the library's.

Tokens are the router's own estimate (router.planner.estimate_tokens: ~4 characters a token plus per-message
overhead), the figure budget holds and plans use. Run: python benchmarks/prompt_tokens_bench.py [--markdown]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from router.planner import estimate_tokens
from router.prompts import shipped
from router.types import Message

LABELLED = Path(__file__).resolve().parents[1] / "resources" / "classifier" / "labelled.jsonl"
# What a system prompt looks like without the advice: one long generic preamble for every task.
GENERIC = (
    "You are a helpful, knowledgeable and friendly AI assistant. Always think carefully about the user's "
    "request, consider all relevant context and background information, and provide a comprehensive, "
    "accurate, detailed and well-structured answer. If you are unsure about something, say so. Be polite, "
    "professional and thorough, and make sure your response fully addresses every aspect of the question."
)


def measure() -> list[tuple[str, int, float, float, float]]:
    """(task, prompts, mean tokens with no system prompt, with the generic one, with the library's)."""
    library = shipped()
    rows: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["task"] not in library:  # image and embedding tasks take no system prompt
            continue
        user = [Message("user", item["prompt"])]
        lib = [Message("system", library[item["task"]])]
        rows[item["task"]].append(
            (estimate_tokens(user), estimate_tokens([Message("system", GENERIC)] + user), estimate_tokens(lib + user))
        )
    out = []
    for task, vals in sorted(rows.items()):
        n = len(vals)
        out.append((task, n, sum(v[0] for v in vals) / n, sum(v[1] for v in vals) / n, sum(v[2] for v in vals) / n))
    return out


def main() -> None:
    rows = measure()
    if "--markdown" in sys.argv:
        print("| Task | Prompts | No system prompt | Generic system prompt | Library prompt | vs generic |")
        print("|---|---:|---:|---:|---:|---:|")
        for task, n, none, generic, lib in rows:
            print(
                f"| {task} | {n} | {none:.0f} | {generic:.0f} | {lib:.0f} (+{lib - none:.0f}) "
                f"| {100 * (lib - generic) / generic:+.0f}% |"
            )
        return
    for task, n, none, generic, lib in rows:
        print(
            f"{task:24} n={n:3}  none {none:6.1f}  generic {generic:6.1f}  library {lib:6.1f}  "
            f"({100 * (lib - generic) / generic:+.0f}% vs generic)"
        )


if __name__ == "__main__":
    main()

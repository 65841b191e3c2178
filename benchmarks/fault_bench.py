"""Time to fallback when the primary provider hangs, trickles, refuses connections or answers 503 to everything.

Target: a hung provider falls back within 25 s with the default limits. Run: .venv/bin/python benchmarks/fault_bench.py
Real time, default settings (10 s to the first token, 10 s idle gap, 120 s per request), real SDK clients against the
fake servers in tests/fakes on 127.0.0.1. The chain is claude-3-5-sonnet (Anthropic, the faulty one) -> gpt-4
(OpenAI, healthy); the figure is the time from the request to gpt-4's first token. `--scale 0.1` shortens every
limit tenfold for a quick look.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from router.app import Sparklio  # noqa: E402
from router.deadlines import DEFAULT_TTFT_S  # noqa: E402
from router.types import AttemptStarted, Message, RouteRequest, TextDelta  # noqa: E402
from tests.fakes.anthropic_server import FakeAnthropic  # noqa: E402
from tests.fakes.keyring import MemoryKeyring  # noqa: E402
from tests.fakes.ollama_server import down_url  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

PROMPT = "Write a two-line caption for a bakery launch"


def _fault(name: str, anthropic: FakeAnthropic) -> str | None:
    """Arm the Anthropic fake for one case; returns a replacement endpoint (refusing) or None."""
    if name == "hung":
        for _ in range(4):
            anthropic.timeout(600.0)  # accepts the connection, never answers
    elif name == "trickling":
        anthropic.chunk_delay_s = 25.0  # one word, then 25 s per word (the probe in issue 13)
    elif name == "refusing":
        return down_url()
    elif name == "503 storm":
        anthropic.fail_next(503, times=50)
    return None


async def one(name: str, scale: float) -> dict:
    with (
        FakeAnthropic(models=["claude-3-5-sonnet-20241022"]) as anthropic,
        FakeOpenAI(models=["gpt-4"]) as openai,
        tempfile.TemporaryDirectory() as tmp,
    ):
        app = Sparklio(Path(tmp), keyring=MemoryKeyring(), env={})
        app.secrets.set("anthropic", "sk-ant-bench")
        app.secrets.set("openai", "sk-bench")
        endpoints = {"anthropic": anthropic.base_url, "openai": openai.base_url}
        app.settings.set("exploration_rate", 0.0)
        if scale != 1.0:
            app.settings.set("ttft_s", {k: v * scale for k, v in DEFAULT_TTFT_S.items()})
            app.settings.set("idle_gap_s", app.settings.get("idle_gap_s") * scale)
        endpoints["anthropic"] = _fault(name, anthropic) or endpoints["anthropic"]
        app.settings.set("endpoints", endpoints)
        for provider in ("anthropic", "openai"):  # SDK imports and clients are ready, as in a running app
            app.registry.prepare(provider)
        t0 = time.perf_counter()
        attempts, first = [], None
        async for ev in app.run(
            RouteRequest([Message("user", PROMPT)], task="copywriting_standard", complexity="medium", use_cache=False)
        ):
            if isinstance(ev, AttemptStarted):
                attempts.append(f"{ev.model}#{ev.attempt}")
            elif isinstance(ev, TextDelta) and first is None and attempts[-1].startswith("gpt-4"):
                first = time.perf_counter() - t0
        await app.aclose()
        anthropic.stop_event.set()  # wake the fake's sleeping handlers
        return {"case": name, "fallback_s": round(first, 2), "attempts": attempts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every limit (0.1 for a quick run)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [asyncio.run(one(name, args.scale)) for name in ("hung", "trickling", "refusing", "503 storm")]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'provider':12} {'time to fallback':>17}  attempts")
    for r in rows:
        print(f"{r['case']:12} {r['fallback_s']:>15.2f} s  {' -> '.join(r['attempts'])}")


if __name__ == "__main__":
    main()

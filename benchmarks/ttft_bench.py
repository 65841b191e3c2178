"""The engine's added time to first token vs calling the OpenAI SDK directly, on the same loopback server.

Target: under 1 ms median, under 3 ms p95. Run: .venv/bin/python benchmarks/ttft_bench.py [--n 300]
Both paths stream from the same fake OpenAI server (tests/fakes) with the same SDK client settings; runs are
interleaved so machine noise hits both equally. The engine path includes everything a chat request does before
the first token: storing the user's message, classification off (task given), planning, the budget hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from router.app import Sparklio  # noqa: E402
from router.types import Message, RouteRequest, TextDelta  # noqa: E402
from tests.fakes.keyring import MemoryKeyring  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402


async def bare_ttft(client, prompt: str) -> float:
    t0 = time.perf_counter()
    stream = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": prompt}],
        stream=True,
        stream_options={"include_usage": True},
        max_completion_tokens=4096,
    )
    first = None
    async for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter()
    return (first - t0) * 1000


async def engine_ttft(app, prompt: str) -> float:
    t0 = time.perf_counter()
    first = None
    async for ev in app.run(
        RouteRequest(
            [Message("user", prompt)], task="chat_response", complexity="simple", model="gpt-4o-mini", use_cache=False
        )
    ):
        if first is None and isinstance(ev, TextDelta):
            first = time.perf_counter()
    return (first - t0) * 1000


async def run(n: int) -> dict:
    import openai

    with FakeOpenAI(models=["gpt-4o-mini"]) as server, tempfile.TemporaryDirectory() as tmp:
        app = Sparklio(Path(tmp), keyring=MemoryKeyring(), env={})
        app.secrets.set("openai", "sk-bench")
        app.settings.set("endpoints", {"openai": server.base_url})
        app.settings.set("exploration_rate", 0.0)
        client = openai.AsyncOpenAI(api_key="sk-bench", base_url=server.base_url, max_retries=0, timeout=60)
        bare, eng = [], []
        for i in range(20):  # warm both paths (connections, imports)
            await bare_ttft(client, f"warm {i}")
            await engine_ttft(app, f"warm {i}")
        for i in range(n):
            prompt = f"Say hello to reader number {i}"
            if i % 2:
                bare.append(await bare_ttft(client, prompt))
                eng.append(await engine_ttft(app, prompt))
            else:
                eng.append(await engine_ttft(app, prompt))
                bare.append(await bare_ttft(client, prompt))
        await client.close()
        await app.aclose()
    diffs = sorted(e - b for e, b in zip(eng, bare))
    return {
        "n": n,
        "bare_median_ms": round(statistics.median(bare), 3),
        "engine_median_ms": round(statistics.median(eng), 3),
        "added_median_ms": round(statistics.median(eng) - statistics.median(bare), 3),
        "added_p95_ms": round(sorted(eng)[int(0.95 * n)] - sorted(bare)[int(0.95 * n)], 3),
        "paired_diff_median_ms": round(statistics.median(diffs), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = asyncio.run(run(args.n))
    if args.json:
        print(json.dumps(res))
        return
    print(f"TTFT over {res['n']} interleaved requests on one loopback fake OpenAI server")
    print(f"bare SDK median {res['bare_median_ms']} ms · through Sparklio median {res['engine_median_ms']} ms")
    print(
        f"added: median {res['added_median_ms']} ms, p95 {res['added_p95_ms']} ms "
        f"(paired median {res['paired_diff_median_ms']} ms; target < 1 ms median, < 3 ms p95)"
    )


if __name__ == "__main__":
    main()

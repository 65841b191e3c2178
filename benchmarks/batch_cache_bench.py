"""What the providers' discounts are worth: a 30-item catalogue job live vs through the Batch API, and a 20-turn
chat with and without Anthropic prompt caching.

Usage: .venv/bin/python benchmarks/batch_cache_bench.py [--json]
Both run through the app's live path (real SDK clients -> the fake provider servers on 127.0.0.1, real SQLite
ledger); money is the ledger's, priced by genai-prices. The fakes count one token per word, and answer with a
fixed ~120-word product description / reply, so the token counts are realistic in size, not in tokenizer detail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from router.pricing import call_cost  # noqa: E402
from router.types import Message, RouteRequest  # noqa: E402
from tests.conftest import catalog_api_models, make_cloud_app  # noqa: E402
from tests.fakes.anthropic_server import FakeAnthropic  # noqa: E402
from tests.fakes.keyring import MemoryKeyring  # noqa: E402

DESCRIPTION = (
    "Thrown by hand on the wheel and glazed in a soft speckled white, this piece brings a quiet warmth "
    "to everyday rituals. Its weight sits comfortably in the hand and the rim is finished smooth for "
    "easy sipping or serving. Every item varies slightly in tone and shape, a trace of the maker's "
    "hand rather than a flaw. "
) * 2
PRODUCTS = [
    f"{kind} no. {n}, stoneware, {size} cm"
    for n, (kind, size) in enumerate(
        [("Mug", 9), ("Bowl", 15), ("Plate", 24), ("Vase", 20), ("Jug", 18), ("Cup", 8)] * 5, 1
    )
]
BRAND_GUIDE = (
    "Studio voice: warm, concrete, never salesy. Mention the clay body, the glaze and how the piece is "
    "used. Avoid superlatives, avoid the words 'perfect' and 'stunning'. Sizes in centimetres. "
) * 30


async def catalogue(tmp: Path) -> dict:
    """30 product descriptions: the catalogue_copy workflow live, then with --batch (same fake, same answers)."""
    out = {}
    for mode in ("live", "batch"):
        with FakeAnthropic(models=catalog_api_models("anthropic"), reply_text=DESCRIPTION) as fake:
            app = make_cloud_app(tmp / mode, MemoryKeyring(), anthropic=fake)
            try:
                items = "\n".join(PRODUCTS)
                est = app.workflows.estimate("catalogue_copy", {"items": items})
                run = await app.workflows.run(
                    "catalogue_copy", {"items": items}, batch="live" if mode == "batch" else None
                )
                while mode == "batch" and app.workflows.result(run.run_id).status == "waiting":
                    await app.batch.poll_all()
                run = app.workflows.result(run.run_id)
                assert run.status == "done", run.message
                out[mode] = {
                    "model": run.step("describe").model,
                    "items": len(run.output("describe")),
                    "cost_usd": run.cost_usd,
                    "estimate_usd": est.batch_total_usd if mode == "batch" else est.total_usd,
                }
            finally:
                await app.aclose()
    out["saving_pct"] = 100 * (1 - out["batch"]["cost_usd"] / out["live"]["cost_usd"])
    return out


async def chat(tmp: Path, turns: int = 20) -> dict:
    """A 20-turn conversation with a long brand guide as the system prompt; Anthropic breakpoints on."""
    with FakeAnthropic(
        models=catalog_api_models("anthropic"), reply_text=DESCRIPTION, simulate_prompt_cache=True
    ) as fake:
        app = make_cloud_app(tmp / "chat", MemoryKeyring(), anthropic=fake)
        model = app.catalog.get("claude-sonnet-4.5")
        history = [Message("system", BRAND_GUIDE)]
        cached = uncached = 0.0
        read = written = 0
        try:
            for n in range(turns):
                history.append(Message("user", f"Now describe {PRODUCTS[n]} for the shop page."))
                answer = await app.ask(RouteRequest(list(history), model=model.id, use_cache=False))
                history.append(Message("assistant", answer.text))
                cached += answer.cost_usd
                plain = replace(answer.usage, cached_input_tokens=0, cache_write_tokens=0)
                uncached += call_cost(model, plain)
                read += answer.usage.cached_input_tokens
                written += answer.usage.cache_write_tokens
        finally:
            await app.aclose()
    return {
        "model": model.id,
        "turns": turns,
        "with_cache_usd": cached,
        "without_cache_usd": uncached,
        "cache_read_tokens": read,
        "cache_write_tokens": written,
        "saving_pct": 100 * (1 - cached / uncached),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        result = {"catalogue": asyncio.run(catalogue(tmp)), "chat": asyncio.run(chat(tmp))}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    c, h = result["catalogue"], result["chat"]
    print(
        f"30-item catalogue job ({c['live']['model']}): live ${c['live']['cost_usd']:.4f} "
        f"(estimated ${c['live']['estimate_usd']:.4f}), batch ${c['batch']['cost_usd']:.4f} "
        f"(estimated ${c['batch']['estimate_usd']:.4f}): {c['saving_pct']:.0f} % saved"
    )
    print(
        f"{h['turns']}-turn chat ({h['model']}, long system prompt): with prompt caching ${h['with_cache_usd']:.4f},"
        f" without ${h['without_cache_usd']:.4f}: {h['saving_pct']:.0f} % saved "
        f"({h['cache_read_tokens']:,} tokens read from the cache, {h['cache_write_tokens']:,} written)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

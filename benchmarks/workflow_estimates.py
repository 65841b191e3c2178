"""Estimate vs actual cost of every built-in workflow, run against the fake provider servers and tiny local SD.

Usage: .venv/bin/python benchmarks/workflow_estimates.py [--json]
Each workflow is estimated, then run end to end (real SDK clients -> fake OpenAI/Anthropic/Gemini servers on
127.0.0.1, a tiny random Stable Diffusion pipeline on CPU); the table shows per step and per workflow the
estimated and actual USD and the relative error, plus the all-premium estimate. Also times a schema read of a
~100 MB SQLite file (speed lives here, not in the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _var, _val in (
    ("TRANSFORMERS_VERBOSITY", "error"),
    ("DIFFUSERS_VERBOSITY", "error"),
    ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
    ("TQDM_DISABLE", "1"),
):
    os.environ.setdefault(_var, _val)

from PIL import Image  # noqa: E402

from router.workflows.datafile import read_sqlite_schema  # noqa: E402
from router.workflows.estimate import within  # noqa: E402
from router.workflows.runner import WorkflowRunner  # noqa: E402
from tests.conftest import catalog_api_models, make_cloud_app  # noqa: E402
from tests.fakes.keyring import MemoryKeyring  # noqa: E402
from tests.workflow_fakes import ScriptedAnthropic, ScriptedGemini, ScriptedOpenAI  # noqa: E402


def _inputs(tmp: Path) -> dict[str, dict[str, str]]:
    db = tmp / "shop.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL, sold_on TEXT)")
    conn.executemany(
        "INSERT INTO sales(region, amount, sold_on) VALUES (?, ?, ?)",
        [(r, a, f"2026-01-{d:02d}") for d, (r, a) in enumerate([("north", 120.0), ("south", 80.5)] * 20, 1) if d <= 28],
    )
    conn.commit()
    conn.close()
    logo = tmp / "logo.png"
    Image.new("RGB", (256, 256), (214, 40, 40)).save(logo)
    return {
        "sns_post_set": {"brief": "Spring launch of our oat-milk latte, 20% off the first week"},
        "blog_post": {"topic": "Baking sourdough at home", "keywords": "sourdough, starter, hydration"},
        "brand_analysis": {"logo": str(logo), "brand": "Crumb & Co"},
        "storyboard": {"idea": "A bakery wakes up before the city does"},
        "ask_your_data": {"data": str(db), "question": "Which region sells the most, and is it growing?"},
        "usage_review": {"days": "30"},
    }


async def _run_all(tmp: Path) -> list[dict]:
    from local_models.sd_provider import LocalDiffusionProvider
    from local_models.tiny_pipeline import build_tiny_pipeline

    sd = build_tiny_pipeline(tmp / "tiny-sd")
    rows = []
    with (
        ScriptedOpenAI(models=catalog_api_models("openai")) as o,
        ScriptedAnthropic(models=catalog_api_models("anthropic")) as a,
        ScriptedGemini(models=catalog_api_models("google")) as g,
    ):
        app = make_cloud_app(
            tmp / "data",
            MemoryKeyring(),
            openai=o,
            anthropic=a,
            gemini=g,
            provider_overrides={"local_sd": LocalDiffusionProvider(base_url=sd)},
        )
        engine = WorkflowRunner(app, image_overrides={"size": "64x64", "steps": 2})
        try:
            for name, inputs in _inputs(tmp).items():
                est = engine.estimate(name, inputs)
                result = await engine.run(name, inputs)
                steps = [
                    {
                        "step": s.step_id,
                        "model": s.model,
                        "estimate_usd": est.step(s.step_id).cost_usd,
                        "actual_usd": s.cost_usd,
                    }
                    for s in result.steps
                ]
                rows.append(
                    {
                        "workflow": name,
                        "status": result.status,
                        "estimate_usd": result.estimate_usd,
                        "actual_usd": result.cost_usd,
                        "error": within(result.estimate_usd, result.cost_usd),
                        "premium_estimate_usd": result.premium_estimate_usd,
                        "steps": steps,
                    }
                )
        finally:
            await app.aclose()
    return rows


def _schema_timing(tmp: Path) -> dict:
    path = tmp / "big.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, payload BLOB)")
    conn.execute(
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000) "
        "INSERT INTO events(kind, payload) SELECT 'k' || (i % 7), randomblob(10240) FROM c"
    )
    conn.commit()
    conn.close()
    runs = []
    for _ in range(7):
        t = time.perf_counter()
        read_sqlite_schema(path)
        runs.append((time.perf_counter() - t) * 1000)
    return {"file_mb": round(path.stat().st_size / 2**20, 1), "schema_read_ms_median": round(sorted(runs)[3], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = asyncio.run(_run_all(tmp))
        schema = _schema_timing(tmp)
    if args.json:
        print(json.dumps({"workflows": rows, "schema_read": schema}, indent=2))
        return 0
    print(f"{'workflow':16} {'status':8} {'estimate':>10} {'actual':>10} {'error':>7} {'premium est.':>12}")
    for r in rows:
        print(
            f"{r['workflow']:16} {r['status']:8} {r['estimate_usd']:10.5f} {r['actual_usd']:10.5f} "
            f"{r['error'] * 100:6.1f}% {r['premium_estimate_usd']:12.5f}"
        )
        for s in r["steps"]:
            print(
                f"    {s['step']:16} {s['model'] or 'local'!s:24} est {s['estimate_usd']:.5f}  "
                f"actual {s['actual_usd']:.5f}"
            )
    print(f"\nSchema read of a {schema['file_mb']} MB SQLite file: {schema['schema_read_ms_median']} ms (median of 7)")
    worst = max(r["error"] for r in rows)
    print(f"Worst estimate error: {worst * 100:.1f}% (target ±20%)")
    return 0 if worst <= 0.20 else 1


if __name__ == "__main__":
    sys.exit(main())

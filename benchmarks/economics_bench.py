"""Does routing pay? Auto at the default tier vs always the flagship and vs always gpt-5.1, on the 132 labelled prompts.

Every prompt gets the same token profile for every model: its input (~4 characters a token) and an answer of
300 / 700 / 1,500 tokens for a simple / medium / complex prompt, plus the expected reasoning tokens of the model
that answers (a reasoning model bills them as output). Auto classifies each prompt, plans it at the default budget
tier (standard) with every provider ready and today's retirements, and pays for the model its chain calls first.
The flagship is the most expensive live chat model of quality >= 9.5. Prices: genai-prices.

Run: .venv/bin/python benchmarks/economics_bench.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from router.catalog import ModelSpec
from router.lifecycle import Lifecycle
from router.planner import Availability, estimate_tokens, make_plan
from router.policy import Policy
from router.pricing import (
    call_cost,
    load_catalog,
)
from router.types import Message, Usage

ROOT = Path(__file__).resolve().parent.parent
TIER = "standard"  # the default tier: a $100 monthly limit


def cost(m: ModelSpec, input_tokens: int, answer_tokens: int) -> float:
    """USD for one answer from `m` with this profile (images: one image at the default size)."""
    if m.kind == "image":
        return call_cost(m, Usage(images=1, image_size="1024x1024"))
    return call_cost(
        m,
        Usage(
            input_tokens=input_tokens,
            output_tokens=answer_tokens + m.reasoning_tokens,
            reasoning_tokens=m.reasoning_tokens,
        ),
    )


def run(today: date | None = None, labelled: bool = False) -> dict:
    """The comparison as a dict (the CI test asserts floors on it).

    `today` decides which models have retired (default: today); `labelled` routes with the prompts' own task and
    complexity instead of the Auto classifier's guesses (what the planner does when the guess is right).
    """
    from router.classify import classify

    catalog = load_catalog(ROOT / "resources" / "catalog.toml")
    policy = Policy(ROOT / "resources" / "policy.toml")
    retired = Lifecycle(catalog, today=today).retired()
    prompts = [
        json.loads(line)
        for line in (ROOT / "resources/classifier/labelled.jsonl").read_text().splitlines()
        if line.strip()
    ]
    answer = policy.config.answer_tokens  # the planner's expected answer length by complexity (policy.toml)
    profiles = [(p, estimate_tokens([Message("user", p["prompt"])]), answer[p["complexity"]]) for p in prompts]
    live = [m for m in catalog if m.kind == "chat" and not m.local and m.priced and m.id not in retired]
    flagship = max((m for m in live if m.quality >= 9.5), key=lambda m: sum(cost(m, i, o) for _, i, o in profiles))
    gpt51 = catalog.get("gpt-5.1")
    auto_total = flag_total = base_total = 0.0
    complex_low: list[str] = []
    used: dict[str, int] = {}
    for p, inp, out in profiles:
        task, complexity = (
            (p["task"], p["complexity"])
            if labelled
            else (lambda c: (c.task, policy.planned_complexity(c.complexity, c.complexity_up)))(
                classify(p["prompt"], p["has_image"])
            )
        )
        plan = make_plan(
            messages=[Message("user", p["prompt"])],
            task=task,
            complexity=complexity,
            tier=TIER,
            catalog=catalog,
            policy=policy,
            avail=Availability.everything(),
            has_image=p["has_image"],
            retired=retired,
        )
        m = catalog.get(plan.chain[0].target)
        used[m.id] = used.get(m.id, 0) + 1
        auto_total += cost(m, inp, out)
        flag_total += cost(flagship, inp, out)
        base_total += cost(gpt51, inp, out)
        if p["complexity"] == "complex" and m.kind == "chat" and m.quality < 9.0:
            complex_low.append(f"{p['id']}: {m.id} ({m.quality:g})")
    return {
        "prompts": len(prompts),
        "tier": TIER,
        "flagship": flagship.id,
        "auto_usd": round(auto_total, 4),
        "flagship_usd": round(flag_total, 4),
        "gpt51_usd": round(base_total, 4),
        "cheaper_than_flagship_pct": round(100 * (1 - auto_total / flag_total), 1),
        "cheaper_than_gpt51_pct": round(100 * (1 - auto_total / base_total), 1),
        "complex_prompts": sum(p["complexity"] == "complex" for p in prompts),
        "complex_below_quality_9": complex_low,
        "models_used": dict(sorted(used.items(), key=lambda kv: -kv[1])),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--today", type=date.fromisoformat, help="pretend it is this date (YYYY-MM-DD) for retirements")
    ap.add_argument("--labelled", action="store_true", help="route with the labelled task/complexity, not Auto's")
    args = ap.parse_args()
    res = run(args.today, args.labelled)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    how = "labelled task and complexity" if args.labelled else "Auto"
    print(
        f"{res['prompts']} labelled prompts, {how} at the {res['tier']} tier, retirements as of "
        f"{(args.today or date.today()).isoformat()} (prices: genai-prices)"
    )
    print(f"  Auto                     ${res['auto_usd']:.4f}")
    print(
        f"  always {res['flagship']:17} ${res['flagship_usd']:.4f}   Auto is {res['cheaper_than_flagship_pct']} % cheaper"
        " (target >= 70 %)"
    )
    print(
        f"  always gpt-5.1           ${res['gpt51_usd']:.4f}   Auto is {res['cheaper_than_gpt51_pct']} % cheaper"
        " (target >= 30 %)"
    )
    low = res["complex_below_quality_9"]
    print(
        f"  complex prompts on a model of quality >= 9: {res['complex_prompts'] - len(low)} of {res['complex_prompts']}"
        + (f" (below: {', '.join(low)})" if low else "")
    )
    print("  first models Auto called: " + ", ".join(f"{k} ×{v}" for k, v in res["models_used"].items()))


if __name__ == "__main__":
    main()

"""Routing decision time over the whole catalog (target: median under 50 µs).

Run: .venv/bin/python benchmarks/route_bench.py [--n 20000] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from router.lifecycle import Lifecycle
from router.planner import Availability, make_plan
from router.policy import Policy
from router.pricing import load_catalog
from router.types import Message

RES = Path(__file__).resolve().parent.parent / "resources"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    catalog = load_catalog(RES / "catalog.toml")
    for m in list(catalog):
        if m.provider == "ollama":
            catalog.upsert(replace(m, installed=True))
    policy = Policy(RES / "policy.toml")
    avail = Availability.everything()
    retired = Lifecycle(catalog).retired()  # retired models served by successors, as in the app
    msgs = [Message("user", "Write three Instagram captions for our autumn candle collection, warm and witty.")]
    tasks = list(policy.tasks)
    for t in tasks * 50:  # warm up
        make_plan(
            messages=msgs,
            task=t,
            complexity="medium",
            tier="standard",
            catalog=catalog,
            policy=policy,
            avail=avail,
            retired=retired,
        )
    times = []
    for i in range(args.n):
        t = tasks[i % len(tasks)]
        t0 = time.perf_counter()
        make_plan(
            messages=msgs,
            task=t,
            complexity="medium",
            tier="standard",
            catalog=catalog,
            policy=policy,
            avail=avail,
            retired=retired,
        )
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    res = {
        "models": len(catalog),
        "retired": len(retired),
        "tasks": len(tasks),
        "n": args.n,
        "median_us": round(statistics.median(times), 1),
        "p95_us": round(times[int(0.95 * len(times))], 1),
        "p99_us": round(times[int(0.99 * len(times))], 1),
    }
    if args.json:
        print(json.dumps(res))
    else:
        print(
            f"routing decision over {res['models']} models ({res['retired']} retired, served by successors), "
            f"all {res['tasks']} task types, {args.n} plans"
        )
        print(
            f"median {res['median_us']} µs   p95 {res['p95_us']} µs   p99 {res['p99_us']} µs   (target: median < 50 µs)"
        )


if __name__ == "__main__":
    main()

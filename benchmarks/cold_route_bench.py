"""Cold `sparklio route "hello" --json`: wall time of fresh processes, first run (trains and saves the classifier)
versus later runs (load the saved classifier), and the classifier's own share; and a cold `sparklio --help`.

Run: `.venv/bin/python benchmarks/cold_route_bench.py [--runs 7]`. Target (issue 19): < 0.5 s per cold route.
Timed as on a user's machine: Python's bytecode cache on (the untimed first run writes it). No network: an OpenAI key from the environment makes a chain; route makes no call, Ollama included (issue 19).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def user_env(**extra: str) -> dict[str, str]:
    """This environment as a user's Python has it: bytecode cached in __pycache__ (a shell that sets
    PYTHONDONTWRITEBYTECODE, as this development machine's does, would time compiling every module on every start),
    the project on the path, and `extra`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def one_route(data_dir: str) -> float:
    """Seconds for one fresh `route "hello" --json` process."""
    env = user_env(OPENAI_API_KEY="sk-bench")
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", data_dir, "route", "hello", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    assert json.loads(out.stdout)["task"] == "chat_response"
    return elapsed


def one_help() -> float:
    """Seconds for one fresh `sparklio --help` process (the CLI's import cost: no app, no SDK)."""
    env = user_env()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--help"], env=env, capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    assert "Usage: sparklio" in out.stdout
    return elapsed


def classifier_ms(data_dir: str) -> float:
    """The classifier's part of a cold start: make the app's Auto classifier and classify once (ms)."""
    code = (
        "import sys, time; from router.app import Sparklio; a = Sparklio.open(sys.argv[1]); "
        "t = time.perf_counter(); a.classify('hello'); print((time.perf_counter() - t) * 1000)"
    )
    env = user_env()
    out = subprocess.run([sys.executable, "-c", code, data_dir], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """CLI entry: print the table or --json."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first = one_route(tmp)  # no saved classifier yet: trains it and saves it
        later = sorted(one_route(tmp) for _ in range(args.runs))
        loads = sorted(classifier_ms(tmp) for _ in range(3))
        helps = sorted(one_help() for _ in range(args.runs))
    res = {
        "first_run_s": round(first, 3),
        "cold_route_median_s": round(statistics.median(later), 3),
        "cold_route_min_s": round(later[0], 3),
        "classifier_load_and_first_classify_ms": round(loads[1], 1),
        "cli_help_median_s": round(statistics.median(helps), 3),
    }
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"first `route` in a new data folder (trains + saves the classifier): {res['first_run_s']:.2f} s")
    print(
        f'cold `route "hello" --json`, saved classifier: median {res["cold_route_median_s"]:.2f} s '
        f"(min {res['cold_route_min_s']:.2f} s, {args.runs} fresh processes)"
    )
    print(
        f"of which the classifier (load the saved model + first classify): "
        f"{res['classifier_load_and_first_classify_ms']:.0f} ms"
    )
    print(f"cold `sparklio --help`: median {res['cli_help_median_s']:.2f} s ({args.runs} fresh processes)")


if __name__ == "__main__":
    main()

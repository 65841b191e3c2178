"""Startup benchmark: process start -> first painted window (median of fresh processes), heavy imports, idle RSS.

Run by hand: `.venv/bin/python benchmarks/startup_bench.py [--runs 5] [--idle 3]` (offscreen unless DISPLAY is set).
Targets: first paint < 1.0 s, idle RSS < 200 MB, no provider SDK / torch / diffusers before they are needed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "torch",
    "diffusers",
    "transformers",
    "openai",
    "anthropic",
    "google.genai",
    "ollama",
    "router.app",
    "peewee",
    "genai_prices",
    "numpy",
    "PIL",
)


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; psutil-free)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(spawn_ts: float, data_dir: str, idle_s: float) -> None:
    """One measured start: prints one JSON line, then quits like the tray's Quit does."""
    sys.path.insert(0, str(ROOT))
    from ui.app import run

    result: dict = {}

    def first_paint() -> None:
        result["first_paint_s"] = time.time() - spawn_ts
        result["heavy_at_paint"] = [m for m in HEAVY if m in sys.modules]

    def ready(app) -> None:
        from PySide6.QtWidgets import QApplication

        result["ready_s"] = time.time() - spawn_ts
        result["facade_ok"] = app is not None

        def done() -> None:
            result["idle_rss_mb"] = rss_mb()
            result["heavy_when_idle"] = [m for m in HEAVY if m in sys.modules]
            print("RESULT " + json.dumps(result), flush=True)
            for w in QApplication.topLevelWidgets():
                if hasattr(w, "quit") and w.isWindow() and w.metaObject().className() == "MainWindow":
                    w.quit()

        asyncio.get_event_loop().call_later(idle_s, done)

    run(["sparklio"], data_dir=data_dir, on_first_paint=first_paint, on_ready=ready)


def main() -> int:
    """Run fresh processes and print a table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle", type=float, default=3.0, help="seconds idle after the facade loads before RSS")
    ap.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.child, args.data_dir, args.idle)
        return 0
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode cached, as for a user
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # QSettings of the bench, not the user's
        data = str(Path(tmp) / "data")
        for i in range(args.runs + 1):  # run 0 creates the database and warms the OS file cache
            spawn = time.time()
            out = subprocess.run(
                [sys.executable, __file__, "--child", repr(spawn), "--data-dir", data, "--idle", str(args.idle)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line is None:
                print(out.stdout[-2000:], out.stderr[-2000:], sep="\n")
                return 1
            if i > 0:
                rows.append(json.loads(line[7:]))
    print(f"{'run':>3}  {'first paint':>11}  {'facade ready':>12}  {'idle RSS':>9}  heavy modules at first paint")
    for i, r in enumerate(rows, 1):
        print(
            f"{i:>3}  {r['first_paint_s']:>10.3f}s  {r['ready_s']:>11.3f}s  {r['idle_rss_mb']:>6.0f} MB  "
            f"{', '.join(r['heavy_at_paint']) or '(none)'}"
        )
    med = statistics.median(r["first_paint_s"] for r in rows)
    rss = statistics.median(r["idle_rss_mb"] for r in rows)
    print(f"median first paint {med:.3f} s (target < 1.0 s) · median idle RSS {rss:.0f} MB (target < 200 MB)")
    print(f"loaded after {args.idle:.0f} s idle: {', '.join(rows[-1]['heavy_when_idle']) or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The GPU measurement kit runs its CPU-only parts here: `gpu_check.sh --dry-run` writes its one JSON of figures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_gpu_check_dry_run_writes_its_figures(tmp_path):
    out = tmp_path / "gpu_check.json"
    env = dict(os.environ, PYTHON=sys.executable, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh"), "--dry-run", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["kind"] == "dry-run" and report["device"] == "cpu"
    run = report["runs"][0]
    assert (run["mode"], run["size"], run["steps"]) == ("cpu", "64x64", 2) and run["s_per_image"] > 0
    studio = {(r["task"], r["size"]): r for r in report["studio"]}  # the studio's paths, timed the same way
    assert set(studio) == {(t, s) for t in ("img2img", "inpaint", "lora") for s in ("64x64", "128x128")}
    assert all(r["s_per_image"] > 0 and r["mode"] == "cpu" for r in studio.values())
    assert studio["lora", "128x128"]["adapters"] == ["bench_lora"] and studio["img2img", "64x64"]["steps"] == 2
    assert report["oom"]["first_attempt"] == "out of memory" and "retrying" in report["oom"]["retry"]["why"]
    arb = report["arbitration"]
    assert arb["unloaded"] is True and arb["notices"][0].startswith(f"Unloading {arb['model']} from the GPU")
    assert "torchvision" not in done.stderr  # library noise stays off the terminal


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has an NVIDIA driver")
def test_gpu_check_without_a_gpu_says_so_in_one_line(tmp_path):
    done = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh"), "--out", str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--dry-run" in done.stderr
    assert not (tmp_path / "x.json").exists()

"""The economics benchmark in CI: routing must beat a one-model default on the 132 labelled prompts (floors)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import economics_bench

TODAY = date(2026, 12, 4)  # retirements as of the day the figures in the README were measured


def test_auto_beats_the_flagship_and_gpt51():
    res = economics_bench.run(TODAY)
    assert res["prompts"] == 132
    assert res["cheaper_than_flagship_pct"] >= 70.0
    assert res["cheaper_than_gpt51_pct"] >= 30.0  # measured 37.0 % (README)
    assert res["complex_below_quality_9"] == []  # Auto's misses near the cut are routed up (policy route_up_at)


def test_every_complex_prompt_gets_quality_9_when_its_complexity_is_known():
    res = economics_bench.run(TODAY, labelled=True)
    assert res["complex_prompts"] == 41 and res["complex_below_quality_9"] == []
    assert res["cheaper_than_gpt51_pct"] >= 30.0

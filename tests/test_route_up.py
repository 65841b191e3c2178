"""Routing that pays for long answers, and Auto routing up when unsure: dominance priced at the request's answer
length, `route_up_at`, and both shown in `route` (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router.catalog import ModelSpec
from router.cli import main
from router.dominance import dominates, expected_price
from router.errors import ConfigError
from router.policy import Policy

RES = Path(__file__).resolve().parent.parent / "resources"
CAPS = frozenset({"text", "code", "reasoning"})


def _chat(mid: str, quality: float, inp: float, out: float, reasoning: int = 0, speed: str = "standard") -> ModelSpec:
    return ModelSpec(
        id=mid,
        provider="openai",
        api_model=mid,
        capabilities=CAPS,
        input_price=inp,
        output_price=out,
        quality=quality,
        speed=speed,
        reasoning_tokens=reasoning,
    )


# a $1/$5 reasoning model that thinks 600 tokens, against a $1.25/$10 one that does not
THINKER = _chat("thinker", 9.2, 1.0, 5.0, reasoning=600, speed="realtime")
PLAIN = _chat("plain", 9.5, 1.25, 10.0)


def test_a_reasoning_model_pays_off_only_on_long_answers():
    assert expected_price(THINKER, 300) > expected_price(PLAIN, 300)  # 900 billed tokens vs 300
    assert expected_price(THINKER, 1500) < expected_price(PLAIN, 1500)  # 2,100 at $5 vs 1,500 at $10
    assert not dominates(THINKER, PLAIN, need=9.0, answer=300)
    assert dominates(THINKER, PLAIN, need=9.0, answer=1500)
    assert not dominates(THINKER, PLAIN, need=9.3, answer=1500)  # a request needing 9.3: 9.2 does not clear it


def test_the_policy_prices_each_complexity_at_its_own_answer_length():
    cfg = Policy(RES / "policy.toml").config
    assert cfg.answer_tokens == {"simple": 300, "medium": 700, "complex": 1500}
    assert cfg.complexity_quality["complex"] == cfg.quality_targets["production"] == 9.0


def test_route_up_plans_one_level_up_only_when_the_level_above_is_likely():
    policy = Policy(RES / "policy.toml")
    at = policy.config.route_up_at
    assert 0 < at < 0.5  # the guess is still the likelier level: routing up is a hedge, not a correction
    assert policy.planned_complexity("medium", at) == "complex"
    assert policy.planned_complexity("medium", at - 0.01) == "medium"
    assert policy.planned_complexity("simple", at + 0.1) == "medium"
    assert policy.planned_complexity("complex", 1.0) == "complex"


@pytest.mark.parametrize("value", ["1.5", "-0.1", '"often"'])
def test_a_bad_route_up_at_is_one_line_naming_it(tmp_path, value):
    user = tmp_path / "policy.toml"
    user.write_text(f"[routing]\nroute_up_at = {value}\n")
    with pytest.raises(ConfigError, match="route_up_at|routing"):
        Policy(RES / "policy.toml", user)


@pytest.fixture
def keys(monkeypatch, data_dir, fake_openai, fake_anthropic, fake_gemini):
    """Every cloud provider ready through its SDK's environment variables (route makes no call)."""
    for var, value in (
        ("OPENAI_API_KEY", "sk-env-openai"),
        ("ANTHROPIC_API_KEY", "sk-env-anthropic"),
        ("GOOGLE_API_KEY", "g-env-google"),
        ("OPENAI_BASE_URL", fake_openai.base_url),
        ("ANTHROPIC_BASE_URL", fake_anthropic.base_url),
        ("GOOGLE_GEMINI_BASE_URL", fake_gemini.url),
    ):
        monkeypatch.setenv(var, value)
    return data_dir


def _route(capsys, data_dir, prompt: str) -> dict:
    code = main(["--data-dir", str(data_dir), "route", prompt, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_route_shows_a_routed_up_guess_and_the_serving_model(keys, capsys, memory_keyring):
    data_dir = keys
    (data_dir / "policy.toml").write_text("[routing]\nroute_up_at = 0.0\n")  # every guess below complex goes up
    plan = _route(capsys, data_dir, "Refactor this Python module into classes and add unit tests for each")
    assert plan["auto_complexity"] is True
    assert plan["complexity_guess"] in ("simple", "medium")
    levels = ["simple", "medium", "complex"]
    assert levels.index(plan["complexity"]) == levels.index(plan["complexity_guess"]) + 1
    main(["--data-dir", str(data_dir), "route", "Refactor this Python module into classes and add unit tests"])
    words = capsys.readouterr().out
    assert f"auto guessed {plan['complexity_guess']}, but {plan['complexity']} is" in words
    assert "planned one level up" in words


def test_route_without_route_up_keeps_the_guess(keys, capsys, memory_keyring):
    data_dir = keys
    (data_dir / "policy.toml").write_text("[routing]\nroute_up_at = 1.0\n")  # never
    plan = _route(capsys, data_dir, "Refactor this Python module into classes and add unit tests for each")
    assert plan["complexity_guess"] is None
    assert "planned one level up" not in json.dumps(plan)


def test_a_complex_request_is_served_by_the_cheaper_thinker_with_the_reason(keys, capsys, memory_keyring):
    """The default catalog: gpt-5.1 in a complex row is served by a model that dominates it at 1,500 tokens."""
    data_dir = keys
    code = main(
        ["--data-dir", str(data_dir), "route", "Plan our launch", "--task", "strategy_planning",
         "--complexity", "complex", "--json"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    chain = json.loads(out)["chain"]
    substituted = [e for e in chain if e["serves"] != e["model"]]
    assert substituted, chain
    why = substituted[0]["why"]
    assert "1,500-token answer" in why and "clears the 9 this request needs" in why

"""Routing decisions: the documents' tables reproduced, filters explained, bad input named."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from router.errors import ConfigError, NoRouteError, SparklioError
from router.planner import Availability, make_plan
from router.policy import Policy
from router.pricing import load_catalog
from router.types import ImageInput, Message

RES = Path(__file__).resolve().parent.parent / "resources"

# The two documents' tables: task -> the models its chain must start with (in order).
POLICY_DOC = {
    "chat_response": ["gemini-2.0-flash", "gpt-3.5-turbo", "qwen2.5"],
    "brief_questions": ["gpt-4", "claude-3-5-sonnet", "gemini-2.0-pro"],
    "copywriting_standard": ["claude-3-5-sonnet", "gpt-4", "gemini-2.0-pro"],
    "copywriting_premium": ["claude-3-opus", "gpt-4-turbo", "claude-3-5-sonnet"],
    "strategy_planning": ["gpt-4-turbo", "claude-3-opus", "gpt-4"],
    "template_generation": ["qwen2.5", "gemini-2.0-flash", "gpt-3.5-turbo"],
    "trend_analysis": ["gemini-2.0-pro", "gpt-4", "claude-3-5-sonnet"],
    "image_analysis": ["gpt-4v", "gemini-2.0-vision"],
    "image_generation_quality": ["dall-e-3"],
    "image_generation_bulk": ["stable-diffusion", "dall-e-3"],
    "code_generation": ["gpt-5.1-codex", "gpt-4", "qwen2.5-coder", "gemini-2.0-pro"],
    "translation": ["gemini-2.0-pro", "gpt-3.5-turbo", "llama3.2"],
    "embeddings": ["text-embedding-3-small", "gemini-embedding"],
}
STRATEGY_DOC = {
    "query_interpretation": "claude-sonnet-4.5",
    "sql_generation": "gpt-5.1-codex",
    "insights_generation": "gpt-5.1-high-reasoning",
    "evaluation": "gemini-2.5-pro",
    "vision_analysis": "gemini-2.5-pro",
    "workflow_orchestration": "claude-sonnet-4.5",
    "code_generation": "gpt-5.1-codex",
    "data_processing": "gpt-5.1-high-reasoning",
    "report_generation": "gpt-5.1-high-reasoning",
    "predictive_analytics": "gpt-5.1-high-reasoning",
}
ALL_TASKS = set(POLICY_DOC) | set(STRATEGY_DOC)


@pytest.fixture(scope="module")
def catalog():
    c = load_catalog(RES / "catalog.toml")
    for m in list(c):
        if m.provider == "ollama":
            c.upsert(replace(m, installed=True))
    return c


@pytest.fixture(scope="module")
def policy():
    return Policy(RES / "policy.toml")


def plan(catalog, policy, task, tier="premium", prompt="Help me with this, please.", **kw):
    return make_plan(
        messages=[Message("user", prompt, kw.pop("images", []))],
        task=task,
        complexity=policy.task(task).complexity,
        tier=tier,
        catalog=catalog,
        policy=policy,
        avail=kw.pop("avail", Availability.everything()),
        **kw,
    )


def test_policy_has_exactly_the_documents_task_types(policy):
    assert set(policy.tasks) == ALL_TASKS and len(ALL_TASKS) == 22


@pytest.mark.parametrize("task", sorted(POLICY_DOC))
def test_policy_document_rows_are_reproduced(catalog, policy, task):
    chain = [e.model for e in plan(catalog, policy, task).chain]
    assert chain[: len(POLICY_DOC[task])] == POLICY_DOC[task]


@pytest.mark.parametrize("task", sorted(STRATEGY_DOC))
def test_strategy_document_primaries(catalog, policy, task):
    assert plan(catalog, policy, task).chain[0].model == STRATEGY_DOC[task]


def test_tier_removes_what_it_does_not_allow_and_says_so(catalog, policy):
    p = plan(catalog, policy, "copywriting_premium", tier="standard")
    assert [e.model for e in p.chain][:2] == ["gpt-4-turbo", "claude-3-5-sonnet"]
    reason = {x.model: x.reason for x in p.excluded}["claude-3-opus"]
    assert "premium budget tier" in reason
    low = plan(catalog, policy, "copywriting_standard", tier="low")
    assert all(catalog.get(e.model).min_budget == "low" for e in low.chain)


def test_every_model_is_either_chosen_or_excluded_with_a_reason(catalog, policy):
    p = plan(catalog, policy, "copywriting_standard", tier="standard")
    named = (
        {e.model for e in p.chain}
        | {e.target for e in p.chain}
        | {x.model for x in p.excluded}
        | {a.model for a in p.alternatives}
    )
    assert named == set(catalog.models)
    assert all(e.why for e in p.chain) and all(x.reason for x in p.excluded)


def test_local_model_is_the_last_resort(catalog, policy):
    p = plan(catalog, policy, "copywriting_standard", tier="standard")
    assert catalog.get(p.chain[-1].model).local and "last resort" in p.chain[-1].why
    assert not any(catalog.get(e.model).local for e in p.chain[:-1])


def test_speed_and_quality_filter_only_when_asked(catalog, policy):
    default = plan(catalog, policy, "copywriting_premium")
    assert default.chain[0].model == "claude-3-opus"  # batch-class primary stands by default
    fast = plan(catalog, policy, "copywriting_premium", speed="realtime")
    assert all(catalog.get(e.model).speed == "realtime" for e in fast.chain)
    assert "too slow for realtime" in {x.model: x.reason for x in fast.excluded}["claude-3-opus"]
    prod = plan(catalog, policy, "chat_response", quality="production")
    assert all(catalog.get(e.model).quality >= 9.0 for e in prod.chain)


def test_images_need_vision(catalog, policy):
    p = plan(catalog, policy, "chat_response", images=[ImageInput(b"\x89PNG", "image/png")], has_image=True)
    assert all("vision" in catalog.get(e.model).capabilities for e in p.chain)
    assert {x.model: x.reason for x in p.excluded}["gpt-3.5-turbo"] == "cannot read images"


def test_offline_routes_only_local(catalog, policy):
    p = plan(catalog, policy, "chat_response", offline=True)
    assert p.chain and all(catalog.get(e.model).local for e in p.chain)
    with pytest.raises(NoRouteError, match="offline") as info:
        plan(catalog, policy, "image_analysis", offline=True)
    assert "To fix: " in str(info.value) and "turn off offline mode" in str(info.value)
    assert "shorten" not in str(info.value)  # the fix offered matches the reasons given


def test_missing_keys_are_explained(catalog, policy):
    avail = Availability(ready={"ollama"}, reasons={"anthropic": "no Anthropic API key (Settings → Keys)"})
    p = plan(catalog, policy, "copywriting_standard", tier="standard", avail=avail)
    assert p.chain[0].model == "llama3.2"
    assert {x.model: x.reason for x in p.excluded}["claude-3-5-sonnet"] == "no Anthropic API key (Settings → Keys)"


def test_prompt_longer_than_every_context_window(catalog, policy):
    huge = "word " * 5_000_000
    with pytest.raises(NoRouteError, match="exceeds") as info:
        plan(catalog, policy, "chat_response", prompt=huge)
    assert "shorten or split the prompt" in str(info.value)
    assert "offline" not in str(info.value)


def test_long_prompt_skips_small_context_models(catalog, policy):
    p = plan(catalog, policy, "brief_questions", prompt="x " * 20000)  # ~10k tokens
    assert "gpt-4" not in [e.model for e in p.chain]
    assert "exceeds its 8,192-token context" in {x.model: x.reason for x in p.excluded}["gpt-4"]


def test_pinned_model_and_unknowns(catalog, policy):
    p = plan(catalog, policy, "chat_response", pinned="claude-3-opus", tier="low")
    assert [e.model for e in p.chain] == ["claude-3-opus"] and "chosen by you" in p.chain[0].why
    with pytest.raises(ConfigError, match="unknown model id 'gpt-99'"):
        plan(catalog, policy, "chat_response", pinned="gpt-99")
    with pytest.raises(SparklioError, match="unknown task type 'poetry'"):
        plan(catalog, policy, "poetry")


def test_unknown_price_is_flagged_never_routed(tmp_path, policy):
    path = tmp_path / "catalog.toml"
    path.write_text(
        (RES / "catalog.toml").read_text() + '\n[models."mystery-1"]\nprovider = "openai"\n'
        'api_model = "mystery-1"\nprice_ref = ""\nquality = 10.0\n'
    )
    c = load_catalog(path)
    assert c.get("mystery-1").price_source == "unknown" and not c.get("mystery-1").priced
    p = plan(c, policy, "chat_response")
    assert {x.model: x.reason for x in p.excluded}["mystery-1"] == "price unknown: never routed automatically"


def test_malformed_catalog_names_file_and_line(tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text(
        '[models."a"]\nprovider = "openai"\napi_model = "a"\ninput_price = 1\n\n[models."b"]\nprovider = "nobody"\napi_model = "b"\n'
    )
    with pytest.raises(ConfigError, match=r"catalog.toml, line 7: .*unknown provider 'nobody'"):
        load_catalog(bad)  # the line of the bad field, not just of its table
    bad.write_text('[models."a"]\nprovider = "openai\n')
    with pytest.raises(ConfigError, match=r"line 2"):
        load_catalog(bad)
    bad.write_text('[models."a"]\nprovider = "openai"\napi_model = "a"\n\ninput_price = "cheap"\n')
    with pytest.raises(ConfigError, match=r"catalog.toml, line 5: .*input_price must be a non-negative number"):
        load_catalog(bad)


def test_user_catalog_overrides_only_the_fields_it_names(tmp_path):
    builtin = RES / "catalog.toml"
    user = tmp_path / "catalog.toml"
    user.write_text(
        '[models."gpt-4"]\nquality = 5.0\n\n[models."gpt-4o-mini"]\ninput_price = 9.0\noutput_price = 9.0\n',
        encoding="utf-8",
    )
    base, mine = (
        load_catalog(builtin, price_cache=tmp_path / "p.json"),
        load_catalog(builtin, user, price_cache=tmp_path / "p.json"),
    )
    assert mine.get("gpt-4").quality == 5.0
    assert mine.get("gpt-4").provider == base.get("gpt-4").provider == "openai"
    assert mine.get("gpt-4").context_window == base.get("gpt-4").context_window
    assert base.get("gpt-4o-mini").input_price != 9.0  # genai-prices' figure by default...
    assert (mine.get("gpt-4o-mini").input_price, mine.get("gpt-4o-mini").output_price) == (
        9.0,
        9.0,
    )  # ...the user's wins


def test_bad_weight_names_its_line(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text('[routing]\nextra_fallbacks = 2\n\n[weights]\ncomplexity = "high"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"policy.toml, line 5: weights.complexity must be a non-negative number"):
        Policy(bad)


def test_row_model_missing_from_the_catalog_is_explained(catalog, tmp_path):
    user = tmp_path / "policy.toml"
    user.write_text('[tasks.translation]\nmodels = ["nope-model", "gpt-4o-mini"]\n', encoding="utf-8")
    policy = Policy(RES / "policy.toml", user)
    p = plan(catalog, policy, "translation")
    assert "not in the catalog" in {x.model: x.reason for x in p.excluded}["nope-model"]
    assert "nope-model" not in [e.model for e in p.chain]


def test_malformed_policy_names_file_and_line(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text('[tasks.chat_response]\nmodels = ["gpt-4"]\n\n[tasks.translation]\nmodels = "gpt-4"\n')
    with pytest.raises(ConfigError, match=r"policy.toml, line 4: tasks.translation.models"):
        Policy(bad)


def test_settings_edit_the_task_table(data_dir, catalog):
    from router.settings import Settings
    from router.store import open_store

    settings = Settings(open_store(data_dir))
    pol = Policy(RES / "policy.toml", settings=settings)
    pol.set_task_row("chat_response", ["claude-haiku-4.5", "gemini-2.0-flash"], catalog)
    assert pol.row("chat_response") == ["claude-haiku-4.5", "gemini-2.0-flash"]
    assert Policy(RES / "policy.toml", settings=Settings()).row("chat_response")[0] == "claude-haiku-4.5"
    with pytest.raises(ConfigError):
        pol.set_task_row("chat_response", ["nope"], catalog)
    pol.reset_task_row("chat_response")
    assert pol.row("chat_response") == POLICY_DOC["chat_response"]

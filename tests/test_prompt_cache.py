"""Provider prompt caching: Anthropic breakpoints on the wire, cached and cache-write tokens priced by genai-prices,
the saving in the ledger, the answer, the Stats figures and the chat footer."""

from __future__ import annotations

import pytest
from genai_prices import Usage as GUsage
from genai_prices import calc_price

from router.catalog import ModelSpec
from router.pricing import BATCH_DISCOUNT, cache_saving, call_cost
from router.providers.anthropic_cache import min_cacheable_tokens
from router.providers.anthropic_provider import AnthropicProvider
from router.savings import discounts
from router.store.models import LlmUsage
from router.types import Message, RouteRequest, Usage
from tests.conftest import catalog_api_models, make_cloud_app
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.fixtures import ANTHROPIC_KEY, CLIENT_TIMEOUT_S, drain

SYSTEM = "You write product copy for a ceramics studio. " * 120  # ~5,500 characters: ~1,375 estimated tokens
PASSAGES = "Passages from the user's documents follow. [1] glaze notes: " + "cobalt blue over white slip. " * 60
SONNET = ModelSpec(id="s", provider="anthropic", api_model="claude-sonnet-4-6", max_output=4096)  # live models
HAIKU45 = ModelSpec(id="h", provider="anthropic", api_model="claude-haiku-4-5", max_output=4096)


def marked(body: dict) -> list[str]:
    """Where the request put cache_control: 'system[i]' or 'messages[i].content[j]'."""
    out = []
    system = body.get("system")
    if isinstance(system, list):
        out += [f"system[{i}]" for i, b in enumerate(system) if "cache_control" in b]
    for i, m in enumerate(body["messages"]):
        content = m["content"] if isinstance(m["content"], list) else []
        out += [f"messages[{i}].content[{j}]" for j, b in enumerate(content) if "cache_control" in b]
    return out


def conversation(turns: int) -> list[Message]:
    msgs = [Message("system", SYSTEM)]
    for n in range(turns):
        msgs += [
            Message("user", f"Describe mug number {n} in two lines."),
            Message("assistant", f"Mug {n}: " + "lovely " * 30),
        ]
    return msgs + [Message("user", "Now the teapot, please.")]


@pytest.fixture
async def cache_server():
    with FakeAnthropic(models=catalog_api_models("anthropic"), simulate_prompt_cache=True) as server:
        yield server


@pytest.fixture
async def provider(cache_server):
    p = AnthropicProvider(ANTHROPIC_KEY, base_url=cache_server.base_url, timeout=CLIENT_TIMEOUT_S)
    yield p
    await p.aclose()


async def test_breakpoints_on_system_prompt_knowledge_and_earlier_turns(provider, cache_server):
    msgs = conversation(2)
    msgs.insert(-1, Message("system", PASSAGES))  # where Knowledge.augment puts the passages
    out = await drain(provider.stream_chat(SONNET, msgs, max_tokens=None, temperature=None))
    assert out.error is None
    body = cache_server.last.json
    assert [b["text"] for b in body["system"]] == [SYSTEM, PASSAGES]
    # system prompt, knowledge context, and the last block before the newest user turn; never the new question
    assert marked(body) == ["system[0]", "system[1]", "messages[3].content[0]"]
    assert body["messages"][3]["role"] == "assistant" and body["messages"][-1]["role"] == "user"
    assert all(b["cache_control"] == {"type": "ephemeral"} for b in body["system"])
    assert out.usage.cache_write_tokens > 0 and out.usage.cached_input_tokens == 0  # first turn writes


async def test_short_prompt_gets_no_breakpoint_and_plain_system(provider, cache_server):
    msgs = [
        Message("system", "Be brief."),
        Message("user", "hi"),
        Message("assistant", "hello"),
        Message("user", "a caption for a mug"),
    ]
    await drain(provider.stream_chat(SONNET, msgs, max_tokens=None, temperature=None))
    body = cache_server.last.json
    assert body["system"] == "Be brief." and marked(body) == []


async def test_minimum_length_follows_the_model(provider, cache_server):
    """~1,375 estimated tokens qualify on Sonnet 4.5/4.6 (1,024) but not on Haiku 4.5 (4,096)."""
    assert (min_cacheable_tokens("claude-sonnet-4-5"), min_cacheable_tokens("claude-haiku-4-5")) == (1024, 4096)
    assert min_cacheable_tokens(SONNET.api_model) == 1024
    msgs = [Message("system", SYSTEM), Message("user", "a caption for a mug")]
    await drain(provider.stream_chat(HAIKU45, msgs, max_tokens=None, temperature=None))
    assert marked(cache_server.last.json) == []
    await drain(provider.stream_chat(SONNET, msgs, max_tokens=None, temperature=None))
    assert marked(cache_server.last.json) == ["system[0]"]


async def test_later_turn_reads_the_cache_and_the_ledger_prices_it_with_genai_prices(
    data_dir, memory_keyring, cache_server
):
    app = make_cloud_app(data_dir, memory_keyring, anthropic=cache_server)
    try:
        first = await app.ask(RouteRequest(conversation(1), model="claude-sonnet-4.5"))
        second = await app.ask(RouteRequest(conversation(2), model="claude-sonnet-4.5"))
        assert first.usage.cache_write_tokens > 0 and first.cache_saved_usd < 0  # writing costs 1.25x
        # Sonnet 4.5 is retired: the model serving its slot answers, and is what the ledger prices
        served = app.catalog.get(app.plan(RouteRequest(conversation(2), model="claude-sonnet-4.5")).chain[0].target)
        assert first.model == second.model == served.id and cache_server.last.json["model"] == served.api_model
        u = second.usage
        assert u.cached_input_tokens > 900 and u.cache_write_tokens > 0
        g = calc_price(
            GUsage(
                input_tokens=u.input_tokens,
                output_tokens=u.output_tokens,
                cache_read_tokens=u.cached_input_tokens,
                cache_write_tokens=u.cache_write_tokens,
            ),
            served.api_model,
            provider_id="anthropic",
        )
        plain = calc_price(
            GUsage(input_tokens=u.input_tokens, output_tokens=u.output_tokens),
            served.api_model,
            provider_id="anthropic",
        )
        assert second.cost_usd == pytest.approx(float(g.total_price))
        assert second.cache_saved_usd == pytest.approx(float(plain.total_price - g.total_price))
        assert second.cache_saved_usd > 0
        rows = list(LlmUsage.select().order_by(LlmUsage.id))
        raw = app.store.db.execute_sql(
            "SELECT cache_write_tokens, cache_saved_usd FROM llm_usage ORDER BY id"
        ).fetchall()
        assert [r.cached_input_tokens for r in rows] == [0, u.cached_input_tokens]
        assert raw[1] == (u.cache_write_tokens, pytest.approx(second.cache_saved_usd))
        totals = discounts()
        assert totals["cache_saved_usd"] == pytest.approx(first.cache_saved_usd + second.cache_saved_usd)
        assert totals["by_provider"]["anthropic"]["cached_input_tokens"] == u.cached_input_tokens
        assert app.stats.report()["provider_discounts"]["cache_saved_usd"] == pytest.approx(totals["cache_saved_usd"])
        from router.store.models import ChatMessage

        meta = ChatMessage.get_by_id(second.message_id).meta_dict
        assert meta["cache_saved_usd"] == pytest.approx(second.cache_saved_usd)
        assert meta["usage"]["cached_input_tokens"] == u.cached_input_tokens
    finally:
        await app.aclose()


@pytest.mark.parametrize(
    "model_id,provider,usage",
    [
        ("gpt-4o-mini", "openai", Usage(input_tokens=5000, output_tokens=300, cached_input_tokens=4096)),
        ("gemini-2.5-flash", "google", Usage(input_tokens=5000, output_tokens=300, cached_input_tokens=4000)),
        (
            "claude-sonnet-4.5",
            "anthropic",
            Usage(input_tokens=5000, output_tokens=300, cached_input_tokens=3000, cache_write_tokens=1500),
        ),
    ],
)
def test_cached_and_batch_tokens_priced_like_genai_prices(data_dir, model_id, provider, usage):
    from router.app import Sparklio

    app = Sparklio(data_dir)
    try:
        m = app.catalog.get(model_id)
        assert m.price_source == "genai-prices"
        g = GUsage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cached_input_tokens,
            cache_write_tokens=usage.cache_write_tokens or None,
        )
        live = float(calc_price(g, m.api_model, provider_id=provider).total_price)
        batch = float(
            calc_price(g, m.api_model, provider_id=provider, price_context={"processing": "batch"}).total_price
        )
        assert call_cost(m, usage) == pytest.approx(live)
        assert call_cost(m, usage, batch=True) == pytest.approx(batch) and batch < live
        plain = float(
            calc_price(
                GUsage(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens),
                m.api_model,
                provider_id=provider,
            ).total_price
        )
        assert cache_saving(m, usage) == pytest.approx(plain - live) and plain > live
    finally:
        app.store.close()


def test_batch_price_without_genai_prices_is_the_documented_half():
    m = ModelSpec(id="c", provider="compat", api_model="x", input_price=2.0, output_price=8.0)
    u = Usage(input_tokens=1000, output_tokens=500)
    assert call_cost(m, u, batch=True) == pytest.approx(m.cost(u) * BATCH_DISCOUNT) == pytest.approx(0.003)


async def test_openai_and_gemini_cached_tokens_reach_the_ledger(data_dir, memory_keyring):
    from tests.fakes.gemini_server import FakeGemini
    from tests.fakes.openai_server import FakeOpenAI

    with (
        FakeOpenAI(models=["gpt-4o-mini"], cached_tokens=2048) as oa,
        FakeGemini(models=["gemini-2.5-flash"], cached_tokens=1500) as gm,
    ):
        app = make_cloud_app(data_dir, memory_keyring, openai=oa, gemini=gm)
        try:
            a = await app.ask(RouteRequest([Message("user", "tag line for a mug")], model="gpt-4o-mini"))
            b = await app.ask(RouteRequest([Message("user", "tag line for a bowl")], model="gemini-2.5-flash"))
        finally:
            await app.aclose()
    assert (a.usage.cached_input_tokens, b.usage.cached_input_tokens) == (2048, 1500)
    assert a.cache_saved_usd > 0 and b.cache_saved_usd > 0
    assert a.cost_usd == pytest.approx(call_cost(app.catalog.get("gpt-4o-mini"), a.usage))


def test_chat_footer_shows_cached_tokens_and_the_saving():
    from ui.chat.items import ChatItem, footer_html
    from ui.theme import LIGHT

    meta = {
        "model": "claude-sonnet-4.5",
        "cost_usd": 0.004,
        "cache_saved_usd": 0.0123,
        "usage": {"input_tokens": 5200, "output_tokens": 80, "cached_input_tokens": 4900},
    }
    html = footer_html(ChatItem(role="assistant", text="ok", model="claude-sonnet-4.5", meta=meta), LIGHT)
    assert "4,900 tok from prompt cache, saved $0.01" in html
    writing = {**meta, "cache_saved_usd": -0.0011, "usage": {"input_tokens": 5200, "cache_write_tokens": 5000}}
    html = footer_html(ChatItem(role="assistant", text="ok", model="m", meta=writing), LIGHT)
    assert "5,000 tok written to prompt cache, $0.0011 to write it" in html
    plain = footer_html(ChatItem(role="assistant", text="ok", model="m", meta={"usage": {"input_tokens": 9}}), LIGHT)
    assert "prompt cache" not in plain


def test_expected_cache_hits_follow_each_providers_rules(data_dir):
    from router.app import Sparklio
    from router.cache_estimate import cached_prefix_tokens

    app = Sparklio(data_dir)
    try:
        get = app.catalog.get
        assert cached_prefix_tokens(get("gpt-4o-mini"), 1500) == 1408  # 128-token steps from 1,024
        assert cached_prefix_tokens(get("gpt-4o-mini"), 1000) == 0
        assert cached_prefix_tokens(get("claude-sonnet-4.5"), 1100) == 1100
        assert cached_prefix_tokens(get("claude-haiku-4.5"), 1100) == 0  # Haiku 4.5 needs 4,096
        assert cached_prefix_tokens(get("gemini-2.5-flash"), 1100) == 1100
        assert cached_prefix_tokens(get("gemini-2.5-pro"), 2000) == 0
        assert cached_prefix_tokens(get("qwen2.5"), 5000) == 0  # local: nothing to save
    finally:
        app.store.close()


def test_route_prices_a_long_chat_with_its_expected_cache_hits(data_dir):
    """`sparklio route` / the why-popover: the per-call figure of a later turn counts the cached earlier turns."""
    from router.app import Sparklio
    from router.cache_estimate import input_cost_per_call
    from router.planner import Availability, estimate_tokens, make_plan, stable_prefix_tokens

    app = Sparklio(data_dir)

    def route(msgs):
        return make_plan(
            messages=msgs,
            task="chat_response",
            complexity="medium",
            tier="standard",
            catalog=app.catalog,
            policy=app.policy,
            avail=Availability.everything(),
            pinned="claude-sonnet-4.5",
        )

    try:
        msgs = conversation(3)
        plan = route(msgs)
        m = app.catalog.get("claude-sonnet-4.5")
        prefix, est_in = stable_prefix_tokens(msgs), estimate_tokens(msgs)
        assert prefix > 1024
        expected = input_cost_per_call(m, est_in, prefix) + 500 * m.output_price / 1e6
        full = (est_in * m.input_price + 500 * m.output_price) / 1e6
        assert f"~${expected:.4f}/call" in plan.chain[0].why and full - expected == pytest.approx(prefix * 2.7e-6)
        single = route([Message("user", "hi")])
        assert (
            f"~${(estimate_tokens([Message('user', 'hi')]) * m.input_price + 500 * m.output_price) / 1e6:.4f}"
            in single.chain[0].why
        )
    finally:
        app.store.close()


def test_workflow_estimate_counts_cache_reads_after_the_first_item(data_dir, tmp_path):
    from router.app import Sparklio
    from router.pricing import call_cost as cost

    (data_dir / "workflows").mkdir()
    (data_dir / "workflows" / "guide.toml").write_text(f'''
name = "guide"
[inputs.items]
kind = "list"
[[steps]]
id = "write"
task = "copywriting_standard"
for_each = "items"
system = "{SYSTEM.strip()}"
prompt = "Describe {{item}}"
max_output_tokens = 200
''')
    app = Sparklio(data_dir)
    try:
        app.settings.set("task_table", {"copywriting_standard": ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]})
        est = app.workflows.estimate("guide", {"items": "\n".join(f"mug {n}" for n in range(10))})
        step = est.step("write")
        m = app.catalog.get(step.model)  # the model that serves the row's slot (gpt-4o-mini, or its successor)
        assert step.calls == 10 and (m.id == "gpt-4o-mini" or f"gpt-4o-mini → served by {m.id}" in step.note)
        from router.cache_estimate import cached_prefix_tokens
        from router.planner import estimate_tokens

        cached = cached_prefix_tokens(m, estimate_tokens([Message("system", SYSTEM.strip())]))  # the provider's rule
        assert cached > 0
        writes = cached if m.provider == "anthropic" else 0  # the first item writes the cache (Anthropic bills it)
        first = Usage(input_tokens=step.input_tokens, output_tokens=step.output_tokens, cache_write_tokens=writes)
        hit = Usage(input_tokens=step.input_tokens, output_tokens=step.output_tokens, cached_input_tokens=cached)
        assert step.cost_usd == pytest.approx(cost(m, first) + 9 * cost(m, hit))
        assert step.batch_cost_usd == pytest.approx(cost(m, first, batch=True) + 9 * cost(m, hit, batch=True))
        assert est.batch_total_usd < est.total_usd
    finally:
        app.store.close()

"""Response cache: keys, hit/miss, TTL per task type, expiry, corrupted rows, opt-out, clear and summary."""

from __future__ import annotations

import logging

import pytest

from router.cache import ResponseCache
from router.catalog import ModelSpec
from router.settings import Settings
from router.store import database, open_store
from router.types import ImageInput, Message, Usage

MODEL = ModelSpec(id="gpt-4", provider="openai", api_model="gpt-4-0613", input_price=30, output_price=60)
SAME_WIRE_OTHER_PARAMS = ModelSpec(
    id="gpt-4-high", provider="openai", api_model="gpt-4-0613", params={"reasoning_effort": "high"}
)


class Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def cache(data_dir):
    store = open_store(data_dir)
    settings = Settings(store)
    c = ResponseCache(settings, clock=Clock())
    yield c
    store.close()


def msgs(text: str = "Write a tagline", images=()) -> list[Message]:
    return [Message("system", "You are terse."), Message("user", text, list(images))]


def test_key_normalises_messages_and_separates_what_matters(cache):
    k = cache.key(MODEL, msgs("Write a tagline"), {"temperature": 0.2})
    assert len(k) == 64
    assert cache.key(MODEL, msgs("  Write a tagline \r\n"), {"temperature": 0.2, "seed": None}) == k
    assert cache.key(MODEL, msgs("Write a tagline!"), {"temperature": 0.2}) != k
    assert cache.key(MODEL, msgs("Write a tagline"), {"temperature": 0.3}) != k
    assert cache.key(SAME_WIRE_OTHER_PARAMS, msgs("Write a tagline"), {"temperature": 0.2}) != k
    a = cache.key(MODEL, msgs("look", [ImageInput(b"\x89PNG-one")]), {})
    b = cache.key(MODEL, msgs("look", [ImageInput(b"\x89PNG-two")]), {})
    assert a != b and a == cache.key(MODEL, msgs("look", [ImageInput(b"\x89PNG-one")]), {})


def test_hit_miss_and_stored_values(cache):
    key = cache.key(MODEL, msgs(), {})
    assert cache.get(key) is None
    usage = Usage(input_tokens=120, output_tokens=30, cached_input_tokens=20)
    cache.put(key, MODEL, "copywriting_standard", "Sparkle on.", usage, 0.0054)
    hit = cache.get(key)
    assert hit is not None
    assert (hit.text, hit.model_id, hit.cost_usd, hit.usage) == ("Sparkle on.", "gpt-4", 0.0054, usage)
    assert cache.get(cache.key(MODEL, msgs("other"), {})) is None
    assert cache.summary()["hits_on_entries"] == 0  # counted by whoever serves it
    cache.count_hit(key)
    assert cache.summary()["hits_on_entries"] == 1


@pytest.mark.parametrize(
    "task,ttl", [("translation", 86400), ("template_generation", 86400), ("embeddings", 86400), ("chat_response", 3600)]
)
def test_ttl_by_task_type(cache, task, ttl):
    key = cache.key(MODEL, msgs(task), {})
    cache.put(key, MODEL, task, "x", Usage(), 0.001)
    cache.clock.t += ttl - 1
    assert cache.get(key) is not None
    cache.clock.t += 2
    assert cache.get(key) is None
    assert database.execute_sql("SELECT COUNT(*) FROM cache_entries").fetchone()[0] == 0  # expired row removed


def test_ttl_settings_are_editable(cache):
    cache.settings.set("cache_ttl_dynamic_s", 60)
    key = cache.key(MODEL, msgs(), {})
    cache.put(key, MODEL, "chat_response", "x", Usage(), 0.0)
    cache.clock.t += 61
    assert cache.get(key) is None


@pytest.mark.parametrize(
    "column,value",
    [
        ("usage", "{not json"),
        ("usage", '{"bogus_field": 1}'),
        ("usage", '{"input_tokens": "many"}'),
        ("cost_usd", -1.0),
        ("cost_usd", "free"),
        ("text", None),
    ],
)
def test_corrupted_row_is_deleted_logged_and_missed(cache, caplog, column, value):
    key = cache.key(MODEL, msgs(), {})
    cache.put(key, MODEL, "chat_response", "fine", Usage(input_tokens=1), 0.01)
    other = cache.key(MODEL, msgs("kept"), {})
    cache.put(other, MODEL, "chat_response", "kept", Usage(), 0.01)
    if column == "text":
        # NOT NULL holds; a BLOB where text belongs is the realistic damage.
        database.execute_sql("UPDATE cache_entries SET text = X'00FF' WHERE key = ?", (key,))
    else:
        database.execute_sql(f"UPDATE cache_entries SET {column} = ? WHERE key = ?", (value, key))
    with caplog.at_level(logging.WARNING, logger="router.cache"):
        assert cache.get(key) is None
    assert "corrupted" in caplog.text and key[:12] in caplog.text
    assert database.execute_sql("SELECT COUNT(*) FROM cache_entries WHERE key = ?", (key,)).fetchone()[0] == 0
    assert cache.get(other).text == "kept"  # nothing else lost


def test_opt_out_setting_disables_get_and_put(cache):
    key = cache.key(MODEL, msgs(), {})
    cache.put(key, MODEL, "chat_response", "stored", Usage(), 0.01)
    cache.settings.set("cache_enabled", False)
    assert cache.get(key) is None
    cache.put(cache.key(MODEL, msgs("new"), {}), MODEL, "chat_response", "not stored", Usage(), 0.01)
    cache.settings.set("cache_enabled", True)
    assert cache.get(key).text == "stored"
    assert cache.summary()["entries"] == 1


def test_clear_and_summary(cache):
    for i in range(3):
        cache.put(cache.key(MODEL, msgs(str(i)), {}), MODEL, "chat_response", "answer " * 3, Usage(), 0.01)
    s = cache.summary()
    assert s["entries"] == 3 and s["expired"] == 0 and s["bytes"] > 0
    cache.clock.t += 3601
    assert cache.summary()["expired"] == 3
    assert cache.clear() == 3
    assert cache.summary()["entries"] == 0


def test_policy_decides_static_tasks_when_given(cache):
    class Policy:
        def cache_ttl_class(self, task):
            return "static" if task == "brief_questions" else "dynamic"

    c = ResponseCache(cache.settings, policy=Policy(), clock=cache.clock)
    assert c.ttl_for("brief_questions") == 86400 and c.ttl_for("translation") == 3600

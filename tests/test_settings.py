"""Typed settings: one field per setting (default, type, check), attribute access, the stored JSON unchanged."""

from __future__ import annotations

import sqlite3

import pytest

from router.errors import SparklioError
from router.events import EventBus
from router.settings import FIELDS, Settings


def test_attributes_are_typed_defaults(store):
    settings = Settings(store)
    assert settings.monthly_limit_usd == 100.0 and isinstance(settings.monthly_limit_usd, float)
    assert settings.hard_stop is True and settings.budget_tier is None
    assert settings.cache_ttl_static_s == 86400 and isinstance(settings.cache_ttl_static_s, int)
    assert settings.endpoints == {"openai": "", "anthropic": "", "google": "", "compat": "", "ollama": ""}
    settings.endpoints["openai"] = "changed"  # a caller's copy: the default itself never changes
    assert Settings.default("endpoints")["openai"] == ""


def test_every_default_passes_its_own_check():
    for key, field in FIELDS.items():
        if key != "sd_model_path":  # "" is the unset path; its check reads files
            assert field.check(field.fresh_default()) == pytest.approx(field.default), key
    assert field.key == key and Settings.field(key) is field


def test_assignment_validates_normalises_stores_and_announces(store, data_dir):
    seen = []
    events = EventBus()
    events.subscribe(seen.append)
    settings = Settings(store, events)
    settings.monthly_limit_usd = "42.5"
    assert settings.monthly_limit_usd == 42.5
    settings.weights = {"complexity": 2, "budget": 1, "speed": 1, "quality": 0}
    assert settings.weights == {"complexity": 0.5, "budget": 0.25, "speed": 0.25, "quality": 0.0}
    settings.hard_stop = "off"
    assert settings.hard_stop is False
    assert [e.data["key"] for e in seen if e.kind == "settings_changed"] == [
        "monthly_limit_usd",
        "weights",
        "hard_stop",
    ]
    conn = sqlite3.connect(data_dir / "sparklio.db")  # the stored format: one JSON value per key, as before
    rows = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    conn.close()
    assert rows["monthly_limit_usd"] == "42.5" and rows["hard_stop"] == "false"
    assert Settings(store).monthly_limit_usd == 42.5  # a fresh instance reads it back


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("monthly_limit_usd", "lots", "monthly limit must be a number of US dollars, not 'lots'"),
        ("monthly_limit_usd", -1, "monthly limit must be between $0 and $1,000,000, not -1"),
        ("exploration_rate", 0.9, "exploration rate must be between 0.0 and 0.5, not 0.9"),
        ("cache_ttl_static_s", 0, "static cache TTL (seconds) must be positive, not 0"),
        ("hard_stop", "maybe", "hard stop must be true or false, not 'maybe'"),
        ("budget_tier", "platinum", "budget tier must be low, standard, premium or auto, not 'platinum'"),
        ("compat_models", "llama", "model names must be a list of names, not 'llama'"),
        ("saved_prompts", ["x"], "saved prompts must be a list of {name, text} entries"),
        ("no_such_setting", 1, "unknown setting 'no_such_setting'"),
    ],
)
def test_a_bad_value_is_one_line_and_nothing_changes(store, key, value, message):
    settings = Settings(store)
    before = {k: settings.get(k) for k in FIELDS}
    with pytest.raises(SparklioError) as bad:
        settings.set(key, value)
    assert str(bad.value) == message
    assert {k: settings.get(k) for k in FIELDS} == before


def test_a_bad_attribute_assignment_is_refused_the_same_way(store):
    settings = Settings(store)
    with pytest.raises(SparklioError, match="connect timeout"):
        settings.connect_timeout_s = 0.0
    assert settings.connect_timeout_s == 5.0


def test_values_stored_before_typed_settings_still_read(store, data_dir):
    conn = sqlite3.connect(data_dir / "sparklio.db")
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('provider_limits', '{\"openai\": 20.0}')")
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('budget_tier', 'not json')")
    conn.commit()
    conn.close()
    settings = Settings(store)
    assert settings.provider_limits == {"openai": 20.0}
    assert settings.budget_tier is None  # a damaged value falls back to its default

"""The provider table is the one source every layer reads: registry, catalog, secrets, settings, pricing."""

from __future__ import annotations

import pytest

from router.app import Sparklio
from router.errors import ConfigError, SparklioError
from router.pricing import load_catalog
from router.providers.base import Provider
from router.providers.info import LOCAL_PROVIDERS, PROVIDERS, keyed, load, with_endpoint


@pytest.mark.parametrize("name", sorted(PROVIDERS))
async def test_every_factory_follows_the_constructor_contract(name, tmp_path):
    row = PROVIDERS[name]
    client = load(row.factory)(api_key=None, base_url=str(tmp_path / "somewhere"), timeout=7.0)
    try:
        assert isinstance(client, Provider) and client.name == name and client.timeout == 7.0
    finally:
        await client.aclose()


def test_the_registry_reasons_name_each_provider_from_the_table(data_dir, memory_keyring):
    app = Sparklio(data_dir, keyring=memory_keyring, env={})
    try:
        avail = app.registry.availability()
        assert avail.ready == set() and set(avail.reasons) == set(PROVIDERS)
        for name in keyed():
            if PROVIDERS[name].key_required:
                assert avail.reasons[name] == f"no {PROVIDERS[name].label} API key (Settings → Keys)"
        assert set(app.settings.get("endpoints")) == set(with_endpoint())
        app.secrets.set("google", "AIza-test-key", session_only=True)
        assert "google" in app.registry.availability().ready
        with pytest.raises(SparklioError, match="keys are kept for: openai, anthropic, google, compat"):
            app.secrets.set("ollama", "x")
    finally:
        app.store.close()


def test_a_secret_from_the_tables_env_var_is_found(data_dir, memory_keyring):
    app = Sparklio(data_dir, keyring=memory_keyring, env={PROVIDERS["google"].key_env[1]: "from-env"})
    try:
        assert app.secrets.get("google") == "from-env" and app.secrets.source("google") == "environment"
    finally:
        app.store.close()


def test_the_catalog_refuses_a_kind_its_provider_does_not_serve(tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text('[models."a"]\nprovider = "anthropic"\napi_model = "a"\ninput_price = 1\nkind = "image"\n')
    with pytest.raises(ConfigError, match=r"line 5: model 'a' has kind 'image', which anthropic does not serve"):
        load_catalog(bad)


def test_local_models_are_those_the_table_marks_local():
    from router.paths import RESOURCES

    models = load_catalog(RESOURCES / "catalog.toml").models.values()
    assert {m.provider for m in models if m.local} == LOCAL_PROVIDERS == {"ollama", "local_sd"}

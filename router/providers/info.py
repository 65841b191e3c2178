"""The provider table: every fact about a provider, in one row, that every layer reads (no SDK imported here)."""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProviderInfo:
    """One provider: names, where its client class and SDK live, its key and endpoint, what it can do."""

    name: str  # the catalog's `provider` field
    label: str  # what the user reads in messages and forms
    factory: str  # "module:Class", constructed with (api_key, base_url, timeout)
    kinds: frozenset[str]  # request kinds it serves: chat, embedding, image
    key_env: tuple[str, ...] = ()  # env vars read for the key when the keyring has none; () = keeps no key
    key_required: bool = False  # no call without a key (cloud APIs)
    base_url_env: str = ""  # the SDK's own env var for the endpoint
    endpoint: str = ""  # the default endpoint, in words (or an example); "" = no endpoint setting
    server_required: bool = False  # no call until an endpoint is set (compat) or the server answers (ollama)
    sdk_module: str = ""  # imported ahead of the first request
    genai_prices_id: str = ""  # genai-prices provider id; "" = the catalog's own prices
    lists_models: bool = False  # has a models.list call (the live list that retires models)
    list_is_complete: bool = False  # a model missing from that list is not served
    local: bool = False  # runs on this machine's GPU (shares the VRAM arbiter)
    manager: str = ""  # "module:Class" managing the local server (install, list, pull)
    setup: str = ""  # "module:function(data_dir)" run once when the app opens

    @property
    def keyed(self) -> bool:
        """True when the user can store an API key for it (Settings → Keys, `sparklio keys`)."""
        return bool(self.key_env)

    @property
    def endpoint_hint(self) -> str:
        """The endpoint field's placeholder: the default and the SDK's env var."""
        return f"default: {self.endpoint} (or {self.base_url_env})" if self.base_url_env else self.endpoint


PROVIDERS: dict[str, ProviderInfo] = {
    p.name: p
    for p in (
        ProviderInfo(
            name="openai",
            label="OpenAI",
            factory="router.providers.openai_provider:OpenAIProvider",
            kinds=frozenset({"chat", "embedding", "image"}),
            key_env=("OPENAI_API_KEY",),
            key_required=True,
            base_url_env="OPENAI_BASE_URL",
            endpoint="api.openai.com",
            sdk_module="openai",
            genai_prices_id="openai",
            lists_models=True,
            list_is_complete=True,
        ),
        ProviderInfo(
            name="anthropic",
            label="Anthropic",
            factory="router.providers.anthropic_provider:AnthropicProvider",
            kinds=frozenset({"chat"}),
            key_env=("ANTHROPIC_API_KEY",),
            key_required=True,
            base_url_env="ANTHROPIC_BASE_URL",
            endpoint="api.anthropic.com",
            sdk_module="anthropic",
            genai_prices_id="anthropic",
            lists_models=True,
            list_is_complete=True,
        ),
        ProviderInfo(
            name="google",
            label="Google Gemini",
            factory="router.providers.google_provider:GoogleProvider",
            kinds=frozenset({"chat", "embedding", "image"}),
            key_env=("GOOGLE_API_KEY", "GEMINI_API_KEY"),
            key_required=True,
            base_url_env="GOOGLE_GEMINI_BASE_URL",
            endpoint="Google's endpoint",
            sdk_module="google.genai",
            genai_prices_id="google",
            lists_models=True,
            list_is_complete=True,
        ),
        ProviderInfo(
            name="compat",
            label="OpenAI-compatible endpoint",
            factory="router.providers.compat:CompatProvider",
            kinds=frozenset({"chat", "embedding", "image"}),
            key_env=("SPARKLIO_COMPAT_API_KEY",),
            endpoint="e.g. http://127.0.0.1:8000/v1 (LM Studio, vLLM, OpenRouter…)",
            server_required=True,
            sdk_module="openai",
            lists_models=True,
        ),
        ProviderInfo(
            name="ollama",
            label="Ollama",
            factory="router.providers.ollama_provider:OllamaProvider",
            kinds=frozenset({"chat", "embedding"}),
            base_url_env="OLLAMA_HOST",
            endpoint="http://127.0.0.1:11434",
            server_required=True,
            sdk_module="ollama",
            local=True,
            manager="local_models.ollama:OllamaManager",
        ),
        ProviderInfo(
            name="local_sd",
            label="Stable Diffusion",
            factory="local_models.sd_provider:LocalDiffusionProvider",
            kinds=frozenset({"image"}),
            local=True,
            setup="local_models.gpu_support:activate",
        ),
    )
}

LOCAL_PROVIDERS = frozenset(p.name for p in PROVIDERS.values() if p.local)


def info(name: str) -> ProviderInfo | None:
    """The row of a provider name, or None for an unknown one."""
    return PROVIDERS.get(name)


def label(name: str) -> str:
    """The provider's human name (the name itself when unknown)."""
    row = PROVIDERS.get(name)
    return row.label if row else (name or "Provider")


@functools.cache
def keyed() -> tuple[str, ...]:
    """Providers the user can store an API key for, in table order (the table is fixed: computed once)."""
    return tuple(p.name for p in PROVIDERS.values() if p.keyed)


@functools.cache
def with_endpoint() -> tuple[str, ...]:
    """Providers with an endpoint setting (Settings → Endpoints), in table order (computed once)."""
    return tuple(p.name for p in PROVIDERS.values() if p.endpoint)


def load(path: str) -> Any:
    """The object a "module:attribute" string of the table names (imported now, never at startup)."""
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)

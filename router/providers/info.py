"""The provider table: every fact about a provider, in one row, that every layer reads (no SDK imported here)."""

from __future__ import annotations

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
    endpoint_hint: str = ""  # placeholder of the endpoint field; "" = no endpoint setting
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


PROVIDERS: dict[str, ProviderInfo] = {p.name: p for p in (
    ProviderInfo("openai", "OpenAI", "router.providers.openai_provider:OpenAIProvider",
                 frozenset({"chat", "embedding", "image"}), ("OPENAI_API_KEY",), True, "OPENAI_BASE_URL",
                 "default: api.openai.com (or OPENAI_BASE_URL)", sdk_module="openai", genai_prices_id="openai",
                 lists_models=True, list_is_complete=True),
    ProviderInfo("anthropic", "Anthropic", "router.providers.anthropic_provider:AnthropicProvider",
                 frozenset({"chat"}), ("ANTHROPIC_API_KEY",), True, "ANTHROPIC_BASE_URL",
                 "default: api.anthropic.com (or ANTHROPIC_BASE_URL)", sdk_module="anthropic",
                 genai_prices_id="anthropic", lists_models=True, list_is_complete=True),
    ProviderInfo("google", "Google Gemini", "router.providers.google_provider:GoogleProvider",
                 frozenset({"chat", "embedding", "image"}), ("GOOGLE_API_KEY", "GEMINI_API_KEY"), True,
                 "GOOGLE_GEMINI_BASE_URL", "default: Google's endpoint (or GOOGLE_GEMINI_BASE_URL)",
                 sdk_module="google.genai", genai_prices_id="google", lists_models=True, list_is_complete=True),
    ProviderInfo("compat", "OpenAI-compatible endpoint", "router.providers.compat:CompatProvider",
                 frozenset({"chat", "embedding", "image"}), ("SPARKLIO_COMPAT_API_KEY",),
                 endpoint_hint="e.g. http://127.0.0.1:8000/v1 (LM Studio, vLLM, OpenRouter…)", server_required=True,
                 sdk_module="openai", lists_models=True),
    ProviderInfo("ollama", "Ollama", "router.providers.ollama_provider:OllamaProvider",
                 frozenset({"chat", "embedding"}), base_url_env="OLLAMA_HOST",
                 endpoint_hint="default: http://127.0.0.1:11434 (or OLLAMA_HOST)", server_required=True,
                 sdk_module="ollama", local=True, manager="local_models.ollama:OllamaManager"),
    ProviderInfo("local_sd", "Stable Diffusion", "local_models.sd_provider:LocalDiffusionProvider",
                 frozenset({"image"}), local=True, setup="local_models.gpu_support:activate"),
)}

LOCAL_PROVIDERS = frozenset(p.name for p in PROVIDERS.values() if p.local)


def info(name: str) -> ProviderInfo | None:
    """The row of a provider name, or None for an unknown one."""
    return PROVIDERS.get(name)


def label(name: str) -> str:
    """The provider's human name (the name itself when unknown)."""
    row = PROVIDERS.get(name)
    return row.label if row else (name or "Provider")


def keyed() -> tuple[str, ...]:
    """Providers the user can store an API key for, in table order."""
    return tuple(p.name for p in PROVIDERS.values() if p.keyed)


def with_endpoint() -> tuple[str, ...]:
    """Providers with an endpoint setting (Settings → Endpoints), in table order."""
    return tuple(p.name for p in PROVIDERS.values() if p.endpoint_hint)


def load(path: str) -> Any:
    """The object a "module:attribute" string of the table names (imported now, never at startup)."""
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)

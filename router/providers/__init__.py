"""Provider layer: one adapter per API family; SDKs are imported lazily inside the adapters."""

from router.providers.base import BaseProvider, Provider

# Dotted "module:Class" names for the cloud adapters, for lazy factories (importing this package
# never imports openai, anthropic or google-genai).
CLOUD_PROVIDER_CLASSES: dict[str, str] = {
    "openai": "router.providers.openai_provider:OpenAIProvider",
    "anthropic": "router.providers.anthropic_provider:AnthropicProvider",
    "google": "router.providers.google_provider:GoogleProvider",
    "compat": "router.providers.compat:CompatProvider",
}

__all__ = ["CLOUD_PROVIDER_CLASSES", "BaseProvider", "Provider"]

"""Any OpenAI-compatible endpoint (vLLM, LM Studio, llama.cpp server, LiteLLM) via the OpenAI SDK."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from router.errors import PermanentError
from router.providers.openai_provider import OpenAIProvider

PLACEHOLDER_KEY = "not-needed"


class CompatProvider(OpenAIProvider):
    """The OpenAI provider pointed at a user-configured base_url; the key is optional."""

    name = "compat"
    max_tokens_field = "max_tokens"  # older servers do not know max_completion_tokens

    @property
    def label(self) -> str:
        """'OpenAI-compatible endpoint 127.0.0.1:8000' (host only: never the path or query)."""
        parts = urlsplit(self.base_url or "")
        host = parts.hostname or ""
        if host and parts.port:
            host = f"{host}:{parts.port}"
        return f"OpenAI-compatible endpoint {host}".rstrip()

    def _key(self) -> str:
        """The configured key, or a placeholder the SDK accepts (local servers ignore it)."""
        return self.api_key or PLACEHOLDER_KEY

    def _make_client(self) -> Any:
        if not self.base_url:
            raise PermanentError(
                "No OpenAI-compatible endpoint configured: set its URL in Settings → Endpoints",
                provider=self.name,
                reason="no_endpoint",
            )
        return super()._make_client()

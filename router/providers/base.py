"""The Provider protocol and a base class with key handling and "not supported" defaults."""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, runtime_checkable

from router.catalog import ModelSpec
from router.errors import PermanentError, ProviderError
from router.providers.errors import scrub, unexpected
from router.providers.info import PROVIDERS
from router.providers.info import label as provider_label
from router.types import EmbeddingResult, ImageResult, Message, ProviderEvent

log = logging.getLogger(__name__)


@runtime_checkable
class Provider(Protocol):
    """What the engine calls; every failure is a ProviderError subclass."""

    name: str

    async def stream_chat(
        self, model: ModelSpec, messages: list[Message], *, max_tokens: int | None, temperature: float | None
    ) -> AsyncIterator[ProviderEvent]: ...

    async def embed(self, model: ModelSpec, texts: list[str]) -> EmbeddingResult: ...

    async def generate_image(
        self, model: ModelSpec, prompt: str, *, size: str = "1024x1024", quality: str = "standard", n: int = 1, **params
    ) -> ImageResult: ...

    async def check(self) -> str: ...  # "test connection": short OK text or raises ProviderError

    async def aclose(self) -> None: ...


class BaseProvider:
    """Shared plumbing: lazy SDK client, key lookup, error mapping hook, unsupported-call defaults."""

    name: str = ""

    def __init__(self, api_key: str | None, base_url: str | None = None, timeout: float = 60.0) -> None:
        self.api_key = api_key or None
        self.base_url = base_url or None
        self.timeout = float(timeout)
        self.connect_timeout = min(5.0, self.timeout)  # set from the connect_timeout_s setting by the registry
        self._sdk_client: Any = None

    # ---- identity and secrets ----

    @property
    def label(self) -> str:
        """Human name used in every error message."""
        return provider_label(self.name)

    @property
    def env_keys(self) -> tuple[str, ...]:
        """Environment variables read for the key (the provider table's `key_env`)."""
        row = PROVIDERS.get(self.name)
        return row.key_env if row else ()

    def _key(self) -> str:
        """The API key (argument first, then the SDK's env var) or a PermanentError telling the user what to do."""
        key = self.api_key or next((os.environ[v] for v in self.env_keys if os.environ.get(v)), None)
        if not key:
            raise PermanentError(
                f"No {self.label} API key: add one in Settings → Keys or run `sparklio keys set {self.name}`",
                provider=self.name,
                reason="no_key",
            )
        return key

    def _secrets(self) -> tuple[str | None, ...]:
        """Strings that must never appear in an error message."""
        return (self.api_key, *(os.environ.get(v) for v in self.env_keys))

    def _scrub(self, text: object) -> str:
        """One line of provider text with secrets removed."""
        return scrub(text, self._secrets())

    # ---- SDK client ----

    def _make_client(self) -> Any:
        """Build the SDK client (imports the SDK lazily); subclasses override."""
        raise NotImplementedError

    def http_timeout(self, sdk: Any) -> Any:
        """The SDK's own Timeout: a short connect limit, the long one for everything else."""
        return sdk.Timeout(self.timeout, connect=self.connect_timeout)

    def _client(self) -> Any:
        """The SDK client, built on first use."""
        if self._sdk_client is None:
            self._sdk_client = self._make_client()
        return self._sdk_client

    async def aclose(self) -> None:
        """Close the SDK client's connections (safe to call twice)."""
        client, self._sdk_client = self._sdk_client, None
        if client is None:
            return
        closer = getattr(client, "close", None)
        if closer is not None:
            result = closer()
            if inspect.isawaitable(result):
                await result

    # ---- errors ----

    def _map_sdk_error(self, exc: BaseException, model: str = "") -> ProviderError | None:
        """Provider-specific mapping; None when the exception is not recognised."""
        return None

    @staticmethod
    def _cut_mid_stream(error: ProviderError, received: bool) -> bool:
        """A connection lost after the first chunk ends the stream without Finished (the engine calls it cut)."""
        return received and error.reason == "connection"

    def _error(self, exc: BaseException, model: str = "") -> ProviderError:
        """Any exception from an SDK call, as a one-line ProviderError that never contains the key."""
        if isinstance(exc, ProviderError):
            return exc
        mapped = self._map_sdk_error(exc, model)
        if mapped is None:
            log.debug("%s: unmapped %s", self.name, type(exc).__name__)
            mapped = unexpected(exc, provider=self.name, label=self.label)
        return mapped

    # ---- unsupported defaults ----

    def _unsupported(self, model: ModelSpec, what: str) -> PermanentError:
        """The error for a call this provider/model cannot serve."""
        return PermanentError(f"{model.id} cannot {what}", provider=self.name, reason="unsupported")

    async def stream_chat(
        self,
        model: ModelSpec,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> AsyncIterator[ProviderEvent]:
        """Default: chat is not supported."""
        raise self._unsupported(model, "chat")
        yield  # pragma: no cover  (makes this an async generator like real implementations)

    async def embed(self, model: ModelSpec, texts: list[str]) -> EmbeddingResult:
        """Default: embeddings are not supported."""
        raise self._unsupported(model, "embed text")

    async def generate_image(
        self, model: ModelSpec, prompt: str, *, size: str = "1024x1024", quality: str = "standard", n: int = 1, **params
    ) -> ImageResult:
        """Default: image generation is not supported."""
        raise self._unsupported(model, "generate images")

    async def list_models(self) -> list[str]:
        """Every model id the API lists for this key, through the SDK's own `models.list` (it follows the pages)."""
        try:
            return [m.id async for m in self._client().models.list(**self.list_params)]
        except Exception as exc:
            raise self._error(exc) from None

    list_params: dict = {}  # extra arguments for models.list (Anthropic: a large page)

    async def check(self) -> str:
        """List the models the SDK client can see: proves the URL and the key work (SDKs with `models.list`)."""
        error: ProviderError | None = None
        try:
            count = 0
            async for _ in self._client().models.list():
                count += 1
            return f"{self.label}: connected, {count} models available"
        except Exception as exc:
            error = self._error(exc)
        raise error


@functools.lru_cache(maxsize=256)
def _parameter_names(func: Callable[..., Any], drop_first: bool) -> frozenset[str]:
    """Parameter names of `func` (minus the first, for a function reached through a bound method), once per function."""
    try:
        names = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(names[1:] if drop_first else names)


def accepted_parameters(func: Callable[..., Any]) -> frozenset[str]:
    """Keyword names `func` accepts; bound methods share their class function's cached entry across clients."""
    target = getattr(func, "__func__", None)
    try:
        if target is not None:
            return _parameter_names(target, True)
        return _parameter_names(func, False)
    except TypeError:  # an unhashable callable: no caching
        return _parameter_names.__wrapped__(func, False)


def split_kwargs(func: Callable[..., Any], params: dict) -> tuple[dict, dict]:
    """Split `params` into keyword arguments `func` accepts and the rest (for the SDK's extra_body)."""
    if not params:
        return {}, {}
    accepted = accepted_parameters(func)
    known = {k: v for k, v in params.items() if k in accepted}
    extra = {k: v for k, v in params.items() if k not in accepted}
    return known, extra


def ensure_png(data: bytes) -> bytes:
    """Return PNG bytes, converting other image formats with Pillow (imported lazily)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        out = io.BytesIO()
        im.save(out, format="PNG")
        return out.getvalue()

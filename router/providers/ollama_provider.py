"""Ollama provider: streamed local chat and embeddings through `ollama.AsyncClient` (imported lazily)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from router.catalog import ModelSpec
from router.errors import PermanentError, ProviderError, RateLimitedError, TransientError
from router.providers.base import BaseProvider
from router.providers.errors import malformed, scrub, timed_out
from router.providers.info import PROVIDERS
from router.types import EmbeddingResult, Finished, Message, ProviderEvent, TextDelta, Usage, UsageReport

DEFAULT_HOST = PROVIDERS["ollama"].endpoint
# model.params keys that go at the top level of an Ollama request; everything else goes into `options`.
_TOP_LEVEL = ("keep_alive", "think", "format")


def normalize_host(host: str | None) -> str:
    """Ollama's host setting as a URL, the way the SDK reads it ("" -> http://127.0.0.1:11434)."""
    host = (host or "").strip()
    scheme, sep, rest = host.partition("://")
    if sep:
        default_port = 443 if scheme == "https" else 80
    else:
        scheme, rest, default_port = "http", host, 11434
    parts = urlsplit(f"{scheme}://{rest}")
    name = parts.hostname or "127.0.0.1"
    if ":" in name:
        name = f"[{name}]"
    path = parts.path.strip("/")
    return f"{scheme}://{name}:{parts.port or default_port}" + (f"/{path}" if path else "")


def ollama_messages(messages: list[Message]) -> list[dict]:
    """Chat messages in Ollama's shape (image bytes go in `images`; the SDK base64-encodes them)."""
    out = []
    for m in messages:
        msg: dict[str, Any] = {"role": m.role, "content": m.content}
        if m.images:
            msg["images"] = [img.data for img in m.images]
        out.append(msg)
    return out


def _ns(value: Any) -> float:
    """Nanoseconds (None-safe) as seconds."""
    return float(value or 0) / 1e9


def usage_from_final(chunk: Any) -> Usage:
    """Usage from the final (done) chunk: token counts plus the server's compute time as gpu_seconds."""
    return Usage(
        input_tokens=int(getattr(chunk, "prompt_eval_count", 0) or 0),
        output_tokens=int(getattr(chunk, "eval_count", 0) or 0),
        gpu_seconds=_ns(getattr(chunk, "prompt_eval_duration", 0)) + _ns(getattr(chunk, "eval_duration", 0)),
    )


class OllamaProvider(BaseProvider):
    """Local models served by Ollama (no key; `base_url` or $OLLAMA_HOST picks the server)."""

    name = "ollama"

    def __init__(self, api_key: str | None = None, base_url: str | None = None, timeout: float = 300.0) -> None:
        super().__init__(api_key, base_url, timeout)
        self.arbiter: Any = None  # a VramArbiter (set by the registry): moves Stable Diffusion aside first

    @property
    def label(self) -> str:
        """Human name used in messages."""
        return "Ollama"

    @property
    def host(self) -> str:
        """The server URL this provider talks to."""
        return normalize_host(self.base_url or os.environ.get("OLLAMA_HOST"))

    def _make_client(self) -> Any:
        import httpx
        import ollama

        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))
        return ollama.AsyncClient(host=self.host, timeout=timeout)

    # ---- errors ----

    def not_running(self) -> TransientError:
        """The error for a server that does not answer."""
        return TransientError(
            f"Ollama is not running at {self.host}: start it with `ollama serve`",
            provider=self.name,
            reason="not_running",
        )

    def _map_sdk_error(self, exc: BaseException, model: str = "") -> ProviderError | None:
        import httpx
        import ollama

        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, ConnectionError)):
            return self.not_running()
        if isinstance(exc, ollama.ResponseError):
            return self._response_error(exc, model)
        if isinstance(exc, ollama.RequestError):
            return PermanentError(
                f"Invalid Ollama request: {scrub(exc.error)}", provider=self.name, reason="bad_request"
            )
        if isinstance(exc, httpx.TimeoutException):
            return timed_out(provider=self.name, label=self.label, timeout=self.timeout)
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
            return TransientError("Ollama closed the connection early", provider=self.name, reason="connection")
        if isinstance(exc, httpx.RequestError):
            return TransientError(
                f"Ollama connection failed ({type(exc).__name__})", provider=self.name, reason="connection"
            )
        if isinstance(exc, (ValueError, UnicodeDecodeError)):  # json.JSONDecodeError and pydantic errors
            return malformed(provider=self.name, label=self.label)
        return None

    def _response_error(self, exc: Any, model: str) -> ProviderError:
        """Classify an ollama.ResponseError by its HTTP status (-1 = an error line inside a stream)."""
        status = int(getattr(exc, "status_code", -1) or -1)
        detail = scrub(getattr(exc, "error", "") or str(exc))
        kw = {"provider": self.name, "status": status if status > 0 else None}
        if status == 404:
            name = model or "the model"
            return PermanentError(
                f"{name} is not installed in Ollama: run `ollama pull {name}`", reason="not_installed", **kw
            )
        if "requires more system memory" in detail or "out of memory" in detail.lower():
            return PermanentError(
                f"Not enough memory to run {model or 'this model'} in Ollama: {detail}", reason="out_of_memory", **kw
            )
        if status == 429:
            return RateLimitedError(f"Ollama is busy (HTTP 429): {detail}", reason="rate_limited", **kw)
        if status >= 500 or status < 0:
            return TransientError(f"Ollama server error: {detail}", reason="server_error", **kw)
        return PermanentError(f"Ollama rejected the request (HTTP {status}): {detail}", reason="bad_request", **kw)

    # ---- calls ----

    @staticmethod
    def _split_params(model: ModelSpec, max_tokens: int | None, temperature: float | None) -> tuple[dict, dict]:
        """(top-level request fields, options) from the catalog params and call arguments."""
        top = {k: v for k, v in (model.params or {}).items() if k in _TOP_LEVEL}
        options = {k: v for k, v in (model.params or {}).items() if k not in _TOP_LEVEL}
        if max_tokens is not None:
            options["num_predict"] = int(max_tokens)
        if temperature is not None:
            options["temperature"] = float(temperature)
        return top, options

    async def stream_chat(
        self,
        model: ModelSpec,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> AsyncIterator[ProviderEvent]:
        """Stream the answer; the final chunk (done=True) gives usage and the finish reason."""
        top, options = self._split_params(model, max_tokens, temperature)
        if self.arbiter is not None:
            await self.arbiter.before_local_text(model.api_model)
        try:
            stream = await self._client().chat(
                model=model.api_model, messages=ollama_messages(messages), stream=True, options=options or None, **top
            )
            async with contextlib.aclosing(stream):  # closed on this task (see OllamaManager.pull)
                async for chunk in stream:
                    text = chunk.message.content if chunk.message is not None else None
                    if text:
                        yield TextDelta(text)
                    if chunk.done:  # the server ends the stream after this chunk: read on to the end
                        yield UsageReport(usage_from_final(chunk))
                        yield Finished(chunk.done_reason or "stop")
        except ProviderError:
            raise
        except Exception as exc:
            raise self._error(exc, model.api_model) from exc

    async def embed(self, model: ModelSpec, texts: list[str]) -> EmbeddingResult:
        """Vectors for `texts` from /api/embed."""
        top, options = self._split_params(model, None, None)
        top.pop("think", None)
        top.pop("format", None)
        try:
            resp = await self._client().embed(model=model.api_model, input=list(texts), options=options or None, **top)
        except Exception as exc:
            raise self._error(exc, model.api_model) from exc
        compute = _ns(resp.total_duration) - _ns(resp.load_duration)
        usage = Usage(input_tokens=int(resp.prompt_eval_count or 0), gpu_seconds=max(compute, 0.0))
        return EmbeddingResult(vectors=[list(map(float, v)) for v in resp.embeddings], usage=usage)

    async def check(self) -> str:
        """ "Ollama X.Y.Z is running at <host>" from /api/version, or a ProviderError."""
        import httpx

        try:
            async with httpx.AsyncClient(base_url=self.host, timeout=min(self.timeout, 10.0)) as http:
                r = await http.get("/api/version")
                r.raise_for_status()
                version = r.json().get("version", "?")
        except httpx.HTTPStatusError as exc:
            raise TransientError(
                f"Ollama at {self.host} answered HTTP {exc.response.status_code}",
                provider=self.name,
                status=exc.response.status_code,
            ) from exc
        except Exception as exc:
            raise self._error(exc) from exc
        return f"Ollama {version} is running at {self.host}"

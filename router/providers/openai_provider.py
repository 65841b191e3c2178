"""OpenAI provider: streamed chat completions, embeddings and images through `openai.AsyncOpenAI`."""

from __future__ import annotations

import base64
import functools
from collections.abc import AsyncIterator
from typing import Any

from router.catalog import ModelSpec
from router.errors import ProviderError, TransientError
from router.providers.base import BaseProvider, ensure_png, split_kwargs
from router.providers.errors import client_side_error, malformed, status_error, transport_error
from router.types import (
    EmbeddingResult,
    Finished,
    GeneratedImage,
    ImageResult,
    Message,
    ProviderEvent,
    TextDelta,
    Usage,
    UsageReport,
)

# gpt-image models speak low/medium/high; the catalog keeps DALL·E's standard/hd names.
_GPT_IMAGE_QUALITY = {"standard": "medium", "hd": "high"}


def _data_url(data: bytes, mime: str) -> str:
    """An image as a data: URL."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def to_openai_messages(messages: list[Message]) -> list[dict]:
    """Chat messages in the OpenAI wire shape (images become data-URL image_url parts)."""
    out: list[dict] = []
    for m in messages:
        if not m.images:
            out.append({"role": m.role, "content": m.content})
            continue
        parts: list[dict] = [{"type": "text", "text": m.content}] if m.content else []
        parts += [{"type": "image_url", "image_url": {"url": _data_url(i.data, i.mime)}} for i in m.images]
        out.append({"role": m.role, "content": parts})
    return out


@functools.cache
def _chat_types() -> tuple[Any, Any]:
    """(ChatCompletion, AsyncStream[ChatCompletionChunk]): what chat.completions.create casts a stream to."""
    from openai import AsyncStream
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    return ChatCompletion, AsyncStream[ChatCompletionChunk]


@functools.cache
def _responses_types() -> tuple[Any, Any]:
    """(Response, AsyncStream[ResponseStreamEvent]): what responses.create casts a stream to."""
    from openai import AsyncStream
    from openai.types.responses import Response, ResponseStreamEvent

    return Response, AsyncStream[ResponseStreamEvent]


def usage_from_openai(u: Any) -> Usage:
    """Normalise a CompletionUsage (cached and reasoning tokens are parts of the totals)."""
    prompt = getattr(u, "prompt_tokens_details", None)
    completion = getattr(u, "completion_tokens_details", None)
    return Usage(
        input_tokens=int(getattr(u, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(u, "completion_tokens", 0) or 0),
        cached_input_tokens=int(getattr(prompt, "cached_tokens", 0) or 0),
        cache_write_tokens=int(getattr(prompt, "cache_write_tokens", 0) or 0),
        reasoning_tokens=int(getattr(completion, "reasoning_tokens", 0) or 0),
    )


# The Responses API rejects max_output_tokens below this.
RESPONSES_MIN_OUTPUT_TOKENS = 16
# Error codes inside a 200 stream that retrying cannot fix (the request itself is at fault).
_PERMANENT_CODE_HINTS = ("invalid", "image", "unsupported", "data_residency", "context_length", "not_found")


def to_responses_input(messages: list[Message]) -> tuple[str | None, list[dict]]:
    """(instructions, input items) for the Responses API: system text becomes instructions, turns typed parts."""
    instructions: list[str] = []
    items: list[dict] = []
    for m in messages:
        if m.role == "system" and not m.images:
            if m.content:
                instructions.append(m.content)
            continue
        assistant = m.role == "assistant"
        parts: list[dict] = []
        if m.content or not m.images:
            parts.append({"type": "output_text" if assistant else "input_text", "text": m.content})
        if not assistant:
            parts += [
                {"type": "input_image", "image_url": _data_url(i.data, i.mime), "detail": "auto"} for i in m.images
            ]
        role = "developer" if m.role == "system" else m.role
        items.append({"type": "message", "role": role, "content": parts})
    return ("\n\n".join(instructions) or None), items


def responses_params(params: dict) -> dict:
    """Catalog params in Responses form: reasoning_effort -> reasoning.effort, verbosity -> text.verbosity; no `api`."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "api":
            continue
        if key == "reasoning_effort":
            out["reasoning"] = {**out.get("reasoning", {}), "effort": value}
        elif key == "verbosity":
            out["text"] = {**out.get("text", {}), "verbosity": value}
        elif key in ("max_completion_tokens", "max_tokens"):
            out["max_output_tokens"] = value
        elif key in ("reasoning", "text") and isinstance(value, dict):
            out[key] = {**out.get(key, {}), **value}
        else:
            out[key] = value
    return out


def usage_from_responses(u: Any) -> Usage:
    """Normalise a ResponseUsage (cached and reasoning tokens are parts of the totals)."""
    inp = getattr(u, "input_tokens_details", None)
    out = getattr(u, "output_tokens_details", None)
    return Usage(
        input_tokens=int(getattr(u, "input_tokens", 0) or 0),
        output_tokens=int(getattr(u, "output_tokens", 0) or 0),
        cached_input_tokens=int(getattr(inp, "cached_tokens", 0) or 0),
        cache_write_tokens=int(getattr(inp, "cache_write_tokens", 0) or 0),
        reasoning_tokens=int(getattr(out, "reasoning_tokens", 0) or 0),
    )


def responses_finish_reason(response: Any) -> str:
    """Finished reason for a final Response: "stop", or "length"/"content_filter" when it is incomplete."""
    if getattr(response, "status", None) != "incomplete":
        return "stop"
    why = getattr(getattr(response, "incomplete_details", None), "reason", None)
    return "content_filter" if why == "content_filter" else "length"


class OpenAIProvider(BaseProvider):
    """api.openai.com (or OPENAI_BASE_URL) through the official SDK, with SDK retries off."""

    name = "openai"
    max_tokens_field = "max_completion_tokens"

    def _make_client(self) -> Any:
        import openai

        return openai.AsyncOpenAI(
            api_key=self._key(), base_url=self.base_url, timeout=self.http_timeout(openai), max_retries=0
        )

    # ---- chat ----

    def _chat_body(
        self, model: ModelSpec, messages: list[Message], max_tokens: int | None, temperature: float | None
    ) -> dict:
        """The request body: catalog params on the wire as they are (unknown ones too, as extra_body would put them)."""
        body: dict[str, Any] = {
            "model": model.api_model,
            "messages": to_openai_messages(messages),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if max_tokens is not None:
            body[self.max_tokens_field] = int(max_tokens)
        # Reasoning models reject a custom temperature.
        if temperature is not None and "reasoning_effort" not in model.params:
            body["temperature"] = float(temperature)
        body.update((k, v) for k, v in model.params.items() if k != "api")
        return body

    async def stream_chat(
        self,
        model: ModelSpec,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> AsyncIterator[ProviderEvent]:
        """Stream text; usage from the final chunk; Finished only when a choice reported a finish_reason."""
        if model.params.get("api") == "responses":
            async for event in self._stream_responses(model, messages, max_tokens, temperature):
                yield event
            return
        finish: str | None = None
        usage: Usage | None = None
        received = False
        error: ProviderError | None = None
        try:
            client = self._client()
            completion, stream_cls = _chat_types()
            # The SDK's own POST, as chat.completions.create makes it, without create's parameter transform: an
            # identity on a chat body (no aliases or formats: tests/test_providers_openai.py) that costs the loop
            # ~0.3 ms plus ~0.1 ms per message of history.
            stream = await client.post(
                "/chat/completions",
                body=self._chat_body(model, messages, max_tokens, temperature),
                options={"security": {"bearer_auth": True}},  # create's auth: the API key only
                cast_to=completion,
                stream=True,
                stream_cls=stream_cls,
            )
            async with stream:
                async for chunk in stream:
                    received = True
                    if getattr(chunk, "usage", None):
                        usage = usage_from_openai(chunk.usage)
                    for choice in chunk.choices or ():
                        text = getattr(choice.delta, "content", None) if choice.delta else None
                        if text:
                            yield TextDelta(text)
                        if choice.finish_reason:
                            finish = str(choice.finish_reason)
        except Exception as exc:  # mapped below, outside the except block (no SDK objects chained)
            error = self._error(exc, model.api_model)
        if error is not None:
            if self._cut_mid_stream(error, received):
                return  # the stream was cut mid-way: end without Finished
            raise error
        if usage is not None:
            yield UsageReport(usage)
        if finish is not None:
            yield Finished(finish)

    # ---- Responses API (codex models) ----

    def _responses_body(
        self, model: ModelSpec, messages: list[Message], max_tokens: int | None, temperature: float | None
    ) -> dict:
        """The `responses` request body; nothing is stored server-side (the app keeps history)."""
        instructions, items = to_responses_input(messages)
        body: dict[str, Any] = {"model": model.api_model, "input": items, "stream": True, "store": False}
        if instructions:
            body["instructions"] = instructions
        params = responses_params(model.params)
        # Reasoning models reject a custom temperature.
        if temperature is not None and "reasoning" not in params and "reasoning" not in model.capabilities:
            body["temperature"] = float(temperature)
        body.update(params)
        if max_tokens is not None:
            body["max_output_tokens"] = int(max_tokens)
        if body.get("max_output_tokens") is not None:
            body["max_output_tokens"] = max(int(body["max_output_tokens"]), RESPONSES_MIN_OUTPUT_TOKENS)
        return body

    async def _stream_responses(
        self, model: ModelSpec, messages: list[Message], max_tokens: int | None, temperature: float | None
    ) -> AsyncIterator[ProviderEvent]:
        """Text from output_text deltas; usage and Finished only once response.completed/incomplete arrived."""
        from openai.types.responses import (
            ResponseCompletedEvent,
            ResponseErrorEvent,
            ResponseFailedEvent,
            ResponseIncompleteEvent,
            ResponseTextDeltaEvent,
        )

        final: Any = None
        received = False
        error: ProviderError | None = None
        try:
            client = self._client()
            response, stream_cls = _responses_types()
            stream = await client.post(  # as responses.create posts it, without its transform (as for chat)
                "/responses",
                body=self._responses_body(model, messages, max_tokens, temperature),
                options={"security": {"bearer_auth": True}},
                cast_to=response,
                stream=True,
                stream_cls=stream_cls,
            )
            async with stream:
                async for event in stream:
                    received = True
                    if isinstance(event, ResponseTextDeltaEvent):
                        if event.delta:
                            yield TextDelta(event.delta)
                    elif isinstance(event, (ResponseCompletedEvent, ResponseIncompleteEvent)):
                        final = event.response
                    elif isinstance(event, ResponseFailedEvent):
                        err = event.response.error
                        raise self._mid_stream_error(
                            getattr(err, "code", None), getattr(err, "message", ""), model.api_model
                        )
                    elif isinstance(event, ResponseErrorEvent):
                        raise self._mid_stream_error(event.code, event.message, model.api_model)
        except Exception as exc:  # mapped below, outside the except block (no SDK objects chained)
            error = self._error(exc, model.api_model)
        if error is not None:
            if self._cut_mid_stream(error, received):
                return  # the stream was cut mid-way: end without Finished
            raise error
        if final is None:
            return  # no response.completed: the engine treats the stream as cut
        if final.usage is not None:
            yield UsageReport(usage_from_responses(final.usage))
        yield Finished(responses_finish_reason(final))

    # ---- embeddings ----

    async def embed(self, model: ModelSpec, texts: list[str]) -> EmbeddingResult:
        """Vectors in input order with the API's token count."""
        error: ProviderError | None = None
        try:
            client = self._client()
            known, extra = split_kwargs(client.embeddings.create, dict(model.params))
            resp = await client.embeddings.create(
                model=model.api_model,
                input=list(texts),
                encoding_format="float",
                **known,
                **({"extra_body": extra} if extra else {}),
            )
            rows = sorted(resp.data, key=lambda d: d.index)
            vectors = [[float(x) for x in row.embedding] for row in rows]
            if len(vectors) != len(texts):
                raise TransientError(
                    f"{self.label} returned {len(vectors)} vectors for {len(texts)} texts",
                    provider=self.name,
                    reason="malformed",
                )
            tokens = int(getattr(resp.usage, "prompt_tokens", 0) or 0) if resp.usage else 0
            return EmbeddingResult(vectors=vectors, usage=Usage(input_tokens=tokens))
        except Exception as exc:
            error = self._error(exc, model.api_model)
        raise error

    # ---- images ----

    async def generate_image(
        self, model: ModelSpec, prompt: str, *, size: str = "1024x1024", quality: str = "standard", n: int = 1, **params
    ) -> ImageResult:
        """`images.generate` (or `images.edit` with params source/mask: a multipart upload, the mask as OpenAI's
        transparent-where-to-change PNG) with base64 output decoded to PNG bytes."""
        error: ProviderError | None = None
        try:
            client = self._client()
            wire_quality = quality
            merged = {**model.params, **params}
            if model.api_model.startswith("gpt-image"):
                wire_quality = _GPT_IMAGE_QUALITY.get(quality, quality)
            else:
                merged.setdefault("response_format", "b64_json")
            call = client.images.generate
            source, mask = merged.pop("source", None), merged.pop("mask", None)
            if source is not None:
                from router.image_edit import as_png, openai_mask_png

                call = client.images.edit
                merged["image"] = ("source.png", as_png(source), "image/png")
                if mask is not None:
                    merged["mask"] = ("mask.png", openai_mask_png(mask), "image/png")
            known, extra = split_kwargs(call, merged)
            resp = await call(
                model=model.api_model,
                prompt=prompt,
                size=size,
                quality=wire_quality,
                n=int(n),
                **known,
                **({"extra_body": extra} if extra else {}),
            )
            images: list[GeneratedImage] = []
            for item in resp.data or ():
                if not item.b64_json:
                    raise malformed(provider=self.name, label=self.label)
                png = ensure_png(base64.b64decode(item.b64_json))
                images.append(
                    GeneratedImage(
                        png=png, params={"size": size, "quality": quality, "revised_prompt": item.revised_prompt or ""}
                    )
                )
            if not images:
                raise TransientError(f"{self.label} returned no image", provider=self.name, reason="malformed")
            tok = resp.usage
            usage = Usage(
                input_tokens=int(getattr(tok, "input_tokens", 0) or 0),
                output_tokens=int(getattr(tok, "output_tokens", 0) or 0),
                images=len(images),
                image_size=size,
                image_quality=quality,
            )
            return ImageResult(images=images, usage=usage)
        except Exception as exc:
            error = self._error(exc, model.api_model)
        raise error

    # ---- errors ----

    def _map_sdk_error(self, exc: BaseException, model: str = "") -> ProviderError | None:
        """OpenAI SDK exceptions to Transient/RateLimited/Permanent."""
        import openai

        kw: dict[str, Any] = {"provider": self.name, "label": self.label}
        client_side = client_side_error(exc, openai, timeout=self.timeout, **kw)
        if client_side is not None:
            return client_side
        if isinstance(exc, openai.APIStatusError):
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = body.get("message") or (exc.body if isinstance(exc.body, str) else "")
            return status_error(
                exc.status_code,
                detail=detail,
                headers=exc.response.headers,
                code=exc.code,
                model=model,
                secrets=self._secrets(),
                **kw,
            )
        if isinstance(exc, openai.APIError):  # an error event inside a 200 stream
            body = exc.body if isinstance(exc.body, dict) else {}
            return self._mid_stream_error(
                body.get("code") or body.get("type"), body.get("message") or exc.message, model
            )
        return transport_error(exc, timeout=self.timeout, **kw)

    def _mid_stream_error(self, code: object, message: object, model: str = "") -> ProviderError:
        """An error reported inside a 200 stream (chat error chunk, Responses `error` or `response.failed`)."""
        code = str(code or "").lower()
        kw = {"provider": self.name, "label": self.label, "detail": message, "model": model, "secrets": self._secrets()}
        if "rate_limit" in code or code in ("insufficient_quota", "billing_hard_limit_reached"):
            return status_error(429, code=code, **kw)
        if "policy" in code or code == "content_filter":
            return status_error(400, code="content_policy", **kw)
        if any(hint in code for hint in _PERMANENT_CODE_HINTS):
            return status_error(400, code=code, **kw)
        detail = self._scrub(message)
        return TransientError(
            f"{self.label} reported an error mid-stream" + (f": {detail}" if detail else ""),
            provider=self.name,
            reason="server_error",
        )

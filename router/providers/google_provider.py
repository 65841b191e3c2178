"""Google Gemini provider: streamed generate_content, embeddings and flash-image generation via google-genai."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

from router.catalog import ModelSpec
from router.errors import PermanentError, ProviderError, TransientError
from router.providers.base import BaseProvider, ensure_png
from router.providers.errors import malformed, parse_duration, status_error, transport_error
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

_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "BLOCKLIST": "content_filter",
    "SPII": "content_filter",
    "RECITATION": "recitation",
}
_POLICY_FINISH = {
    "SAFETY",
    "PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "RECITATION",
    "IMAGE_RECITATION",
}
_THINKING_KEYS = ("thinking_budget", "thinking_level", "include_thoughts")
_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")


def _enum_name(value: Any) -> str:
    """'STOP' from FinishReason.STOP or the plain string."""
    return str(getattr(value, "value", value) or "")


MASK_NOTE = (
    "The second image is a mask: change only the parts of the first image that are white in the mask and "
    "keep everything else exactly as it is."
)


def edit_contents(prompt: str, source: bytes | None, mask: bytes | None) -> Any:
    """The prompt alone, or for an edit the source image inline, the mask (Gemini has no mask field: it goes as
    a second inline image with a note) and the instruction."""
    if source is None:
        return prompt
    from google.genai import types

    from router.image_edit import as_png, mask_image, png_of

    parts = [types.Part.from_bytes(data=as_png(source), mime_type="image/png")]
    text = prompt
    if mask is not None:
        parts.append(types.Part.from_bytes(data=png_of(mask_image(mask)), mime_type="image/png"))
        text = f"{MASK_NOTE}\n\n{prompt}"
    return [types.Content(role="user", parts=[*parts, types.Part.from_text(text=text)])]


def aspect_ratio(size: str) -> str:
    """The supported Gemini aspect ratio closest to a WxH size string (1:1 if unparsable)."""
    try:
        w, h = (int(x) for x in size.lower().split("x"))
    except ValueError:
        return "1:1"
    target = w / h
    return min(_RATIOS, key=lambda r: abs(math.log(int(r.split(":")[0]) / int(r.split(":")[1]) / target)))


def usage_from_gemini(meta: Any) -> Usage:
    """Normalise usage_metadata: thoughts are billed as output, cached tokens are part of the prompt."""
    if meta is None:
        return Usage()
    thoughts = int(getattr(meta, "thoughts_token_count", 0) or 0)
    return Usage(
        input_tokens=int(getattr(meta, "prompt_token_count", 0) or 0),
        output_tokens=int(getattr(meta, "candidates_token_count", 0) or 0) + thoughts,
        cached_input_tokens=int(getattr(meta, "cached_content_token_count", 0) or 0),
        reasoning_tokens=thoughts,
    )


class GoogleProvider(BaseProvider):
    """Gemini Developer API (or GOOGLE_GEMINI_BASE_URL, read by the SDK itself); SDK retries stay off."""

    name = "google"

    def _make_client(self) -> Any:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(timeout=max(int(self.timeout * 1000), 1))
        if self.base_url:
            options.base_url = self.base_url
        return genai.Client(api_key=self._key(), http_options=options)

    async def aclose(self) -> None:
        """Close the async and sync transports."""
        client, self._sdk_client = self._sdk_client, None
        if client is not None:
            await client.aio.aclose()
            client.close()

    # ---- request building ----

    def _contents(self, messages: list[Message]) -> tuple[str, list[Any]]:
        """(system instruction, contents) with images as inline bytes parts."""
        from google.genai import types

        system = "\n\n".join(m.content for m in messages if m.role == "system" and m.content)
        contents = []
        for m in messages:
            if m.role == "system":
                continue
            parts = [types.Part.from_bytes(data=i.data, mime_type=i.mime) for i in m.images]
            if m.content or not parts:
                parts.append(types.Part.from_text(text=m.content))
            contents.append(types.Content(role="model" if m.role == "assistant" else "user", parts=parts))
        return system, contents

    def _config(self, model: ModelSpec, extra: dict[str, Any]) -> Any:
        """GenerateContentConfig from catalog params (thinking shorthands folded in; unknown keys to extra_body)."""
        from google.genai import types

        fields = set(types.GenerateContentConfig.model_fields)
        params = {**model.params, **{k: v for k, v in extra.items() if v is not None}}
        thinking = {k: params.pop(k) for k in _THINKING_KEYS if k in params}
        known = {k: v for k, v in params.items() if k in fields}
        unknown = {k: v for k, v in params.items() if k not in fields}
        if thinking:
            known["thinking_config"] = {**(known.get("thinking_config") or {}), **thinking}
        if unknown:
            known["http_options"] = types.HttpOptions(extra_body={"generationConfig": unknown})
        return types.GenerateContentConfig(**known)

    def _raise_if_blocked(self, response: Any) -> None:
        """A prompt blocked by Gemini's safety filters is a permanent content-policy refusal."""
        feedback = getattr(response, "prompt_feedback", None)
        if feedback is not None and getattr(feedback, "block_reason", None):
            raise PermanentError(
                f"{self.label} blocked the prompt ({_enum_name(feedback.block_reason)})",
                provider=self.name,
                reason="content_policy",
            )

    # ---- chat ----

    async def stream_chat(
        self,
        model: ModelSpec,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> AsyncIterator[ProviderEvent]:
        """Stream text parts (thoughts skipped); usage from the last usage_metadata; Finished on finish_reason."""
        usage: Usage | None = None
        finish: str | None = None
        received = False
        error: ProviderError | None = None
        try:
            client = self._client()
            system, contents = self._contents(messages)
            config = self._config(
                model,
                {"system_instruction": system or None, "max_output_tokens": max_tokens, "temperature": temperature},
            )
            stream = await client.aio.models.generate_content_stream(
                model=model.api_model, contents=contents, config=config
            )
            async with contextlib.aclosing(stream):
                async for chunk in stream:
                    received = True
                    self._raise_if_blocked(chunk)
                    if chunk.usage_metadata is not None:
                        usage = usage_from_gemini(chunk.usage_metadata)
                    for cand in chunk.candidates or ():
                        parts = cand.content.parts if cand.content and cand.content.parts else ()
                        for part in parts:
                            if part.text and not part.thought:
                                yield TextDelta(part.text)
                        if cand.finish_reason:
                            name = _enum_name(cand.finish_reason)
                            finish = _FINISH.get(name, name.lower())
        except Exception as exc:
            error = self._error(exc, model.api_model)
        if error is not None:
            if self._cut_mid_stream(error, received):
                return  # cut mid-stream: no Finished
            raise error
        if usage is not None:
            yield UsageReport(usage)
        if finish is not None:
            yield Finished(finish)

    # ---- embeddings ----

    async def embed(self, model: ModelSpec, texts: list[str]) -> EmbeddingResult:
        """batchEmbedContents; token usage estimated (~4 chars/token) when the API reports none."""
        from google.genai import types

        error: ProviderError | None = None
        try:
            config = types.EmbedContentConfig(**model.params) if model.params else None
            # One Content per text: a bare list of strings would be embedded as a single multi-part content.
            contents = [types.Content(parts=[types.Part.from_text(text=t)]) for t in texts]
            resp = await self._client().aio.models.embed_content(
                model=model.api_model, contents=contents, config=config
            )
            vectors = [[float(x) for x in (e.values or [])] for e in (resp.embeddings or [])]
            if len(vectors) != len(texts):
                raise malformed(provider=self.name, label=self.label)
            meta = getattr(resp, "usage_metadata", None)
            tokens = int(getattr(meta, "prompt_token_count", 0) or 0) if meta is not None else 0
            if not tokens:
                tokens = sum(math.ceil(len(t) / 4) for t in texts)
            return EmbeddingResult(vectors=vectors, usage=Usage(input_tokens=tokens))
        except Exception as exc:
            error = self._error(exc, model.api_model)
        raise error

    # ---- images ("nanobanana": generate_content with IMAGE output) ----

    async def _one_image(self, model: ModelSpec, prompt: str, size: str, params: dict) -> tuple[bytes, Usage]:
        """One generate_content call that must return an inline image."""
        image_cfg = {"aspect_ratio": aspect_ratio(size), **(params.pop("image_config", None) or {})}
        contents = edit_contents(prompt, params.pop("source", None), params.pop("mask", None))
        config = self._config(model, {**params, "response_modalities": ["IMAGE"], "image_config": image_cfg})
        resp = await self._client().aio.models.generate_content(model=model.api_model, contents=contents, config=config)
        for cand in resp.candidates or ():
            for part in cand.content.parts if cand.content and cand.content.parts else ():
                blob = part.inline_data
                if blob is not None and blob.data and (blob.mime_type or "").startswith("image/"):
                    return ensure_png(blob.data), usage_from_gemini(resp.usage_metadata)
            name = _enum_name(cand.finish_reason)
            if name in _POLICY_FINISH:
                raise PermanentError(
                    f"{self.label} refused to draw this prompt ({name})", provider=self.name, reason="content_policy"
                )
        self._raise_if_blocked(resp)
        raise TransientError(f"{self.label} returned no image", provider=self.name, reason="malformed")

    async def generate_image(
        self, model: ModelSpec, prompt: str, *, size: str = "1024x1024", quality: str = "standard", n: int = 1, **params
    ) -> ImageResult:
        """n parallel calls (the image models return one image per call)."""
        error: ProviderError | None = None
        try:
            results = await asyncio.gather(
                *(self._one_image(model, prompt, size, dict(params)) for _ in range(max(int(n), 1)))
            )
            usage = Usage(images=len(results), image_size=size, image_quality=quality)
            for _, u in results:
                usage.input_tokens += u.input_tokens
                usage.output_tokens += u.output_tokens
            images = [
                GeneratedImage(png=png, params={"size": size, "quality": quality, "aspect_ratio": aspect_ratio(size)})
                for png, _ in results
            ]
            return ImageResult(images=images, usage=usage)
        except Exception as exc:
            error = self._error(exc, model.api_model)
        raise error

    # ---- model list ----

    async def list_models(self) -> list[str]:
        """Every model the Gemini API lists for this key (`models.list`, following nextPageToken)."""
        try:
            pager = await self._client().aio.models.list(config={"page_size": 100})
            return [(m.name or "").removeprefix("models/") async for m in pager if m.name]
        except Exception as exc:
            raise self._error(exc) from None

    # ---- connection test ----

    async def check(self) -> str:
        """List one page of models: proves the URL and the key work."""
        error: ProviderError | None = None
        try:
            pager = await self._client().aio.models.list(config={"page_size": 100})
            count = len(list(pager.page))
            return f"{self.label}: connected, {count} models available"
        except Exception as exc:
            error = self._error(exc)
        raise error

    # ---- errors ----

    def _map_sdk_error(self, exc: BaseException, model: str = "") -> ProviderError | None:
        """google.genai.errors by HTTP code; raw httpx2 transport errors; unparsable bodies."""
        from google.genai import errors

        kw = {"provider": self.name, "label": self.label}
        if isinstance(exc, errors.APIError):
            details = exc.details if isinstance(exc.details, dict) else {}
            inner = details.get("error", details) if isinstance(details, dict) else {}
            code = str(exc.status or "")
            retry = None
            for d in inner.get("details", []) if isinstance(inner, dict) else []:
                if isinstance(d, dict):
                    retry = parse_duration(d.get("retryDelay")) if retry is None else retry
                    if d.get("reason") == "API_KEY_INVALID":
                        code = "api_key_invalid"
            headers = getattr(getattr(exc, "response", None), "headers", None)
            return status_error(
                int(exc.code or 500),
                detail=exc.message or "",
                headers=headers,
                code=code,
                model=model,
                secrets=self._secrets(),
                retry_after=retry,
                **kw,
            )
        if isinstance(exc, errors.UnknownApiResponseError):
            return malformed(**kw)
        return transport_error(exc, timeout=self.timeout, **kw)

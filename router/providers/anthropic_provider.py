"""Anthropic provider: streamed Messages API through `anthropic.AsyncAnthropic`."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

from router.catalog import ModelSpec
from router.errors import ProviderError, TransientError
from router.providers.anthropic_cache import min_cacheable_tokens, place_breakpoints
from router.providers.base import BaseProvider, split_kwargs
from router.providers.errors import client_side_error, status_error, transport_error
from router.types import Finished, Message, ProviderEvent, TextDelta, Usage, UsageReport

DEFAULT_MAX_TOKENS = 4096
# Anthropic stop reasons in the vocabulary the other providers use.
_STOP = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "refusal": "content_filter"}


def to_anthropic(messages: list[Message]) -> tuple[str, list[dict]]:
    """(system text, user/assistant turns); consecutive same-role turns merge; images become base64 blocks."""
    system = "\n\n".join(m.content for m in messages if m.role == "system" and m.content)
    turns: list[dict] = []
    for m in messages:
        if m.role == "system":
            continue
        blocks: list[dict] = [
            {
                "type": "image",
                "source": {"type": "base64", "media_type": i.mime, "data": base64.b64encode(i.data).decode("ascii")},
            }
            for i in m.images
        ]
        if m.content or not blocks:
            blocks.append({"type": "text", "text": m.content})
        if turns and turns[-1]["role"] == m.role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": m.role, "content": blocks})
    return system, turns


class _UsageAcc:
    """Accumulates usage from message_start and message_delta events."""

    def __init__(self) -> None:
        self.input = self.output = self.cache_read = self.cache_write = self.thinking = 0

    def update(self, u: Any) -> None:
        """Take every field the event carries (later events hold cumulative values)."""
        if u is None:
            return
        for attr, name in (
            ("input", "input_tokens"),
            ("output", "output_tokens"),
            ("cache_read", "cache_read_input_tokens"),
            ("cache_write", "cache_creation_input_tokens"),
        ):
            value = getattr(u, name, None)
            if value is not None:
                setattr(self, attr, int(value))
        details = getattr(u, "output_tokens_details", None)
        if details is not None and getattr(details, "thinking_tokens", None) is not None:
            self.thinking = int(details.thinking_tokens)

    def usage(self) -> Usage:
        """Cache reads and writes are input tokens too (so cost sees them); reads also count as cached."""
        return Usage(
            input_tokens=self.input + self.cache_read + self.cache_write,
            output_tokens=self.output,
            cached_input_tokens=self.cache_read,
            cache_write_tokens=self.cache_write,
            reasoning_tokens=self.thinking,
        )


class AnthropicProvider(BaseProvider):
    """api.anthropic.com (or ANTHROPIC_BASE_URL) through the official SDK, with SDK retries off."""

    name = "anthropic"

    list_params = {"limit": 100}  # GET /v1/models is paged: the SDK's async iterator follows has_more/after_id

    def _make_client(self) -> Any:
        import anthropic

        return anthropic.AsyncAnthropic(
            api_key=self._key(), base_url=self.base_url, timeout=self.http_timeout(anthropic), max_retries=0
        )

    def _create_kwargs(self, client: Any, model: ModelSpec, messages: list[Message], max_tokens: int | None) -> dict:
        """Request arguments; max_tokens is required by the API, catalog params go on the wire."""
        _, turns = to_anthropic(messages)
        system, turns = place_breakpoints(
            [m.content for m in messages if m.role == "system" and m.content],
            turns,
            min_cacheable_tokens(model.api_model),
        )
        params = dict(model.params)
        limit = (
            int(max_tokens)
            if max_tokens is not None
            else min(model.max_output or DEFAULT_MAX_TOKENS, DEFAULT_MAX_TOKENS)
        )
        budget = (
            (params.get("thinking") or {}).get("budget_tokens") if isinstance(params.get("thinking"), dict) else None
        )
        if budget and limit <= int(budget):  # thinking tokens count toward max_tokens
            limit = min(int(budget) + DEFAULT_MAX_TOKENS, model.max_output or int(budget) + DEFAULT_MAX_TOKENS)
        kwargs: dict[str, Any] = {"model": model.api_model, "max_tokens": limit, "messages": turns, "stream": True}
        if system:
            kwargs["system"] = system
        known, extra = split_kwargs(client.messages.create, params)
        kwargs.update(known)
        if extra:
            kwargs["extra_body"] = extra
        return kwargs

    async def stream_chat(
        self,
        model: ModelSpec,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> AsyncIterator[ProviderEvent]:
        """Text deltas, then UsageReport on message_delta, then Finished on message_stop.

        `temperature` is not sent: this SDK generation's Messages API has no sampling knobs (a catalog
        entry may still put one in `params`, which then goes through extra_body)."""
        usage = _UsageAcc()
        stop_reason: str | None = None
        finished = False
        received = False
        error: ProviderError | None = None
        try:
            client = self._client()
            stream = await client.messages.create(**self._create_kwargs(client, model, messages, max_tokens))
            async with stream:
                async for ev in stream:
                    received = True
                    kind = getattr(ev, "type", "")
                    if kind == "message_start":
                        usage.update(ev.message.usage)
                    elif kind == "content_block_delta":
                        if getattr(ev.delta, "type", "") == "text_delta" and ev.delta.text:
                            yield TextDelta(ev.delta.text)
                    elif kind == "message_delta":
                        usage.update(ev.usage)
                        stop_reason = getattr(ev.delta, "stop_reason", None) or stop_reason
                        yield UsageReport(usage.usage())
                    elif kind == "message_stop":
                        finished = True
        except Exception as exc:
            error = self._error(exc, model.api_model)
        if error is not None:
            if self._cut_mid_stream(error, received):
                return  # cut mid-stream: no Finished
            raise error
        if finished:
            reason = str(stop_reason or "end_turn")
            yield Finished(_STOP.get(reason, reason))

    def _map_sdk_error(self, exc: BaseException, model: str = "") -> ProviderError | None:
        """Anthropic SDK exceptions (including `event: error` inside a 200 stream) to our kinds."""
        import anthropic

        kw: dict[str, Any] = {"provider": self.name, "label": self.label}
        client_side = client_side_error(exc, anthropic, timeout=self.timeout, **kw)
        if client_side is not None:
            return client_side
        if isinstance(exc, anthropic.APIStatusError):
            err_type = str(exc.type or "")
            status = exc.status_code
            if status < 400:  # error event mid-stream: classify by its type
                status = {
                    "overloaded_error": 529,
                    "rate_limit_error": 429,
                    "api_error": 500,
                    "authentication_error": 401,
                    "permission_error": 403,
                    "not_found_error": 404,
                    "billing_error": 402,
                }.get(err_type, 400 if err_type.endswith("request_error") else 500)
            code = exc.error_code or err_type
            return status_error(
                status,
                detail=exc.api_message or "",
                headers=exc.response.headers,
                code=code,
                model=model,
                secrets=self._secrets(),
                **kw,
            )
        if isinstance(exc, anthropic.APIError):
            return TransientError(
                f"{self.label} reported an error: {self._scrub(exc.message)}", provider=self.name, reason="server_error"
            )
        return transport_error(exc, timeout=self.timeout, **kw)

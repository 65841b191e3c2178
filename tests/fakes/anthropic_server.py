"""Fake Anthropic Messages API: the full SSE event sequence, error JSON shapes and /v1/models."""

from __future__ import annotations

from typing import Any

from tests.fakes import anthropic_batch, anthropic_prompt_cache
from tests.fakes.http import Exchange, FakeServer, Fault, RecordedRequest, count_tokens, pieces

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    529: "overloaded_error",
}


def content_text(content: Any) -> str:
    """Text of a message's content (string or list of blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


class FakeAnthropic(FakeServer):
    """Speaks Anthropic's /v1/messages SSE; usage counts words as tokens."""

    def __init__(
        self,
        *,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        thinking_tokens: int = 0,
        simulate_prompt_cache: bool = False,
        **kw: Any,
    ) -> None:
        kw.setdefault("models", ["claude-fake-haiku", "claude-fake-opus"])
        super().__init__(**kw)
        self.cache_read_tokens = cache_read_tokens
        self.cache_write_tokens = cache_write_tokens
        self.thinking_tokens = thinking_tokens
        self.prompt_cache = anthropic_prompt_cache.PromptCacheSim() if simulate_prompt_cache else None

    def error_event(self, error_type: str = "overloaded_error", after_chunks: int = 2) -> None:
        """Send `event: error` after `after_chunks` events of the next stream (HTTP status stays 200)."""
        self._push(Fault("stream_error", after_chunks=after_chunks, extra={"type": error_type}))

    # ---- hooks ----

    def is_stream(self, req: RecordedRequest) -> bool:
        return isinstance(req.json, dict) and bool(req.json.get("stream"))

    def malformed_sse(self) -> str:
        return 'event: message_start\ndata: {"type": "message_start", "message": {\n\n'

    def presented_key(self, req: RecordedRequest) -> str | None:
        auth = req.headers.get("authorization", "")
        return req.headers.get("x-api-key") or (auth[7:] if auth.lower().startswith("bearer ") else None)

    def error_body(self, status: int, message: str, req: RecordedRequest) -> Any:
        etype = ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {"type": "error", "error": {"type": etype, "message": message}, "request_id": "req_fake"}

    def auth_failure(self, ex: Exchange, presented: str | None) -> None:
        ex.send_json(self.error_body(401, f"invalid x-api-key: {presented}", ex.request), status=401)

    def route(self, ex: Exchange) -> None:
        if anthropic_batch.route_batch(self, ex):  # Batch API routes live in tests/fakes/anthropic_batch.py
            return
        req = ex.request
        if req.method == "POST" and req.path == "/v1/messages":
            return self._messages(ex)
        if req.method == "GET" and req.path == "/v1/models":
            return self._list_models(ex)
        ex.send_json(self.error_body(404, f"Not found: {req.path}", req), status=404)

    # ---- models ----

    def _list_models(self, ex: Exchange) -> None:
        """GET /v1/models as the real API pages it: `limit` (default 20), `after_id`, `has_more`, `last_id`."""
        q = ex.request.query
        limit = max(1, min(int(q.get("limit") or 20), 1000))
        start = self.models.index(q["after_id"]) + 1 if q.get("after_id") in self.models else 0
        page = self.models[start : start + limit]
        data = [
            {
                "type": "model",
                "id": m,
                "display_name": m,
                "created_at": "2025-01-01T00:00:00Z",
                "lifecycle": "active",
                "deprecated_at": None,
                "retires_at": None,
            }
            for m in page
        ]
        ex.send_json(
            {
                "data": data,
                "has_more": start + limit < len(self.models),
                "first_id": page[0] if page else None,
                "last_id": page[-1] if page else None,
            }
        )

    # ---- messages ----

    def _messages(self, ex: Exchange) -> None:
        body = ex.request.json or {}
        model = body.get("model")
        if model not in self.models:
            return ex.send_json(self.error_body(404, f"model: {model}", ex.request), status=404)
        if "max_tokens" not in body:
            return ex.send_json(self.error_body(400, "max_tokens: Field required", ex.request), status=400)
        msgs = body.get("messages", [])
        system = body.get("system") or ""
        system_text = system if isinstance(system, str) else content_text(system)
        prompt_text = " ".join([system_text] + [content_text(m.get("content")) for m in msgs])
        last_user = next((content_text(m.get("content")) for m in reversed(msgs) if m.get("role") == "user"), "")
        parts = pieces(self.reply_for(last_user))
        thinking = bool(body.get("thinking")) and self.thinking_tokens > 0
        stop = "end_turn"
        if len(parts) + (self.thinking_tokens if thinking else 0) > int(body["max_tokens"]):
            parts, stop = parts[: max(int(body["max_tokens"]), 0)], "max_tokens"
        output_tokens = len(parts) + (self.thinking_tokens if thinking else 0)
        usage = {
            "input_tokens": count_tokens(prompt_text),
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": self.cache_write_tokens,
            "cache_read_input_tokens": self.cache_read_tokens,
        }
        usage = anthropic_prompt_cache.apply(self.prompt_cache, body, usage)
        if thinking:
            usage["output_tokens_details"] = {"thinking_tokens": self.thinking_tokens}
        message = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
        }
        if not body.get("stream"):
            content = [{"type": "text", "text": "".join(parts)}]
            return ex.send_json({**message, "content": content, "stop_reason": stop, "usage": usage})
        fault = ex.fault
        err_after = fault.after_chunks if fault is not None and fault.kind == "stream_error" else None
        stream = ex.sse({"request-id": "req_fake"})

        def send(event: str, data: dict) -> None:
            if err_after is not None and stream.sent >= err_after:
                etype = fault.extra["type"]  # type: ignore[union-attr]
                stream.event({"type": "error", "error": {"type": etype, "message": "Overloaded"}}, event="error")
                stream.done()
                raise _Stop()
            stream.event({"type": event, **data}, event=event)

        try:
            start_usage = {**usage, "output_tokens": 1}
            start_usage.pop("output_tokens_details", None)
            send("message_start", {"message": {**message, "usage": start_usage}})
            index = 0
            if thinking:
                send(
                    "content_block_start",
                    {"index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
                )
                send(
                    "content_block_delta",
                    {"index": 0, "delta": {"type": "thinking_delta", "thinking": "Let me think."}},
                )
                send("content_block_delta", {"index": 0, "delta": {"type": "signature_delta", "signature": "c2ln"}})
                send("content_block_stop", {"index": 0})
                index = 1
            send("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}})
            stream.event({"type": "ping"}, event="ping")
            for p in parts:
                send("content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": p}})
            send("content_block_stop", {"index": index})
            delta_usage = {"output_tokens": output_tokens}
            if thinking:
                delta_usage["output_tokens_details"] = usage["output_tokens_details"]
            send("message_delta", {"delta": {"stop_reason": stop, "stop_sequence": None}, "usage": delta_usage})
            send("message_stop", {})
            stream.done()
        except _Stop:
            return


class _Stop(Exception):
    """The stream ended early with an error event."""

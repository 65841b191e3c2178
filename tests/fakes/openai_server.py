"""Fake OpenAI API: chat.completion(.chunk) SSE, embeddings, images and /v1/models on 127.0.0.1."""

from __future__ import annotations

import base64
import struct
import time
from typing import Any

from tests.fakes.http import Exchange, FakeServer, RecordedRequest, count_tokens, fake_vector, pieces, small_png

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


def message_text(content: Any) -> str:
    """Text of a message's content (string or list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


class FakeOpenAI(FakeServer):
    """Speaks the OpenAI REST wire format; usage counts words as tokens."""

    api_prefix = "/v1"

    def __init__(self, *, cached_tokens: int = 0, reasoning_tokens: int = 0, cache_write_tokens: int = 0,
                 embedding_dim: int = 8, **kw: Any) -> None:
        kw.setdefault("models", ["gpt-fake-mini", "gpt-fake-large", "text-embedding-fake"])
        super().__init__(**kw)
        self.cached_tokens = cached_tokens
        self.reasoning_tokens = reasoning_tokens
        self.cache_write_tokens = cache_write_tokens
        self.embedding_dim = embedding_dim

    # ---- hooks ----

    def is_stream(self, req: RecordedRequest) -> bool:
        return isinstance(req.json, dict) and bool(req.json.get("stream"))

    def presented_key(self, req: RecordedRequest) -> str | None:
        auth = req.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None

    def error_body(self, status: int, message: str, req: RecordedRequest) -> Any:
        etype, code = _ERROR_TYPES.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
        return {"error": {"message": message, "type": etype, "param": None, "code": code}}

    def route(self, ex: Exchange) -> None:
        req = ex.request
        if req.method == "POST" and req.path == "/v1/chat/completions":
            return self._chat(ex)
        if req.method == "POST" and req.path == "/v1/embeddings":
            return self._embeddings(ex)
        if req.method == "POST" and req.path == "/v1/images/generations":
            return self._images(ex)
        if req.method == "GET" and req.path == "/v1/models":
            data = [{"id": m, "object": "model", "created": 1700000000, "owned_by": "fake"} for m in self.models]
            return ex.send_json({"object": "list", "data": data})
        ex.send_json(self.error_body(404, f"Unknown route {req.method} {req.path}", req), status=404)

    # ---- chat ----

    def _usage(self, prompt_tokens: int, completion_tokens: int) -> dict:
        return {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens, "audio_tokens": 0,
                                      "cache_write_tokens": self.cache_write_tokens},
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        }

    def _chat(self, ex: Exchange) -> None:
        body = ex.request.json or {}
        if body.get("model") not in self.models:
            msg = f"The model `{body.get('model')}` does not exist or you do not have access to it."
            return ex.send_json(self.error_body(404, msg, ex.request), status=404)
        msgs = body.get("messages", [])
        prompt_text = " ".join(message_text(m.get("content")) for m in msgs)
        last_user = next((message_text(m.get("content")) for m in reversed(msgs) if m.get("role") == "user"), "")
        parts = pieces(self.reply_for(last_user))
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        finish = "stop"
        if limit is not None and len(parts) > int(limit):
            parts, finish = parts[: int(limit)], "length"
        prompt_tokens = count_tokens(prompt_text) + self.cached_tokens
        completion_tokens = len(parts) + self.reasoning_tokens
        base = {"id": "chatcmpl-fake", "created": int(time.time()), "model": body.get("model"),
                "system_fingerprint": "fp_fake"}
        if not body.get("stream"):
            return ex.send_json({**base, "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "".join(parts), "refusal": None},
                 "logprobs": None, "finish_reason": finish}], "usage": self._usage(prompt_tokens, completion_tokens)})
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunk = {**base, "object": "chat.completion.chunk"}
        if include_usage:
            chunk["usage"] = None
        stream = ex.sse()
        stream.event({**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                            "logprobs": None, "finish_reason": None}]})
        for p in parts:
            stream.event({**chunk, "choices": [{"index": 0, "delta": {"content": p}, "logprobs": None,
                                                "finish_reason": None}]})
        stream.event({**chunk, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": finish}]})
        if include_usage:
            stream.event({**chunk, "choices": [], "usage": self._usage(prompt_tokens, completion_tokens)})
        stream.event("[DONE]")
        stream.done()

    # ---- embeddings and images ----

    def _embeddings(self, ex: Exchange) -> None:
        body = ex.request.json or {}
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        dim = int(body.get("dimensions") or self.embedding_dim)
        data = []
        for i, t in enumerate(texts):
            vec = fake_vector(str(t), dim)
            if body.get("encoding_format") == "base64":
                emb: Any = base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode()
            else:
                emb = vec
            data.append({"object": "embedding", "index": i, "embedding": emb})
        tokens = sum(count_tokens(str(t)) for t in texts)
        ex.send_json({"object": "list", "data": data, "model": body.get("model"),
                      "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def _images(self, ex: Exchange) -> None:
        body = ex.request.json or {}
        n = int(body.get("n") or 1)
        prompt = str(body.get("prompt", ""))
        data = [{"b64_json": base64.b64encode(small_png(f"{prompt}#{i}")).decode(), "revised_prompt": prompt}
                for i in range(n)]
        tokens = count_tokens(prompt)
        ex.send_json({"created": int(time.time()), "data": data, "size": body.get("size"),
                      "usage": {"input_tokens": tokens, "output_tokens": 1056 * n, "total_tokens": tokens + 1056 * n,
                                "input_tokens_details": {"image_tokens": 0, "text_tokens": tokens}}})

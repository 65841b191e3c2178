"""Fake Gemini API under /v1beta/models: streamGenerateContent (SSE), generateContent, embeddings, list."""

from __future__ import annotations

import base64
from typing import Any

from tests.fakes import gemini_batch
from tests.fakes.http import Exchange, FakeServer, RecordedRequest, count_tokens, fake_vector, pieces, small_png

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
IMAGE_TOKENS = 1290  # what Gemini bills per generated 1024px image


def contents_text(contents: Any) -> str:
    """All text parts of a contents list (or a single content)."""
    if isinstance(contents, dict):
        contents = [contents]
    out = []
    for c in contents or []:
        for p in (c.get("parts") or []) if isinstance(c, dict) else []:
            if isinstance(p, dict) and "text" in p:
                out.append(str(p["text"]))
    return " ".join(out)


class FakeGemini(FakeServer):
    """Speaks the Gemini Developer API wire format; usage counts words as tokens."""

    def __init__(self, *, cached_tokens: int = 0, thoughts_tokens: int = 0, embedding_dim: int = 8, **kw: Any) -> None:
        kw.setdefault(
            "models", ["gemini-fake-flash", "gemini-fake-pro", "gemini-fake-flash-image", "gemini-fake-embedding"]
        )
        super().__init__(**kw)
        self.cached_tokens = cached_tokens
        self.thoughts_tokens = thoughts_tokens
        self.embedding_dim = embedding_dim
        self.block_reason: str | None = None  # e.g. "SAFETY": refuse prompts the way Gemini does

    # ---- hooks ----

    def is_stream(self, req: RecordedRequest) -> bool:
        return req.path.endswith(":streamGenerateContent")

    def presented_key(self, req: RecordedRequest) -> str | None:
        return req.headers.get("x-goog-api-key") or req.query.get("key")

    def error_body(self, status: int, message: str, req: RecordedRequest) -> Any:
        return {
            "error": {
                "code": status,
                "message": message,
                "status": STATUS_NAMES.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION"),
            }
        }

    def auth_failure(self, ex: Exchange, presented: str | None) -> None:
        """What Gemini really answers for a bad key: 400 INVALID_ARGUMENT with reason API_KEY_INVALID."""
        body = self.error_body(400, "API key not valid. Please pass a valid API key.", ex.request)
        body["error"]["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage"},
            }
        ]
        ex.send_json(body, status=400)

    def route(self, ex: Exchange) -> None:
        if gemini_batch.route_batch(self, ex):  # batch mode routes live in tests/fakes/gemini_batch.py
            return
        req = ex.request
        prefix = "/v1/models" if req.path.startswith("/v1/") else "/v1beta/models"  # both API versions
        if req.method == "GET" and req.path == prefix:  # paged: pageSize (default 50), pageToken, nextPageToken
            size = max(1, min(int(req.query.get("pageSize") or 50), 1000))
            start = int(req.query.get("pageToken") or 0)
            models = [
                {"name": f"models/{m}", "displayName": m, "supportedGenerationMethods": ["generateContent"]}
                for m in self.models[start : start + size]
            ]
            more = {"nextPageToken": str(start + size)} if start + size < len(self.models) else {}
            return ex.send_json({"models": models, **more})
        if req.method == "POST" and req.path.startswith(prefix + "/") and ":" in req.path:
            model, method = req.path[len(prefix) + 1 :].split(":", 1)
            if model not in self.models:
                return ex.send_json(
                    self.error_body(
                        404,
                        f"models/{model} is not found for API version v1beta, or is not supported for {method}. "
                        "Call ListModels to see the list of available models and their supported methods.",
                        req,
                    ),
                    status=404,
                )
            if method in ("generateContent", "streamGenerateContent"):
                return self._generate(ex, model, stream=method == "streamGenerateContent")
            if method == "batchEmbedContents":
                reqs = (req.json or {}).get("requests", [])
                return ex.send_json({"embeddings": [{"values": self._vector(r)} for r in reqs]})
            if method == "embedContent":
                return ex.send_json({"embedding": {"values": self._vector(req.json or {})}})
        ex.send_json(self.error_body(404, f"Not found: {req.path}", req), status=404)

    # ---- generation ----

    def _vector(self, r: dict) -> list[float]:
        dim = int(r.get("outputDimensionality") or self.embedding_dim)
        return fake_vector(contents_text(r.get("content")), dim)

    def _usage(self, prompt: int, candidates: int) -> dict:
        u = {
            "promptTokenCount": prompt + self.cached_tokens,
            "candidatesTokenCount": candidates,
            "totalTokenCount": prompt + self.cached_tokens + candidates + self.thoughts_tokens,
        }
        if self.cached_tokens:
            u["cachedContentTokenCount"] = self.cached_tokens
        if self.thoughts_tokens:
            u["thoughtsTokenCount"] = self.thoughts_tokens
        return u

    def _generate(self, ex: Exchange, model: str, *, stream: bool) -> None:
        body = ex.request.json or {}
        gen = body.get("generationConfig") or {}
        contents = body.get("contents") or []
        prompt_tokens = count_tokens(contents_text(contents) + " " + contents_text(body.get("systemInstruction")))
        last_user = next((contents_text(c) for c in reversed(contents) if c.get("role", "user") == "user"), "")
        base = {"modelVersion": model, "responseId": "fake-response"}
        if self.block_reason:
            image = "IMAGE" in (gen.get("responseModalities") or [])
            return self._blocked(ex, base, prompt_tokens, stream, image=image)
        if "IMAGE" in (gen.get("responseModalities") or []):
            png = base64.b64encode(small_png(last_user)).decode()
            cand = {
                "content": {"role": "model", "parts": [{"inlineData": {"mimeType": "image/png", "data": png}}]},
                "finishReason": "STOP",
                "index": 0,
            }
            return ex.send_json(
                {**base, "candidates": [cand], "usageMetadata": self._usage(prompt_tokens, IMAGE_TOKENS)}
            )
        parts = pieces(self.reply_for(last_user))
        finish = "STOP"
        limit = gen.get("maxOutputTokens")
        if limit is not None and len(parts) > int(limit):
            parts, finish = parts[: int(limit)], "MAX_TOKENS"
        if not stream:
            cand = {
                "content": {"role": "model", "parts": [{"text": "".join(parts)}]},
                "finishReason": finish,
                "index": 0,
            }
            return ex.send_json({**base, "candidates": [cand], "usageMetadata": self._usage(prompt_tokens, len(parts))})
        sse = ex.sse()
        thinking = gen.get("thinkingConfig") or {}
        if self.thoughts_tokens and (thinking.get("includeThoughts") or thinking.get("include_thoughts")):
            sse.event(
                {
                    **base,
                    "candidates": [
                        {
                            "content": {"role": "model", "parts": [{"text": "Thinking it over.", "thought": True}]},
                            "index": 0,
                        }
                    ],
                }
            )
        for i, p in enumerate(parts):
            cand: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": p}]}, "index": 0}
            last = i == len(parts) - 1
            if last:
                cand["finishReason"] = finish
            usage = (
                self._usage(prompt_tokens, i + 1)
                if last
                else {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens + i + 1}
            )
            sse.event({**base, "candidates": [cand], "usageMetadata": usage})
        sse.done()

    def _blocked(self, ex: Exchange, base: dict, prompt_tokens: int, stream: bool, image: bool) -> None:
        """A safety refusal: promptFeedback for text, an IMAGE_SAFETY finish without parts for images."""
        usage = {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens}
        if image:
            cand = {"content": {"role": "model", "parts": []}, "finishReason": "IMAGE_SAFETY", "index": 0}
            return ex.send_json({**base, "candidates": [cand], "usageMetadata": usage})
        body = {**base, "promptFeedback": {"blockReason": self.block_reason}, "usageMetadata": usage}
        if not stream:
            return ex.send_json(body)
        sse = ex.sse()
        sse.event(body)
        sse.done()

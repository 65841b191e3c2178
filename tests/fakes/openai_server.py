"""Fake OpenAI API: chat.completion(.chunk) SSE, Responses API SSE, embeddings, images and /v1/models on 127.0.0.1."""

from __future__ import annotations

import base64
import struct
import time
from typing import Any

from tests.fakes import openai_batch
from tests.fakes.http import Exchange, FakeServer, Fault, RecordedRequest, count_tokens, fake_vector, pieces, small_png
from tests.fakes.multipart import edit_problem, parse_multipart

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


IMAGE_TOKENS = 765  # what OpenAI bills a 1024x1024 high-detail image as, inside prompt_tokens


def image_parts(content: Any) -> int:
    """Image parts in a message's content (the real API counts them as prompt tokens)."""
    if isinstance(content, list):
        return sum(1 for p in content if isinstance(p, dict) and p.get("type") in ("image_url", "input_image"))
    return 0


def message_text(content: Any) -> str:
    """Text of a message's content (string or list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


# Body fields POST /v1/responses accepts; anything else is a 400 `unknown_parameter`, as the real API answers.
RESPONSES_FIELDS = frozenset(
    {
        "model",
        "input",
        "instructions",
        "stream",
        "stream_options",
        "max_output_tokens",
        "temperature",
        "top_p",
        "reasoning",
        "text",
        "store",
        "metadata",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "previous_response_id",
        "include",
        "truncation",
        "user",
        "service_tier",
        "prompt_cache_key",
        "prompt_cache_retention",
        "background",
        "conversation",
        "max_tool_calls",
        "top_logprobs",
        "prompt",
        "safety_identifier",
    }
)
RESPONSES_MIN_OUTPUT_TOKENS = 16
_PART_TYPES = {"assistant": ("output_text", "refusal")}
_INPUT_PART_TYPES = ("input_text", "input_image", "input_file")


def input_text(content: Any) -> str:
    """Text of a Responses input item's content (string or list of input_text/output_text parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") in ("input_text", "output_text")
        )
    return ""


def responses_input_problem(body: dict) -> tuple[str, str] | None:
    """(message, param) for a request the real Responses API would reject with 400; None if it is valid."""
    unknown = sorted(set(body) - RESPONSES_FIELDS)
    if unknown:
        return f"Unknown parameter: '{unknown[0]}'.", unknown[0]
    limit = body.get("max_output_tokens")
    if limit is not None and int(limit) < RESPONSES_MIN_OUTPUT_TOKENS:
        return (
            f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= "
            f"{RESPONSES_MIN_OUTPUT_TOKENS}, but got {limit} instead.",
            "max_output_tokens",
        )
    items = body.get("input")
    for i, item in enumerate(items if isinstance(items, list) else []):
        allowed = _PART_TYPES.get(item.get("role"), _INPUT_PART_TYPES)
        for j, part in enumerate(item.get("content") if isinstance(item.get("content"), list) else []):
            if part.get("type") not in allowed:
                return (
                    f"Invalid value: '{part.get('type')}'. Supported values are: "
                    + " and ".join(f"'{a}'" for a in allowed)
                    + ".",
                    f"input[{i}].content[{j}]",
                )
            if part["type"] == "input_image" and not (part.get("image_url") or part.get("file_id")):
                return "Missing image_url or file_id.", f"input[{i}].content[{j}]"
    return None


class FakeOpenAI(FakeServer):
    """Speaks the OpenAI REST wire format; usage counts words as tokens."""

    api_prefix = "/v1"

    def __init__(
        self,
        *,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
        cache_write_tokens: int = 0,
        embedding_dim: int = 8,
        **kw: Any,
    ) -> None:
        kw.setdefault(
            "models", ["gpt-fake-mini", "gpt-fake-large", "text-embedding-fake", "gpt-image-fake", "dall-e-fake"]
        )
        super().__init__(**kw)
        self.cached_tokens = cached_tokens
        self.reasoning_tokens = reasoning_tokens
        self.cache_write_tokens = cache_write_tokens
        self.embedding_dim = embedding_dim
        self.edits: list[dict] = []  # each images.edit form as received: {"fields": {...}, "files": {...}}

    def fail_response(
        self, code: str = "server_error", message: str = "The model failed.", after_chunks: int = 2
    ) -> None:
        """Next Responses stream: `response.failed` (status 200) after `after_chunks` events."""
        self._push(
            Fault(
                "stream_error",
                after_chunks=after_chunks,
                extra={"event": "response.failed", "code": code, "message": message},
            )
        )

    def error_event(
        self, code: str = "server_error", message: str = "Something went wrong.", after_chunks: int = 2
    ) -> None:
        """Next Responses stream: an `error` event (status 200) after `after_chunks` events."""
        self._push(
            Fault("stream_error", after_chunks=after_chunks, extra={"event": "error", "code": code, "message": message})
        )

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
        if openai_batch.route_batch(self, ex):  # Batch API routes live in tests/fakes/openai_batch.py
            return
        req = ex.request
        if req.method == "POST" and req.path == "/v1/chat/completions":
            return self._chat(ex)
        if req.method == "POST" and req.path == "/v1/responses":
            return self._responses(ex)
        if req.method == "POST" and req.path == "/v1/embeddings":
            return self._embeddings(ex)
        if req.method == "POST" and req.path == "/v1/images/generations":
            return self._images(ex)
        if req.method == "POST" and req.path == "/v1/images/edits":
            return self._image_edit(ex)
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
            "prompt_tokens_details": {
                "cached_tokens": self.cached_tokens,
                "audio_tokens": 0,
                "cache_write_tokens": self.cache_write_tokens,
            },
            "completion_tokens_details": {
                "reasoning_tokens": self.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
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
        images = sum(image_parts(m.get("content")) for m in msgs)
        prompt_tokens = count_tokens(prompt_text) + self.cached_tokens + IMAGE_TOKENS * images
        completion_tokens = len(parts) + self.reasoning_tokens
        base = {
            "id": "chatcmpl-fake",
            "created": int(time.time()),
            "model": body.get("model"),
            "system_fingerprint": "fp_fake",
        }
        if not body.get("stream"):
            return ex.send_json(
                {
                    **base,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(parts), "refusal": None},
                            "logprobs": None,
                            "finish_reason": finish,
                        }
                    ],
                    "usage": self._usage(prompt_tokens, completion_tokens),
                }
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunk = {**base, "object": "chat.completion.chunk"}
        if include_usage:
            chunk["usage"] = None
        stream = ex.sse()
        stream.event(
            {
                **chunk,
                "choices": [
                    {"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}
                ],
            }
        )
        for p in parts:
            stream.event(
                {**chunk, "choices": [{"index": 0, "delta": {"content": p}, "logprobs": None, "finish_reason": None}]}
            )
        stream.event({**chunk, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": finish}]})
        if include_usage:
            stream.event({**chunk, "choices": [], "usage": self._usage(prompt_tokens, completion_tokens)})
        stream.event("[DONE]")
        stream.done()

    # ---- Responses API ----

    def _responses_usage(self, input_tokens: int, output_tokens: int) -> dict:
        return {
            "input_tokens": input_tokens,
            "input_tokens_details": {
                "cached_tokens": self.cached_tokens,
                "cache_write_tokens": self.cache_write_tokens,
            },
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            "total_tokens": input_tokens + output_tokens,
        }

    def _responses(self, ex: Exchange) -> None:
        body = ex.request.json or {}
        if body.get("model") not in self.models:
            msg = f"The model `{body.get('model')}` does not exist or you do not have access to it."
            return ex.send_json(self.error_body(404, msg, ex.request), status=404)
        problem = responses_input_problem(body)
        if problem is not None:
            code = "unknown_parameter" if problem[0].startswith("Unknown") else "invalid_value"
            return ex.send_json(
                {"error": {"message": problem[0], "type": "invalid_request_error", "param": problem[1], "code": code}},
                status=400,
            )
        items = body.get("input")
        items = [{"role": "user", "content": items}] if isinstance(items, str) else list(items or [])
        prompt_text = " ".join([body.get("instructions") or ""] + [input_text(i.get("content")) for i in items])
        last_user = next((input_text(i.get("content")) for i in reversed(items) if i.get("role") == "user"), "")
        parts = pieces(self.reply_for(last_user))
        limit = body.get("max_output_tokens")
        status, incomplete = "completed", None
        if limit is not None and len(parts) > int(limit):
            parts, status, incomplete = parts[: int(limit)], "incomplete", {"reason": "max_output_tokens"}
        text = "".join(parts)
        usage = self._responses_usage(
            count_tokens(prompt_text) + self.cached_tokens, len(parts) + self.reasoning_tokens
        )
        reasoning = body.get("reasoning")
        text_part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
        message = {"id": "msg_fake", "type": "message", "status": status, "role": "assistant", "content": [text_part]}
        reasoning_item = {"id": "rs_fake", "type": "reasoning", "summary": []}
        output = ([reasoning_item] if reasoning else []) + [message]
        response = {
            "id": "resp_fake",
            "object": "response",
            "created_at": int(time.time()),
            "status": status,
            "background": False,
            "error": None,
            "incomplete_details": incomplete,
            "instructions": body.get("instructions"),
            "max_output_tokens": limit,
            "max_tool_calls": None,
            "model": body["model"],
            "output": output,
            "parallel_tool_calls": True,
            "previous_response_id": None,
            "reasoning": {"effort": (reasoning or {}).get("effort"), "summary": None},
            "service_tier": "default",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": {"format": {"type": "text"}, "verbosity": "medium"},
            "tool_choice": "auto",
            "tools": [],
            "top_p": 1.0,
            "truncation": "disabled",
            "usage": usage,
            "user": None,
            "metadata": {},
        }
        if not body.get("stream"):
            return ex.send_json(response)
        self._responses_stream(ex, response, parts, bool(reasoning))

    def _responses_stream(self, ex: Exchange, response: dict, parts: list[str], reasoning: bool) -> None:
        """The Responses SSE sequence; a `stream_error` fault ends it with response.failed or an error event."""
        fault = ex.fault if ex.fault is not None and ex.fault.kind == "stream_error" else None
        stream = ex.sse({"x-request-id": "req_fake"})
        seq = 0

        def send(event_type: str, **data: Any) -> None:
            nonlocal seq
            if fault is not None and stream.sent >= fault.after_chunks:
                code, message = fault.extra["code"], fault.extra["message"]
                if fault.extra["event"] == "error":
                    err = {"type": "error", "code": code, "message": message, "param": None, "sequence_number": seq}
                    stream.event(err, event="error")
                else:
                    failed = {
                        **response,
                        "status": "failed",
                        "output": [],
                        "usage": None,
                        "incomplete_details": None,
                        "error": {"code": code, "message": message},
                    }
                    stream.event(
                        {"type": "response.failed", "sequence_number": seq, "response": failed}, event="response.failed"
                    )
                stream.done()
                raise _Stop()
            stream.event({"type": event_type, "sequence_number": seq, **data}, event=event_type)
            seq += 1

        start = {**response, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
        message = response["output"][-1]
        index = len(response["output"]) - 1
        ids = {"item_id": message["id"], "output_index": index, "content_index": 0}
        empty_part = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
        try:
            send("response.created", response=start)
            send("response.in_progress", response=start)
            if reasoning:
                send("response.output_item.added", output_index=0, item=response["output"][0])
                send("response.output_item.done", output_index=0, item=response["output"][0])
            send(
                "response.output_item.added",
                output_index=index,
                item={**message, "status": "in_progress", "content": []},
            )
            send(
                "response.content_part.added",
                item_id=message["id"],
                output_index=index,
                content_index=0,
                part=empty_part,
            )
            for p in parts:
                send("response.output_text.delta", **ids, delta=p, logprobs=[])
            send("response.output_text.done", **ids, text=message["content"][0]["text"], logprobs=[])
            send("response.content_part.done", **ids, part=message["content"][0])
            send("response.output_item.done", output_index=index, item=message)
            final = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
            send(final, response=response)
            stream.done()
        except _Stop:
            return

    # ---- embeddings and images ----

    def _unknown_model(self, ex: Exchange) -> bool:
        """Answer 404 `model_not_found` as the real API does for a model it does not list; True if it did."""
        model = (ex.request.json or {}).get("model")
        if model in self.models:
            return False
        msg = f"The model `{model}` does not exist or you do not have access to it."
        ex.send_json(self.error_body(404, msg, ex.request), status=404)
        return True

    def _embeddings(self, ex: Exchange) -> None:
        if self._unknown_model(ex):
            return
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
        ex.send_json(
            {
                "object": "list",
                "data": data,
                "model": body.get("model"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    def _images(self, ex: Exchange, form: dict | None = None) -> None:
        if form is None and self._unknown_model(ex):
            return
        body = form if form is not None else ex.request.json or {}
        n = int(body.get("n") or 1)
        prompt = str(body.get("prompt", ""))
        data = [
            {"b64_json": base64.b64encode(small_png(f"{prompt}#{i}")).decode(), "revised_prompt": prompt}
            for i in range(n)
        ]
        tokens = count_tokens(prompt)
        ex.send_json(
            {
                "created": int(time.time()),
                "data": data,
                "size": body.get("size"),
                "usage": {
                    "input_tokens": tokens,
                    "output_tokens": 1056 * n,
                    "total_tokens": tokens + 1056 * n,
                    "input_tokens_details": {"image_tokens": 0, "text_tokens": tokens},
                },
            }
        )

    def _image_edit(self, ex: Exchange) -> None:
        """`images.edit`: a multipart form (image, optional mask, prompt…); the mask must be a PNG with an alpha
        channel of the image's size, as the real API requires."""
        form = parse_multipart(ex.request)
        self.edits.append(form)
        fields, files = form["fields"], form["files"]
        if fields.get("model") not in self.models:
            msg = f"The model `{fields.get('model')}` does not exist or you do not have access to it."
            return ex.send_json(self.error_body(404, msg, ex.request), status=404)
        problem = edit_problem(files)
        if problem:
            return ex.send_json(self.error_body(400, problem, ex.request), status=400)
        self._images(ex, {**fields, "n": int(fields.get("n") or 1)})


class _Stop(Exception):
    """The stream ended early with a failure event."""

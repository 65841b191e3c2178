"""Shared fake-server plumbing: a loopback threaded HTTP server, a request log, a fault FIFO and an SSE writer."""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class RecordedRequest:
    """One request as the fake server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any


@dataclass
class Fault:
    """One injected failure, consumed by the next request (FIFO)."""

    kind: str  # status | timeout | cut | malformed | stream_error
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay_s: float = 0.0
    after_chunks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Aborted(Exception):
    """The fake dropped the connection on purpose."""


def count_tokens(text: str) -> int:
    """The fakes' tokenizer: one token per whitespace-separated word."""
    return len(text.split())


def pieces(text: str) -> list[str]:
    """Split a reply into word-sized stream chunks that concatenate back to `text`."""
    parts = re.findall(r"\s*\S+", text)
    tail = text[len("".join(parts)) :]
    if tail or not parts:
        parts.append(tail)
    return parts


def fake_vector(text: str, dim: int) -> list[float]:
    """A deterministic unit-ish vector derived from the text."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round((digest[i % len(digest)] - 127.5) / 127.5, 6) for i in range(dim)]


def small_png(seed: str, size: int = 16) -> bytes:
    """A real PNG made with Pillow, coloured from `seed`."""
    from PIL import Image

    h = hashlib.sha256(seed.encode()).digest()
    out = io.BytesIO()
    Image.new("RGB", (size, size), (h[0], h[1], h[2])).save(out, format="PNG")
    return out.getvalue()


class Exchange:
    """One request being answered: response helpers that honour the request's fault."""

    def __init__(
        self, fake: FakeServer, handler: BaseHTTPRequestHandler, request: RecordedRequest, fault: Fault | None
    ) -> None:
        self.fake = fake
        self.handler = handler
        self.request = request
        self.fault = fault

    def send_bytes(
        self,
        body: bytes,
        status: int = 200,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        """A complete response with Content-Length (a `cut` fault truncates it and drops the connection)."""
        h = self.handler
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if self.fault is not None and self.fault.kind == "cut":
            h.wfile.write(body[: len(body) // 2])
            self.abort()
        h.wfile.write(body)

    def send_json(self, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        """A JSON response."""
        self.send_bytes(json.dumps(obj).encode(), status=status, headers=headers)

    def sse(self, headers: dict[str, str] | None = None) -> SSEStream:
        """Start a chunked text/event-stream response."""
        h = self.handler
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        return SSEStream(self)

    def abort(self) -> None:
        """Drop the connection now (no terminating chunk, no more bytes)."""
        conn = self.handler.connection
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.handler.close_connection = True
        raise Aborted()


class SSEStream:
    """Writes Server-Sent Events as HTTP chunks; applies chunk_delay_s and `cut` faults."""

    def __init__(self, ex: Exchange) -> None:
        self.ex = ex
        self.sent = 0

    def _chunk(self, data: bytes) -> None:
        self.ex.handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def raw(self, text: str) -> None:
        """Write raw SSE text as one chunk (no fault accounting)."""
        self._chunk(text.encode())

    def event(self, data: Any, event: str | None = None) -> None:
        """One SSE event (`data` dict is JSON-encoded)."""
        fault = self.ex.fault
        if fault is not None and fault.kind == "cut" and self.sent >= fault.after_chunks:
            self.ex.abort()
        if self.sent and self.ex.fake.chunk_delay_s > 0:
            self.ex.fake.stop_event.wait(self.ex.fake.chunk_delay_s)
        payload = data if isinstance(data, str) else json.dumps(data)
        text = (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"
        self._chunk(text.encode())
        self.sent += 1

    def done(self) -> None:
        """End the response properly (terminating zero-length chunk)."""
        self.ex.handler.wfile.write(b"0\r\n\r\n")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY on every accepted socket

    def do_GET(self) -> None:
        self.server.fake._handle(self)  # type: ignore[attr-defined]

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer is normal here


class FakeServer:
    """Base fake: subclasses implement `route`, `is_stream`, `error_body` and `presented_key`."""

    api_prefix = ""

    def __init__(
        self,
        *,
        reply_text: str | None = None,
        chunk_delay_s: float = 0.0,
        require_key: str | None = None,
        models: list[str] | None = None,
    ) -> None:
        self.reply_text = reply_text
        self.chunk_delay_s = chunk_delay_s
        self.require_key = require_key
        self.models = list(models or [])
        self.requests: list[RecordedRequest] = []
        self.stop_event = threading.Event()
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----

    def start(self) -> FakeServer:
        """Listen on 127.0.0.1 on a free port in a daemon thread."""
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name=type(self).__name__
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any handler that is sleeping for a fault."""
        self.stop_event.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT"""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def base_url(self) -> str:
        """What an SDK takes as base_url."""
        return self.url + self.api_prefix

    @property
    def last(self) -> RecordedRequest:
        """The most recent request."""
        return self.requests[-1]

    # ---- fault injection ----

    def _push(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            for _ in range(times):
                self._faults.append(fault)

    def fail_next(
        self, status: int = 500, headers: dict[str, str] | None = None, body: Any = None, times: int = 1
    ) -> None:
        """Answer the next request(s) with an HTTP error (vendor error JSON unless `body` is given)."""
        self._push(Fault("status", status=status, headers=dict(headers or {}), body=body), times)

    def timeout(self, delay_s: float = 2.0) -> None:
        """Sit silent for `delay_s` (longer than the client timeout), then drop the connection."""
        self._push(Fault("timeout", delay_s=delay_s))

    def cut_stream(self, after_chunks: int = 1) -> None:
        """Drop the connection after `after_chunks` SSE events of the next response."""
        self._push(Fault("cut", after_chunks=after_chunks))

    def malformed(self) -> None:
        """Answer the next request with 200 and a body that is not valid JSON."""
        self._push(Fault("malformed"))

    def pending_faults(self) -> int:
        """Faults not yet consumed."""
        with self._lock:
            return len(self._faults)

    # ---- subclass hooks ----

    def route(self, ex: Exchange) -> None:
        """Answer a request that passed fault and key checks."""
        raise NotImplementedError

    def is_stream(self, req: RecordedRequest) -> bool:
        """True when the request asked for an SSE stream."""
        return False

    def error_body(self, status: int, message: str, req: RecordedRequest) -> Any:
        """The vendor's error JSON for `status`."""
        return {"error": {"message": message, "code": status}}

    def malformed_sse(self) -> str:
        """An SSE event whose data is not valid JSON."""
        return 'data: {"id": "broken", "choices": [\n\n'

    def presented_key(self, req: RecordedRequest) -> str | None:
        """The API key the client sent."""
        return None

    def auth_failure(self, ex: Exchange, presented: str | None) -> None:
        """Answer a wrong key the way the vendor does (default: 401 echoing what was presented)."""
        ex.send_json(self.error_body(401, f"Incorrect API key provided: {presented}", ex.request), status=401)

    # ---- reply helpers ----

    def reply_for(self, prompt: str) -> str:
        """Deterministic answer: `reply_text` or "Echo: <first eight words>"."""
        if self.reply_text is not None:
            return self.reply_text
        words = prompt.split()[:8]
        return "Echo: " + " ".join(words) if words else "Echo:"

    # ---- dispatch ----

    def _pop_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _read(self, h: BaseHTTPRequestHandler) -> RecordedRequest:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        parts = urlsplit(h.path)
        return RecordedRequest(
            method=h.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
            json=parsed,
        )

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        try:
            req = self._read(h)
            self.requests.append(req)
            ex = Exchange(self, h, req, self._pop_fault())
            fault = ex.fault
            if fault is not None and fault.kind == "status":
                body = (
                    fault.body
                    if fault.body is not None
                    else self.error_body(
                        fault.status,
                        HTTPStatus(fault.status).phrase if fault.status in HTTPStatus._value2member_map_ else "Error",
                        req,
                    )
                )
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                ex.fault = None
                ex.send_bytes(raw, status=fault.status, headers=fault.headers)
                return
            if fault is not None and fault.kind == "timeout":
                self.stop_event.wait(fault.delay_s)
                ex.abort()
            if fault is not None and fault.kind == "malformed":
                ex.fault = None
                if self.is_stream(req):
                    stream = ex.sse()
                    stream.raw(self.malformed_sse())
                    stream.done()
                else:
                    ex.send_bytes(b'{"id": "broken", "choices": [')
                return
            if self.require_key is not None:
                presented = self.presented_key(req)
                if presented != self.require_key:
                    self.auth_failure(ex, presented)
                    return
            self.route(ex)
        except (Aborted, BrokenPipeError, ConnectionResetError):
            h.close_connection = True

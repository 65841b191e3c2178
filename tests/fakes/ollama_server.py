"""A fake Ollama server on 127.0.0.1 speaking the real HTTP API (NDJSON streams), with injectable faults.

Use `with FakeOllama() as fake: ...` (fake.url), or `python -m tests.fakes.ollama_server` which, like
`ollama serve`, listens on $OLLAMA_HOST.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fakes.ollama_state import (  # noqa: F401 (re-exported for tests)
    DEFAULT_KEEP_ALIVE_S,
    FAKE_VERSION,
    FakeModel,
    FakeState,
    Fault,
    _iso,
    default_models,
    fake_vector,
    library_models,
    parse_keep_alive,
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):
        pass

    # ---- plumbing ----

    @property
    def state(self) -> FakeState:
        return self.server.state

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {"__invalid__": True}

    def _json(self, status: int, obj: dict | None) -> None:
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _stream(self, lines, cut_after: int | None = None, delay: float = 0.0) -> bool:
        """Send NDJSON lines chunked; returns False if the client went away."""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i, obj in enumerate(lines):
                if cut_after is not None and i >= cut_after:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return True
                data = json.dumps(obj).encode() + b"\n"
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
                if delay:
                    time.sleep(delay)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return False
        return True

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        body = self._body() if method in ("POST", "DELETE") else {}
        with self.state.lock:
            self.state.requests.append((method, path, body))
        if body.get("__invalid__"):
            return self._error(400, "invalid request body")
        fault = self.state.take_fault(path)
        if fault is not None and fault.cut_after is None:
            return self._error(fault.status, fault.message)
        routes = {
            ("GET", "/api/version"): lambda: (
                time.sleep(self.state.version_delay_s),
                self._json(200, {"version": self.state.version}),
            )[1],
            ("GET", "/api/tags"): self._tags,
            ("GET", "/api/ps"): self._ps,
            ("POST", "/api/ps"): self._ps,
            ("POST", "/api/show"): lambda: self._show(body),
            ("POST", "/api/pull"): lambda: self._pull(body, fault),
            ("DELETE", "/api/delete"): lambda: self._delete(body),
            ("POST", "/api/chat"): lambda: self._chat(body, fault),
            ("POST", "/api/generate"): lambda: self._generate(body, fault),
            ("POST", "/api/embed"): lambda: self._embed(body),
        }
        handler = routes.get((method, path))
        if handler is None:
            if path == "/" and method in ("GET", "HEAD"):
                return self._json(200, {"status": "Ollama is running"})
            return self._error(404, "404 page not found")
        handler()

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # ---- model lookup and keep-alive ----

    def _model(self, name: str) -> FakeModel | None:
        if not name:
            return None
        installed = self.state.installed
        return installed.get(name) or (installed.get(name + ":latest") if ":" not in name else None)

    def _touch(self, m: FakeModel, keep_alive: object) -> str:
        """Load/unload `m` per keep_alive; returns the done_reason for an empty generate."""
        secs = parse_keep_alive(keep_alive)
        with self.state.lock:
            if secs == 0:
                self.state.loaded.pop(m.name, None)
                return "unload"
            self.state.loaded[m.name] = math.inf if secs < 0 else time.time() + secs
        return "load"

    # ---- endpoints ----

    def _tags(self) -> None:
        models = [
            {
                "name": m.name,
                "model": m.name,
                "modified_at": _iso(1_730_000_000 + i * 3600),
                "size": m.size,
                "digest": m.digest,
                "details": m.details(),
            }
            for i, m in enumerate(self.state.installed.values())
        ]
        self._json(200, {"models": models})

    def _ps(self) -> None:
        now = time.time()
        out = []
        with self.state.lock:
            for name, exp in list(self.state.loaded.items()):
                if exp <= now:
                    del self.state.loaded[name]
                    continue
                m = self.state.installed.get(name)
                if m is None:
                    continue
                expires = _iso(now + 10 * 365 * 86400) if math.isinf(exp) else _iso(exp)
                out.append(
                    {
                        "name": m.name,
                        "model": m.name,
                        "size": m.size + 500_000_000,
                        "digest": m.digest,
                        "details": m.details(),
                        "expires_at": expires,
                        "size_vram": m.size + 500_000_000,
                        "context_length": min(m.context_length, 4096),
                    }
                )
        self._json(200, {"models": out})

    def _show(self, body: dict) -> None:
        m = self._model(body.get("model") or body.get("name") or "")
        if m is None:
            return self._error(404, f"model '{body.get('model')}' not found")
        arch = m.arch or m.family
        info = {
            "general.architecture": arch,
            "general.parameter_count": 7_615_616_512,
            f"{arch}.context_length": m.context_length,
            f"{arch}.embedding_length": m.embedding_length,
        }
        self._json(
            200,
            {
                "license": "",
                "modelfile": f"FROM {m.name}\n",
                "parameters": 'stop "<|im_end|>"',
                "template": "{{ .Prompt }}",
                "details": m.details(),
                "model_info": info,
                "capabilities": list(m.capabilities),
                "modified_at": _iso(1_730_000_000),
            },
        )

    def _delete(self, body: dict) -> None:
        name = body.get("model") or body.get("name") or ""
        m = self._model(name)
        if m is None:
            return self._error(404, f"model '{name}' not found")
        with self.state.lock:
            self.state.installed.pop(m.name, None)
            self.state.loaded.pop(m.name, None)
        self._json(200, None)

    def _pull_lines(self, m: FakeModel):
        yield {"status": "pulling manifest"}
        for n, total in enumerate(m.layers):
            digest = "sha256:" + hashlib.sha256(f"{m.name}/{n}".encode()).hexdigest()
            steps = max(self.state.pull_steps, 1)
            for k in range(1, steps + 1):
                if m.fail_halfway and n == 0 and k > steps // 2:
                    yield {
                        "error": "max retries exceeded: read tcp 127.0.0.1->registry.ollama.ai: "
                        "connection reset by peer"
                    }
                    return
                yield {
                    "status": f"pulling {digest[7:19]}",
                    "digest": digest,
                    "total": total,
                    "completed": total * k // steps,
                }
        yield {"status": "verifying sha256 digest"}
        yield {"status": "writing manifest"}
        yield {"status": "success"}

    def _pull(self, body: dict, fault: Fault | None) -> None:
        name = body.get("model") or body.get("name") or ""
        key = name if ":" in name else name + ":latest"
        m = self.state.library.get(key) or self.state.installed.get(key)
        if m is None:
            lines = [{"status": "pulling manifest"}, {"error": "pull model manifest: file does not exist"}]
        else:
            lines = list(self._pull_lines(m))
        if body.get("stream") is False:
            last = lines[-1]
            if "error" in last:
                return self._error(500, last["error"])
            self._install(m)
            return self._json(200, last)
        ok = self._stream(lines, cut_after=fault.cut_after if fault else None, delay=self.state.pull_delay_s)
        if not ok:
            with self.state.lock:
                self.state.pulls_aborted += 1
            self.state.pull_aborted_event.set()
            return
        if m is not None and lines[-1].get("status") == "success" and not (fault and fault.cut_after is not None):
            self._install(m)

    def _install(self, m: FakeModel | None) -> None:
        if m is not None:
            with self.state.lock:
                self.state.installed[m.name] = m

    def _reply(self, m: FakeModel, text: str, n_images: int) -> str:
        seen = f" I see {n_images} image{'s' if n_images != 1 else ''}." if n_images else ""
        return f"Hello from {m.name}.{seen} You said: {text}"

    def _answer(self, body: dict, fault: Fault | None, *, chat: bool) -> None:
        name = body.get("model") or ""
        m = self._model(name)
        if m is None:
            return self._error(404, f'model "{name}" not found, try pulling it first')
        if "embedding" in m.capabilities and "completion" not in m.capabilities:
            return self._error(400, f'"{name}" does not support {"chat" if chat else "generate"}')
        if not chat and body.get("prompt") in (None, ""):  # empty generate = load / unload
            reason = self._touch(m, body.get("keep_alive"))
            return self._json(
                200,
                {"model": m.name, "created_at": _iso(time.time()), "response": "", "done": True, "done_reason": reason},
            )
        self._touch(m, body.get("keep_alive"))
        if chat:
            msgs = body.get("messages") or []
            prompt_text = " ".join(str(x.get("content") or "") for x in msgs)
            last_user = next((x for x in reversed(msgs) if x.get("role") == "user"), {})
            n_images = sum(len(x.get("images") or []) for x in msgs)
            reply = self._reply(m, str(last_user.get("content") or ""), n_images)
        else:
            prompt_text = str(body.get("prompt") or "")
            n_images = len(body.get("images") or [])
            reply = self._reply(m, prompt_text, n_images)
        words = reply.split(" ")
        limit = (body.get("options") or {}).get("num_predict")
        reason = "stop"
        if isinstance(limit, int) and 0 < limit < len(words):
            words, reason = words[:limit], "length"
        pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
        prompt_tokens = max(len(prompt_text.split()), 1) + 576 * n_images
        final = {
            "model": m.name,
            "created_at": _iso(time.time()),
            "done": True,
            "done_reason": reason,
            "total_duration": 1_900_000_000,
            "load_duration": 400_000_000,
            "prompt_eval_count": prompt_tokens,
            "prompt_eval_duration": 250_000_000,
            "eval_count": len(pieces),
            "eval_duration": 1_250_000_000,
        }
        key = "message" if chat else "response"

        def part(text: str) -> dict:
            return {
                "model": m.name,
                "created_at": _iso(time.time()),
                key: {"role": "assistant", "content": text} if chat else text,
                "done": False,
            }

        if body.get("stream") is False:
            whole = {**final, key: {"role": "assistant", "content": "".join(pieces)} if chat else "".join(pieces)}
            return self._json(200, whole)
        final[key] = {"role": "assistant", "content": ""} if chat else ""
        lines = [part(p) for p in pieces] + [final]
        self._stream(lines, cut_after=fault.cut_after if fault else None, delay=self.state.stream_delay_s)

    def _chat(self, body: dict, fault: Fault | None) -> None:
        self._answer(body, fault, chat=True)

    def _generate(self, body: dict, fault: Fault | None) -> None:
        self._answer(body, fault, chat=False)

    def _embed(self, body: dict) -> None:
        name = body.get("model") or ""
        m = self._model(name)
        if m is None:
            return self._error(404, f'model "{name}" not found, try pulling it first')
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        self._touch(m, body.get("keep_alive"))
        dims = int(body.get("dimensions") or m.embedding_length)
        self._json(
            200,
            {
                "model": m.name,
                "embeddings": [fake_vector(t, dims) for t in texts],
                "total_duration": 60_000_000,
                "load_duration": 10_000_000,
                "prompt_eval_count": sum(max(len(t.split()), 1) for t in texts),
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, state: FakeState):
        super().__init__(addr, _Handler)
        self.state = state

    def handle_error(self, request, client_address):
        """Clients that hang up mid-request are normal here; stay quiet about them."""

    def get_request(self):
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class FakeOllama:
    """The fake server: start()/stop() or use as a context manager; `url`, `state`, fault helpers."""

    def __init__(
        self,
        models: list[FakeModel] | None = None,
        library: list[FakeModel] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state = FakeState(
            installed={m.name: m for m in (default_models() if models is None else models)},
            library={m.name: m for m in (library_models() if library is None else library)},
        )
        self._addr = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOllama:
        """Listen and serve in a daemon thread."""
        self._server = _Server(self._addr, self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="fake-ollama"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- helpers for tests ----

    def fail(self, path: str, status: int = 500, message: str = "internal server error", times: int = 1) -> None:
        """Answer the next `times` requests to `path` with an HTTP error."""
        self.state.faults.append(Fault(path, status=status, message=message, times=times))

    def cut(self, path: str, after: int = 2, times: int = 1) -> None:
        """Close the next stream on `path` after `after` NDJSON lines (no final chunk)."""
        self.state.faults.append(Fault(path, cut_after=after, times=times))

    def requests_to(self, path: str) -> list[dict]:
        """Bodies of the requests received on `path`."""
        with self.state.lock:
            return [body for _, p, body in self.state.requests if p == path]

    def loaded(self) -> set[str]:
        """Names of the models currently loaded (not expired)."""
        now = time.time()
        with self.state.lock:
            return {n for n, exp in self.state.loaded.items() if exp > now}


def down_url() -> str:
    """A loopback URL with nothing listening (a port just freed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def _host_port_from_env() -> tuple[str, int]:
    """Where `ollama serve` would listen: $OLLAMA_HOST or 127.0.0.1:11434."""
    raw = (os.environ.get("OLLAMA_HOST", "") or "127.0.0.1:11434").split("://", 1)[-1].rstrip("/")
    host, sep, port = raw.rpartition(":")
    if not sep:
        return raw or "127.0.0.1", 11434
    return host or "127.0.0.1", int(port)


if __name__ == "__main__":
    host, port = _host_port_from_env()
    fake = FakeOllama(host=host, port=port)
    fake.start()
    assert fake._thread is not None
    try:
        while fake._thread.is_alive():
            fake._thread.join(0.5)
    except KeyboardInterrupt:
        fake.stop()

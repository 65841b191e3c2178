"""Manage the local Ollama server: status, start, list/pull/delete models, load/unload, catalog entries."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from router.errors import SparklioError
from router.ollama_catalog import LocalModel
from router.providers.ollama_provider import DEFAULT_HOST, normalize_host  # noqa: F401 (one parser)

NOT_INSTALLED = "Ollama is not installed — get it from ollama.com"


@dataclass
class OllamaStatus:
    """Whether the server answers, its version, and a message for the user."""

    running: bool
    host: str
    version: str | None = None
    installed: bool = False  # an `ollama` binary is on PATH
    message: str = ""


@dataclass
class RunningModel:
    """A model loaded in memory (from /api/ps)."""

    name: str
    size_bytes: int
    size_vram: int
    expires_at: datetime | None = None
    context_length: int | None = None


@dataclass
class PullProgress:
    """One progress update of a download."""

    model: str
    status: str
    completed: int = 0  # bytes, all layers so far
    total: int = 0
    percent: float | None = None
    speed_bps: float | None = None  # bytes per second over the last few seconds
    digest: str = ""


class PullCancelled(SparklioError):
    """The user cancelled a download."""


class OllamaManager:
    """Talks to one Ollama server with the official SDK (imported lazily)."""

    def __init__(self, host: str | None = None, *, timeout: float = 30.0, binary: str = "ollama") -> None:
        self.host = normalize_host(host or os.environ.get("OLLAMA_HOST"))
        self.timeout = timeout
        self.binary = binary
        self._client: Any = None
        self.process: subprocess.Popen | None = None  # the `ollama serve` started here (it outlives the app)

    # ---- plumbing ----

    def client(self) -> Any:
        """The ollama.AsyncClient for this host."""
        if self._client is None:
            import httpx
            import ollama

            self._client = ollama.AsyncClient(host=self.host, timeout=httpx.Timeout(self.timeout, connect=5.0))
        return self._client

    async def aclose(self) -> None:
        """Close connections (the spawned server, if any, keeps running)."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    def binary_path(self) -> str | None:
        """Full path of the `ollama` executable, or None."""
        return shutil.which(self.binary)

    def not_running_message(self) -> str:
        """What to tell the user when the server does not answer."""
        if not self.is_local:
            return f"Ollama is not reachable at {self.host}: check that the server is up and the address is right"
        if self.binary_path() is None:
            return NOT_INSTALLED
        return f"Ollama is not running at {self.host}: start it with `ollama serve`"

    @property
    def is_local(self) -> bool:
        """True when the host is this machine (so starting or installing Ollama here would help)."""
        return (urlsplit(self.host).hostname or "") in ("127.0.0.1", "localhost", "::1", "0.0.0.0")

    def _fail(self, exc: BaseException, what: str, model: str = "") -> SparklioError:
        """One clear SparklioError for any SDK/transport failure."""
        import httpx
        import ollama

        if isinstance(exc, SparklioError):
            return exc
        if isinstance(exc, (ConnectionError, httpx.ConnectError, httpx.ConnectTimeout)):
            return SparklioError(self.not_running_message())
        if isinstance(exc, ollama.ResponseError):
            if exc.status_code == 404 and model:
                return SparklioError(f"Model {model} is not installed in Ollama")
            return SparklioError(f"Ollama could not {what}: {exc.error}")
        if isinstance(exc, httpx.TimeoutException):
            return SparklioError(f"Ollama at {self.host} did not answer in {self.timeout:.0f}s while trying to {what}")
        if isinstance(exc, httpx.HTTPError):
            return SparklioError(f"Ollama connection failed while trying to {what} ({type(exc).__name__})")
        return SparklioError(f"Ollama could not {what} ({type(exc).__name__}: {exc})")

    # ---- server ----

    async def status(self) -> OllamaStatus:
        """Running + version, or not running with a plain message (and whether Ollama is installed)."""
        import httpx

        installed = self.binary_path() is not None
        try:
            async with httpx.AsyncClient(base_url=self.host, timeout=httpx.Timeout(5.0)) as http:
                r = await http.get("/api/version")
                r.raise_for_status()
                version = str(r.json().get("version") or "?")
        except (httpx.HTTPError, ValueError):
            return OllamaStatus(False, self.host, installed=installed, message=self.not_running_message())
        return OllamaStatus(
            True, self.host, version, installed=True, message=f"Ollama {version} is running at {self.host}"
        )

    async def start_server(self, wait_s: float = 15.0, poll_s: float = 0.1) -> OllamaStatus:
        """Spawn `ollama serve` for this host (if not already up) and wait until it answers."""
        current = await self.status()
        if current.running:
            return current
        path = self.binary_path()
        if path is None:
            raise SparklioError(NOT_INSTALLED)
        env = dict(os.environ, OLLAMA_HOST=self.host.split("://", 1)[1])
        try:
            self.process = subprocess.Popen(
                [path, "serve"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            raise SparklioError(f"Could not start Ollama: {exc.strerror or exc}") from exc
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SparklioError(
                    f"Ollama exited at once (code {self.process.returncode}): "
                    f"run `ollama serve` in a terminal to see why"
                )
            current = await self.status()
            if current.running:
                return current
            await asyncio.sleep(poll_s)
        raise SparklioError(f"Ollama did not start within {wait_s:.0f}s at {self.host}")

    # ---- models ----

    async def list_models(self) -> list[LocalModel]:
        """Installed models, with context length and capabilities from /api/show."""
        try:
            listing = await self.client().list()
        except Exception as exc:
            raise self._fail(exc, "list models") from exc
        shows = await asyncio.gather(*(self._show(m.model or "") for m in listing.models))
        return [_local_model(m, show) for m, show in zip(listing.models, shows)]

    async def _show(self, name: str) -> Any:
        """/api/show for one model, or None if it fails (the listing still works)."""
        try:
            return await self.client().show(name)
        except Exception:
            return None

    async def running(self) -> list[RunningModel]:
        """Models loaded in memory now."""
        try:
            ps = await self.client().ps()
        except Exception as exc:
            raise self._fail(exc, "list running models") from exc
        return [
            RunningModel(
                name=m.model or m.name or "",
                size_bytes=int(m.size or 0),
                size_vram=int(m.size_vram or 0),
                expires_at=m.expires_at,
                context_length=m.context_length,
            )
            for m in ps.models
        ]

    async def delete(self, name: str) -> None:
        """Remove an installed model."""
        try:
            await self.client().delete(name)
        except Exception as exc:
            raise self._fail(exc, f"delete {name}", model=name) from exc

    async def load(self, name: str, keep_alive: str | float = "30m") -> None:
        """Load a model into memory and keep it there for `keep_alive`."""
        await self._keep_alive(name, keep_alive, "load")

    async def unload(self, name: str) -> None:
        """Free the memory a model holds (keep_alive 0)."""
        await self._keep_alive(name, 0, "unload")

    async def _keep_alive(self, name: str, keep_alive: str | float, what: str) -> None:
        import ollama

        try:
            try:
                await self.client().generate(model=name, keep_alive=keep_alive)
            except ollama.ResponseError as exc:
                if exc.status_code != 400:  # embedding models do not "generate": use /api/embed instead
                    raise
                await self.client().embed(model=name, input=[], keep_alive=keep_alive)
        except Exception as exc:
            raise self._fail(exc, f"{what} {name}", model=name) from exc

    async def pull(
        self,
        name: str,
        on_progress: Callable[[PullProgress], None] | None = None,
        cancel_event: asyncio.Event | None = None,
    ) -> None:
        """Download a model with progress; raises PullCancelled or a clear SparklioError."""
        cancel = cancel_event or asyncio.Event()
        tracker = _PullTracker(name)
        work = asyncio.ensure_future(self._pull_stream(name, tracker, on_progress, cancel))
        watcher = asyncio.ensure_future(cancel.wait())
        try:
            done, _ = await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
        if work not in done:
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
            raise PullCancelled(f"Download of {name} cancelled")
        work.result()

    async def _pull_stream(
        self,
        name: str,
        tracker: _PullTracker,
        on_progress: Callable[[PullProgress], None] | None,
        cancel: asyncio.Event,
    ) -> None:
        try:
            stream = await self.client().pull(name, stream=True)
            # Closed here, on the task that opened it: left to the garbage collector, the SDK's stream exits its
            # cancel scope on another task and prints "Attempted to exit cancel scope in a different task".
            # The stream is read to its end (the server ends it after "success"): stopping early would leave the
            # SDK's inner line iterator to the garbage collector as well.
            succeeded = False
            async with contextlib.aclosing(stream):
                async for part in stream:
                    progress = tracker.update(part.status or "", part.digest or "", part.completed, part.total)
                    if on_progress is not None:
                        on_progress(progress)
                    if cancel.is_set():
                        raise PullCancelled(f"Download of {name} cancelled")
                    succeeded = succeeded or part.status == "success"
            if succeeded:
                return
        except PullCancelled:
            raise
        except Exception as exc:
            raise self._pull_error(exc, name, tracker) from exc
        raise self._pull_error(None, name, tracker)

    def _pull_error(self, exc: BaseException | None, name: str, tracker: _PullTracker) -> SparklioError:
        """Unknown model, server down, or a download that stopped part-way."""
        import ollama

        text = str(getattr(exc, "error", "") or "").lower()
        if isinstance(exc, ollama.ResponseError) and ("file does not exist" in text or "not found" in text):
            return SparklioError(f"Model {name} is not in the Ollama library: check the name on ollama.com/library")
        if tracker.completed > 0 or exc is None:
            import httpx

            reason = getattr(exc, "error", None) or (
                "connection lost" if isinstance(exc, httpx.HTTPError) else type(exc).__name__ if exc is not None else ""
            )
            why = f": {reason}" if reason else ""
            return SparklioError(
                f"Download of {name} failed at {tracker.percent_text()}{why}. Start it again to resume"
            )
        return self._fail(exc, f"download {name}")


class _PullTracker:
    """Turns per-layer pull lines into overall bytes, percent and speed."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.layers: dict[str, tuple[int, int]] = {}
        self.samples: list[tuple[float, int]] = []

    @property
    def completed(self) -> int:
        return sum(c for c, _ in self.layers.values())

    @property
    def total(self) -> int:
        return sum(t for _, t in self.layers.values())

    def percent_text(self) -> str:
        return f"{100.0 * self.completed / self.total:.0f}%" if self.total else "the start"

    def update(self, status: str, digest: str, completed: int | None, total: int | None) -> PullProgress:
        if digest and total:
            self.layers[digest] = (int(completed or 0), int(total))
        now, done = time.monotonic(), self.completed
        self.samples = [s for s in self.samples if now - s[0] <= 3.0] + [(now, done)]
        t0, b0 = self.samples[0]
        speed = (done - b0) / (now - t0) if now - t0 > 1e-3 else None
        pct = 100.0 * done / self.total if self.total else None
        return PullProgress(self.model, status, done, self.total, pct, speed, digest)


def _local_model(m: Any, show: Any) -> LocalModel:
    """LocalModel from a /api/tags entry and its /api/show answer (may be None)."""
    details = m.details
    info = dict(getattr(show, "modelinfo", None) or {})
    arch = str(info.get("general.architecture") or "")
    ctx = info.get(f"{arch}.context_length") if arch else None
    emb = info.get(f"{arch}.embedding_length") if arch else None
    caps = frozenset(getattr(show, "capabilities", None) or ())
    family = (details.family if details else "") or ""
    if not caps:  # older servers: infer from the families list
        fams = set((details.families if details else None) or [family])
        caps = frozenset(
            {"embedding"}
            if any("bert" in f for f in fams)
            else {"completion", "vision"}
            if fams & {"clip", "mllama"}
            else {"completion"}
        )
    return LocalModel(
        name=m.model or "",
        size_bytes=int(m.size or 0),
        family=family,
        parameter_size=(details.parameter_size if details else "") or "",
        quantization=(details.quantization_level if details else "") or "",
        context_length=int(ctx) if ctx else None,
        capabilities=caps,
        modified_at=m.modified_at,
        embedding_length=int(emb) if emb else None,
        digest=m.digest or "",
    )

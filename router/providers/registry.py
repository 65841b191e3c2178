"""Builds provider clients lazily from Settings + Secrets and reports which providers are ready."""

from __future__ import annotations

import os
from typing import Any

from router.planner import Availability
from router.providers.info import PROVIDERS, load
from router.sd_path import sd_path_problem

# Lazy, string-named: importing this module imports no SDK, no torch (the factories are in the provider table).
ARBITER = "local_models.vram_arbiter:VramArbiter"  # VRAM arbitration between the two local providers


class ProviderRegistry:
    """One client per provider, rebuilt when its key or endpoint changes."""

    def __init__(self, settings, secrets, *, overrides: dict[str, Any] | None = None, timeout: float = 60.0) -> None:
        self.settings = settings
        self.secrets = secrets
        self.timeout = timeout
        self.overrides = dict(overrides or {})
        self._clients: dict[str, Any] = {}
        self._fingerprints: dict[str, tuple] = {}
        self.ollama_reachable: bool | None = None  # None until probed
        self.ollama_message = "Ollama has not been checked yet"
        self._arbiter: Any = None
        self._sd_problem: tuple[tuple, str] = ((), "")

    @property
    def arbiter(self) -> Any:
        """The VramArbiter the ollama and local_sd clients share; its notices go out as `gpu_notice` events."""
        if self._arbiter is None:
            events = getattr(self.settings, "events", None)

            def notify(text: str) -> None:
                if events is not None:
                    from router.events import AppEvent

                    events.publish(AppEvent("gpu_notice", "GPU", text))

            self._arbiter = load(ARBITER)(self.ollama_host, notify=notify)
        return self._arbiter

    def endpoint(self, name: str) -> str | None:
        """The user's endpoint for a provider ('' means: the SDK's own env var or default)."""
        url = self.settings.endpoints.get(name) or ""
        return url or None

    def _config(self, name: str) -> tuple:
        """(api_key, base_url, connect timeout): local_sd's "base URL" is its model path (`sd_model_path`)."""
        key = self.secrets.get(name) if PROVIDERS[name].keyed else None
        where = (self.settings.sd_model_path or None) if name == "local_sd" else self.endpoint(name)
        return (key, where, self.settings.connect_timeout_s)

    def get(self, name: str) -> Any:
        """The provider client for `name` (constructed on first use)."""
        if name in self.overrides:
            return self._arbitrated(name, self.overrides[name])
        cfg = self._config(name)
        if name in self._clients and self._fingerprints.get(name) == cfg:
            return self._clients[name]
        if name == "local_sd" and name in self._clients:  # keep the client; a new path drops the loaded pipeline
            client = self._clients[name]
            if self._fingerprints[name][1] != cfg[1]:
                client.set_model_path(cfg[1])
        else:
            client = load(PROVIDERS[name].factory)(api_key=cfg[0], base_url=cfg[1], timeout=self.timeout)
            client.connect_timeout = min(self.settings.connect_timeout_s, client.timeout)
        self._clients[name] = self._arbitrated(name, client)
        self._fingerprints[name] = cfg
        return client

    def _arbitrated(self, name: str, client: Any) -> Any:
        """Give the local GPU providers (those with an `arbiter` attribute) the shared VRAM arbiter."""
        if PROVIDERS[name].local and hasattr(client, "arbiter") and client.arbiter is None:
            client.arbiter = self.arbiter
            if name == "local_sd":
                self.arbiter.sd = client
        return client

    def prepare(self, name: str) -> None:
        """Build a provider and its SDK client now (call from a worker thread: imports and TLS setup are slow)."""
        client = self.get(name)
        make = getattr(client, "_client", None)
        if make is not None:
            try:
                make()
            except Exception:  # no key yet, or no endpoint: the real call will say so
                pass

    def availability(self, cooldowns: dict[str, float] | None = None) -> Availability:
        """Which providers can take calls now, with plain reasons for those that cannot."""
        ready: set[str] = set()
        reasons: dict[str, str] = {}
        for name in PROVIDERS:
            problem = "" if name in self.overrides else self._problem(name)
            if problem:
                reasons[name] = problem
            else:
                ready.add(name)
        return Availability(ready=ready, reasons=reasons, cooldown_until=dict(cooldowns or {}))

    def _problem(self, name: str) -> str:
        """Why a provider cannot take calls now ("" when it can)."""
        row = PROVIDERS[name]
        if row.key_required and not self.secrets.get(name):
            return f"no {row.label} API key (Settings → Keys)"
        if row.server_required and not row.local and not self.endpoint(name):
            return f"no {row.label} set (Settings → Endpoints)"
        if row.server_required and row.local and not self.ollama_reachable:  # the one local server: Ollama
            return self.ollama_message
        return self.sd_problem() if name == "local_sd" else ""

    def sd_problem(self) -> str:
        """Why the configured Stable Diffusion path cannot be used ("" when it can); re-read when the file changes."""
        path = self.settings.sd_model_path
        try:
            st = os.stat(path) if path else None
            key: tuple = (path, st.st_mtime_ns, st.st_size) if st else (path,)
        except OSError:
            key = (path, "missing")
        if self._sd_problem[0] != key:
            self._sd_problem = (key, sd_path_problem(path))
        return self._sd_problem[1]

    def ollama_host(self) -> str:
        """The Ollama URL in use (setting, else OLLAMA_HOST, else the default)."""
        from router.providers.ollama_provider import normalize_host

        return normalize_host(self.endpoint("ollama") or os.environ.get(PROVIDERS["ollama"].base_url_env))

    async def aclose(self) -> None:
        """Close every client built so far."""
        for client in list(self._clients.values()):
            close = getattr(client, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception:
                    pass
        self._clients.clear()

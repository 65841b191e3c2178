"""API keys: the OS keyring only (env vars as a read-only fallback, a session-only store without a backend)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from router.errors import SparklioError
from router.providers.info import PROVIDERS, keyed

SERVICE = "sparklio"


def _usable(backend) -> bool:
    """True only for a real OS keyring: not keyring's fail/null backends, not keyrings.alt's file stores."""
    module = type(backend).__module__
    if module.startswith(("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")):
        return False
    try:
        from keyring.backends import chainer

        if isinstance(backend, chainer.ChainerBackend):
            return any(_usable(b) for b in backend.backends)
    except ImportError:
        pass
    return True


class Secrets:
    """get/set/delete a provider's key; never logs or returns keys anywhere but `get`."""

    def __init__(self, backend=None, env: Mapping[str, str] | None = None) -> None:
        import keyring

        self._keyring = keyring
        self.backend = backend if backend is not None else keyring.get_keyring()
        self.env = env if env is not None else os.environ
        self.backend_ok = _usable(self.backend)
        self.chosen_store = ""  # set when the user explicitly picked a non-system store
        self._session: dict[str, str] = {}
        self._cache: dict[str, str | None] = {}  # keyring answers (each can be an IPC round trip): read once

    def use_backend(self, backend, description: str = "") -> None:
        """Switch to a store the user chose explicitly (moving session-only keys into it)."""
        for provider, key in list(self._session.items()):
            backend.set_password(SERVICE, provider, key)
        self._session.clear()
        self._cache.clear()
        self.backend = backend
        self.backend_ok = True
        self.chosen_store = description or getattr(backend, "file_path", "") or type(backend).__name__

    @property
    def backend_message(self) -> str:
        """Plain words on where keys are kept."""
        if self.chosen_store:
            return f"Keys are stored where you chose: {self.chosen_store} (not encrypted)."
        if self.backend_ok:
            return f"Keys are stored in your system keyring ({type(self.backend).__name__})."
        module = type(self.backend).__module__
        found = (
            f"The keyring backend {type(self.backend).__name__} stores keys unencrypted in a file, so Sparklio "
            "does not use it"
            if module.startswith("keyrings.alt")
            else "No system keyring was found (a bare Linux session?)"
        )
        return (
            f"{found}: keys you enter are kept for this session only. Install and unlock a keyring "
            "(GNOME Keyring, KWallet) to keep them."
        )

    def _check(self, provider: str) -> None:
        if provider not in keyed():
            raise SparklioError(f"unknown provider {provider!r}; keys are kept for: {', '.join(keyed())}")

    def get(self, provider: str) -> str | None:
        """The key from the keyring (or session store), else the provider's environment variable."""
        self._check(provider)
        key = self._session.get(provider)
        if key is None and self.backend_ok:
            if provider not in self._cache:
                try:
                    self._cache[provider] = self.backend.get_password(SERVICE, provider)
                except Exception:
                    self._cache[provider] = None
            key = self._cache[provider]
        if not key:
            for var in PROVIDERS[provider].key_env:
                if self.env.get(var):
                    return self.env[var]
        return key or None

    def source(self, provider: str) -> str | None:
        """Where the key comes from: keyring, session, environment, or None."""
        self._check(provider)
        if provider in self._session:
            return "session"
        if self.backend_ok:
            try:
                if self.backend.get_password(SERVICE, provider):
                    return "keyring"
            except Exception:
                pass
        if any(self.env.get(v) for v in PROVIDERS[provider].key_env):
            return "environment"
        return None

    def set(self, provider: str, key: str, *, session_only: bool = False) -> str:
        """Store a key; returns where it went ('keyring' or 'session')."""
        self._check(provider)
        key = (key or "").strip()
        if not key:
            raise SparklioError("the API key is empty")
        if any(c.isspace() for c in key):
            raise SparklioError("an API key cannot contain spaces or line breaks")
        self._cache.pop(provider, None)
        if self.backend_ok and not session_only:
            try:
                self.backend.set_password(SERVICE, provider, key)
                self._session.pop(provider, None)
                return "keyring"
            except Exception as exc:
                raise SparklioError(f"the system keyring refused the key: {type(exc).__name__}") from None
        self._session[provider] = key
        return "session"

    def delete(self, provider: str) -> bool:
        """Remove a stored key; True if one was removed."""
        self._check(provider)
        self._cache.pop(provider, None)
        removed = self._session.pop(provider, None) is not None
        if self.backend_ok:
            try:
                if self.backend.get_password(SERVICE, provider) is not None:
                    self.backend.delete_password(SERVICE, provider)
                    removed = True
            except Exception:
                pass
        return removed

"""Error types: user-facing failures and provider errors classified for retry/fallback."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["transient", "rate_limited", "permanent", "retired"]


class SparklioError(Exception):
    """An expected failure whose message is shown to the user as one clear line."""


class ConfigError(SparklioError):
    """A catalog, policy, workflow or settings file is malformed (message names file and line)."""


class NoRouteError(SparklioError):
    """No model is eligible for the request; the message says why each was excluded."""


class BudgetExceededError(SparklioError):
    """A cloud call was refused because it would exceed a budget limit."""


class ProviderError(SparklioError):
    """A provider call failed; `kind` decides retry (transient), wait (rate_limited) or fallback (permanent)."""

    kind: ErrorKind = "permanent"

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        self.retry_after = retry_after
        self.reason = reason or self.__class__.__name__

    @property
    def error_class(self) -> str:
        """Short name stored in the ledger's error_class column."""
        return self.reason


class TransientError(ProviderError):
    """Timeout, connection reset, 5xx, cut stream, malformed body: retry with backoff."""

    kind: ErrorKind = "transient"


class RateLimitedError(ProviderError):
    """HTTP 429 (or provider quota); `retry_after` seconds when the server said so."""

    kind: ErrorKind = "rate_limited"


class PermanentError(ProviderError):
    """Auth, bad request, content policy, unknown model: never retried on the same model."""

    kind: ErrorKind = "permanent"


class RetiredModelError(ProviderError):
    """The provider answered 404 / not found for the model: retired for this key (persisted, never retried)."""

    kind: ErrorKind = "retired"


class AllProvidersFailedError(SparklioError):
    """Every model in the chain failed; `attempts` lists what each answered."""

    def __init__(self, message: str, attempts: list) -> None:
        super().__init__(message)
        self.attempts = attempts

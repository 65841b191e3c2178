"""Helpers that turn SDK/transport failures into Transient, RateLimited or Permanent provider errors."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime

from router.errors import PermanentError, ProviderError, RateLimitedError, RetiredModelError, TransientError

# Token shapes that look like API keys (OpenAI/Anthropic "sk-…", Google "AIza…", bearer tokens).
_KEYLIKE = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|AIza[0-9A-Za-z_\-]{10,}|Bearer\s+\S+)")
_DETAIL_MAX = 160


def scrub(text: object, secrets: Iterable[str | None] = ()) -> str:
    """One line of at most ~160 chars with secrets and key-like tokens redacted."""
    s = " ".join(str(text or "").split())
    for secret in secrets:
        if secret and len(secret) >= 4:
            s = s.replace(secret, "***")
    s = _KEYLIKE.sub("***", s)
    if len(s) > _DETAIL_MAX:
        s = s[: _DETAIL_MAX - 1].rstrip() + "…"
    return s


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date); None if absent."""
    if not headers:
        return None
    lower = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    ms = lower.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = (lower.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def parse_duration(value: object) -> float | None:
    """Seconds from a protobuf Duration string such as "13s" or "0.5s"; None if unparsable."""
    if not isinstance(value, str) or not value.endswith("s"):
        return None
    try:
        return max(float(value[:-1]), 0.0)
    except ValueError:
        return None


def _fmt_secs(seconds: float) -> str:
    """Short human form of a delay."""
    return f"{seconds:.0f}s" if seconds >= 10 else f"{seconds:.3g}s"


def transport_error(exc: BaseException, *, provider: str, label: str, timeout: float) -> ProviderError | None:
    """Map httpx/httpx2 transport failures and malformed bodies to TransientError (None if not one)."""
    for mod_name in ("httpx2", "httpx"):
        mod = sys.modules.get(mod_name)
        if mod is None:
            continue
        if isinstance(exc, (mod.ConnectError, mod.ConnectTimeout)):  # nobody answers at that address
            return unreachable(provider=provider, label=label, why=type(exc).__name__)
        if isinstance(exc, mod.TimeoutException):
            return timed_out(provider=provider, label=label, timeout=timeout)
        if isinstance(exc, (mod.RemoteProtocolError, mod.ReadError)):
            return TransientError(f"{label} closed the connection early", provider=provider, reason="connection")
        if isinstance(exc, mod.RequestError):
            return connection_failed(provider=provider, label=label, why=type(exc).__name__)
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return malformed(provider=provider, label=label)
    return None


def client_side_error(exc: BaseException, sdk, *, provider: str, label: str, timeout: float) -> ProviderError | None:
    """The openai/anthropic SDKs' shared non-HTTP failures (timeout, connection, bad body); None for anything else."""
    if isinstance(exc, sdk.APITimeoutError):
        cause = exc.__cause__ or exc.__context__
        mapped = transport_error(cause, provider=provider, label=label, timeout=timeout) if cause else None
        return mapped or timed_out(provider=provider, label=label, timeout=timeout)
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        mapped = transport_error(cause, provider=provider, label=label, timeout=timeout) if cause else None
        return mapped or connection_failed(provider=provider, label=label)
    if isinstance(exc, sdk.APIResponseValidationError):
        return malformed(provider=provider, label=label)
    return None


def timed_out(*, provider: str, label: str, timeout: float) -> TransientError:
    """No answer within the client timeout."""
    return TransientError(f"{label} timed out after {_fmt_secs(timeout)}", provider=provider, reason="timeout")


def connection_failed(*, provider: str, label: str, why: str = "") -> TransientError:
    """Could not connect, or the connection dropped."""
    suffix = f" ({why})" if why else ""
    return TransientError(f"{label} connection failed{suffix}", provider=provider, reason="connection")


def unreachable(*, provider: str, label: str, why: str = "") -> TransientError:
    """Nothing accepted the connection (refused, no route, connect timeout): the provider is skipped a while."""
    suffix = f" ({why})" if why else ""
    return TransientError(f"{label} is unreachable{suffix}", provider=provider, reason="unreachable")


def malformed(*, provider: str, label: str) -> TransientError:
    """The provider answered with a body we could not parse."""
    return TransientError(f"{label} sent a malformed response", provider=provider, reason="malformed")


def status_error(
    status: int,
    *,
    provider: str,
    label: str,
    detail: object = "",
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
    model: str = "",
    secrets: Iterable[str | None] = (),
    retry_after: float | None = None,
) -> ProviderError:
    """Classify an HTTP error status (plus the API's error code) into the right ProviderError."""
    text = scrub(detail, secrets)
    tail = f": {text}" if text else ""
    code = (code or "").lower()
    kw = {"provider": provider, "status": status}
    if status == 429 or code in ("rate_limit_exceeded", "rate_limit_error", "resource_exhausted"):
        if code in ("insufficient_quota", "billing_hard_limit_reached"):
            return PermanentError(f"{label} quota exhausted (HTTP {status}){tail}", reason="quota", **kw)
        wait = retry_after if retry_after is not None else parse_retry_after(headers)
        when = f"; retry after {_fmt_secs(wait)}" if wait is not None else ""
        return RateLimitedError(
            f"{label} rate limit reached (HTTP {status}){when}", retry_after=wait, reason="rate_limited", **kw
        )
    if status == 529 or code in ("overloaded_error", "overloaded"):
        return TransientError(f"{label} is overloaded (HTTP {status})", reason="overloaded", **kw)
    if status >= 500 or status in (408, 409):
        return TransientError(f"{label} server error (HTTP {status}){tail}", reason="server_error", **kw)
    if "content_policy" in code or code in ("content_filter", "safety"):
        return PermanentError(
            f"{label} refused the request under its content policy{tail}", reason="content_policy", **kw
        )
    if status == 401 or code in ("invalid_api_key", "authentication_error", "api_key_invalid"):
        return PermanentError(
            f"{label} rejected the API key (HTTP {status}): check Settings → Keys", reason="auth", **kw
        )
    if status == 402:
        return PermanentError(f"{label} refused the request: billing problem (HTTP 402){tail}", reason="quota", **kw)
    if status == 403:
        return PermanentError(f"{label} refused access (HTTP 403){tail}", reason="auth", **kw)
    if status == 404 and model and model in str(detail or ""):  # the provider names the model it does not serve
        return RetiredModelError(f"{label} no longer serves {model} (HTTP 404){tail}", reason="not_found", **kw)
    if status == 404:
        what = f"model {model!r}" if model else "the requested resource"
        return PermanentError(f"{label} does not know {what} (HTTP 404){tail}", reason="not_found", **kw)
    return PermanentError(f"{label} rejected the request (HTTP {status}){tail}", reason="bad_request", **kw)


def unexpected(exc: BaseException, *, provider: str, label: str) -> PermanentError:
    """Last resort for an exception no mapper recognised (never retried, type name only)."""
    return PermanentError(
        f"{label} call failed unexpectedly ({type(exc).__name__})", provider=provider, reason="unexpected"
    )

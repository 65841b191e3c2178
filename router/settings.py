"""User settings kept as JSON values in the settings table, with defaults and validation."""

from __future__ import annotations

import json
import math
from typing import Any, Callable

from router.errors import SparklioError
from router.events import AppEvent, EventBus
from router.providers.info import with_endpoint
from router.store.models import Setting

DEFAULT_WEIGHTS = {"complexity": 0.4, "budget": 0.3, "speed": 0.2, "quality": 0.1}

DEFAULTS: dict[str, Any] = {
    "monthly_limit_usd": 100.0,
    "provider_limits": {},
    "budget_tier": None,
    "hard_stop": True,
    "alert_thresholds": [0.8, 1.0],
    "offline": False,
    "exploration_rate": 0.05,
    "auto_adopt": False,
    "cache_enabled": True,
    "cache_ttl_static_s": 86400,
    "cache_ttl_dynamic_s": 3600,
    "weights": DEFAULT_WEIGHTS,
    "endpoints": {k: "" for k in with_endpoint()},
    "compat_models": [],
    "retry_after_cap_s": 20.0,
    "task_table": {},
    "task_table_origin": {},  # task -> "edit" or "learned:YYYY-MM-DD" (where the override came from)
    "sd_model_path": "",
    "keep_in_tray": True,
    "first_run_done": False,
    "include_prompts_in_review": False,
    "key_file_store": "",  # router/key_file.py: the plain key file the user opted in to ("" = OS keyring only)
    "update_feed_url": "https://api.github.com/repos/sparklio/sparklio-desktop/releases/latest",
    "update_check_weekly": True,  # router/updates.py
    "update_last_check": 0.0,  # epoch seconds of the last automatic check
    "system_prompts": {},  # task -> the user's own system prompt (router/prompts.py; "" turns it off)
    "saved_prompts": [],  # the user's saved prompts [{"name", "text"}], inserted with "/" in the composer
    # bounded waits (router/deadlines.py): seconds
    "connect_timeout_s": 5.0,
    "ttft_s": {},  # per speed class (realtime, standard, batch, local); missing classes use the defaults
    "idle_gap_s": 10.0,
    "request_deadline_s": 120.0,
    "op_deadline_s": 600.0,
    "cooldown_s": 120.0,
    "unreachable_s": 30.0,
}


def _money(name: str) -> Callable[[Any], float]:
    def check(v: Any) -> float:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise SparklioError(f"{name} must be a number of US dollars, not {v!r}") from None
        if not math.isfinite(f) or f < 0 or f > 1_000_000:
            raise SparklioError(f"{name} must be between $0 and $1,000,000, not {v!r}")
        return round(f, 6)

    return check


def _fraction(name: str, lo: float = 0.0, hi: float = 1.0) -> Callable[[Any], float]:
    def check(v: Any) -> float:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise SparklioError(f"{name} must be a number between {lo} and {hi}, not {v!r}") from None
        if not (lo <= f <= hi):
            raise SparklioError(f"{name} must be between {lo} and {hi}, not {v!r}")
        return f

    return check


def _positive_int(name: str) -> Callable[[Any], int]:
    def check(v: Any) -> int:
        try:
            i = int(v)
        except (TypeError, ValueError):
            raise SparklioError(f"{name} must be a whole number, not {v!r}") from None
        if i <= 0:
            raise SparklioError(f"{name} must be positive, not {v!r}")
        return i

    return check


def _bool(name: str) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            return v.lower() in ("true", "1", "yes", "on")
        raise SparklioError(f"{name} must be true or false, not {v!r}")

    return check


def _tier(v: Any) -> str | None:
    if v in (None, "", "auto"):
        return None
    if v not in ("low", "standard", "premium"):
        raise SparklioError(f"budget tier must be low, standard, premium or auto, not {v!r}")
    return v


def _weights(v: Any) -> dict:
    if not isinstance(v, dict) or set(v) != set(DEFAULT_WEIGHTS):
        raise SparklioError("weights must give complexity, budget, speed and quality")
    vals = {k: _fraction(f"weight {k}", 0.0, 100.0)(x) for k, x in v.items()}
    total = sum(vals.values())
    if total <= 0:
        raise SparklioError("at least one routing weight must be above zero")
    return {k: x / total for k, x in vals.items()}


def _provider_limits(v: Any) -> dict:
    if not isinstance(v, dict):
        raise SparklioError("provider limits must map a provider to US dollars")
    return {str(k): _money(f"{k} limit")(x) for k, x in v.items() if x not in (None, "")}


def _thresholds(v: Any) -> list:
    if not isinstance(v, (list, tuple)) or not v:
        raise SparklioError("alert thresholds must be a list of fractions such as [0.8, 1.0]")
    return sorted({_fraction("alert threshold", 0.01, 1.0)(x) for x in v})


def _endpoints(v: Any) -> dict:
    if not isinstance(v, dict):
        raise SparklioError("endpoints must map a provider to a URL")
    out = dict(DEFAULTS["endpoints"])
    for k, url in v.items():
        url = (url or "").strip()
        if url and not url.startswith(("http://", "https://")):
            raise SparklioError(f"the {k} endpoint must start with http:// or https://, not {url!r}")
        out[k] = url.rstrip("/")
    return out


def _sd_model_path(v: Any) -> str:
    """"" (unset) or a Stable Diffusion folder/checkpoint whose header parses; SparklioError otherwise."""
    if not str(v or "").strip():
        return ""
    from router.sd_path import check_sd_model_path  # header checks only: no torch

    return str(check_sd_model_path(str(v)))
def _ttft(v: Any) -> dict:
    if not isinstance(v, dict) or set(v) - {"realtime", "standard", "batch", "local"}:
        raise SparklioError("time-to-first-token limits must map realtime, standard, batch or local to seconds")
    return {k: _fraction(f"{k} time-to-first-token limit (seconds)", 0.05, 3600.0)(x) for k, x in v.items()}


VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "monthly_limit_usd": _money("monthly limit"),
    "provider_limits": _provider_limits,
    "budget_tier": _tier,
    "hard_stop": _bool("hard stop"),
    "alert_thresholds": _thresholds,
    "offline": _bool("offline mode"),
    "exploration_rate": _fraction("exploration rate", 0.0, 0.5),
    "auto_adopt": _bool("automatic adoption"),
    "cache_enabled": _bool("response cache"),
    "cache_ttl_static_s": _positive_int("static cache TTL (seconds)"),
    "cache_ttl_dynamic_s": _positive_int("dynamic cache TTL (seconds)"),
    "weights": _weights,
    "endpoints": _endpoints,
    "retry_after_cap_s": _fraction("Retry-After cap (seconds)", 0.0, 600.0),
    "keep_in_tray": _bool("keep in tray"),
    "first_run_done": _bool("first run done"),
    "include_prompts_in_review": _bool("include prompts in review"),
    "sd_model_path": _sd_model_path,
    "update_feed_url": lambda v: _endpoints({"update feed": v})["update feed"],
    "update_check_weekly": _bool("weekly update check"),
    "connect_timeout_s": _fraction("connect timeout (seconds)", 0.05, 600.0),
    "ttft_s": _ttft,
    "idle_gap_s": _fraction("idle-gap limit (seconds)", 0.05, 3600.0),
    "request_deadline_s": _fraction("whole-request deadline (seconds)", 0.1, 86400.0),
    "op_deadline_s": _fraction("image/embedding deadline (seconds)", 0.1, 86400.0),
    "cooldown_s": _fraction("cool-down (seconds)", 0.0, 86400.0),
    "unreachable_s": _fraction("unreachable pause (seconds)", 0.0, 86400.0),
}


class Settings:
    """Typed get/set over the settings table; `set` validates and publishes settings_changed."""

    def __init__(self, store: object | None = None, events: EventBus | None = None) -> None:
        self.store = store  # the open Store (models are bound through the proxy; kept for callers)
        self.events = events
        self._cache: dict[str, Any] = {}
        for row in Setting.select():
            try:
                self._cache[row.key] = json.loads(row.value)
            except ValueError:
                continue  # a damaged value falls back to its default

    def get(self, key: str) -> Any:
        """The stored value, else the default (a copy for containers)."""
        if key in self._cache:
            return self._cache[key]
        default = DEFAULTS.get(key)
        # Defaults hold only scalars inside their containers: a shallow copy keeps them safe (hot path: every plan).
        return default.copy() if isinstance(default, (dict, list)) else default

    def set(self, key: str, value: Any) -> Any:
        """Validate, store and announce a new value; returns the normalised value."""
        if key not in DEFAULTS:
            raise SparklioError(f"unknown setting {key!r}")
        value = VALIDATORS.get(key, lambda v: v)(value)
        Setting.insert(key=key, value=json.dumps(value)).on_conflict_replace().execute()
        self._cache[key] = value
        if self.events:
            self.events.publish(AppEvent("settings_changed", data={"key": key, "value": value}))
        return value

    def reset(self, key: str) -> None:
        """Forget a stored value so the default applies again."""
        Setting.delete().where(Setting.key == key).execute()
        self._cache.pop(key, None)

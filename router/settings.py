"""User settings: one typed field per setting (default, type, validation), stored as JSON in the settings table."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from router.errors import SparklioError
from router.events import AppEvent, EventBus
from router.providers.info import with_endpoint
from router.store.models import Setting

T = TypeVar("T")
DEFAULT_WEIGHTS = {"complexity": 0.4, "budget": 0.3, "speed": 0.2, "quality": 0.1}


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
    out = {k: "" for k in with_endpoint()}
    for k, url in v.items():
        url = (url or "").strip()
        if url and not url.startswith(("http://", "https://")):
            raise SparklioError(f"the {k} endpoint must start with http:// or https://, not {url!r}")
        out[k] = url.rstrip("/")
    return out


def _sd_model_path(v: Any) -> str:
    """ "" (unset) or a Stable Diffusion folder/checkpoint whose header parses; SparklioError otherwise."""
    if not str(v or "").strip():
        return ""
    from router.sd_path import check_sd_model_path  # header checks only: no torch

    return str(check_sd_model_path(str(v)))


def _lora_folder(v: Any) -> str:
    from router.sd_path import check_lora_folder

    return check_lora_folder(v)


def _upscaler_path(v: Any) -> str:
    from router.sd_path import check_upscaler_path

    return check_upscaler_path(v)


def _ttft(v: Any) -> dict:
    if not isinstance(v, dict) or set(v) - {"realtime", "standard", "batch", "local"}:
        raise SparklioError("time-to-first-token limits must map realtime, standard, batch or local to seconds")
    return {k: _fraction(f"{k} time-to-first-token limit (seconds)", 0.05, 3600.0)(x) for k, x in v.items()}


def _float(name: str) -> Callable[[Any], float]:
    return _fraction(name, 0.0, math.inf)


def _text(name: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if not isinstance(v, str):
            raise SparklioError(f"{name} must be text, not {v!r}")
        return v

    return check


def _names(v: Any) -> list[str]:
    if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
        raise SparklioError(f"model names must be a list of names, not {v!r}")
    return [x.strip() for x in v if x.strip()]


def _mapping(name: str) -> Callable[[Any], dict]:
    def check(v: Any) -> dict:
        if not isinstance(v, dict):
            raise SparklioError(f"{name} must map names to values, not {v!r}")
        return dict(v)

    return check


def _saved_prompts(v: Any) -> list[dict]:
    if not isinstance(v, (list, tuple)) or not all(isinstance(x, dict) for x in v):
        raise SparklioError("saved prompts must be a list of {name, text} entries")
    return [dict(x) for x in v]


class SettingField(Generic[T]):
    """One setting: its key (the attribute's name), default and check; reads and writes go through Settings."""

    def __init__(self, default: T, check: Callable[[Any], T]) -> None:
        self.default, self.check = default, check
        self.key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    @overload
    def __get__(self, obj: None, owner: type) -> SettingField[T]: ...
    @overload
    def __get__(self, obj: Settings, owner: type) -> T: ...
    def __get__(self, obj: Settings | None, owner: type) -> SettingField[T] | T:
        if obj is None:
            return self
        cache = obj._cache  # Settings.get inlined: every request reads ~20 settings
        return cache[self.key] if self.key in cache else self.fresh_default()

    def __set__(self, obj: Settings, value: T) -> None:
        obj.set(self.key, value)

    def fresh_default(self) -> T:
        """The default, copied when it is a container (callers may change what they get)."""
        # Defaults hold only scalars inside their containers: a shallow copy keeps them safe (hot path: every plan).
        return self.default.copy() if isinstance(self.default, (dict, list)) else self.default  # type: ignore[return-value]


class Settings:
    """The user's settings as typed attributes (`settings.monthly_limit_usd` is a float); `set` validates, stores
    and publishes settings_changed; `get`/`set` by key serve generic rows."""

    # budget (router/budget.py)
    monthly_limit_usd = SettingField(100.0, _money("monthly limit"))
    provider_limits: SettingField[dict[str, float]] = SettingField({}, _provider_limits)
    budget_tier: SettingField[str | None] = SettingField(None, _tier)
    hard_stop = SettingField(True, _bool("hard stop"))
    alert_thresholds: SettingField[list[float]] = SettingField([0.8, 1.0], _thresholds)
    # routing and learning
    offline = SettingField(False, _bool("offline mode"))
    exploration_rate = SettingField(0.05, _fraction("exploration rate", 0.0, 0.5))
    auto_adopt = SettingField(False, _bool("automatic adoption"))
    weights: SettingField[dict[str, float]] = SettingField(DEFAULT_WEIGHTS, _weights)
    task_table: SettingField[dict[str, list[str]]] = SettingField({}, _mapping("the task table"))
    # task -> "edit" or "learned:YYYY-MM-DD" (where each override came from)
    task_table_origin: SettingField[dict[str, str]] = SettingField({}, _mapping("the task table's origins"))
    # response cache (router/cache.py)
    cache_enabled = SettingField(True, _bool("response cache"))
    cache_ttl_static_s = SettingField(86400, _positive_int("static cache TTL (seconds)"))
    cache_ttl_dynamic_s = SettingField(3600, _positive_int("dynamic cache TTL (seconds)"))
    # providers
    endpoints: SettingField[dict[str, str]] = SettingField({k: "" for k in with_endpoint()}, _endpoints)
    compat_models: SettingField[list[str]] = SettingField([], _names)
    retry_after_cap_s = SettingField(20.0, _fraction("Retry-After cap (seconds)", 0.0, 600.0))
    sd_model_path = SettingField("", _sd_model_path)
    lora_folder = SettingField("", _lora_folder)  # local_models/lora.py: the .safetensors LoRAs the studio offers
    upscaler_path = SettingField("", _upscaler_path)  # local_models/upscale.py: ESRGAN-family file ("" = hires fix)
    key_file_store = SettingField("", _text("the key file"))  # router/key_file.py ("" = OS keyring only)
    # the app
    keep_in_tray = SettingField(True, _bool("keep in tray"))
    first_run_done = SettingField(False, _bool("first run done"))
    include_prompts_in_review = SettingField(False, _bool("include prompts in review"))
    update_feed_url = SettingField(
        "https://api.github.com/repos/sparklio/sparklio-desktop/releases/latest",
        lambda v: _endpoints({"update feed": v})["update feed"],
    )
    update_check_weekly = SettingField(True, _bool("weekly update check"))  # router/updates.py
    update_last_check = SettingField(0.0, _float("last update check"))  # epoch seconds of the last automatic check
    system_prompts: SettingField[dict[str, str]] = SettingField({}, _mapping("system prompts"))  # router/prompts.py
    saved_prompts: SettingField[list[dict]] = SettingField([], _saved_prompts)  # inserted with "/" in the composer
    # bounded waits (router/deadlines.py): seconds
    connect_timeout_s = SettingField(5.0, _fraction("connect timeout (seconds)", 0.05, 600.0))
    ttft_s: SettingField[dict[str, float]] = SettingField({}, _ttft)  # per speed class; missing ones use defaults
    idle_gap_s = SettingField(10.0, _fraction("idle-gap limit (seconds)", 0.05, 3600.0))
    request_deadline_s = SettingField(120.0, _fraction("whole-request deadline (seconds)", 0.1, 86400.0))
    op_deadline_s = SettingField(600.0, _fraction("image/embedding deadline (seconds)", 0.1, 86400.0))
    cooldown_s = SettingField(120.0, _fraction("cool-down (seconds)", 0.0, 86400.0))
    unreachable_s = SettingField(30.0, _fraction("unreachable pause (seconds)", 0.0, 86400.0))

    def __init__(self, store: object | None = None, events: EventBus | None = None) -> None:
        self.store = store  # the open Store (models are bound through the proxy; kept for callers)
        self.events = events
        self._cache: dict[str, Any] = {}
        for row in Setting.select():
            try:
                self._cache[row.key] = json.loads(row.value)
            except ValueError:
                continue  # a damaged value falls back to its default

    @classmethod
    def field(cls, key: str) -> SettingField[Any]:
        """The definition of one setting; SparklioError for a key that is not a setting."""
        found = FIELDS.get(key)
        if found is None:
            raise SparklioError(f"unknown setting {key!r}")
        return found

    @classmethod
    def default(cls, key: str) -> Any:
        """The default of one setting (a fresh copy for containers)."""
        return cls.field(key).fresh_default()

    def get(self, key: str) -> Any:
        """The stored value, else the default (a copy for containers)."""
        if key in self._cache:
            return self._cache[key]
        return self.field(key).fresh_default()

    def set(self, key: str, value: Any) -> Any:
        """Validate, store and announce a new value; returns the normalised value."""
        value = self.field(key).check(value)
        Setting.insert(key=key, value=json.dumps(value)).on_conflict_replace().execute()
        self._cache[key] = value
        if self.events:
            self.events.publish(AppEvent("settings_changed", data={"key": key, "value": value}))
        return value

    def reset(self, key: str) -> None:
        """Forget a stored value so the default applies again."""
        Setting.delete().where(Setting.key == key).execute()
        self._cache.pop(key, None)


FIELDS: dict[str, SettingField[Any]] = {k: v for k, v in vars(Settings).items() if isinstance(v, SettingField)}

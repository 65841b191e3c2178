"""The model catalog: ModelSpec, loading resources/catalog.toml, prices (genai-prices first)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from router.errors import ConfigError
from router.families import Family, parse_families, with_family
from router.providers.info import LOCAL_PROVIDERS, PROVIDERS
from router.types import BUDGET_TIERS, SPEED_TIERS, Usage
from router.validate import read_toml

KINDS = ("chat", "embedding", "image")
LIFECYCLES = ("active", "deprecated", "retired")
CAPABILITIES = frozenset(
    {"text", "vision", "code", "reasoning", "image_gen", "image_edit", "embedding", "tools", "long_context"}
)


@dataclass(frozen=True)
class ModelSpec:
    """One routable model: identity, wire name, prices, speed, context and quality."""

    id: str
    provider: str
    api_model: str
    kind: str = "chat"
    params: dict = field(default_factory=dict, hash=False, compare=False)
    capabilities: frozenset = frozenset({"text"})
    input_price: float | None = 0.0  # USD per 1M input tokens (None = unknown)
    output_price: float | None = 0.0  # USD per 1M output tokens
    cached_input_price: float | None = None  # USD per 1M cached input tokens (None = input_price)
    image_prices: dict = field(default_factory=dict, hash=False, compare=False)  # "1024x1024[/hd]" -> USD
    per_image_input: float = 0.0  # USD per attached image, for holds/estimates (APIs bill images as input tokens)
    price_source: str = "catalog"  # genai-prices | catalog | unknown
    speed: str = "standard"
    latency_s: float = 5.0  # typical seconds for a 500-token answer (or one image)
    context_window: int = 8192
    max_output: int = 4096
    quality: float = 7.0  # 0-10
    min_budget: str = "low"  # lowest budget tier that may use it
    display_name: str = ""
    description: str = ""
    dimensions: int | None = None  # embeddings
    installed: bool = True  # local models: present on this machine
    price_ref: str = ""  # the model name genai-prices knows it by ("" = not looked up)
    family: str = ""  # router/families.py: e.g. anthropic-sonnet, openai-mini, google-flash
    generation: float = 0.0  # within the family (claude-sonnet-4-6 → 4.6)
    released: str = ""  # YYYY-MM-DD when known
    lifecycle: str = "active"  # active | deprecated | retired, as the provider published it
    retires: str = ""  # YYYY-MM-DD shutdown date the provider announced ("" = none announced)
    successor: str = ""  # catalog id that serves this model once it is retired ("" = the family's newest)
    reasoning_tokens: int = 0  # expected hidden reasoning tokens per answer (billed as output)
    image_tokens: dict = field(default_factory=dict, hash=False, compare=False)  # "size[/quality]" -> output tokens
    local: bool = field(init=False, default=False, compare=False)  # runs on this machine ($0 money)

    def __post_init__(self) -> None:
        object.__setattr__(self, "local", self.provider in LOCAL_PROVIDERS)  # read on every plan: precomputed

    @property
    def name(self) -> str:
        """Human name for lists."""
        return self.display_name or self.id

    @property
    def priced(self) -> bool:
        """False for a cloud model whose price is unknown (never routed automatically)."""
        return self.local or self.price_source != "unknown"

    def image_price(self, size: str = "1024x1024", quality: str = "standard") -> float:
        """USD for one generated image of this size/quality (closest known entry)."""
        if self.local:
            return 0.0
        for key in (f"{size}/{quality}", size, "default"):
            if key in self.image_prices:
                return float(self.image_prices[key])
        if self.image_prices:
            return float(max(self.image_prices.values()))
        return 0.0

    def cost(self, usage: Usage) -> float:
        """USD for a call with this usage (cached input and reasoning tokens priced as the provider does)."""
        if self.local:
            return 0.0
        if self.kind == "image":
            return self.image_price(usage.image_size or "1024x1024", usage.image_quality or "standard") * usage.images
        inp = self.input_price or 0.0
        out = self.output_price or 0.0
        cached_rate = self.cached_input_price if self.cached_input_price is not None else inp
        uncached = max(usage.input_tokens - usage.cached_input_tokens, 0)
        # Reasoning tokens are billed as output tokens by every provider; they are part of output_tokens.
        # Attached images arrive inside input_tokens as the APIs report them (no separate surcharge).
        total = uncached * inp + usage.cached_input_tokens * cached_rate + usage.output_tokens * out
        return total / 1_000_000

    def worst_case_cost(self, input_tokens: int, max_output: int | None = None, images: int = 0) -> float:
        """Upper bound used for budget reservations."""
        if self.local:
            return 0.0
        if self.kind == "image":
            return self.image_price() * max(images, 1)
        out = max_output if max_output is not None else self.max_output
        return ((input_tokens * (self.input_price or 0.0)) + out * (self.output_price or 0.0)) / 1_000_000 + (
            images * self.per_image_input
        )


_FIELDS = {f for f in ModelSpec.__dataclass_fields__} | {"price_ref"}
_RANK = {t: i for i, t in enumerate(BUDGET_TIERS)}


_PRICE_FIELDS = frozenset({"input_price", "output_price", "cached_input_price", "image_prices", "per_image_input"})


def _is_date(value: object) -> bool:
    """True for a TOML date or a YYYY-MM-DD string."""
    try:
        date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def _header_lines(text: str) -> dict[str, int]:
    """Line of every `[models."id"]` header, in one pass (1-based)."""
    lines: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().replace("'", '"')
        if stripped.startswith("[models.") and stripped.endswith("]"):
            lines.setdefault(stripped[len("[models.") : -1].strip().strip('"'), n)
    return lines


def _line_of(text: str, model_id: str, field: str | None = None) -> int:
    """Line of the `[models."id"]` header, or of `field = ...` inside that table (1-based; 0 if not found)."""
    header = 0
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().replace("'", '"')
        if header and stripped.startswith("["):
            break
        if not header and stripped in (f'[models."{model_id}"]', f"[models.{model_id}]"):
            header = n
            if field is None:
                return n
        elif header and stripped.split("=", 1)[0].strip() == field:
            return n
    return header


_MAX = {
    "input_price": 1e6,
    "output_price": 1e6,
    "cached_input_price": 1e6,
    "per_image_input": 1e3,
    "latency_s": 3600.0,
    "quality": 10.0,
    "context_window": 1e9,
    "max_output": 1e9,
    "reasoning_tokens": 1e7,
    "generation": 1e3,
}


def _spec_from_table(
    model_id: str, t: dict, where: str, field_where: Callable[[str], str] | None = None
) -> tuple[ModelSpec, str | None]:
    """Validate one `[models.ID]` table and build its ModelSpec (plus its genai-prices ref)."""
    at = field_where or (lambda _field: where)
    unknown = set(t) - _FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} in model {model_id!r}")
    for req in ("provider", "api_model"):
        if not isinstance(t.get(req), str) or not t[req]:
            raise ConfigError(f"{where}: model {model_id!r} needs a {req} (text)")
    if t["provider"] not in PROVIDERS:
        raise ConfigError(
            f"{at('provider')}: model {model_id!r} has unknown provider {t['provider']!r} (one of {', '.join(PROVIDERS)})"
        )
    kind = t.get("kind", "chat")
    if kind not in KINDS:
        raise ConfigError(f"{at('kind')}: model {model_id!r} has unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if kind not in PROVIDERS[t["provider"]].kinds:
        raise ConfigError(
            f"{at('kind')}: model {model_id!r} has kind {kind!r}, which {t['provider']} does not serve "
            f"(it serves {', '.join(sorted(PROVIDERS[t['provider']].kinds))})"
        )
    caps = frozenset(t.get("capabilities", ["text"]))
    if not caps <= CAPABILITIES:
        raise ConfigError(
            f"{at('capabilities')}: model {model_id!r} has unknown capabilities {sorted(caps - CAPABILITIES)}"
        )
    if t.get("speed", "standard") not in SPEED_TIERS:
        raise ConfigError(f"{at('speed')}: model {model_id!r} speed must be one of {', '.join(SPEED_TIERS)}")
    if t.get("min_budget", "low") not in BUDGET_TIERS:
        raise ConfigError(f"{at('min_budget')}: model {model_id!r} min_budget must be one of {', '.join(BUDGET_TIERS)}")
    if t.get("lifecycle", "active") not in LIFECYCLES:
        raise ConfigError(f"{at('lifecycle')}: model {model_id!r} lifecycle must be one of {', '.join(LIFECYCLES)}")
    for f in ("released", "retires"):
        if t.get(f) and not _is_date(t[f]):
            raise ConfigError(f"{at(f)}: model {model_id!r} field {f} must be a date YYYY-MM-DD, not {t[f]!r}")
    num_fields = ("input_price", "output_price", "cached_input_price", "per_image_input", "latency_s", "quality")
    for f in num_fields + ("context_window", "max_output", "reasoning_tokens", "generation"):
        v = t.get(f)
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= _MAX[f]):
            # issue 13: nan and inf are refused too (a NaN price once reached the budget hold)
            raise ConfigError(
                f"{at(f)}: model {model_id!r} field {f} must be a non-negative number (at most {_MAX[f]:g}), not {v!r}"
            )
    for size, price in (t.get("image_prices") or {}).items() if isinstance(t.get("image_prices"), dict) else ():
        if not isinstance(price, (int, float)) or isinstance(price, bool) or not 0 <= price <= 1000:
            raise ConfigError(
                f"{at('image_prices')}: model {model_id!r} image price {size} must be a number from 0"
                f" to 1000, not {price!r}"
            )
    kw = {k: v for k, v in t.items() if k in ModelSpec.__dataclass_fields__ and k != "local"}
    for f in ("released", "retires"):
        if f in kw:
            kw[f] = str(kw[f])
    kw["capabilities"] = caps
    kw["kind"] = kind
    local = t["provider"] in LOCAL_PROVIDERS
    has_price = "input_price" in t or "image_prices" in t
    if not local and not has_price:
        kw["price_source"] = "unknown"
        kw["input_price"] = kw["output_price"] = None
    if local:
        kw["installed"] = t["provider"] == "local_sd"  # Ollama models are installed once discovered
    ref = t.get("price_ref", t["api_model"]) if not local else ""
    kw["price_ref"] = ref
    return ModelSpec(id=model_id, **kw), (ref or None)


class Catalog:
    """All known models by id; local models join when discovered."""

    def __init__(self, models: dict[str, ModelSpec], families: dict[str, Family] | None = None) -> None:
        self.models = models
        self.families = families or {}
        self.version = 0  # bumped on every change (the planner caches per version)

    def get(self, model_id: str) -> ModelSpec:
        """The model with this id, or a clear error naming it."""
        try:
            return self.models[model_id]
        except KeyError:
            raise ConfigError(f"unknown model id {model_id!r} (run `sparklio models` to list them)") from None

    def __contains__(self, model_id: str) -> bool:
        return model_id in self.models

    def __iter__(self):
        return iter(self.models.values())

    def __len__(self) -> int:
        return len(self.models)

    def upsert(self, spec: ModelSpec) -> None:
        """Add or replace a model (Ollama discovery, live model lists)."""
        self.models[spec.id] = spec
        self.version += 1

    def set_installed(self, provider: str, installed: dict[str, ModelSpec]) -> None:
        """Mark exactly `installed` (id -> spec) as the provider's installed models."""
        for mid, m in list(self.models.items()):
            if m.provider == provider and mid not in installed:
                self.models[mid] = replace(m, installed=False)
        for mid, spec in installed.items():
            self.models[mid] = replace(spec, installed=True)
        self.version += 1


def load_catalog_file(
    path: Path, base: dict[str, dict] | None = None, families: dict[str, Family] | None = None
) -> tuple[dict[str, ModelSpec], dict[str, str], dict[str, dict], dict[str, Family]]:
    """Parse one catalog TOML file into specs, price refs, raw tables and families; errors name the file and line.

    A table for a model already in `base` (the built-in tables) only needs the fields it changes; a model of a
    known family only needs what differs from the family rule (router/families.py).
    """
    data = read_toml(path, "catalog")  # one reader: encoding and syntax errors are one line naming the file
    text = path.read_bytes().decode("utf-8-sig")
    families = {**(families or {}), **parse_families(data.get("families", {}), str(path))}
    models = data.get("models")
    if not isinstance(models, dict):
        raise ConfigError(f"{path}: no [models.ID] tables found")
    specs: dict[str, ModelSpec] = {}
    refs: dict[str, str] = {}
    tables: dict[str, dict] = {}
    header_lines = _header_lines(text)  # field lines are looked up only for an error message
    for mid, table in models.items():
        where = f"{path}, line {header_lines.get(mid, 0)}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: models.{mid} must be a table")
        merged = with_family({**(base or {}).get(mid, {}), **table}, families)
        spec, ref = _spec_from_table(mid, merged, where, lambda f, mid=mid: f"{path}, line {_line_of(text, mid, f)}")
        specs[mid], tables[mid] = spec, merged
        if ref and not (base and _PRICE_FIELDS & set(table)):  # a price the user typed beats genai-prices
            refs[mid] = ref
    return specs, refs, tables, families

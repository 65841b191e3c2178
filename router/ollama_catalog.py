"""Installed Ollama models as catalog entries (pure functions; figures from the routing policy)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from router.catalog import ModelSpec


@dataclass
class LocalModel:
    """An installed Ollama model."""

    name: str
    size_bytes: int
    family: str = ""
    parameter_size: str = ""
    quantization: str = ""
    context_length: int | None = None
    capabilities: frozenset = frozenset()  # server words: completion, vision, embedding, tools, insert, thinking
    modified_at: datetime | None = None
    embedding_length: int | None = None
    digest: str = ""

    def to_row(self) -> dict:
        """The JSON form kept in the `local_snapshot` table (no timestamp)."""
        d = asdict(self)
        d["capabilities"] = sorted(d.get("capabilities") or ())
        d.pop("modified_at", None)
        return d

    @classmethod
    def from_row(cls, row: dict) -> LocalModel:
        """Back from `to_row`."""
        d = dict(row)
        d["capabilities"] = frozenset(d.get("capabilities") or ())
        d.pop("modified_at", None)
        return cls(**d)


@dataclass(frozen=True)
class FamilyFigures:
    """Routing figures for a known model family (from the policy document)."""

    quality: float = 6.0
    context: int | None = None  # None: use the model's own context length
    speed: str = "standard"
    latency_s: float = 5.0
    capabilities: frozenset = field(default_factory=frozenset)
    kind: str = "chat"
    reference_b: float = 7.0  # the size the figures describe (picks which tag gets the family id)


_VISION = FamilyFigures(quality=6.5, context=None, latency_s=5.0, capabilities=frozenset({"vision"}))
_EMBED = FamilyFigures(quality=6.0, context=None, latency_s=0.3, kind="embedding", reference_b=0.3)
FAMILIES: dict[str, FamilyFigures] = {
    "qwen2.5": FamilyFigures(7.0, 32000, "standard", 3.5),
    "llama3.2": FamilyFigures(7.5, 8000, "standard", 4.5, reference_b=3.0),
    "mistral": FamilyFigures(6.5, 8000, "realtime", 2.0),
    "qwen2.5-coder": FamilyFigures(7.0, 32000, "standard", 3.5, frozenset({"code"})),
    **{
        v: _VISION
        for v in (
            "llava",
            "llava-llama3",
            "llava-phi3",
            "bakllava",
            "llama3.2-vision",
            "qwen2.5vl",
            "qwen2-vl",
            "minicpm-v",
            "moondream",
            "granite3.2-vision",
            "gemma3",
        )
    },
    **{
        e: _EMBED
        for e in (
            "nomic-embed-text",
            "mxbai-embed-large",
            "all-minilm",
            "bge-m3",
            "bge-large",
            "snowflake-arctic-embed",
            "snowflake-arctic-embed2",
            "granite-embedding",
        )
    },
}
CATALOG_FAMILY_IDS = ("qwen2.5", "llama3.2", "mistral", "qwen2.5-coder")
UNKNOWN_CONTEXT = 4096


def base_name(tag: str) -> str:
    """ "library/qwen2.5:7b" -> "qwen2.5"."""
    return tag.split(":", 1)[0].rsplit("/", 1)[-1].lower()


def family_of(tag: str) -> str | None:
    """The known family a tag belongs to (exact base name, else the longest known prefix), or None."""
    base = base_name(tag)
    if base in FAMILIES:
        return base
    prefixes = [f for f in FAMILIES if base.startswith(f)]
    return max(prefixes, key=len) if prefixes else None


def _billions(parameter_size: str) -> float | None:
    """ "7.6B" -> 7.6, "137M" -> 0.137."""
    m = re.match(r"^\s*([\d.]+)\s*([BMK]?)", parameter_size or "", re.I)
    if not m:
        return None
    scale = {"B": 1.0, "M": 1e-3, "K": 1e-6, "": 1.0}[m.group(2).upper()]
    return float(m.group(1)) * scale


def model_spec(model: LocalModel, model_id: str | None = None) -> ModelSpec:
    """One installed model as a catalog entry (provider ollama, price 0, local)."""
    fam = family_of(model.name)
    fig = FAMILIES.get(fam or "", FamilyFigures())
    embedding = fig.kind == "embedding" or (
        "embedding" in model.capabilities and "completion" not in model.capabilities
    )
    caps = set(fig.capabilities)
    if embedding:
        caps = {"embedding"}
    else:
        caps.add("text")
        caps |= {c for c in ("vision", "tools") if c in model.capabilities}
    context = fig.context or model.context_length or UNKNOWN_CONTEXT
    what = " ".join(x for x in (model.parameter_size, model.quantization) if x)
    return ModelSpec(
        id=model_id or model.name,
        provider="ollama",
        api_model=model.name,
        kind="embedding" if embedding else "chat",
        capabilities=frozenset(caps),
        input_price=0.0,
        output_price=0.0,
        price_source="catalog",
        speed=fig.speed,
        latency_s=fig.latency_s,
        context_window=int(context),
        max_output=min(4096, int(context)),
        quality=fig.quality,
        min_budget="low",
        display_name=model.name,
        description=f"Local model via Ollama ({what})" if what else "Local model via Ollama",
        dimensions=model.embedding_length if embedding else None,
        installed=True,
    )


def _catalog_families(catalog: Iterable[Any]) -> dict[str, tuple[str, ModelSpec | None]]:
    """Base name -> (catalog id, catalog spec or None) for the Ollama families a catalog names."""
    out: dict[str, tuple[str, ModelSpec | None]] = {}
    for item in catalog:
        if isinstance(item, str):
            out[base_name(item)] = (item, None)
        elif getattr(item, "provider", None) == "ollama":
            out[base_name(item.api_model or item.id)] = (item.id, item)
    return out


def catalog_entries(models: Iterable[LocalModel], catalog: Iterable[Any] = CATALOG_FAMILY_IDS) -> list[ModelSpec]:
    """Installed models as catalog entries.

    `catalog`: catalog ids (str) or the Catalog / its ModelSpecs. For each Ollama family the catalog names, one
    installed tag takes the catalog id (the catalog's own tag if installed, else the size nearest the policy's)
    and keeps the catalog's figures with api_model = that tag; every other tag becomes an entry of its own.
    """
    models = list(models)
    out: dict[str, ModelSpec] = {}
    for base, (cid, spec) in _catalog_families(catalog).items():
        tags = [m for m in models if base_name(m.name) == base]
        if not tags:
            continue
        ref = FAMILIES.get(base, FamilyFigures()).reference_b
        best = min(
            tags,
            key=lambda m: (
                spec is None or m.name != spec.api_model,
                abs((_billions(m.parameter_size) or ref) - ref),
                m.name,
            ),
        )
        out[best.name] = model_spec(best, cid) if spec is None else replace(spec, api_model=best.name, installed=True)
    return [out.get(m.name) or model_spec(m) for m in models]

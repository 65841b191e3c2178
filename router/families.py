"""Model families: a model's quality, speed and defaults from its family and generation (one documented rule).

The rule: quality = family quality + step × (generation − reference generation), clamped to [0, cap]. Every
other field (capabilities, speed, latency, context, budget tier, expected reasoning tokens) is the family's
default. A model's own catalog table — built in or in the user's `catalog.toml` — overrides any of them, so a
model that first appears in a provider's live list joins its family with no code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from router.errors import ConfigError

_RULE_FIELDS = ("provider", "label", "match", "generation_ref", "quality", "step", "cap")


@dataclass(frozen=True)
class Family:
    """One line of models from one provider (e.g. Anthropic Sonnet), matched by API model name."""

    id: str
    provider: str
    label: str
    match: re.Pattern
    generation_ref: float
    quality: float
    step: float
    cap: float
    defaults: dict = field(default_factory=dict, hash=False, compare=False)

    def generation(self, api_model: str) -> float | None:
        """The generation number in an API model name (`claude-sonnet-4-6` → 4.6), None if it is not ours."""
        m = self.match.match(api_model)
        if m is None:
            return None
        gen = m.groupdict().get("gen") or ""
        try:
            return float(gen.replace("-", ".")) if gen else self.generation_ref
        except ValueError:
            return None

    def quality_at(self, generation: float) -> float:
        """The rule: reference quality plus `step` per generation, clamped to [0, cap]."""
        return round(max(0.0, min(self.cap, self.quality + self.step * (generation - self.generation_ref))), 2)

    def table_for(self, api_model: str, generation: float) -> dict:
        """The catalog fields this family gives a model of that generation (a model's own table wins)."""
        return {
            **self.defaults,
            "provider": self.provider,
            "family": self.id,
            "generation": generation,
            "quality": self.quality_at(generation),
        }


def parse_families(raw: dict, where: str) -> dict[str, Family]:
    """`[families.ID]` tables into Family objects; errors name the file."""
    out: dict[str, Family] = {}
    for fid, t in (raw or {}).items():
        if not isinstance(t, dict):
            raise ConfigError(f"{where}: families.{fid} must be a table")
        missing = [f for f in _RULE_FIELDS if f not in t]
        if missing:
            raise ConfigError(f"{where}: family {fid!r} needs {', '.join(missing)}")
        try:
            pattern = re.compile(t["match"])
        except re.error as exc:
            raise ConfigError(f"{where}: family {fid!r} has a bad match pattern: {exc}") from exc
        nums = {k: t[k] for k in ("generation_ref", "quality", "step", "cap")}
        if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in nums.values()):
            raise ConfigError(f"{where}: family {fid!r}: generation_ref, quality, step and cap must be numbers")
        defaults = {k: v for k, v in t.items() if k not in _RULE_FIELDS}
        out[fid] = Family(
            fid,
            t["provider"],
            t["label"],
            pattern,
            float(t["generation_ref"]),
            float(t["quality"]),
            float(t["step"]),
            float(t["cap"]),
            defaults,
        )
    return out


def family_for(provider: str, api_model: str, families: dict[str, Family]) -> tuple[Family, float] | None:
    """The family whose pattern matches this provider's API model name, with its generation."""
    for fam in families.values():
        if fam.provider != provider:
            continue
        gen = fam.generation(api_model)
        if gen is not None:
            return fam, gen
    return None


def with_family(table: dict, families: dict[str, Family]) -> dict:
    """A model table filled in from its family (named by `family`, else found by API model name)."""
    provider, api_model = table.get("provider", ""), table.get("api_model", "")
    fam_id = table.get("family")
    if fam_id:
        fam = families.get(fam_id)
        if fam is None:
            return table
        gen = table.get("generation") or fam.generation(api_model) or fam.generation_ref
    else:
        found = family_for(provider, api_model, families)
        if found is None:
            return table
        fam, gen = found
    return {**fam.table_for(api_model, float(gen)), **table}

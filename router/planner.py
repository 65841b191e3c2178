"""The routing decision: filters, then the task row, then weighted scores; every choice explained."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from router.cache_estimate import input_cost_per_call
from router.catalog import Catalog, ModelSpec
from router.display import fmt_usd
from router.dominance import CORE, NO_CAP, TYPICAL_OUTPUT, dominators, qualified, why_dominated
from router.errors import NoRouteError
from router.policy import Policy, TaskRow
from router.providers.info import PROVIDERS, label
from router.types import BUDGET_TIERS, SPEED_TIERS, Exclusion, ImageInput, Message, PlanEntry, RoutePlan

_TIER_RANK = {t: i for i, t in enumerate(BUDGET_TIERS)}
_SPEED_RANK = {t: i for i, t in enumerate(SPEED_TIERS)}
_BUDGET_REF = {"low": 0.001, "standard": 0.01, "premium": 0.05}  # typical $/call that scores 0.5
_IMAGE_TOKENS = 800


@dataclass
class Availability:
    """Which providers can be called now (key present / server reachable) and which models cool down."""

    ready: set[str] = field(default_factory=set)
    reasons: dict[str, str] = field(default_factory=dict)  # provider -> why it is not ready
    cooldown_until: dict[str, float] = field(default_factory=dict)  # model id -> unix time

    @classmethod
    def everything(cls) -> Availability:
        """All providers ready (tests, `route` previews)."""
        return cls(ready=set(PROVIDERS))


def estimate_tokens(messages: list[Message]) -> int:
    """Cheap prompt-size estimate: ~4 characters a token, plus per-message and per-image overheads."""
    n = 0
    for m in messages:
        n += len(m.content) // 4 + 4 + _IMAGE_TOKENS * len(m.images)
    return n


def stable_prefix_tokens(messages: list[Message]) -> int:
    """Estimated tokens before the newest user message (system prompt, earlier turns): what a prompt cache holds."""
    if len(messages) < 2:
        return 0
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=0)
    return estimate_tokens(messages[:last_user])


def _input_cost(m: ModelSpec, est_in: int, est_prefix: int) -> float:
    """USD of the prompt; `est_prefix` tokens of earlier turns are expected from the provider's prompt cache."""
    if est_prefix:
        return input_cost_per_call(m, est_in, est_prefix)
    return est_in * (m.input_price or 0.0) / 1_000_000


def _typical_cost(m: ModelSpec, est_in: int, est_prefix: int = 0) -> float:
    """USD for this prompt with a 500-token answer plus the model's expected reasoning tokens."""
    if m.local:
        return 0.0
    if m.kind == "image":
        return m.image_price()
    return _input_cost(m, est_in, est_prefix) + (500 + m.reasoning_tokens) * (m.output_price or 0.0) / 1_000_000


def score(
    m: ModelSpec, complexity: str, tier: str, est_in: int, policy: Policy, weights: dict, est_prefix: int = 0
) -> float:
    """Weighted score in 0..1: complexity fit, budget (cheapness), speed, quality."""
    need = policy.config.complexity_quality.get(complexity, 8.0)
    c = 1.0 if m.quality >= need else max(0.0, 1.0 - (need - m.quality) / 3.0)
    b = 1.0 / (1.0 + _typical_cost(m, est_in, est_prefix) / _BUDGET_REF[tier])
    s = 1.0 / (1.0 + m.latency_s / 3.0)
    q = m.quality / 10.0
    return weights["complexity"] * c + weights["budget"] * b + weights["speed"] * s + weights["quality"] * q


ALTERNATIVE_WHY = "eligible but not needed"  # the score is added when the plan is shown (keeps planning fast)

_REMEDIES = (  # (a phrase in an exclusion reason, what the user can do about it)
    ("exceeds its", "shorten or split the prompt"),
    ("API key", "add an API key in Settings → Keys (or `sparklio keys set PROVIDER`)"),
    ("Ollama", "install or start Ollama"),
    ("ollama pull", "pull a local model"),
    ("budget tier", "raise the budget tier"),
    ("offline mode", "turn off offline mode"),
    ("cooling down", "try again in a minute"),
    ("too slow for", "drop the speed tier"),
    ("below the", "lower the quality target"),
    ("price unknown", "give the model a price in catalog.toml in your data folder"),
    ("cannot read images", "remove the image or add a key for a vision model"),
    ("retired", "run `sparklio models --refresh` or add a key for a successor's provider"),
)


def _remedy(reasons: list[str]) -> str:
    """One sentence of fixes that match why the models were excluded."""
    tips = [tip for phrase, tip in _REMEDIES if any(phrase in r for r in reasons)]
    if any("exceeds its" in r for r in reasons):  # local models have the smallest contexts: no help there
        tips = [t for t in tips if "Ollama" not in t and "local model" not in t]
    if not tips:
        return "Add an API key in Settings → Keys, start Ollama, raise the budget tier or turn off offline mode."
    text = "; ".join(dict.fromkeys(tips))
    return f"To fix: {text}."


def _static_exclusion(
    m: ModelSpec, row: TaskRow, needs: frozenset, *, offline: bool, avail: Availability, retired: dict, pinned: bool
) -> str | None:
    """Why `m` can never serve this kind of request in this state (no prompt needed), or None."""
    if m.kind != row.kind:
        return f"{m.kind} model; {row.id} needs a {row.kind} model"
    missing = needs - m.capabilities
    if missing:
        if "vision" in missing:
            return "cannot read images"
        return f"lacks {', '.join(sorted(missing))}"
    if not m.priced:
        return (
            "price unknown: not run until it has a price (catalog.toml in your data folder)"
            if pinned
            else "price unknown: never routed automatically"
        )
    if offline and not m.local:
        return "offline mode: only local models run"
    if m.provider not in avail.ready:
        return avail.reasons.get(m.provider) or f"{label(m.provider)} is not set up"
    if m.local and not m.installed:
        return f"not installed (ollama pull {m.api_model})"
    r = retired.get(m.id)
    if r is not None:
        return f"retired: {r.why}; " + (f"served by {r.successor}" if r.successor else "no successor in the catalog")
    return None


def _tier_exclusion(m: ModelSpec, tier: str, speed: str | None, quality_min: float | None) -> str | None:
    """Why the request's budget tier, speed tier or quality target rules `m` out, or None."""
    if _TIER_RANK[m.min_budget] > _TIER_RANK[tier]:
        return f"needs the {m.min_budget} budget tier (current: {tier})"
    if speed is not None and _SPEED_RANK[m.speed] > _SPEED_RANK[speed]:
        return f"too slow for {speed} (typical {m.latency_s:g} s)"
    if quality_min is not None and m.quality < quality_min:
        return f"quality {m.quality:g} is below the {quality_min:g} target"
    return None


def _prompt_exclusion(
    m: ModelSpec, *, est_in: int, avail: Availability, now: float, images: list[ImageInput]
) -> str | None:
    """Why this prompt (its images, its size) or a cool-down rules `m` out, or None."""
    if images:
        from router.vision import refusal

        for image in images:
            why = refusal(m, image)
            if why:
                return why
    if m.kind == "chat" and est_in + min(m.max_output, 1024) > m.context_window:
        return f"prompt ~{est_in:,} tokens exceeds its {m.context_window:,}-token context"
    until = avail.cooldown_until.get(m.id)
    if until and until > now:
        return f"cooling down after repeated failures ({int(until - now)} s left)"
    return None


_STATIC: dict[tuple, tuple] = {}  # per catalog/lifecycle/request shape: one _Row per model


class _Row:
    """One model's prompt-independent verdict and the parts of its score that do not depend on the prompt."""

    __slots__ = ("ctx_limit", "fixed", "inp", "m", "out_cost", "post", "quality")

    def __init__(self, m: ModelSpec, post: str | None, weights: dict) -> None:
        self.m, self.post, self.quality = m, post, m.quality
        self.ctx_limit = m.context_window - min(m.max_output, 1024) if m.kind == "chat" else 1 << 60
        local = m.local
        self.inp = 0.0 if local or m.kind == "image" else (m.input_price or 0.0) / 1_000_000
        self.out_cost = (
            0.0
            if local
            else m.image_price()
            if m.kind == "image"
            else (500 + m.reasoning_tokens) * (m.output_price or 0.0) / 1_000_000
        )
        self.fixed = weights["speed"] / (1.0 + m.latency_s / 3.0) + weights["quality"] * m.quality / 10.0


def _static_table(
    catalog: Catalog,
    row: TaskRow,
    needs: frozenset,
    *,
    offline: bool,
    tier: str,
    speed: str | None,
    quality_min: float | None,
    avail: Availability,
    retired: dict,
    weights: dict,
) -> tuple[list[Exclusion], list[_Row]]:
    """Every model's prompt-independent verdict, computed once per catalog, lifecycle and request shape."""
    key = (
        id(catalog),
        catalog.version,
        len(catalog),
        id(retired),
        row.id,
        row.kind,
        needs,
        offline,
        tier,
        speed,
        quality_min,
        frozenset(avail.ready),
        tuple(avail.reasons.items()),
        tuple(weights.items()),
    )
    hit = _STATIC.get(key)
    if hit is not None and hit[0] is retired:
        return hit[1]
    out: list[Exclusion] = []
    rows: list[_Row] = []
    for m in catalog.models.values():
        pre = _static_exclusion(m, row, needs, offline=offline, avail=avail, retired=retired, pinned=False)
        if pre:
            out.append(Exclusion(m.id, pre))
        else:
            rows.append(_Row(m, _tier_exclusion(m, tier, speed, quality_min), weights))
    table = (out, rows)
    if len(_STATIC) > 512:
        _STATIC.clear()
    _STATIC[key] = (retired, table)
    return table


def _describe(m: ModelSpec, est_in: int, est_prefix: int = 0) -> str:
    cost = _typical_cost(m, est_in, est_prefix)
    money = "$0, local" if m.local else f"~{fmt_usd(cost)}/call"
    return f"quality {m.quality:g}, {money}, {m.speed}"


def _why(head: str, m: ModelSpec, est_in: int, est_prefix: int) -> Callable[[], str]:
    """A chain entry's reason, worded only when shown (formatting it is a third of a plan's time)."""
    return lambda: head + _describe(m, est_in, est_prefix)


def make_plan(
    *,
    messages: list[Message],
    task: str,
    complexity: str,
    tier: str,
    catalog: Catalog,
    policy: Policy,
    avail: Availability,
    offline: bool = False,
    speed: str | None = None,
    quality: str | None = None,
    pinned: str | None = None,
    has_image: bool = False,
    now: float | None = None,
    retired: dict | None = None,
) -> RoutePlan:
    """Build the RoutePlan for one request (no network). `retired`: Lifecycle.retired() (id -> Retirement)."""
    now = time.time() if now is None else now
    retired = _NONE if retired is None else retired
    row = policy.task(task)
    needs = row.needs | (
        {"vision"}
        if has_image and row.kind == "chat"
        else {"image_edit"}
        if has_image and row.kind == "image"
        else frozenset()
    )  # a source: an edit
    est_in = estimate_tokens(messages)
    est_prefix = stable_prefix_tokens(messages)
    images = [img for msg in messages for img in msg.images] if "vision" in needs else []
    quality_min = policy.config.quality_targets.get(quality) if quality else None
    weights = policy.weights
    if pinned is not None:
        return _pinned_plan(
            pinned,
            catalog,
            row,
            needs,
            est_in=est_in,
            offline=offline,
            tier=tier,
            speed=speed,
            quality=quality,
            quality_min=quality_min,
            avail=avail,
            now=now,
            images=images,
            retired=retired,
            complexity=complexity,
            policy=policy,
            est_prefix=est_prefix,
        )
    excluded: list[Exclusion] = []
    eligible: dict[str, ModelSpec] = {}
    scores: dict[str, float] = {}
    need = policy.config.complexity_quality.get(complexity, 8.0)
    wc, wb, ref = weights["complexity"], weights["budget"], _BUDGET_REF[tier]
    slow_checks = bool(images or avail.cooldown_until)
    ruled_out, candidates = _static_table(
        catalog,
        row,
        needs,
        offline=offline,
        tier=tier,
        speed=speed,
        quality_min=quality_min,
        avail=avail,
        retired=retired,
        weights=weights,
    )
    excluded.extend(ruled_out)
    for r in candidates:
        m = r.m
        if est_in > r.ctx_limit or slow_checks:
            why = _prompt_exclusion(m, est_in=est_in, avail=avail, now=now, images=images) or r.post
        else:
            why = r.post
        if why is not None:
            excluded.append(Exclusion(m.id, why))
            continue
        eligible[m.id] = m
        q = r.quality  # score(): complexity fit, cheapness for this prompt, speed and quality (inlined: hot path)
        c = 1.0 if q >= need else max(0.0, 1.0 - (need - q) / 3.0)
        inp = _input_cost(m, est_in, est_prefix) if est_prefix and r.inp else est_in * r.inp
        scores[m.id] = wc * c + wb / (1.0 + (inp + r.out_cost) / ref) + r.fixed
    excluded += [
        Exclusion(mid, f"named in the {task} row of policy.toml but not in the catalog")
        for mid in policy.row(task)
        if mid not in catalog
    ]
    chat = row.kind == "chat"
    need_q = max(need, quality_min or 0.0) if chat else NO_CAP
    keep = (CORE | needs) if chat else None  # abilities this request can use (tools, huge contexts: only if asked)
    answer = policy.config.answer_tokens.get(complexity, TYPICAL_OUTPUT)
    better = dominators(catalog, retired, need_q, keep, answer)
    upgrades = qualified(catalog, retired, need_q, answer) if chat else []
    chain: list[PlanEntry] = []
    used: set[str] = set()
    source = f" ({policy.provenance(task)})"  # the documents, your edit, or learned from your ratings
    for pos, mid in enumerate(policy.row(task)):
        target, notes = _slot(mid, eligible, retired, better, used, need_q, keep, answer)
        if target is not None and upgrades and eligible[target].quality < need_q:
            target = _upgrade(target, eligible, upgrades, used, keep, need_q, complexity, notes)
        if target is None:
            continue
        role = "primary" if pos == 0 else f"fallback {pos}"
        why = _why(
            f"{role} of the {task} row{source}; " + "".join(n + "; " for n in notes),
            eligible[target],
            est_in,
            est_prefix,
        )
        chain.append(
            PlanEntry(
                mid,
                eligible[target].provider,
                round(scores[target], 4),
                why,
                serves=target if target != mid else None,
                note="; ".join(notes),
            )
        )
        used.update((target, mid))
    rest = sorted((mid for mid in eligible if mid not in used), key=scores.__getitem__, reverse=True)
    extra: list[str] = []
    for mid in rest:  # the best-scoring eligible models dominated by none but the models already ahead of them
        if len(extra) >= policy.config.extra_fallbacks:
            break
        if not eligible[mid].local and not any(b in eligible and b not in used for b in better.get(mid, ())):
            extra.append(mid)
            used.add(mid)
    for mid in extra:
        chain.append(
            PlanEntry(
                mid,
                eligible[mid].provider,
                round(scores[mid], 4),
                _why(f"next best score {scores[mid]:.2f} among eligible models; ", eligible[mid], est_in, est_prefix),
            )
        )
    if policy.config.local_last_resort and not (chain and eligible[chain[-1].target].local):
        local = [mid for mid in rest if eligible[mid].local and mid not in used]
        if local:
            mid = local[0]
            chain.append(
                PlanEntry(mid, eligible[mid].provider, round(scores[mid], 4), "last resort: runs on this machine at $0")
            )
            used.add(mid)
    alternatives = [
        PlanEntry(mid, eligible[mid].provider, scores[mid], ALTERNATIVE_WHY) for mid in rest if mid not in used
    ]
    if not chain:
        why = {x.model: x.reason for x in excluded}
        reasons = "; ".join(f"{mid}: {why[mid]}" for mid in policy.row(task) if mid in why)
        raise NoRouteError(
            f"no model can take this {task} request ({reasons or 'no eligible model'}). "
            + _remedy([x.reason for x in excluded])
        )
    return RoutePlan(
        task,
        complexity,
        tier,
        speed,
        quality,
        offline,
        chain,
        excluded,
        est_in,
        alternatives=alternatives,
        kind=row.kind,
    )


_NONE: dict = {}


def _slot(
    mid: str,
    eligible: dict[str, ModelSpec],
    retired: dict,
    better: dict[str, list[str]],
    used: set[str],
    need: float,
    keep: frozenset | None,
    answer: int,
) -> tuple[str | None, list[str]]:
    """Which model serves a policy row's slot, and the words for each substitution (None: nothing can)."""
    notes: list[str] = []
    target = mid
    r = retired.get(mid)
    if r is not None:
        if r.successor is None or r.successor not in eligible:
            return None, notes
        target = r.successor
        notes.append(f"{mid} → served by {target} ({r.why})")
    elif mid not in eligible:
        return None, notes
    # the cheapest eligible model that dominates it and serves no earlier slot (a fallback stays a different model)
    best = next((b for b in better.get(target, ()) if b in eligible and b not in used), None)
    if best is not None:
        notes.append(
            f"{target} → served by {best}: " + why_dominated(eligible[best], eligible[target], need, keep, answer)
        )
        target = best
    return (None, notes) if target in used else (target, notes)


def _upgrade(
    target: str,
    eligible: dict[str, ModelSpec],
    upgrades: list[ModelSpec],
    used: set[str],
    keep: frozenset | None,
    need: float,
    complexity: str,
    notes: list[str],
) -> str:
    """A slot whose model is below the quality this request needs: the cheapest eligible model that clears it."""
    m = eligible[target]
    caps = m.capabilities if keep is None else m.capabilities & keep
    for u in upgrades:
        if u.id in eligible and u.id not in used and caps <= u.capabilities:
            notes.append(
                f"{target} (quality {m.quality:g}) is below the {need:g} a {complexity} request needs → "
                f"served by {u.id} (quality {u.quality:g}, the cheapest that clears it)"
            )
            return u.id
    return target


def _pinned_plan(
    pinned: str,
    catalog: Catalog,
    row: TaskRow,
    needs: frozenset,
    *,
    est_in: int,
    offline: bool,
    tier: str,
    speed: str | None,
    quality: str | None,
    quality_min: float | None,
    avail: Availability,
    now: float,
    images: list[ImageInput],
    retired: dict,
    complexity: str,
    policy: Policy,
    est_prefix: int = 0,
) -> RoutePlan:
    """The one-model plan for `--model ID` (a retired pin is served by its successor, and says so)."""
    m = catalog.get(pinned)
    note = ""
    r = retired.get(pinned)
    if r is not None:
        if r.successor is None:
            raise NoRouteError(f"{pinned} is retired ({r.why}) and no catalog model succeeds it")
        note = f"{pinned} → served by {r.successor} ({r.why})"
        m = catalog.get(r.successor)
    why = _static_exclusion(
        m, row, needs, offline=offline, avail=avail, retired=retired, pinned=True
    ) or _prompt_exclusion(m, est_in=est_in, avail=avail, now=now, images=images)
    if why:
        raise NoRouteError(f"{m.id} cannot take this request: {why}")
    text = f"chosen by you ({_describe(m, est_in, est_prefix)})" + (f"; {note}" if note else "")
    chain = [
        PlanEntry(
            pinned,
            m.provider,
            round(score(m, complexity, tier, est_in, policy, policy.weights, est_prefix), 4),
            text,
            serves=m.id if m.id != pinned else None,
            note=note,
        )
    ]
    return RoutePlan(row.id, complexity, tier, speed, quality, offline, chain, [], est_in, kind=row.kind)

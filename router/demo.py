"""Seed a demo database: conversations, a month of ledger rows, ratings and one policy suggestion."""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

from router.budget import Budget
from router.catalog import ModelSpec, load_catalog_file
from router.errors import SparklioError
from router.learning import Learning
from router.paths import RESOURCES
from router.policy import Policy
from router.settings import Settings
from router.store.db import database, open_store
from router.store.models import ChatMessage, Conversation
from router.types import Usage

DAY_S = 86400.0

# task -> (weight, chain, input token range, output token range, kind)
TASKS: dict[str, tuple[int, list[str], tuple[int, int], tuple[int, int], str]] = {
    "chat_response": (30, ["gemini-2.0-flash", "gpt-3.5-turbo", "qwen2.5"], (200, 1500), (80, 600), "chat"),
    "brief_questions": (12, ["gpt-4", "claude-3-5-sonnet", "gemini-2.0-pro"], (300, 1200), (200, 700), "chat"),
    "copywriting_standard": (14, ["claude-3-5-sonnet", "gpt-4", "gemini-2.0-pro"], (500, 2000), (400, 1400), "chat"),
    "copywriting_premium": (4, ["claude-3-opus", "gpt-4-turbo", "claude-3-5-sonnet"], (800, 2500), (600, 1800), "chat"),
    "template_generation": (10, ["qwen2.5", "gemini-2.0-flash", "gpt-3.5-turbo"], (200, 800), (200, 900), "chat"),
    "translation": (8, ["gemini-2.0-pro", "gpt-3.5-turbo", "llama3.2"], (200, 1500), (200, 1500), "chat"),
    "strategy_planning": (3, ["gpt-4-turbo", "claude-3-opus", "gpt-4"], (1500, 5000), (800, 2500), "chat"),
    "trend_analysis": (5, ["gemini-2.0-pro", "gpt-4", "claude-3-5-sonnet"], (1000, 6000), (400, 1200), "chat"),
    "code_generation": (8, ["gpt-5.1-codex", "gpt-4", "qwen2.5-coder"], (400, 3000), (300, 2000), "chat"),
    "embeddings": (6, ["text-embedding-3-small", "gemini-embedding"], (2000, 20000), (0, 0), "embed"),
    "image_generation_bulk": (3, ["stable-diffusion", "dall-e-3"], (0, 0), (0, 0), "image"),
}
CACHEABLE = {"chat_response", "translation", "template_generation", "embeddings"}

CONVERSATIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Launch copy for the spring collection",
        "copywriting_standard",
        [
            (
                "Write three Instagram captions for our spring linen collection. Warm, not salesy.",
                "**1.** Soft mornings, open windows, linen that breathes with you.\n\n**2.** Made for long lunches"
                " and longer evenings.\n\n**3.** Spring, slowed down. Our linen edit is here.",
            ),
            (
                "Make the second one shorter and add a call to action.",
                "Made for long lunches. Shop the linen edit — link in bio.",
            ),
        ],
    ),
    (
        "Quarterly content strategy",
        "strategy_planning",
        [
            (
                "Plan Q3 content for a small ceramics studio: goals, channels, cadence.",
                "## Goals\n- Grow newsletter to 2,000 subscribers\n- Two studio-sale launches\n\n## Channels\n"
                "| Channel | Cadence |\n|---|---|\n| Instagram | 4 posts/week |\n| Newsletter | every 2 weeks |\n"
                "| Pinterest | 10 pins/week |",
            ),
        ],
    ),
    (
        "Translate product page to German",
        "translation",
        [
            (
                "Translate: 'Hand-thrown stoneware, glazed in small batches. Dishwasher safe.'",
                "Handgedrehtes Steinzeug, in kleinen Chargen glasiert. Spülmaschinenfest.",
            ),
        ],
    ),
    (
        "CSV cleanup script",
        "code_generation",
        [
            (
                "Python: read orders.csv, drop rows with empty email, write clean.csv.",
                "```python\nimport csv\n\nwith open('orders.csv', newline='') as src, open('clean.csv', 'w', newline='')"
                " as dst:\n    rows = csv.DictReader(src)\n    out = csv.DictWriter(dst, rows.fieldnames)\n"
                "    out.writeheader()\n    out.writerows(r for r in rows if r['email'].strip())\n```",
            ),
            (
                "Also lower-case the emails.",
                "Change the last line to write `{**r, 'email': r['email'].strip().lower()}`.",
            ),
        ],
    ),
    (
        "What's trending in home decor",
        "trend_analysis",
        [
            (
                "Summarise this month's home decor trends for a newsletter intro.",
                "Earthy tones keep their hold — terracotta, olive and oat — while *quiet texture* (bouclé, raw linen,"
                " limewash) replaces last year's bold prints.",
            ),
        ],
    ),
    (
        "Quick questions",
        "chat_response",
        [
            (
                "What's a good length for an email subject line?",
                "Aim for 30–50 characters: 4–7 words read fully on phones.",
            ),
            ("And for a preheader?", "40–100 characters; make it add to the subject rather than repeat it."),
        ],
    ),
    (
        "Newsletter template",
        "template_generation",
        [
            (
                "Make a reusable newsletter template with sections for news, a feature and a sale.",
                "# {{title}}\n\n## News\n{{news}}\n\n## Feature\n{{feature}}\n\n## Sale\n{{sale_details}}",
            ),
        ],
    ),
    (
        "Client brief: cafe rebrand",
        "brief_questions",
        [
            (
                "What should I ask a cafe owner before a rebrand?",
                "1. Who comes in today, and who do you wish came in?\n2. What must not change?\n3. Budget and timeline?"
                "\n4. Three brands you admire — and why?",
            ),
        ],
    ),
]


@dataclass
class DemoSummary:
    """What seed_demo wrote."""

    conversations: int
    messages: int
    ledger_rows: int
    ratings: int
    suggestions: int
    month_spend_usd: float


def _lognormal(rng: random.Random, median: float, sigma: float = 0.35) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _usage_for(rng: random.Random, spec: ModelSpec, task: str) -> Usage:
    _w, _chain, (ilo, ihi), (olo, ohi), kind = TASKS[task]
    if kind == "image":
        return Usage(images=rng.choice([1, 1, 2, 4]), image_size="1024x1024", image_quality="standard", gpu_seconds=0.0)
    inp = rng.randint(ilo, ihi) * 2
    out = rng.randint(olo, ohi) * 2 if ohi else 0
    cached = int(inp * rng.choice([0, 0, 0.5])) if spec.provider in ("openai", "anthropic") else 0
    reasoning = int(out * 0.4) if "reasoning" in spec.capabilities and spec.provider == "openai" else 0
    return Usage(input_tokens=inp, output_tokens=out, cached_input_tokens=cached, reasoning_tokens=reasoning)


def _choose(rng: random.Random, chain: list[str]) -> tuple[int, bool]:
    """(position of the model that answered, experiment?)"""
    r = rng.random()
    if r < 0.05 and len(chain) > 1:
        return rng.randrange(1, len(chain)), True
    if r < 0.15 and len(chain) > 1:
        return 1, False
    if r < 0.18 and len(chain) > 2:
        return 2, False
    return 0, False


class _Seeder:
    """Writes rows through the real ledger path (Budget.record_attempt)."""

    def __init__(self, rng: random.Random, budget: Budget, models: dict[str, ModelSpec]) -> None:
        self.rng, self.budget, self.models = rng, budget, models
        self.rows = 0

    def request(
        self,
        task: str,
        ts: float,
        *,
        position: int | None = None,
        experiment: bool = False,
        message_id: int | None = None,
        conversation_id: int | None = None,
        allow_cache: bool = True,
    ) -> tuple[ModelSpec, Usage, float, float]:
        """Write the attempts of one request; returns (model, usage, cost, latency_ms) of the answer."""
        rng = self.rng
        chain = TASKS[task][1]
        if position is None:
            position, experiment = _choose(rng, chain)
        kind = TASKS[task][4]
        # Failed attempts before the answering model (only for real fallbacks).
        if not experiment:
            for p in range(position):
                failed = self.models[chain[p]]
                err = rng.choice(
                    [
                        ("TransientError", "503 Service Unavailable after 3 tries"),
                        ("RateLimitedError", "429 Too Many Requests (retry after 60 s)"),
                        ("TransientError", "stream cut before the answer finished"),
                    ]
                )
                self.budget.record_attempt(
                    None,
                    ts=ts,
                    kind=kind,
                    task=task,
                    model=failed.id,
                    provider=failed.provider,
                    outcome="error",
                    error_class=err[0],
                    error=err[1],
                    latency_ms=round(_lognormal(rng, 900), 1),
                    fallback_position=p,
                    attempt=3 if err[0] == "TransientError" else 1,
                    conversation_id=conversation_id,
                )
                self.rows += 1
                ts += 2.0
        spec = self.models[chain[position]]
        usage = _usage_for(rng, spec, task)
        cost = spec.cost(usage)
        cached = allow_cache and task in CACHEABLE and not experiment and position == 0 and rng.random() < 0.12
        latency = _lognormal(rng, spec.latency_s * 1000 * (0.25 if kind == "embed" else 1.0))
        if spec.local:
            usage.gpu_seconds = round(latency / 1000 * 0.9, 3)
            usage.energy_wh = round(usage.gpu_seconds * 220 / 3600, 4)
        if cached:
            cached_ms = round(_lognormal(rng, 12, 0.2), 1)
            self.budget.record_attempt(
                None,
                ts=ts,
                kind=kind,
                task=task,
                model=spec.id,
                provider=spec.provider,
                outcome="ok",
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cost_usd=0.0,
                saved_usd=round(cost, 8),
                latency_ms=cached_ms,
                ttft_ms=cached_ms,
                cached=True,
                message_id=message_id,
                conversation_id=conversation_id,
            )
            self.rows += 1
            return spec, usage, 0.0, cached_ms
        ttft = round(latency * rng.uniform(0.12, 0.3), 1) if kind == "chat" else None
        self.budget.record_attempt(
            None,
            ts=ts,
            kind=kind,
            task=task,
            model=spec.id,
            provider=spec.provider,
            outcome="ok",
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            cache_saved_usd=round(spec.cost(replace(usage, cached_input_tokens=0)) - cost, 8),
            reasoning_tokens=usage.reasoning_tokens,
            images=usage.images,
            cost_usd=round(cost, 8),
            latency_ms=round(latency, 1),
            ttft_ms=ttft,
            fallback_position=position,
            experiment=experiment,
            message_id=message_id,
            conversation_id=conversation_id,
            gpu_seconds=usage.gpu_seconds,
            energy_wh=usage.energy_wh,
        )
        self.rows += 1
        return spec, usage, cost, latency


def _meta(spec: ModelSpec, task: str, usage: Usage, cost: float, latency: float) -> dict:
    """The footer metadata the facade stores with an answer (same shape as router.app)."""
    return {
        "model": spec.id,
        "provider": spec.provider,
        "cost_usd": round(cost, 8),
        "cached": False,
        "latency_ms": round(latency, 1),
        "ttft_ms": round(latency * 0.2, 1),
        "experiment": False,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cached_input_tokens": usage.cached_input_tokens,
            "reasoning_tokens": usage.reasoning_tokens,
        },
        "attempts": [
            {
                "model": spec.id,
                "provider": spec.provider,
                "outcome": "ok",
                "error": "",
                "error_class": "",
                "fallback_position": 0,
                "latency_ms": round(latency, 1),
            }
        ],
        "plan": f"{spec.id} is the policy's primary for {task}",
        "task": task,
    }


def _stars(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.7))))


def _is_empty() -> bool:
    n_usage = database.execute_sql("SELECT COUNT(*) FROM llm_usage").fetchone()[0]
    n_conv = database.execute_sql("SELECT COUNT(*) FROM conversations").fetchone()[0]
    return n_usage == 0 and n_conv == 0


def _rate(learning, msg, stars: int) -> None:
    """Rate through the learner and keep the stars with the message, as app.rate does."""
    learning.rate(msg.id, stars)
    meta = msg.meta_dict
    meta["stars"] = stars
    ChatMessage.update(meta=json.dumps(meta)).where(ChatMessage.id == msg.id).execute()


def seed_demo(
    data_dir: Path, *, seed: int = 7, now: float | None = None, days: int = 30, monthly_limit_usd: float = 60.0
) -> DemoSummary:
    """Fill an empty data folder with a deterministic month of demo activity (same seed and now: same rows).

    Call it before opening the facade on `data_dir` (it binds the store to that folder).
    """
    now = time.time() if now is None else float(now)
    store = open_store(Path(data_dir))
    if not _is_empty():
        raise SparklioError(f"{data_dir} already holds conversations or usage; demo data needs an empty data folder")
    rng = random.Random(seed)
    models, *_ = load_catalog_file(RESOURCES / "catalog.toml")
    settings = Settings(store)
    budget = Budget(settings, None, clock=lambda: now)
    seeder = _Seeder(rng, budget, models)
    policy = Policy(RESOURCES / "policy.toml", settings=settings)
    learning = Learning(settings, policy, None, random.Random(seed), catalog=models, budget=budget, clock=lambda: now)
    ratings = 0
    with database.atomic():
        settings.monthly_limit_usd = monthly_limit_usd
        settings.provider_limits = {"anthropic": 25.0, "openai": 30.0}
        settings.first_run_done = True
        # Background traffic: every day of the window, busier on weekdays.
        names, weights = list(TASKS), [TASKS[t][0] for t in TASKS]
        start = now - days * DAY_S
        for d in range(days):
            day_start = start + d * DAY_S
            weekday = time.localtime(day_start).tm_wday < 5
            n = rng.randint(40, 70) if weekday else rng.randint(10, 24)
            for ts in sorted(day_start + rng.uniform(8, 22) * 3600 for _ in range(n)):
                if ts >= now:
                    continue
                seeder.request(rng.choices(names, weights)[0], ts)
        # Conversations with messages, linked ledger rows and ratings.
        n_msgs = 0
        for i, (title, task, turns) in enumerate(CONVERSATIONS):
            ts = now - (i + 1) * 0.37 * DAY_S  # the first conversation is the most recent
            conv = Conversation.create(title=title, created_at=ts, updated_at=ts + 600 * len(turns))
            for prompt, answer in turns:
                ChatMessage.create(conversation=conv, role="user", content=prompt, created_at=ts)
                msg = ChatMessage.create(conversation=conv, role="assistant", content=answer, created_at=ts + 5)
                spec, usage, cost, latency = seeder.request(
                    task, ts, position=0, message_id=msg.id, conversation_id=conv.id, allow_cache=False
                )
                msg.model = spec.id
                msg.meta = json.dumps(_meta(spec, task, usage, cost, latency))
                msg.save()
                n_msgs += 2
                if rng.random() < 0.7:
                    _rate(learning, msg, _stars(rng, 4.3))
                    ratings += 1
                ts += 600
        # Rated answers that back the learner's suggestion: brief_questions, claude-3-5-sonnet beats gpt-4.
        for j in range(32):
            ts = now - rng.uniform(1, days - 1) * DAY_S
            position, mean = (1, 4.7) if j % 2 else (0, 3.6)
            msg = ChatMessage.create(conversation=None, role="assistant", content="(demo answer)", created_at=ts)
            spec, _u, _c, _l = seeder.request(
                "brief_questions", ts, position=position, experiment=bool(j % 2), message_id=msg.id, allow_cache=False
            )
            msg.model = spec.id
            msg.save()
            n_msgs += 1
            _rate(learning, msg, _stars(rng, mean))
            ratings += 1
        n_sugg = len(learning.suggestions("open"))
    month = budget.local(now).strftime("%Y-%m")
    spent = database.execute_sql(
        "SELECT COALESCE(SUM(cost_usd), 0) FROM spend_totals WHERE period = ?", (month,)
    ).fetchone()[0]
    n_conv = len(CONVERSATIONS)
    return DemoSummary(
        conversations=n_conv,
        messages=n_msgs,
        ledger_rows=seeder.rows,
        ratings=ratings,
        suggestions=n_sugg,
        month_spend_usd=round(float(spent), 4),
    )

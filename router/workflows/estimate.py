"""Price a workflow before it runs: the model each step will use, its cost, and the all-premium comparison."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from router.cache_estimate import shared_prefix_usages
from router.display import fmt_usd
from router.errors import SparklioError
from router.planner import stable_prefix_tokens
from router.pricing import call_cost
from router.types import Complexity, ImageInput, Message, RouteRequest, Usage
from router.workflows.model import StepSpec, Workflow
from router.workflows.templates import Field, render
from router.workflows.upscaling import upscale_note

CHARS_PER_TOKEN = 4
IMAGE_OUTPUT_CHARS = 60
TABLE_OUTPUT_CHARS = 1200
SCHEMA_FALLBACK_CHARS = 1500


@dataclass
class StepEstimate:
    """One step's expected model, calls, tokens and cost (plus the same on the premium tier)."""

    step_id: str
    title: str
    task: str | None
    calls: int
    model: str | None
    provider: str | None
    input_tokens: int = 0  # per call
    output_tokens: int = 0  # per call
    images: int = 0  # generated images (all calls)
    cost_usd: float = 0.0
    premium_model: str | None = None
    premium_cost_usd: float = 0.0
    local: bool = False
    note: str = ""
    batch_cost_usd: float | None = None  # the same calls through the provider's Batch API (None: no Batch API)
    upscales: int = 0  # images upscaled on this machine afterwards (`upscale = 2|4`; free)
    upscale_note: str = ""  # how they will be upscaled, or why they cannot be (also in `note`)


@dataclass
class Estimate:
    """A workflow's estimate: per step and in total, beside every step forced onto the premium tier."""

    workflow: str
    title: str
    steps: list[StepEstimate] = field(default_factory=list)

    @property
    def total_usd(self) -> float:
        """Estimated USD for the run as routed now."""
        return sum(s.cost_usd for s in self.steps)

    @property
    def premium_total_usd(self) -> float:
        """Estimated USD with every step on the premium tier's models."""
        return sum(s.premium_cost_usd for s in self.steps)

    @property
    def batch_total_usd(self) -> float:
        """Estimated USD with every step that has a Batch API sent through it (the rest live)."""
        return sum(s.cost_usd if s.batch_cost_usd is None else s.batch_cost_usd for s in self.steps)

    def step(self, step_id: str) -> StepEstimate:
        """The estimate for one step."""
        return next(s for s in self.steps if s.step_id == step_id)

    def to_json(self) -> dict[str, Any]:
        """The `workflow estimate --json` shape."""
        return {
            "workflow": self.workflow,
            "title": self.title,
            "total_usd": round(self.total_usd, 6),
            "premium_total_usd": round(self.premium_total_usd, 6),
            "batch_total_usd": round(self.batch_total_usd, 6),
            "steps": [
                {**asdict(s), "cost_usd": round(s.cost_usd, 6), "premium_cost_usd": round(s.premium_cost_usd, 6)}
                for s in self.steps
            ],
        }

    def summary(self) -> str:
        """One line like the document's: '~$0.04 (vs $0.24 on the premium tier)'."""
        return f"~{fmt_usd(self.total_usd)} (vs {fmt_usd(self.premium_total_usd)} with every step on the premium tier)"


class Sizer:
    """Expected output sizes, used to fill placeholders before anything has run."""

    def __init__(self, app: Any, wf: Workflow, inputs: dict[str, str]) -> None:
        self.app, self.wf, self.inputs = app, wf, inputs
        self._action_text: dict[str, str] = {}

    def input_text(self, name: str) -> str:
        """The value given, else the default, else filler of the input's expected length."""
        spec = self.wf.inputs[name]
        if self.inputs.get(name) not in (None, ""):
            return str(self.inputs[name])
        if spec.default not in (None, ""):
            return str(spec.default)
        return "" if spec.kind in ("file", "image") else "x" * spec.expected_chars

    def list_items(self, name: str) -> list[str]:
        """A list input's items (five typical ones before a value is given)."""
        value = self.inputs.get(name) or self.wf.inputs[name].default
        if not value:
            return ["x" * (self.wf.inputs[name].expected_chars // 5 or 1)] * 5
        from router.workflows.bulk import parse_items

        return parse_items(value, name)

    def items(self, step: StepSpec) -> int:
        """How many calls (fan-out) the step makes."""
        if step.for_each is None:
            return step.count
        if step.for_each in self.wf.inputs:
            return len(self.list_items(step.for_each))
        source = self.wf.step(step.for_each)
        n = source.expected_items if source.split else self.items(source)
        return min(n, step.count) if step.count > 1 else n

    def list_len(self, step: StepSpec) -> int:
        """How many items its output holds."""
        if step.split:
            return step.expected_items
        return self.items(step) if (step.fan_out or step.is_image) else 1

    def item_chars(self, step: StepSpec) -> int:
        """Characters of one output item."""
        if step.action == "pick":
            source = self.wf.step(step.options or "")
            return self.item_chars(source)
        if step.action in ("read_schema", "ledger_summary"):
            return len(self.action_text(step))
        if step.action == "run_sql":
            return TABLE_OUTPUT_CHARS
        if step.is_image:
            return IMAGE_OUTPUT_CHARS
        total = step.max_output_tokens * CHARS_PER_TOKEN
        return max(1, total // step.expected_items) if step.split else total

    def output_chars(self, step: StepSpec) -> int:
        """Characters of the whole output (lists numbered)."""
        n = self.list_len(step)
        return n * self.item_chars(step) + (4 * n if n > 1 else 0)

    def action_text(self, step: StepSpec) -> str:
        """The real output of a cheap local step when it can be computed now (schema, ledger)."""
        if step.id not in self._action_text:
            text = "x" * SCHEMA_FALLBACK_CHARS
            try:
                rendered = render(step.prompt, self._resolve_plain, step.id)
                if step.action == "read_schema":
                    from router.workflows.actions import open_source

                    src = open_source(rendered)
                    try:
                        text = src.schema_text()
                    finally:
                        src.close()
                elif step.action == "ledger_summary":
                    from router.workflows.actions import ledger_summary

                    text = ledger_summary(self.app, rendered)
            except (SparklioError, OSError):
                pass  # no file yet: use the typical size
            self._action_text[step.id] = text
        return self._action_text[step.id]

    def _resolve_plain(self, f: Field) -> str:
        return self.input_text(f.name) if f.root == "inputs" else ""

    def resolve(self, step: StepSpec, f: Field) -> str:
        """Filler text of the right length for one placeholder."""
        if f.root == "inputs":
            return self.input_text(f.name)
        if f.root == "steps":
            source = self.wf.step(f.name)
            n = self.item_chars(source) if f.part else self.output_chars(source)
            return "x" * n
        if f.root == "item":
            if step.for_each in self.wf.inputs:
                items = self.list_items(step.for_each)
                return "x" * (sum(map(len, items)) // len(items))
            if step.for_each:
                return "x" * self.item_chars(self.wf.step(step.for_each))
            return "1"
        return str(self.items(step))


def step_complexity(app: Any, step: StepSpec) -> Complexity | None:
    """The step's complexity, else its task row's default (so the classifier is never needed)."""
    if step.complexity or not step.task:
        return step.complexity
    row = app.policy.tasks.get(step.task)
    return cast("Complexity", row.complexity) if row is not None else None  # policy rows hold valid levels


def _plan_anyway(app: Any, req: RouteRequest) -> Any:
    """The plan as if every provider were set up (for an estimate shown before keys are added)."""
    from router.planner import Availability, make_plan

    assert req.task is not None and req.complexity is not None  # workflow steps name both (step_complexity)
    return make_plan(
        messages=req.messages,
        task=req.task,
        complexity=req.complexity,
        tier=req.budget or app.budget.tier(),
        catalog=app.catalog,
        policy=app.policy,
        avail=Availability.everything(),
        offline=False,
        speed=req.speed,
        quality=req.quality,
        pinned=req.model,
        has_image=req.has_image,
    )


def _request(
    app: Any, step: StepSpec, messages: list[Message], *, premium: bool, pinned: str | None
) -> tuple[Any, str]:
    """(plan, note): the routed plan, else one as if set up (note says so); premium drops the quality bar if needed."""
    req = RouteRequest(
        messages,
        task=step.task,
        complexity=step_complexity(app, step),
        speed=step.speed,
        quality="production" if premium else step.quality,
        model=None if premium else pinned,
        max_output_tokens=step.max_output_tokens,
        budget="premium" if premium else None,
        explore=False,
    )
    attempts = [req]
    if premium:
        attempts.append(RouteRequest(**{**req.__dict__, "quality": step.quality}))
    first_error: SparklioError | None = None
    for r in attempts:
        try:
            return app.plan(r), ""
        except SparklioError as exc:
            first_error = first_error or exc
    for r in attempts:
        try:
            plan = _plan_anyway(app, r)
        except SparklioError:
            continue
        reasons = app.registry.availability().reasons
        return plan, f"needs setup: {reasons.get(plan.chain[0].provider, 'not available now')}"
    raise first_error  # type: ignore[misc]


def step_messages(step: StepSpec, prompt: str, images: list[ImageInput]) -> list[Message]:
    """The messages a step sends (system first when it has one)."""
    msgs = [Message("system", step.system)] if step.system.strip() else []
    msgs.append(Message("user", prompt, list(images)))
    return msgs


def image_size_for(spec: Any, size: str) -> str:
    """`size` when the model offers it (or is local), else the offered size closest in shape and area."""
    offered = [k for k in spec.image_prices if "x" in k and "/" not in k]
    if spec.local or not offered or size in offered:
        return size
    try:
        w, h = (int(v) for v in size.lower().split("x", 1))
    except ValueError:
        return offered[0]

    def distance(k: str) -> tuple[bool, int]:
        kw, kh = (int(v) for v in k.split("x", 1))
        return ((kw > kh) != (w > h) or (kw == kh) != (w == h), abs(kw * kh - w * h))

    return min(offered, key=distance)


def _price(app: Any, step: StepSpec, plan: Any, calls: int, prefix: int = 0) -> tuple[str, str, float, bool, int]:
    spec = app.catalog.get(plan.chain[0].target)  # the model that serves the row's slot
    if step.is_image:
        usage = Usage(
            images=calls * step.variations, image_size=image_size_for(spec, step.size), image_quality=step.image_quality
        )
        return spec.id, spec.provider, call_cost(spec, usage), spec.local, 0
    out = max(1, min(step.max_output_tokens + spec.reasoning_tokens, spec.max_output))  # reasoning is output
    return spec.id, spec.provider, _text_cost(spec, plan, out, calls, prefix), spec.local, out


def _text_cost(spec: Any, plan: Any, out: int, calls: int, prefix: int, batch: bool = False) -> float:
    """`calls` calls of one step; with a shared system prompt the provider's cache serves it after the first."""
    return sum(
        call_cost(spec, u, batch=batch) * n
        for u, n in shared_prefix_usages(spec, plan.estimated_input_tokens, out, prefix, calls)
    )


def _batch_price(app: Any, step: StepSpec, plan: Any, calls: int, prefix: int) -> float | None:
    """The step's calls at batch rates on the first chain model with a Batch API (None: none has one)."""
    if step.is_image:
        return None
    spec = app.batch.pick(plan)
    if spec is None:
        return None
    out = max(1, min(step.max_output_tokens + spec.reasoning_tokens, spec.max_output))  # reasoning is output
    return _text_cost(spec, plan, out, calls, prefix, batch=True)


def estimate_workflow(
    app: Any,
    wf: Workflow,
    inputs: dict[str, str],
    *,
    images: dict[str, ImageInput] | None = None,
    pinned: dict[str, str] | None = None,
) -> Estimate:
    """Estimate every step: rendered prompt size with placeholder lengths, expected output, fan-out, image prices."""
    sizer = Sizer(app, wf, inputs)
    est = Estimate(wf.name, wf.title)
    for step in wf.steps:
        calls = sizer.items(step)
        if step.action:
            est.steps.append(
                StepEstimate(
                    step.id, step.label, None, calls, None, None, local=True, note="runs on this machine, no model"
                )
            )
            continue
        prompt = render(step.prompt, lambda f, s=step: sizer.resolve(s, f), f"{wf.name}.{step.id}")
        imgs = [(images or {}).get(n) or ImageInput(b"", "image/png", n) for n in step.images]
        msgs = step_messages(step, prompt, imgs)
        try:
            plan, note = _request(app, step, msgs, premium=False, pinned=(pinned or {}).get(step.id))
        except SparklioError as exc:
            est.steps.append(StepEstimate(step.id, step.label, step.task, calls, None, None, note=str(exc)))
            continue
        prefix = 0 if "{item" in step.system or "{index" in step.system else stable_prefix_tokens(msgs)
        model, provider, cost, local, out = _price(app, step, plan, calls, prefix)
        if plan.chain[0].serves:
            note = "; ".join(n for n in (note, f"{plan.chain[0].model} → served by {model}") if n)
        row = StepEstimate(
            step.id,
            step.label,
            step.task,
            calls,
            model,
            provider,
            plan.estimated_input_tokens,
            out,
            calls * step.variations if step.is_image else 0,
            cost,
            model,
            cost,
            local,
            note,
            _batch_price(app, step, plan, calls, prefix),
        )
        if step.upscale > 1:
            row.upscales, row.upscale_note = row.images, upscale_note(app, step, model)
            row.note = "; ".join(n for n in (row.note, row.upscale_note) if n)
        try:
            pplan, _ = _request(app, step, msgs, premium=True, pinned=None)
            row.premium_model, _, row.premium_cost_usd, _, _ = _price(app, step, pplan, calls, prefix)
        except SparklioError as exc:
            row.note = row.note or f"premium tier: {exc}"
        est.steps.append(row)
    return est


def within(estimate: float, actual: float) -> float:
    """Relative error of an estimate (0.1 = 10% off); 0 when both are zero."""
    if actual == 0:
        return 0.0 if estimate == 0 else math.inf
    return abs(estimate - actual) / actual

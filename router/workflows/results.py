"""What a workflow run reports: progress events, per-step results and the run's totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Progress:
    """A progress report: run_started, step_started, item_done, step_done, step_failed, step_skipped, run_done."""

    event: str
    run_id: int
    step_id: str = ""
    title: str = ""
    index: int = 0
    total: int = 0
    model: str = ""
    cost_usd: float = 0.0
    message: str = ""


@dataclass
class StepResult:
    """One step after (or during) a run."""

    step_id: str
    title: str
    status: str
    model: str | None
    output: Any
    cost_usd: float
    estimate_usd: float | None
    error: str | None = None
    items_done: int = 0
    items_total: int = 0


@dataclass
class RunResult:
    """A run's state: per-step results, actual vs estimated cost, and the one-line message when it stopped early."""

    run_id: int
    workflow: str
    title: str
    status: str
    steps: list[StepResult] = field(default_factory=list)
    cost_usd: float = 0.0
    estimate_usd: float | None = None
    premium_estimate_usd: float | None = None
    message: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    result_spec: dict = field(default_factory=dict)  # the workflow's [result] table (how to assemble it)

    def step(self, step_id: str) -> StepResult:
        """The result of one step."""
        return next(s for s in self.steps if s.step_id == step_id)

    def output(self, step_id: str) -> Any:
        """A step's output (text, list, table dict or image records)."""
        return self.step(step_id).output

    def to_json(self) -> dict[str, Any]:
        """The `workflow run --json` shape."""
        return {
            "run_id": self.run_id,
            "workflow": self.workflow,
            "status": self.status,
            "cost_usd": round(self.cost_usd, 6),
            "estimate_usd": self.estimate_usd,
            "premium_estimate_usd": self.premium_estimate_usd,
            "message": self.message,
            "steps": [s.__dict__ for s in self.steps],
        }

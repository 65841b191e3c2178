"""What a workflow run records as its steps end: each step's outcome, the run's end, and the run as stored."""

from __future__ import annotations

import time
from typing import Any

from router.errors import SparklioError
from router.workflows import records
from router.workflows.model import StepSpec, Workflow
from router.workflows.results import RunResult, StepResult


def spent(run_id: int, mark: int, answer_cost: float) -> dict[str, Any]:
    """A step's cost and tokens: its ledger rows since `mark`, else the answer's own cost (a cache hit)."""
    cost, tin, tout, rows = records.ledger_since(run_id, mark)
    return {"cost_usd": cost if rows else answer_cost, "input_tokens": tin, "output_tokens": tout}


def step_started(run_id: int, step: StepSpec) -> None:
    """The step is running (one more try)."""
    records.update_step(
        run_id,
        step.id,
        status="running",
        started_at=time.time(),
        error=None,
        tries=records.WorkflowStepRow.tries + 1,
    )


def step_cancelled(run_id: int, step: StepSpec, mark: int) -> None:
    """The user stopped the run during this step: the step and the run say so, with what was spent."""
    records.update_step(run_id, step.id, status="cancelled", finished_at=time.time(), **spent(run_id, mark, 0.0))
    records.update_run(
        run_id,
        status="cancelled",
        message=f"cancelled during {step.label}",
        finished_at=time.time(),
        cost_usd=records.run_cost(run_id),
    )


def step_waiting(run_id: int, step: StepSpec, job_id: int, items: int) -> str:
    """The step went out as a batch job: the run waits for it; returns the message shown."""
    msg = (
        f"{step.label}: {items} item(s) sent as batch job {job_id}; the run continues when"
        f" it ends (`sparklio batch wait {job_id}`)"
    )
    records.update_step(run_id, step.id, status="waiting", error=None)
    records.update_run(run_id, status="waiting", message=msg)
    return msg


def step_no_match(run_id: int, step: StepSpec, message: str, mark: int) -> None:
    """A lookup step found nothing: the run ends there, not as a failure."""
    records.update_step(
        run_id,
        step.id,
        status="no_match",
        output={"message": message},
        finished_at=time.time(),
        **spent(run_id, mark, 0.0),
    )
    records.update_run(run_id, status="no_match", message=message)


def step_failed(run_id: int, step: StepSpec, error: str, mark: int, partial: list | None) -> None:
    """The step failed (what it finished is kept): the run says how to retry it."""
    records.update_step(
        run_id,
        step.id,
        status="failed",
        error=error,
        finished_at=time.time(),
        **({"output": partial} if partial else {}),
        **spent(run_id, mark, 0.0),
    )
    records.update_run(
        run_id,
        status="failed",
        message=f"step {step.id!r} ({step.label}) failed: {error} — retry it with: "
        f"sparklio workflow retry {run_id} {step.id} [--model ID]",
    )


def step_done(run_id: int, step: StepSpec, output: Any, models: list[str], mark: int, answer_cost: float) -> float:
    """The step's output and cost are stored; returns its cost."""
    cost = spent(run_id, mark, answer_cost)
    records.update_step(
        run_id,
        step.id,
        status="done",
        output=output,
        model=", ".join(models) or None,
        finished_at=time.time(),
        **cost,
    )
    return cost["cost_usd"]


def run_finished(run_id: int, stopped: str | None) -> records.WorkflowRun:
    """The run's end (done, failed, no_match; a waiting run stays as it is) and its row as stored."""
    if stopped == "no_match":
        records.update_run(run_id, finished_at=time.time(), cost_usd=records.run_cost(run_id))
    elif stopped != "waiting":
        records.update_run(
            run_id,
            status=stopped or "done",
            finished_at=time.time(),
            cost_usd=records.run_cost(run_id),
            **({} if stopped else {"message": None}),
        )
    final = records.get_run(run_id)
    assert final is not None  # this run's own row
    return final


def run_result(row: records.WorkflowRun, wf: Workflow | None) -> RunResult:
    """A stored run as a result: status, per-step outputs and costs (step titles from its workflow when known)."""
    steps = [
        StepResult(
            r.step_id,
            r.step_id,
            r.status,
            r.model,
            r.output_value,
            r.cost_usd,
            r.estimate_usd,
            r.error,
            r.items_done,
            r.items_total,
        )
        for r in records.step_rows(row.id).values()
    ]
    if wf is not None:
        for s in steps:
            try:
                s.title = wf.step(s.step_id).label
            except SparklioError:  # a step the workflow no longer has keeps its id as its title
                continue
    return RunResult(
        row.id,
        row.workflow,
        row.title,
        row.status,
        steps,
        row.cost_usd,
        row.estimate_usd,
        row.premium_estimate_usd,
        row.message,
        row.inputs_dict,
        wf.result if wf is not None else {},
    )

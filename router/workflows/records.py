"""Workflow persistence: runs and steps (outputs kept so a failed step can be retried alone) and ledger sums."""

from __future__ import annotations

import json
import time
from typing import Any

import peewee

from router.errors import SparklioError
from router.store.db import database
from router.store.models import BaseModel, LlmUsage


class WorkflowRun(BaseModel):
    """One execution of a workflow; every ledger row it caused carries its id."""

    id = peewee.AutoField()
    workflow = peewee.TextField()
    title = peewee.TextField(default="")
    source_path = peewee.TextField(null=True)
    inputs = peewee.TextField(default="{}")
    status = peewee.TextField(default="running")
    estimate_usd = peewee.FloatField(null=True)
    premium_estimate_usd = peewee.FloatField(null=True)
    cost_usd = peewee.FloatField(default=0.0)
    message = peewee.TextField(null=True)
    created_at = peewee.FloatField(default=time.time)
    updated_at = peewee.FloatField(default=time.time)
    finished_at = peewee.FloatField(null=True)

    class Meta:
        table_name = "workflow_runs"

    @property
    def inputs_dict(self) -> dict[str, str]:
        """The stored inputs."""
        try:
            return json.loads(self.inputs or "{}")
        except ValueError:
            return {}


class WorkflowStepRow(BaseModel):
    """One step of a run: status, the model that answered, output, estimate and actual cost."""

    id = peewee.AutoField()
    run = peewee.ForeignKeyField(WorkflowRun, backref="step_rows", on_delete="CASCADE", column_name="run_id")
    step_id = peewee.TextField()
    position = peewee.IntegerField()
    status = peewee.TextField(default="pending")
    task = peewee.TextField(null=True)
    model = peewee.TextField(null=True)
    pinned_model = peewee.TextField(null=True)
    output = peewee.TextField(null=True)
    items_done = peewee.IntegerField(default=0)
    items_total = peewee.IntegerField(default=0)
    estimate_usd = peewee.FloatField(null=True)
    cost_usd = peewee.FloatField(default=0.0)
    input_tokens = peewee.IntegerField(default=0)
    output_tokens = peewee.IntegerField(default=0)
    error = peewee.TextField(null=True)
    tries = peewee.IntegerField(default=0)
    started_at = peewee.FloatField(null=True)
    finished_at = peewee.FloatField(null=True)

    class Meta:
        table_name = "workflow_steps"

    @property
    def output_value(self) -> Any:
        """The decoded output (None when the step has not produced one)."""
        if self.output is None:
            return None
        try:
            return json.loads(self.output)
        except ValueError:
            return self.output


def create_run(
    name: str,
    title: str,
    source: str | None,
    inputs: dict[str, str],
    step_rows: list[tuple[str, str | None, float]],
    estimate: float | None,
    premium: float | None,
) -> WorkflowRun:
    """Insert a run and one pending row per step (step id, task, estimated USD)."""
    with database.atomic():
        run = WorkflowRun.create(
            workflow=name,
            title=title,
            source_path=source,
            inputs=json.dumps(inputs),
            status="running",
            estimate_usd=estimate,
            premium_estimate_usd=premium,
        )
        for pos, (sid, task, est) in enumerate(step_rows):
            WorkflowStepRow.create(run=run, step_id=sid, position=pos, task=task, estimate_usd=est)
    return run


def step_rows(run_id: int) -> dict[str, WorkflowStepRow]:
    """A run's step rows by step id."""
    return {
        r.step_id: r
        for r in WorkflowStepRow.select().where(WorkflowStepRow.run == run_id).order_by(WorkflowStepRow.position)
    }


def update_step(run_id: int, step_id: str, **fields: Any) -> None:
    """Update one step row (an `output` value is JSON-encoded)."""
    if "output" in fields:
        fields["output"] = None if fields["output"] is None else json.dumps(fields["output"], ensure_ascii=False)
    WorkflowStepRow.update(**fields).where(
        (WorkflowStepRow.run == run_id) & (WorkflowStepRow.step_id == step_id)
    ).execute()


def update_run(run_id: int, **fields: Any) -> None:
    """Update the run row (touches updated_at)."""
    fields["updated_at"] = time.time()
    WorkflowRun.update(**fields).where(WorkflowRun.id == run_id).execute()


def ledger_mark() -> int:
    """The highest ledger row id so far (rows after it belong to what runs next)."""
    return int(LlmUsage.select(peewee.fn.COALESCE(peewee.fn.MAX(LlmUsage.id), 0)).scalar() or 0)


def ledger_since(run_id: int, after_id: int) -> tuple[float, int, int, int]:
    """(cost, input tokens, output tokens, rows) of the run's ledger rows with id > after_id."""
    row = (
        LlmUsage.select(
            peewee.fn.COALESCE(peewee.fn.SUM(LlmUsage.cost_usd), 0.0),
            peewee.fn.COALESCE(peewee.fn.SUM(LlmUsage.input_tokens), 0),
            peewee.fn.COALESCE(peewee.fn.SUM(LlmUsage.output_tokens), 0),
            peewee.fn.COUNT(LlmUsage.id),
        )
        .where((LlmUsage.workflow_run_id == run_id) & (LlmUsage.id > after_id))
        .tuples()
        .first()
    )
    return float(row[0]), int(row[1]), int(row[2]), int(row[3])


def run_cost(run_id: int) -> float:
    """Total USD of every ledger row carrying this run id."""
    return ledger_since(run_id, 0)[0]


def recent_runs(limit: int = 20) -> list[WorkflowRun]:
    """The latest runs, newest first."""
    return list(WorkflowRun.select().order_by(WorkflowRun.id.desc()).limit(limit))


def get_run(run_id: int) -> WorkflowRun | None:
    """One run or None."""
    return WorkflowRun.get_or_none(WorkflowRun.id == run_id)


def choose_variation(run_id: int, step_id: str, item: int, choice: int) -> dict:
    """Make variation `choice` the image of item `item` (0-based) of an image step; returns the item."""
    row = step_rows(run_id).get(step_id)
    output = row.output_value if row is not None else None
    items = output if isinstance(output, list) else [output]
    entry = items[item] if 0 <= item < len(items) else None
    if not isinstance(entry, dict):
        raise SparklioError(f"run {run_id} has no image {item + 1} in step {step_id!r}")
    variations = entry.get("variations") or []
    if not 0 <= choice < len(variations):
        raise SparklioError(
            f"image {item + 1} of step {step_id!r} has {len(variations)} variation(s), not {choice + 1}"
        )
    entry.update(variations[choice], chosen=choice)
    update_step(run_id, step_id, output=items if isinstance(output, list) else items[0])
    return entry

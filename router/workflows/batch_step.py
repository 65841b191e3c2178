"""A workflow step's items sent as one provider Batch API job; the run waits until the job ends."""

from __future__ import annotations

from typing import Any

from router.batch.types import BatchRequest
from router.types import ImageInput, RouteRequest
from router.workflows.estimate import step_complexity, step_messages
from router.workflows.model import StepSpec


class BatchWaiting(Exception):
    """A step's items went to a provider's Batch API; the run waits for the job."""

    def __init__(self, job_id: int, items: int) -> None:
        super().__init__(f"batch job {job_id}")
        self.job_id, self.items = job_id, items


async def send_step_batch(
    app: Any,
    state: Any,
    step: StepSpec,
    prompts: list[str],
    systems: list[str],
    results: list[Any],
    images: list[list[ImageInput]],
) -> None:
    """Raise BatchWaiting after sending the step's missing items (with their images) as one job; return when no
    model has a Batch API."""
    todo = [i for i, r in enumerate(results) if r is None]
    if not todo:
        return
    msgs = [step_messages(StepSpec(step.id, prompts[i], system=systems[i]), prompts[i], images[i]) for i in todo]
    plan = app.plan(
        RouteRequest(
            msgs[0],
            task=step.task,
            complexity=step_complexity(app, step),
            speed="batch",
            quality=step.quality,
            model=state.pins.get(step.id),
            max_output_tokens=step.max_output_tokens,
            explore=False,
        )
    )
    model = app.batch.pick(plan)
    if model is None:
        return
    reqs = [BatchRequest("", m, step.max_output_tokens, step.temperature) for m in msgs]
    job_id = await app.batch.submit(
        model,
        reqs,
        task=plan.task,
        retry_mode=state.batch_retry,
        workflow_run_id=state.run_id,
        step_id=step.id,
        positions=todo,
        labels=[prompts[i][:120] for i in todo],
    )
    raise BatchWaiting(job_id, len(todo))

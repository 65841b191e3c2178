"""Workflows: multi-step jobs (TOML) whose every step is routed to its own model, with estimates and retries."""

from router.workflows.estimate import Estimate, StepEstimate
from router.workflows.model import InputSpec, StepSpec, Workflow, load_workflow, parse_workflow
from router.workflows.results import Progress, RunResult, StepResult
from router.workflows.runner import WorkflowRunner

__all__ = [
    "Estimate",
    "InputSpec",
    "Progress",
    "RunResult",
    "StepEstimate",
    "StepResult",
    "StepSpec",
    "Workflow",
    "WorkflowRunner",
    "load_workflow",
    "parse_workflow",
]

"""The image job queue: jobs (prompt + a snapshot of the studio's request) run one at a time, in order."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from router.errors import SparklioError

MAX_SEED = 2**31 - 1
MAX_VARIATIONS = 16
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


@dataclass
class ImageJob:
    """One queued generation: its prompt, the request's keyword arguments (a copy) and its progress."""

    id: int
    prompt: str
    params: dict  # keyword arguments for app.generate_image, as the studio's request() returned them
    local: bool = False
    state: str = QUEUED
    step: int = 0
    total: int = 0
    message: str = ""  # what came of it ("1 image(s) · GPT Image 2", the error)

    @property
    def fraction(self) -> float:
        """How far along it is, 0..1 (a running cloud job, which reports no steps, counts as 0)."""
        if self.state in FINISHED:
            return 1.0
        return self.step / self.total if self.state == RUNNING and self.total else 0.0

    def status(self) -> str:
        """Where it stands: queued, "step 3 of 25", done, cancelled, or "failed: why"."""
        if self.state == RUNNING:
            return f"step {self.step} of {self.total}" if self.total else "running"
        if self.state == FAILED:
            return f"failed: {self.message}" if self.message else FAILED
        return self.state

    def label(self) -> str:
        """One line: status, the seed when fixed, and the prompt."""
        seed = self.params.get("seed")
        return " · ".join([self.status()] + ([f"seed {seed}"] if seed is not None else []) + [self.prompt])


def variation_seeds(seed: int | None, count: int, draw: Callable[[], int] | None = None) -> list[int | None]:
    """Seeds for `count` variations: seed, seed+1, … when one is set, else fresh random ones (one job: unchanged)."""
    if not 1 <= count <= MAX_VARIATIONS:
        raise SparklioError(f"variations must be 1 to {MAX_VARIATIONS} (got {count})")
    if count == 1:
        return [seed]
    if seed is None:
        draw = draw or (lambda: secrets.randbelow(MAX_SEED + 1))
        return [draw() for _ in range(count)]
    return [(seed + i) % (MAX_SEED + 1) for i in range(count)]


class ImageQueue:
    """Jobs in run order; finished ones stay listed (for the overall progress) until the next batch starts."""

    def __init__(
        self, on_change: Callable[[], None] | None = None, persist: Callable[[list[ImageJob]], Any] | None = None
    ) -> None:
        self.jobs: list[ImageJob] = []
        self._ids = itertools.count(1)
        self.on_change = on_change or (lambda: None)
        self.persist = persist or (lambda _jobs: None)  # called with the unfinished jobs after each change of them
        self.paused = False  # jobs restored after a restart wait until the user runs them

    def _changed(self) -> None:
        self.persist(self.active())
        self.on_change()

    # ---- adding and ordering ----
    def add(self, prompt: str, params: dict, *, local: bool = False, variations: int = 1) -> list[ImageJob]:
        """Queue one job per variation (local: each with its own seed); a new batch first drops finished jobs."""
        if not prompt.strip():
            raise SparklioError("describe the image first")
        seeds = variation_seeds(params.get("seed"), variations) if local else [None] * variations
        if not self.active():
            self.jobs = []
        added = []
        for seed in seeds:
            snapshot = dict(params)
            if local and variations > 1:
                snapshot["seed"] = seed
            added.append(ImageJob(next(self._ids), prompt, snapshot, local))
        self.jobs.extend(added)
        self.paused = False  # a new Generate runs the queue, restored jobs first
        self._changed()
        return added

    def restore(self, stored: list[tuple[str, dict, bool]]) -> list[ImageJob]:
        """Put back jobs kept from the last session (prompt, params, local), paused until resume()."""
        jobs = [ImageJob(next(self._ids), prompt, dict(params), local) for prompt, params, local in stored]
        self.jobs.extend(jobs)
        self.paused = bool(jobs)
        self.on_change()
        return jobs

    def resume(self) -> None:
        """Let restored jobs run."""
        self.paused = False
        self.on_change()

    def get(self, job_id: int) -> ImageJob | None:
        """The job with this id, or None."""
        return next((j for j in self.jobs if j.id == job_id), None)

    def reorder(self, ids: list[int]) -> None:
        """Run the queued jobs in the order their ids appear in `ids` (others keep their places; unnamed go last)."""
        rank = {jid: i for i, jid in enumerate(ids)}
        queued = [j for j in self.jobs if j.state == QUEUED]
        queued.sort(key=lambda j: rank.get(j.id, len(rank)))
        self.jobs = [j for j in self.jobs if j.state != QUEUED] + queued
        self._changed()

    def shift(self, job_id: int, delta: int) -> bool:
        """Move a queued job up (delta < 0) or down among the queued ones; False when it cannot move."""
        queued = [j.id for j in self.jobs if j.state == QUEUED]
        if job_id not in queued:
            return False
        i = queued.index(job_id)
        to = max(0, min(len(queued) - 1, i + delta))
        if to == i:
            return False
        queued.insert(to, queued.pop(i))
        self.reorder(queued)
        return True

    # ---- running ----
    def active(self) -> list[ImageJob]:
        """Jobs still to finish (running first, then queued in order)."""
        return [j for j in self.jobs if j.state in (RUNNING, QUEUED)]

    def running(self) -> ImageJob | None:
        """The job being made, or None."""
        return next((j for j in self.jobs if j.state == RUNNING), None)

    def next_job(self) -> ImageJob | None:
        """The job to start now: the first queued one, when nothing runs (one job at a time) and not paused."""
        if self.paused or self.running() is not None:
            return None
        return next((j for j in self.jobs if j.state == QUEUED), None)

    def start(self, job: ImageJob, total_steps: int = 0) -> None:
        """Mark `job` running."""
        job.state, job.step, job.total = RUNNING, 0, total_steps
        self.on_change()

    def progress(self, job: ImageJob, step: int, total: int) -> None:
        """A diffusion step finished."""
        job.step, job.total = step, total
        self.on_change()

    def finish(self, job: ImageJob, state: str, message: str = "") -> None:
        """Mark `job` done, failed or cancelled."""
        job.state, job.message = state, message
        self._changed()

    # ---- cancelling ----
    def cancel(self, job_id: int) -> ImageJob | None:
        """Remove a queued job; a running one is returned for the caller to stop (its result marks it)."""
        job = self.get(job_id)
        if job is None or job.state in FINISHED:
            return None
        if job.state == QUEUED:
            self.jobs.remove(job)
            self._changed()
            return None
        return job

    def cancel_all(self) -> ImageJob | None:
        """Remove every queued job; return the running one (for the caller to stop), if any."""
        self.jobs = [j for j in self.jobs if j.state != QUEUED]
        self.paused = False
        self._changed()
        return self.running()

    # ---- totals ----
    def overall(self) -> tuple[int, int, float]:
        """(finished jobs, jobs in this batch, overall fraction 0..1)."""
        total = len(self.jobs)
        finished = sum(j.state in FINISHED for j in self.jobs)
        return finished, total, (sum(j.fraction for j in self.jobs) / total if total else 0.0)

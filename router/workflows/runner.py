"""Run workflows step by step through the router: progress, cancel, one run id in the ledger, retry/re-route."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from router.errors import ConfigError, SparklioError
from router.types import AnswerDone, ImageInput, RouteRequest
from router.vision import check_images, load_image
from router.workflows import outcomes, records
from router.workflows.actions import Chooser, NoMatch, ledger_summary, pick, read_schema, run_sql, split_items
from router.workflows.batch_step import BatchWaiting, send_step_batch
from router.workflows.bulk import parse_items
from router.workflows.datafile import DataSource
from router.workflows.estimate import Estimate, estimate_workflow, step_complexity, step_messages
from router.workflows.image_step import item_images
from router.workflows.model import BUILTIN_DIR, ITEM_IMAGE, StepSpec, Workflow, discover
from router.workflows.results import Progress, RunResult
from router.workflows.templates import Field, as_text, render

log = logging.getLogger(__name__)


ProgressCallback = Callable[[Progress], Any]


class _Run:
    """Mutable state of one execution."""

    def __init__(self, run_id: int, wf: Workflow, values: dict[str, str], images: dict[str, ImageInput]) -> None:
        self.run_id, self.wf, self.values, self.images = run_id, wf, values, images
        self.outputs: dict[str, Any] = {}
        self.sources: dict[str, DataSource] = {}
        self.pins: dict[str, str] = {}
        self.partial: dict[str, list] = {}
        self.batch_retry: str | None = None  # set: text steps go through the provider's Batch API
        self.marks: dict[str, int] = {}  # ledger id a step's cost counts from (a resumed batch step)


class WorkflowRunner:
    """Lists, estimates, runs and retries workflows on top of the Sparklio facade."""

    def __init__(
        self,
        app: Any,
        *,
        user_dir: Path | None = None,
        builtin_dir: Path = BUILTIN_DIR,
        concurrency: int = 3,
        image_overrides: dict[str, Any] | None = None,
        sql_timeout_s: float = 2.0,
    ) -> None:
        self.app = app
        self.builtin_dir = builtin_dir
        self.user_dir = user_dir if user_dir is not None else Path(app.data_dir) / "workflows"
        self.concurrency = max(1, concurrency)
        self.image_overrides = dict(image_overrides or {})
        self.sql_timeout_s = sql_timeout_s

    # ---- catalogue ----
    def task_ids(self) -> set[str]:
        """The task types workflows may use (the policy's [tasks])."""
        return set(self.app.policy.tasks)

    def list(self) -> tuple[dict[str, Workflow], list[str]]:
        """Built-in and user workflows (the user's override by name) and problems with files that did not load."""
        return discover(self.task_ids(), [(self.builtin_dir, True), (self.user_dir, False)])

    def get(self, name: str) -> Workflow:
        """One workflow by name, or a clear error (a broken file's own error when that is why it is missing)."""
        found, problems = self.list()
        if name in found:
            return found[name]
        path = Path(name)
        if path.suffix == ".toml" and path.is_file():
            from router.workflows.model import load_workflow

            return load_workflow(path, self.task_ids())
        for p in problems:
            if f"'{name}'" in p or p.startswith(f"{name}.toml"):
                raise ConfigError(p)
        raise SparklioError(f"no workflow named {name!r} (available: {', '.join(sorted(found)) or 'none'})")

    # ---- inputs ----
    def prepare_inputs(
        self, wf: Workflow, raw: dict[str, str], *, check: bool = True
    ) -> tuple[dict[str, str], dict[str, ImageInput]]:
        """Defaults applied, unknown or missing inputs refused, files checked, images loaded and size-checked.

        With check=False (estimates) missing inputs are allowed and files are only read when present."""
        unknown = set(raw) - set(wf.inputs)
        if unknown:
            raise SparklioError(
                f"workflow {wf.name!r} has no input {sorted(unknown)[0]!r} (inputs: {', '.join(wf.inputs) or 'none'})"
            )
        values: dict[str, str] = {}
        images: dict[str, ImageInput] = {}
        for name, spec in wf.inputs.items():
            value = raw.get(name)
            if value in (None, "") and spec.default is not None:
                value = spec.default
            if value in (None, "") and spec.required and check:
                hint = f" ({spec.description})" if spec.description else ""
                raise SparklioError(f"workflow {wf.name!r} needs input {name!r}{hint}: pass --input {name}=...")
            values[name] = "" if value is None else str(value)
            if values[name] and spec.kind == "list" and (check or not values[name].startswith("@")):
                values[name] = "\n".join(parse_items(values[name], name))  # the items themselves are stored
            if check and values[name] and spec.kind == "file" and not Path(values[name]).expanduser().is_file():
                raise SparklioError(f"input {name!r}: file {values[name]} does not exist")
            if values[name] and spec.kind == "image" and (check or Path(values[name]).expanduser().is_file()):
                images[name] = load_image(values[name])
        if check and images:
            usable = [s.model for s in self.app.model_status() if s.available]
            check_images(list(images.values()), usable)
        return values, images

    def estimate(self, name: str | Workflow, inputs: dict[str, str] | None = None) -> Estimate:
        """The model and cost of every step before running, beside the all-premium figure."""
        wf = self.get(name) if isinstance(name, str) else name
        values, images = self.prepare_inputs(wf, dict(inputs or {}), check=False) if inputs is not None else ({}, {})
        return estimate_workflow(self.app, wf, values or {k: "" for k in wf.inputs}, images=images)

    # ---- running ----
    async def run(
        self,
        name: str | Workflow,
        inputs: dict[str, str],
        *,
        on_progress: ProgressCallback | None = None,
        choose: Chooser | None = None,
        batch: str | None = None,
    ) -> RunResult:
        """Estimate, record and execute every step; returns the run (failed steps can be retried).

        `batch` ("live"/"batch"/"none": how failed items are retried): text steps go through the provider's
        Batch API; the run waits (status "waiting") and resumes when the job ends (`resume_batch`)."""
        wf = self.get(name) if isinstance(name, str) else name
        values, images = self.prepare_inputs(wf, dict(inputs))
        est = estimate_workflow(self.app, wf, values, images=images)
        run = records.create_run(
            wf.name,
            wf.title,
            str(wf.path) if wf.path else None,
            values,
            [(s.id, s.task, est.step(s.id).cost_usd) for s in wf.steps],
            est.total_usd,
            est.premium_total_usd,
        )
        state = _Run(run.id, wf, values, images)
        state.batch_retry = batch
        await _emit(
            on_progress, Progress("run_started", run.id, title=wf.title, total=len(wf.steps), cost_usd=est.total_usd)
        )
        await self._execute(state, set(wf.step_ids), on_progress, choose)
        return self.result(run.id)

    async def resume_batch(
        self,
        run_id: int,
        step_id: str,
        answers: dict[int, str],
        since_ledger_id: int,
        on_progress: ProgressCallback | None = None,
        *,
        retry_missing: bool = True,
    ) -> RunResult:
        """A step's batch job ended: its answers fill the step, missing items run live (unless the user chose not
        to retry: then the step fails keeping the answers), then the rest of the run."""
        row = records.step_rows(run_id).get(step_id)
        total = max(max(answers, default=-1) + 1, row.items_total if row is not None else 0)
        partial = [answers.get(i) for i in range(total)]
        if not retry_missing and None in partial:
            n = partial.count(None)
            records.update_step(
                run_id,
                step_id,
                status="failed",
                output=partial,
                finished_at=time.time(),
                error=f"{n} item(s) failed in the batch (not retried, as chosen)",
            )
            records.update_run(
                run_id,
                status="failed",
                finished_at=time.time(),
                cost_usd=records.run_cost(run_id),
                message=f"step {step_id!r}: {n} batch item(s) failed and were not retried, as "
                f"chosen — retry them with: sparklio workflow retry {run_id} {step_id}",
            )
            return self.result(run_id)
        return await self.retry(run_id, step_id, on_progress=on_progress, _resume=(partial, since_ledger_id))

    async def retry(
        self,
        run_id: int,
        step_id: str,
        *,
        model: str | None = None,
        on_progress: ProgressCallback | None = None,
        choose: Chooser | None = None,
        _resume: tuple[list, int] | None = None,
    ) -> RunResult:
        """Re-run one step (optionally pinned to `model`) and what has not finished after it; keeps earlier outputs."""
        row = records.get_run(run_id)
        if row is None:
            raise SparklioError(f"workflow run {run_id} does not exist")
        wf = self._workflow_of(row)
        wf.step(step_id)
        if model is not None:
            self.app.catalog.get(model)
        values, images = self.prepare_inputs(wf, row.inputs_dict)
        state = _Run(run_id, wf, values, images)
        rows = records.step_rows(run_id)
        todo = {step_id} | wf.dependents(step_id) | {s for s, r in rows.items() if r.status != "done"}
        for sid, r in rows.items():
            if sid not in todo:
                state.outputs[sid] = r.output_value
            elif r.status == "failed" and isinstance(r.output_value, list) and model is None:
                state.partial[sid] = r.output_value
        if _resume is not None:
            state.partial[step_id], state.marks[step_id] = _resume
        if model is not None:
            state.pins[step_id] = model
            records.update_step(run_id, step_id, pinned_model=model)
        records.update_run(run_id, status="running", message=None, finished_at=None)
        await _emit(
            on_progress,
            Progress("run_started", run_id, title=wf.title, total=len(todo), message=f"retrying from {step_id}"),
        )
        await self._execute(state, todo, on_progress, choose)
        return self.result(run_id)

    def _workflow_of(self, row: records.WorkflowRun) -> Workflow:
        if row.source_path and Path(row.source_path).is_file():
            from router.workflows.model import load_workflow

            return load_workflow(Path(row.source_path), self.task_ids(), builtin=False)
        return self.get(row.workflow)

    async def _execute(
        self, state: _Run, todo: set[str], on_progress: ProgressCallback | None, choose: Chooser | None
    ) -> None:
        rid, wf = state.run_id, state.wf
        stopped: str | None = None
        try:
            for step in wf.steps:
                if step.id not in todo or stopped == "waiting":  # a waiting run goes on when its batch job ends
                    continue
                if stopped:
                    records.update_step(rid, step.id, status="skipped")
                    await _emit(on_progress, Progress("step_skipped", rid, step.id, step.label))
                    continue
                stopped = await self._run_step(state, step, on_progress, choose)
        finally:
            for src in state.sources.values():
                src.close()
        final = outcomes.run_finished(rid, stopped)
        await _emit(
            on_progress,
            Progress("run_done", rid, title=wf.title, cost_usd=final.cost_usd, message=final.message or final.status),
        )

    async def _run_step(
        self, state: _Run, step: StepSpec, on_progress: ProgressCallback | None, choose: Chooser | None
    ) -> str | None:
        """Run one step and record how it ended; returns why the run stops there (None: it goes on)."""
        rid = state.run_id
        mark = state.marks.pop(step.id) if step.id in state.marks else records.ledger_mark()
        outcomes.step_started(rid, step)
        await _emit(on_progress, Progress("step_started", rid, step.id, step.label))
        try:
            output, models, answer_cost = await self._step(state, step, on_progress, choose)
        except asyncio.CancelledError:
            outcomes.step_cancelled(rid, step, mark)
            raise
        except BatchWaiting as exc:
            msg = outcomes.step_waiting(rid, step, exc.job_id, exc.items)
            await _emit(on_progress, Progress("step_waiting", rid, step.id, step.label, message=msg))
            return "waiting"
        except NoMatch as exc:
            outcomes.step_no_match(rid, step, str(exc), mark)
            await _emit(on_progress, Progress("step_done", rid, step.id, step.label, message=str(exc)))
            return "no_match"
        except Exception as exc:  # a bug must not leave the run 'running' or show a traceback
            error = str(exc)
            if not isinstance(exc, SparklioError):
                log.exception("workflow step %s.%s crashed", state.wf.name, step.id)
                error = f"unexpected {type(exc).__name__}: {exc}"
            outcomes.step_failed(rid, step, error, mark, state.partial.get(step.id))
            await _emit(on_progress, Progress("step_failed", rid, step.id, step.label, message=str(exc)))
            return "failed"
        state.outputs[step.id] = output
        cost = outcomes.step_done(rid, step, output, models, mark, answer_cost)
        await _emit(
            on_progress, Progress("step_done", rid, step.id, step.label, model=", ".join(models), cost_usd=cost)
        )
        return None

    # ---- one step ----
    def _resolver(self, state: _Run, item: Any = None, index: int = 0, total: int = 1) -> Callable[[Field], str]:
        def resolve(f: Field) -> str:
            if f.root == "inputs":
                return state.values.get(f.name, "")
            if f.root == "steps":
                value = state.outputs.get(f.name)
                if f.part is None:
                    return as_text(value)
                items = value if isinstance(value, list) else [ln for ln in as_text(value).splitlines() if ln.strip()]
                return as_text(items[f.part - 1]) if f.part <= len(items) else ""
            if f.root == "item":
                return as_text(item) if item is not None else str(index + 1)
            return str(index + 1) if f.root == "index" else str(total)

        return resolve

    async def _step(
        self, state: _Run, step: StepSpec, on_progress: ProgressCallback | None, choose: Chooser | None
    ) -> tuple[Any, list[str], float]:
        where = f"{state.wf.name}.{step.id}"
        if step.action:
            return await self._action(state, step, choose, where), [], 0.0
        if step.for_each in state.wf.inputs:
            items = parse_items(state.values[step.for_each], step.for_each)
        elif step.for_each:
            source = state.outputs.get(step.for_each)
            items = list(source) if isinstance(source, list) else [source]
            items = items[: step.count] if step.count > 1 else items
        else:
            items = [None] * step.count
        n = len(items)
        item_images = self._item_images(state, step, items)
        prompts = [render(step.prompt, self._resolver(state, it, i, n), where) for i, it in enumerate(items)]
        systems = [render(step.system, self._resolver(state, it, i, n), where) for i, it in enumerate(items)]
        results: list[Any] = list(state.partial.get(step.id) or [None] * n)[:n]
        results += [None] * (n - len(results))
        state.partial[step.id] = results
        models: list[str] = []
        costs = [0.0] * n
        gate = asyncio.Semaphore(1 if step.is_image else self.concurrency)
        done = sum(r is not None for r in results)
        distinct = len(set(prompts)) == n

        async def one(i: int) -> None:
            nonlocal done
            async with gate:
                if step.is_image:
                    results[i], model, costs[i] = await self._image(state, step, prompts[i], i)
                else:
                    results[i], model, costs[i] = await self._ask(
                        state, step, prompts[i], systems[i], distinct, item_images[i]
                    )
            models.append(model)
            done += 1
            records.update_step(state.run_id, step.id, items_done=done, items_total=n)
            await _emit(on_progress, Progress("item_done", state.run_id, step.id, step.label, done, n, model, costs[i]))

        records.update_step(state.run_id, step.id, items_total=n, items_done=done)
        if state.batch_retry and not step.is_image:
            await send_step_batch(self.app, state, step, prompts, systems, results, item_images)
        await asyncio.gather(*(one(i) for i in range(n) if results[i] is None))
        state.partial.pop(step.id, None)
        if step.split and n == 1:
            output: Any = split_items(results[0], step.split)
        else:
            output = results if (step.fan_out or step.is_image) else results[0]
        return output, sorted(set(models)), sum(costs)

    def _item_images(self, state: _Run, step: StepSpec, items: list) -> list[list[ImageInput]]:
        """Each item's images: the step's image inputs, plus the item itself when `images` names "item"."""
        fixed = [state.images[n] for n in step.images if n != ITEM_IMAGE]
        if ITEM_IMAGE not in step.images:
            return [fixed] * len(items)
        loaded = [load_image(str(it)) for it in items]
        usable = [s.model for s in self.app.model_status() if s.available]
        check_images(loaded, usable)
        return [fixed + [img] for img in loaded]

    async def _ask(
        self, state: _Run, step: StepSpec, prompt: str, system: str, cacheable: bool, images: list[ImageInput]
    ) -> tuple[str, str, float]:
        spec = StepSpec(step.id, prompt, system=system)
        request = RouteRequest(
            step_messages(spec, prompt, images),
            task=step.task,
            complexity=step_complexity(self.app, step),
            speed=step.speed,
            quality=step.quality,
            model=state.pins.get(step.id),
            max_output_tokens=step.max_output_tokens,
            temperature=step.temperature,
            use_cache=step.cache and cacheable,
            explore=False,
            workflow_run_id=state.run_id,
        )
        answer = None
        async for ev in self.app.run(request, store=False):
            if isinstance(ev, AnswerDone):
                answer = ev.answer
        if answer is None:
            raise SparklioError(f"{step.label}: the model finished without an answer")
        return answer.text, answer.model, answer.cost_usd

    async def _image(self, state: _Run, step: StepSpec, prompt: str, index: int) -> tuple[dict, str, float]:
        return await item_images(
            self.app,
            step,
            prompt,
            index,
            run_id=state.run_id,
            pinned=state.pins.get(step.id),
            overrides=self.image_overrides,
        )

    async def _action(self, state: _Run, step: StepSpec, choose: Chooser | None, where: str) -> Any:
        rendered = render(step.prompt, self._resolver(state), where)
        if step.action == "read_schema":
            return await read_schema(rendered, state.sources)
        if step.action == "pick":
            options = state.outputs.get(step.options or "")
            options = options if isinstance(options, list) else split_items(as_text(options), "numbered")
            return await pick([as_text(o) for o in options], rendered, choose, step.label)
        if step.action == "run_sql":
            path = next((state.values[n] for n, s in state.wf.inputs.items() if s.kind == "file"), "")
            if path not in state.sources:
                await read_schema(path, state.sources)
            return await run_sql(rendered, state.sources[path], timeout_s=self.sql_timeout_s)
        return ledger_summary(self.app, rendered)

    # ---- history ----
    def result(self, run_id: int) -> RunResult:
        """A run as stored: status, per-step outputs and costs."""
        row = records.get_run(run_id)
        if row is None:
            raise SparklioError(f"workflow run {run_id} does not exist")
        try:
            wf: Workflow | None = self._workflow_of(row)
        except SparklioError:  # its workflow file is gone or broken: the stored run is still shown
            wf = None
        return outcomes.run_result(row, wf)

    def runs(self, limit: int = 20) -> list[RunResult]:
        """The latest runs, newest first."""
        return [self.result(r.id) for r in records.recent_runs(limit)]


async def _emit(callback: ProgressCallback | None, progress: Progress) -> None:
    """Deliver a progress report; a failing listener is logged, never fatal."""
    if callback is None:
        return
    try:
        out = callback(progress)
        if inspect.isawaitable(out):
            await out
    except Exception:
        log.exception("workflow progress listener failed")

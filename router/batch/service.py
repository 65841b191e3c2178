"""The batch service: submit requests that can wait to a provider's Batch API, poll, settle, retry, cancel."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

from router.batch import store
from router.batch.types import (
    CANCELLING,
    ENDED,
    RETRY_MODES,
    BatchAdapter,
    BatchQueued,
    BatchRequest,
    ItemResult,
)
from router.budget import Reservation
from router.catalog import ModelSpec
from router.errors import ProviderError, SparklioError
from router.events import AppEvent
from router.planner import estimate_tokens
from router.pricing import cache_saving, call_cost
from router.store.db import database
from router.types import RoutePlan, RouteRequest, Usage

log = logging.getLogger(__name__)
BATCH_HOLD_TTL_S = 48 * 3600  # the providers finish within 24 h; a hold outlives that, then stops counting
STALE_SUBMIT_S = 600  # a job still 'submitting' after this was cut off by a stopped app before the provider answered


_ADAPTERS = {
    "openai": "router.batch.openai_batch:OpenAIBatch",
    "anthropic": "router.batch.anthropic_batch:AnthropicBatch",
    "google": "router.batch.google_batch:GoogleBatch",
}


def batch_capable(model: ModelSpec) -> bool:
    """True for a cloud chat model whose provider has a Batch API we use (not OpenAI's Responses-API models)."""
    return (
        model.kind == "chat"
        and not model.local
        and model.provider in _ADAPTERS
        and model.params.get("api") != "responses"
    )


def adapter_for(provider: Any, model: ModelSpec) -> BatchAdapter | None:
    """The Batch API adapter for a model (imported on first use), or None when it has none."""
    if not batch_capable(model):
        return None
    import importlib

    module, _, cls = _ADAPTERS[model.provider].partition(":")
    return getattr(importlib.import_module(module), cls)(provider)


class BatchService:
    """Owns batch jobs for one app: SQLite rows, budget holds, ledger rows and where results land."""

    def __init__(self, app: Any) -> None:
        self.app = app

    # ---- choosing ----
    def pick(self, plan: RoutePlan) -> ModelSpec | None:
        """The first model in the chain with a Batch API, by the model that serves the slot (never a retired one)."""
        for entry in plan.chain:
            model = self.app.catalog.models.get(entry.target)
            if model is not None and batch_capable(model):
                return model
        return None

    def hold_for(self, model: ModelSpec, requests: list[BatchRequest]) -> float:
        """Worst case at batch rates: twice the prompt estimate plus every item's full output ceiling."""
        return sum(
            call_cost(
                model, Usage(input_tokens=estimate_tokens(r.messages) * 2 + 50, output_tokens=r.max_tokens), batch=True
            )
            for r in requests
        )

    # ---- submitting ----
    async def submit(
        self,
        model: ModelSpec,
        requests: list[BatchRequest],
        *,
        task: str,
        retry_mode: str = "live",
        conversation_id: int | None = None,
        workflow_run_id: int | None = None,
        step_id: str | None = None,
        message_ids: list[int | None] | None = None,
        positions: list[int] | None = None,
        labels: list[str] | None = None,
        parent_job_id: int | None = None,
    ) -> int:
        """Hold the batch price, store the job (before any network call), create it at the provider; job id."""
        if retry_mode not in RETRY_MODES:
            raise SparklioError(f"retry mode must be one of {', '.join(RETRY_MODES)}, not {retry_mode!r}")
        if not requests:
            raise SparklioError("a batch needs at least one request")
        provider = self.app.registry.get(model.provider)
        adapter = adapter_for(provider, model)
        if adapter is None:
            raise SparklioError(f"{model.id} has no Batch API; run it live")
        hold_usd = self.hold_for(model, requests)
        hold = self.app.budget.reserve(model, hold_usd, ttl_s=BATCH_HOLD_TTL_S)
        rows = [
            {
                "position": (positions or range(len(requests)))[n],
                "request": store.encode_request(r.messages, r.max_tokens, r.temperature),
                "message_id": (message_ids or [None] * len(requests))[n],
                "label": (labels or [""] * len(requests))[n],
            }
            for n, r in enumerate(requests)
        ]
        job_id = store.insert_job(
            rows,
            provider=model.provider,
            model=model.id,
            task=task,
            retry_mode=retry_mode,
            reservation_id=hold.id if hold else None,
            hold_usd=hold_usd,
            conversation_id=conversation_id,
            workflow_run_id=workflow_run_id,
            step_id=step_id,
            parent_job_id=parent_job_id,
        )
        sent = [replace(r, custom_id=i.custom_id) for r, i in zip(requests, store.items(job_id))]
        try:
            remote_id = await adapter.create(model, sent)
        except (ProviderError, SparklioError) as exc:
            self._release(store.get_job(job_id))
            store.update_job(job_id, status="failed", error=str(exc), finished_at=time.time())
            raise
        store.update_job(job_id, remote_id=remote_id, status="running", remote_status="submitted")
        self.app.events.publish(
            AppEvent(
                "batch_submitted",
                f"Batch job {job_id} sent",
                f"{len(requests)} request(s) to {model.name} at batch price; results within 24 h.",
                {"job_id": job_id},
            )
        )
        return job_id

    async def queue_chat(self, request: RouteRequest, plan: RoutePlan, message_id: int | None) -> BatchQueued | None:
        """Send one chat request that can wait as a one-item batch; None when no model in the chain has a Batch API."""
        model = self.pick(plan)
        if model is None:
            return None
        max_out = self.app.engine.max_output(model, request)
        job_id = await self.submit(
            model,
            [BatchRequest("", request.messages, max_out, request.temperature)],
            task=plan.task,
            retry_mode=request.batch_retry or "live",
            conversation_id=request.conversation_id,
            message_ids=[message_id],
        )
        job = store.get_job(job_id)
        return BatchQueued(job_id, model.id, model.provider, 1, job.hold_usd if job else 0.0, message_id)

    # ---- polling ----
    async def poll(self, job_id: int) -> store.JobRow:
        """Ask the provider about one open job; settle it when it has ended."""
        job = self._job(job_id)
        if job.status == "submitting" and time.time() - job.updated_at > STALE_SUBMIT_S:
            return self._abandon(job)
        if job.status not in ("running", "cancelling") or not job.remote_id:
            return job
        adapter = self._adapter(job)
        state = await adapter.state(job.remote_id)
        store.update_job(job.id, remote_status=state.detail)
        if state.state == ENDED:
            await self._settle(job, await adapter.results(job.remote_id))
        elif state.state == CANCELLING and job.status != "cancelling":
            store.update_job(job.id, status="cancelling")
        return self._job(job_id)

    async def poll_all(self) -> list[store.JobRow]:
        """Poll every open job (at start and on a timer); a provider that cannot be reached is noted, not fatal."""
        out = []
        for job in reversed(store.jobs(open_only=True, limit=500)):  # oldest first
            try:
                out.append(await self.poll(job.id))
            except SparklioError as exc:
                store.update_job(job.id, error=str(exc))
                out.append(self._job(job.id))
        return out

    async def wait(
        self, job_id: int, *, interval_s: float = 30.0, timeout_s: float | None = None, sleep=asyncio.sleep
    ) -> store.JobRow:
        """Poll until the job is over (or `timeout_s` passes: then the job as it stands)."""
        start = time.monotonic()
        while True:
            job = await self.poll(job_id)
            if job.status not in store.OPEN_STATES:
                return job
            if timeout_s is not None and time.monotonic() - start >= timeout_s:
                return job
            await sleep(interval_s)

    async def cancel(self, job_id: int) -> store.JobRow:
        """Ask the provider to stop; the budget hold is released now, answers already made still land."""
        job = self._job(job_id)
        if job.status not in store.OPEN_STATES:
            raise SparklioError(f"batch job {job_id} is already {job.status}")
        if job.remote_id:
            await self._adapter(job).cancel(job.remote_id)
        self._release(job)
        store.update_job(job.id, status="cancelling", reservation_id=None)
        return await self.poll(job_id)

    def _abandon(self, job: store.JobRow) -> store.JobRow:
        """A job the app stopped sending: no provider id, so nothing to poll; its hold and messages are released."""
        why = "the app stopped before the provider confirmed the batch; send it again"
        self._release(job)
        store.update_job(job.id, status="failed", error=why, reservation_id=None, finished_at=time.time())
        for item in store.items(job.id):
            store.update_item(item.id, status="failed", error=why)
            if item.message_id is not None:
                self.app.conversations.update_message(
                    item.message_id, status="error", content=f"Batch job {job.id}: {why}."
                )
        return self._job(job.id)

    # ---- settling ----
    async def _settle(self, job: store.JobRow, results: list[ItemResult]) -> None:
        """Ledger rows at batch prices, answers delivered, hold released, failed items retried as chosen."""
        model = self.app.catalog.get(job.model)
        by_id = {r.custom_id: r for r in results}
        rows = store.items(job.id)
        failed: list[store.ItemRow] = []
        with database.atomic():
            for item in rows:
                if item.status != "pending":
                    continue
                res = by_id.get(item.custom_id) or ItemResult(item.custom_id, error="no result returned", expired=True)
                if res.text is not None:
                    self._record_ok(job, model, item, res)
                else:
                    cancelled = job.status == "cancelling"
                    status = "cancelled" if cancelled else "expired" if res.expired else "failed"
                    store.update_item(item.id, status=status, error=res.error[:500])
                    self._record_failed(job, model, item, res)
                    if cancelled and item.message_id is not None:
                        self.app.conversations.update_message(
                            item.message_id, status="cancelled", content=f"Batch job {job.id} was cancelled."
                        )
                    if not cancelled:
                        failed.append(item)
                    if not cancelled and job.retry_mode == "none" and item.message_id is not None:
                        self.app.conversations.update_message(
                            item.message_id, status="error", content=f"The batch could not answer: {res.error}"
                        )
            self._release(job)
            final = "cancelled" if job.status == "cancelling" else "done"
            store.update_job(job.id, status=final, reservation_id=None, finished_at=time.time())
        await self._retry(job, model, failed)
        if job.workflow_run_id is not None and job.step_id and not (failed and job.retry_mode == "batch"):
            await self._resume(job)
        self._notify(job)

    async def _resume(self, job: store.JobRow) -> None:
        """The workflow run continues with the job's answers; if it cannot, it says why (and can be retried)."""
        assert job.workflow_run_id is not None  # only jobs of a workflow step resume one
        try:
            await self.app.workflows.resume_batch(
                job.workflow_run_id,
                job.step_id,
                self._outputs(job),
                since_ledger_id=self._first_ledger_id(job),
                retry_missing=job.retry_mode != "none",
            )
        except SparklioError as exc:
            from router.workflows import records

            records.update_run(
                job.workflow_run_id,
                status="failed",
                message=f"batch job {job.id} ended but the run could not continue: {exc} — retry "
                f"with: sparklio workflow retry {job.workflow_run_id} {job.step_id}",
            )

    def _record_ok(self, job: store.JobRow, model: ModelSpec, item: store.ItemRow, res: ItemResult) -> None:
        cost = call_cost(model, res.usage, batch=True)
        u = res.usage
        self.app.budget.record_attempt(
            None,
            kind="chat",
            task=job.task,
            model=model.id,
            provider=model.provider,
            outcome="ok",
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cached_input_tokens=u.cached_input_tokens,
            cache_write_tokens=u.cache_write_tokens,
            reasoning_tokens=u.reasoning_tokens,
            cost_usd=cost,
            batch_saved_usd=call_cost(model, u) - cost,
            cache_saved_usd=cache_saving(model, u, batch=True),
            batch_job_id=job.id,
            message_id=item.message_id,
            conversation_id=job.conversation_id,
            workflow_run_id=job.workflow_run_id,
        )
        store.update_item(item.id, status="ok", text=res.text, cost_usd=cost)
        if item.message_id is not None:
            meta = {
                "model": model.id,
                "provider": model.provider,
                "cost_usd": cost,
                "cached": False,
                "batch_job": job.id,
                "batch_saved_usd": call_cost(model, u) - cost,
                "cache_saved_usd": cache_saving(model, u, batch=True),
                "task": job.task,
                "usage": {
                    "input_tokens": u.input_tokens,
                    "output_tokens": u.output_tokens,
                    "cached_input_tokens": u.cached_input_tokens,
                    "cache_write_tokens": u.cache_write_tokens,
                },
                "plan": f"{model.id} through the {model.provider} Batch API (job {job.id}), at batch price",
            }
            self.app.conversations.update_message(
                item.message_id, content=res.text, status="ok", model=model.id, meta=meta
            )

    def _record_failed(self, job: store.JobRow, model: ModelSpec, item: store.ItemRow, res: ItemResult) -> None:
        self.app.budget.record_attempt(
            None,
            kind="chat",
            task=job.task,
            model=model.id,
            provider=model.provider,
            outcome="cancelled" if job.status == "cancelling" else "error",
            error_class="batch_item",
            error=res.error[:500] or "failed",
            batch_job_id=job.id,
            message_id=item.message_id,
            conversation_id=job.conversation_id,
            workflow_run_id=job.workflow_run_id,
        )

    async def _retry(self, job: store.JobRow, model: ModelSpec, failed: list[store.ItemRow]) -> None:
        """Failed or expired items: a new batch, or live now (chat; a workflow step runs its missing items live)."""
        if not failed or job.retry_mode == "none":
            return
        if job.retry_mode == "batch":
            await self.submit(
                model,
                [i.batch_request() for i in failed],
                task=job.task,
                retry_mode="live",
                conversation_id=job.conversation_id,
                workflow_run_id=job.workflow_run_id,
                step_id=job.step_id,
                message_ids=[i.message_id for i in failed],
                positions=[i.position for i in failed],
                labels=[i.label for i in failed],
                parent_job_id=job.id,
            )
            for i in failed:
                store.update_item(i.id, status="retried")
            return
        if job.workflow_run_id is not None:
            return  # resume_batch runs the step's missing items live
        for item in failed:
            await self._live(job, item)

    async def _live(self, job: store.JobRow, item: store.ItemRow) -> None:
        """One failed chat item again, live, into the same message."""
        req = item.batch_request()
        request = RouteRequest(
            req.messages,
            task=job.task,
            max_output_tokens=req.max_tokens,
            temperature=req.temperature,
            conversation_id=job.conversation_id,
            use_cache=False,
        )
        try:
            answer = await self.app.ask(request, store=False)
        except SparklioError as exc:
            if item.message_id is not None:
                self.app.conversations.update_message(item.message_id, content=str(exc), status="error")
            return
        store.update_item(item.id, status="retried", text=answer.text)
        if item.message_id is not None:
            from router.chat import answer_meta

            self.app.conversations.update_message(
                item.message_id, content=answer.text, status="ok", model=answer.model, meta=answer_meta(answer)
            )

    def _outputs(self, job: store.JobRow) -> dict[int, str]:
        """Workflow step answers by item position, from this job and the jobs it retried."""
        out: dict[int, str] = {}
        chain = [job]
        while chain[-1].parent_job_id:
            chain.append(self._job(chain[-1].parent_job_id))
        for j in reversed(chain):
            for i in store.items(j.id):
                if i.text is not None:
                    out[i.position] = i.text
        return out

    def _first_ledger_id(self, job: store.JobRow) -> int:
        """The ledger id just before this job's (and its parents') rows: the step's cost counts from there."""
        ids = [job.id]
        while parent := self._job(ids[-1]).parent_job_id:
            ids.append(parent)
        row = database.execute_sql(
            f"SELECT MIN(id) FROM llm_usage WHERE batch_job_id IN ({', '.join('?' * len(ids))})", ids
        ).fetchone()
        return int(row[0] or 1) - 1

    def _notify(self, job: store.JobRow) -> None:
        c = store.counts(job.id)
        ok = c.get("ok", 0)
        total = sum(c.values())
        saved = database.execute_sql(
            "SELECT COALESCE(SUM(batch_saved_usd), 0) FROM llm_usage WHERE batch_job_id = ?", (job.id,)
        ).fetchone()[0]
        where = (
            f"workflow run {job.workflow_run_id}"
            if job.workflow_run_id
            else f"conversation {job.conversation_id}"
            if job.conversation_id
            else "the batch list"
        )
        self.app.events.publish(
            AppEvent(
                "batch_done",
                f"Batch job {job.id} finished",
                f"{ok} of {total} answers arrived in {where}; batch price saved ${float(saved):.4f}.",
                {"job_id": job.id, "ok": ok, "total": total},
            )
        )

    # ---- helpers ----
    def _job(self, job_id: int) -> store.JobRow:
        job = store.get_job(int(job_id))
        if job is None:
            raise SparklioError(f"batch job {job_id} does not exist (see `sparklio batch status`)")
        return job

    def _adapter(self, job: store.JobRow) -> BatchAdapter:
        model = self.app.catalog.get(job.model)
        adapter = adapter_for(self.app.registry.get(model.provider), model)
        if adapter is None:
            raise SparklioError(f"{model.id} has no Batch API")
        return adapter

    def _release(self, job: store.JobRow | None) -> None:
        if job is not None and job.reservation_id:
            self.app.budget.release(Reservation(job.reservation_id, job.model, job.provider, "", job.hold_usd))

    def view(self, job: store.JobRow) -> dict:
        """A job as `sparklio batch status --json` prints it."""
        c = store.counts(job.id)
        return {
            "id": job.id,
            "status": job.status,
            "provider": job.provider,
            "model": job.model,
            "remote_id": job.remote_id,
            "remote_status": job.remote_status,
            "items": sum(c.values()),
            "counts": c,
            "hold_usd": round(job.hold_usd, 6),
            "retry_mode": job.retry_mode,
            "conversation_id": job.conversation_id,
            "workflow_run_id": job.workflow_run_id,
            "step_id": job.step_id,
            "parent_job_id": job.parent_job_id,
            "error": job.error,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }

"""`sparklio batch status|wait|cancel`: provider Batch API jobs (polled here too, so results land at next start)."""

from __future__ import annotations

import sys
from typing import Any

import click

from router.cli.common import ROW_ID, Session, json_flag, pass_session, print_json
from router.errors import SparklioError


def print_queued(queued: Any, as_json: bool) -> int:
    """What `ask --speed batch --can-wait` prints instead of an answer."""
    if as_json:
        print_json(
            {
                "batch_job": queued.job_id,
                "model": queued.model,
                "provider": queued.provider,
                "hold_usd": round(queued.hold_usd, 6),
                "message_id": queued.message_id,
            }
        )
    else:
        print(
            f"Queued as batch job {queued.job_id} on {queued.model} (at most ${queued.hold_usd:.4f} held)."
            f" The answer arrives within 24 h: `sparklio batch wait {queued.job_id}`."
        )
    return 0


def _line(v: dict) -> str:
    c = v["counts"]
    done = ", ".join(f"{n} {s}" for s, n in sorted(c.items()))
    target = (
        f"run {v['workflow_run_id']}.{v['step_id']}"
        if v["workflow_run_id"]
        else f"conversation {v['conversation_id']}"
        if v["conversation_id"]
        else ""
    )
    return (
        f"{v['id']:>5}  {v['status']:10} {v['model']:20} {v['items']:>4} items ({done})  {target}"
        + (f"  [{v['remote_status']}]" if v["remote_status"] else "")
        + (f"  error: {v['error']}" if v["error"] else "")
    )


def _show(app: Any, jobs: list, as_json: bool) -> None:
    views = [app.batch.view(j) for j in jobs]
    if as_json:
        print_json(views)
        return
    if not views:
        print(
            "No batch jobs. Send one with `sparklio ask --speed batch --can-wait ...` or"
            " `sparklio workflow run NAME --batch`."
        )
        return
    print(f"{'job':>5}  {'status':10} {'model':20} items")
    for v in views:
        print(_line(v))


@click.group()
def batch() -> None:
    """Provider Batch API jobs: status, wait, cancel."""


@batch.command()
@click.argument("job", type=ROW_ID, required=False)
@click.option("--limit", type=ROW_ID, default=20, show_default=True, help="how many jobs to list")
@click.option("--no-poll", is_flag=True, help="list without asking the providers")
@json_flag
@pass_session
def status(session: Session, job: int | None, limit: int, no_poll: bool, as_json: bool) -> int:
    """Poll open jobs and list jobs (or one)."""
    from router.batch import store

    async def poll(app) -> int:
        if job is not None:
            jobs = [await app.batch.poll(job)]
        else:
            if not no_poll:
                await app.batch.poll_all()
            jobs = store.jobs(limit=limit)
        _show(app, jobs, as_json)
        return 0

    return session.run(poll)


@batch.command()
@click.argument("job", type=ROW_ID)
@click.option("--interval", type=float, default=30.0, metavar="S", help="seconds between polls (30)")
@click.option("--timeout", type=float, default=None, metavar="S", help="give up waiting after S seconds")
@json_flag
@pass_session
def wait(session: Session, job: int, interval: float, timeout: float | None, as_json: bool) -> int:
    """Poll a job until it ends (exit 3 if --timeout passes first)."""
    if interval <= 0:
        raise SparklioError("--interval must be a positive number of seconds")

    async def until_done(app) -> int:
        ended = await app.batch.wait(job, interval_s=interval, timeout_s=timeout)
        _show(app, [ended], as_json)
        if ended.status in ("running", "submitting", "cancelling"):
            print(
                f"sparklio: batch job {ended.id} is still {ended.status}; run `sparklio batch wait {ended.id}` "
                "again later",
                file=sys.stderr,
            )
            return 3
        return 0

    return session.run(until_done)


@batch.command()
@click.argument("job", type=ROW_ID)
@json_flag
@pass_session
def cancel(session: Session, job: int, as_json: bool) -> int:
    """Cancel a job and release its budget hold."""

    async def cancelled(app) -> int:
        _show(app, [await app.batch.cancel(job)], as_json)
        return 0

    return session.run(cancelled)


COMMANDS = (batch,)

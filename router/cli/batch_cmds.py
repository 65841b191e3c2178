"""`sparklio batch status|wait|cancel`: provider Batch API jobs (polled here too, so results land at next start)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from router.errors import SparklioError
from router.validate import row_id


def print_queued(queued: Any, as_json: bool) -> int:
    """What `ask --speed batch --can-wait` prints instead of an answer."""
    from router.cli import print_json

    if as_json:
        print_json({"batch_job": queued.job_id, "model": queued.model, "provider": queued.provider,
                    "hold_usd": round(queued.hold_usd, 6), "message_id": queued.message_id})
    else:
        print(f"Queued as batch job {queued.job_id} on {queued.model} (at most ${queued.hold_usd:.4f} held)."
              f" The answer arrives within 24 h: `sparklio batch wait {queued.job_id}`.")
    return 0


def _line(v: dict) -> str:
    c = v["counts"]
    done = ", ".join(f"{n} {s}" for s, n in sorted(c.items()))
    target = (f"run {v['workflow_run_id']}.{v['step_id']}" if v["workflow_run_id"] else
              f"conversation {v['conversation_id']}" if v["conversation_id"] else "")
    return (f"{v['id']:>5}  {v['status']:10} {v['model']:20} {v['items']:>4} items ({done})  {target}"
            + (f"  [{v['remote_status']}]" if v["remote_status"] else "") + (f"  error: {v['error']}" if v["error"] else ""))


def _show(app: Any, jobs: list, as_json: bool) -> None:
    from router.cli import print_json

    views = [app.batch.view(j) for j in jobs]
    if as_json:
        print_json(views)
        return
    if not views:
        print("No batch jobs. Send one with `sparklio ask --speed batch --can-wait ...` or"
              " `sparklio workflow run NAME --batch`.")
        return
    print(f"{'job':>5}  {'status':10} {'model':20} items")
    for v in views:
        print(_line(v))


def cmd_status(app: Any, args: argparse.Namespace) -> int:
    """Poll open jobs, then list them (or one)."""
    from router.batch import store

    if args.job is not None:
        jobs = [asyncio.run(app.batch.poll(args.job))]
    else:
        if not args.no_poll:
            asyncio.run(app.batch.poll_all())
        jobs = store.jobs(limit=args.limit)
    _show(app, jobs, args.json)
    return 0


def cmd_wait(app: Any, args: argparse.Namespace) -> int:
    """Poll one job until it ends."""
    if args.interval <= 0:
        raise SparklioError("--interval must be a positive number of seconds")
    job = asyncio.run(app.batch.wait(args.job, interval_s=args.interval, timeout_s=args.timeout))
    _show(app, [job], args.json)
    if job.status in ("running", "submitting", "cancelling"):
        print(f"sparklio: batch job {job.id} is still {job.status}; run `sparklio batch wait {job.id}` again later",
              file=sys.stderr)
        return 3
    return 0


def cmd_cancel(app: Any, args: argparse.Namespace) -> int:
    """Cancel one job; its budget hold is released."""
    job = asyncio.run(app.batch.cancel(args.job))
    _show(app, [job], args.json)
    return 0


def register(sub: Any) -> None:
    """Add `batch status|wait|cancel`."""
    b = sub.add_parser("batch", help="provider Batch API jobs: status, wait, cancel")
    bsub = b.add_subparsers(dest="batch_command", parser_class=type(b), required=True)
    p = bsub.add_parser("status", help="poll open jobs and list jobs (or one)")
    p.add_argument("job", type=row_id, nargs="?")
    p.add_argument("--limit", type=row_id, default=20)
    p.add_argument("--no-poll", action="store_true", help="list without asking the providers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)
    p = bsub.add_parser("wait", help="poll a job until it ends (exit 3 if --timeout passes first)")
    p.add_argument("job", type=row_id)
    p.add_argument("--interval", type=float, default=30.0, metavar="S", help="seconds between polls (30)")
    p.add_argument("--timeout", type=float, default=None, metavar="S", help="give up waiting after S seconds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_wait)
    p = bsub.add_parser("cancel", help="cancel a job and release its budget hold")
    p.add_argument("job", type=row_id)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cancel)

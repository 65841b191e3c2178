"""`sparklio workflow list|estimate|run|retry|runs|show`: multi-step jobs from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from router.cli.table import fit_table
from router.display import fmt_usd
from router.validate import row_id
from router.errors import SparklioError
from router.workflows.runner import Progress, RunResult, WorkflowRunner
from router.workflows.estimate import Estimate
from router.workflows.export import export_run
from router.workflows.templates import as_text


def parse_inputs(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings into a dict (the value may contain '='; a bare KEY is refused)."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SparklioError(f"--input needs KEY=VALUE, not {pair!r}")
        out[key.strip()] = value
    return out


def _engine(app: Any) -> WorkflowRunner:
    return WorkflowRunner(app)


def _money(v: float | None) -> str:
    return "-" if v is None else fmt_usd(v)


def cmd_list(app: Any, args: argparse.Namespace) -> int:
    """Print the available workflows (and files that failed to load)."""
    from router.cli import print_json

    found, problems = _engine(app).list()
    if args.json:
        print_json({"workflows": [{"name": w.name, "title": w.title, "description": w.description,
                                   "builtin": w.builtin, "inputs": list(w.inputs), "steps": w.step_ids}
                                  for w in found.values()], "problems": problems})
        return 0
    for w in sorted(found.values(), key=lambda w: (not w.builtin, w.name)):
        need = ", ".join(f"{n}{'' if s.required else '?'}" for n, s in w.inputs.items())
        print(f"{w.name:16} {w.title} — {w.description}")
        print(f"{'':16} inputs: {need or 'none'}; steps: {' → '.join(w.step_ids)}{'' if w.builtin else ' (yours)'}")
    for p in problems:
        print(f"sparklio: warning: {p}", file=sys.stderr)
    return 0


def _print_estimate(est: Estimate) -> None:
    print(f"{est.title}: estimated {est.summary()}")
    rows = []
    for s in est.steps:
        rows.append([s.title, (s.model or ("this machine" if s.local else "no model")),
                     f"×{s.calls}" if s.calls > 1 else "", _money(s.cost_usd), s.premium_model or "-",
                     _money(s.premium_cost_usd) if s.premium_model else "", s.note if s.note and s.model else ""])
    for line in fit_table(["step", "model", "calls", "cost", "premium model", "premium", "note"], rows,
                          right={3, 5}, drop_order=[6, 4, 5]):
        print(line)
    if est.batch_total_usd < est.total_usd - 1e-9:
        print(f"Through the providers' Batch APIs (answers within 24 h): ~{_money(est.batch_total_usd)} instead of"
              f" ~{_money(est.total_usd)} live — run with --batch")


def cmd_estimate(app: Any, args: argparse.Namespace) -> int:
    """Print the per-step models and costs, beside the all-premium figure."""
    from router.cli import print_json

    asyncio.run(app.refresh_local(timeout=0.5))
    est = _engine(app).estimate(args.name, parse_inputs(args.input))
    if args.json:
        print_json(est.to_json())
    else:
        _print_estimate(est)
    return 0


def _progress_printer(quiet: bool):
    def show(p: Progress) -> None:
        if quiet:
            return
        if p.event == "step_started":
            line = f"… {p.title}"
        elif p.event == "item_done" and p.total > 1:
            line = f"  {p.title}: {p.index} of {p.total} done ({p.model}, {_money(p.cost_usd)})"
        elif p.event == "step_done":
            line = f"✓ {p.title}" + (f" — {p.model}" if p.model else "") + f" {_money(p.cost_usd)}" + (
                f": {p.message}" if p.message else "")
        elif p.event == "step_failed":
            line = f"✗ {p.title}: {p.message}"
        elif p.event == "step_skipped":
            line = f"- {p.title}: skipped"
        elif p.event == "step_waiting":
            line = f"⏳ {p.message}"
        else:
            return
        print(line, file=sys.stderr, flush=True)
    return show


def _print_result(result: RunResult) -> None:
    for s in result.steps:
        head = f"## {s.title} — {s.status}" + (f", {s.model}" if s.model else "") + f", {_money(s.cost_usd)}"
        print(head)
        if s.status == "failed":
            print(f"error: {s.error}")
        elif s.output is not None:
            print(as_text(s.output))
        print()
    est = f" (estimated {_money(result.estimate_usd)}; {_money(result.premium_estimate_usd)} on the premium tier)"
    print(f"Run {result.run_id}: {result.status}, actual cost {_money(result.cost_usd)}{est}")
    if result.message:
        print(result.message)


def _finish(result: RunResult, as_json: bool) -> int:
    from router.cli import print_json

    if as_json:
        print_json(result.to_json())
    else:
        _print_result(result)
    return 0 if result.status in ("done", "no_match", "waiting") else 1


async def _with_local(app: Any, coro_factory):
    await app.refresh_local(timeout=0.5)
    return await coro_factory()


def _check_out(dest: str | None) -> None:
    """Refuse an --out folder that would overwrite files, before any money is spent."""
    if dest:
        path = Path(dest).expanduser()
        if path.suffix.lower() != ".zip" and path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise SparklioError(f"--out {dest}: already exists and is not an empty folder")


def _export(result: RunResult, dest: str | None) -> None:
    if dest:
        written = export_run(result, Path(dest))
        print(f"exported run {result.run_id} to {written}", file=sys.stderr)


def cmd_run(app: Any, args: argparse.Namespace) -> int:
    """Run a workflow, progress on stderr, results on stdout (and the deliverable in --out)."""
    engine = _engine(app)
    inputs = parse_inputs(args.input)
    _check_out(args.out)
    show = _progress_printer(args.quiet)
    batch = (args.batch_retry or "live") if args.batch else None
    result = asyncio.run(_with_local(app, lambda: engine.run(args.name, inputs, on_progress=show, batch=batch)))
    _export(result, args.out)
    return _finish(result, args.json)


def cmd_export(app: Any, args: argparse.Namespace) -> int:
    """Write an earlier run's deliverable, images and manifest to a folder or a .zip."""
    _check_out(args.dest)
    _export(_engine(app).result(args.run_id), args.dest)
    return 0


def cmd_retry(app: Any, args: argparse.Namespace) -> int:
    """Retry (or re-route with --model) one step of an earlier run without redoing the steps before it."""
    engine = _engine(app)
    show = _progress_printer(args.quiet)
    result = asyncio.run(_with_local(app, lambda: engine.retry(args.run_id, args.step, model=args.model,
                                                               on_progress=show)))
    return _finish(result, args.json)


def cmd_runs(app: Any, args: argparse.Namespace) -> int:
    """List recent runs with their estimated and actual costs."""
    from router.cli import print_json

    runs = _engine(app).runs(args.limit)
    if args.json:
        print_json([{"run_id": r.run_id, "workflow": r.workflow, "status": r.status, "cost_usd": r.cost_usd,
                     "estimate_usd": r.estimate_usd, "message": r.message} for r in runs])
        return 0
    for r in runs:
        print(f"{r.run_id:5}  {r.workflow:16} {r.status:9} actual {_money(r.cost_usd)}  "
              f"estimated {_money(r.estimate_usd)}"
              + (f"  {r.message}" if r.message and r.status != "done" else ""))
    return 0


def cmd_show(app: Any, args: argparse.Namespace) -> int:
    """Print one run's steps and outputs."""
    _finish(_engine(app).result(args.run_id), args.json)
    return 0


def register(sub: Any) -> None:
    """Add `workflow list|estimate|run|retry|runs|show` to the CLI."""
    wf = sub.add_parser("workflow", help="multi-step jobs: list, estimate, run, retry")
    wsub = wf.add_subparsers(dest="workflow_command", parser_class=type(wf), required=True)
    p = wsub.add_parser("list", help="the built-in and your own workflows")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    for name, func, helptext in (("estimate", cmd_estimate, "models and cost per step before running"),
                                 ("run", cmd_run, "run a workflow (progress on stderr)")):
        p = wsub.add_parser(name, help=helptext)
        p.add_argument("name", help="workflow name (see `sparklio workflow list`) or a .toml file")
        p.add_argument("--input", "-i", action="append", default=[], metavar="KEY=VALUE", help="an input (repeatable)")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        if name == "run":
            p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
            p.add_argument("--out", metavar="DIR", help="also write the result, images and a manifest here "
                                                         "(a folder, or a path ending in .zip)")
            p.add_argument("--batch", action="store_true",
                           help="text steps go through the provider's Batch API (half price; the run waits up to 24 h)")
            p.add_argument("--batch-retry", choices=["live", "batch", "none"],
                           help="items a batch fails or expires: run them live (default), in a new batch, or not")
        p.set_defaults(func=func)
    p = wsub.add_parser("retry", help="retry or re-route a failed step, keeping earlier steps' outputs")
    p.add_argument("run_id", type=row_id)
    p.add_argument("step")
    p.add_argument("--model", help="pin this catalog id for the step (re-route)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_retry)
    p = wsub.add_parser("export", help="write a run's result, images and manifest to a folder or .zip")
    p.add_argument("run_id", type=row_id)
    p.add_argument("dest", help="a new or empty folder, or a path ending in .zip")
    p.set_defaults(func=cmd_export)
    p = wsub.add_parser("runs", help="recent runs with estimated and actual cost")
    p.add_argument("--limit", type=row_id, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)
    p = wsub.add_parser("show", help="one run's steps and outputs")
    p.add_argument("run_id", type=row_id)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

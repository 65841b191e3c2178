"""`sparklio workflow list|estimate|run|retry|runs|show`: multi-step jobs from a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from router.batch.types import RETRY_MODES
from router.cli.common import ROW_ID, Session, json_flag, pass_session, print_json
from router.cli.table import fit_table
from router.display import fmt_usd
from router.errors import SparklioError

if TYPE_CHECKING:  # the workflow engine loads when a workflow command runs, not for `sparklio --help`
    from router.workflows.estimate import Estimate
    from router.workflows.runner import Progress, RunResult, WorkflowRunner


def parse_inputs(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings into a dict (the value may contain '='; a bare KEY is refused)."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SparklioError(f"--input needs KEY=VALUE, not {pair!r}")
        out[key.strip()] = value
    return out


def _engine(app: Any) -> WorkflowRunner:
    from router.workflows.runner import WorkflowRunner

    return WorkflowRunner(app)


def _money(v: float | None) -> str:
    return "-" if v is None else fmt_usd(v)


@click.group()
def workflow() -> None:
    """Multi-step jobs: list, estimate, run, retry."""


@workflow.command("list")
@json_flag
@pass_session
def list_workflows(session: Session, as_json: bool) -> int:
    """The built-in and your own workflows (and files that failed to load)."""
    found, problems = _engine(session.app).list()
    if as_json:
        print_json(
            {
                "workflows": [
                    {
                        "name": w.name,
                        "title": w.title,
                        "description": w.description,
                        "builtin": w.builtin,
                        "inputs": list(w.inputs),
                        "steps": w.step_ids,
                    }
                    for w in found.values()
                ],
                "problems": problems,
            }
        )
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
        rows.append(
            [
                s.title,
                (s.model or ("this machine" if s.local else "no model")),
                f"×{s.calls}" if s.calls > 1 else "",
                _money(s.cost_usd),
                s.premium_model or "-",
                _money(s.premium_cost_usd) if s.premium_model else "",
                s.note if s.note and s.model else "",
            ]
        )
    for line in fit_table(
        ["step", "model", "calls", "cost", "premium model", "premium", "note"], rows, right={3, 5}, drop_order=[6, 4, 5]
    ):
        print(line)
    for s in est.steps:
        if s.upscales:
            print(f"{s.title}: {s.upscales} image(s) — {s.upscale_note}")
    if est.batch_total_usd < est.total_usd - 1e-9:
        print(
            f"Through the providers' Batch APIs (answers within 24 h): ~{_money(est.batch_total_usd)} instead of"
            f" ~{_money(est.total_usd)} live — run with --batch"
        )


_name_argument = click.argument("name")  # a workflow name (see `sparklio workflow list`) or a .toml file
_input_option = click.option(
    "--input", "-i", "inputs", multiple=True, metavar="KEY=VALUE", help="an input (repeatable)"
)


@workflow.command()
@_name_argument
@_input_option
@json_flag
@pass_session
def estimate(session: Session, name: str, inputs: tuple[str, ...], as_json: bool) -> int:
    """Models and cost per step before running.

    NAME is a workflow name (see `sparklio workflow list`) or a .toml file.
    """

    async def priced(app) -> int:
        await app.refresh_local(timeout=0.5)
        est = _engine(app).estimate(name, parse_inputs(inputs))
        if as_json:
            print_json(est.to_json())
        else:
            _print_estimate(est)
        return 0

    return session.run(priced)


def _progress_printer(quiet: bool):
    def show(p: Progress) -> None:
        if quiet:
            return
        if p.event == "step_started":
            line = f"… {p.title}"
        elif p.event == "item_done" and p.total > 1:
            line = f"  {p.title}: {p.index} of {p.total} done ({p.model}, {_money(p.cost_usd)})"
        elif p.event == "step_done":
            line = (
                f"✓ {p.title}"
                + (f" — {p.model}" if p.model else "")
                + f" {_money(p.cost_usd)}"
                + (f": {p.message}" if p.message else "")
            )
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
    from router.workflows.templates import as_text

    for s in result.steps:
        head = f"## {s.title} — {s.status}" + (f", {s.model}" if s.model else "") + f", {_money(s.cost_usd)}"
        print(head)
        if s.status == "failed":
            print(f"error: {s.error}")
        elif s.output is not None:
            from router.workflows.templates import as_text

            print(as_text(s.output))
        print()
    est = f" (estimated {_money(result.estimate_usd)}; {_money(result.premium_estimate_usd)} on the premium tier)"
    print(f"Run {result.run_id}: {result.status}, actual cost {_money(result.cost_usd)}{est}")
    if result.message:
        print(result.message)


def _finish(result: RunResult, as_json: bool) -> int:
    if as_json:
        print_json(result.to_json())
    else:
        _print_result(result)
    return 0 if result.status in ("done", "no_match", "waiting") else 1


def _check_out(dest: str | None) -> None:
    """Refuse an --out folder that would overwrite files, before any money is spent."""
    if dest:
        path = Path(dest).expanduser()
        if path.suffix.lower() != ".zip" and path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise SparklioError(f"--out {dest}: already exists and is not an empty folder")


def _export(result: RunResult, dest: str | None) -> None:
    if dest:
        from router.workflows.export import export_run

        written = export_run(result, Path(dest))
        print(f"exported run {result.run_id} to {written}", file=sys.stderr)


@workflow.command()
@_name_argument
@_input_option
@json_flag
@click.option("--quiet", "-q", is_flag=True, help="no progress lines")
@click.option(
    "--out",
    metavar="DIR",
    help="also write the result, images and a manifest here (a folder, or a path ending in .zip)",
)
@click.option(
    "--batch",
    is_flag=True,
    help="text steps go through the provider's Batch API (half price; the run waits up to 24 h)",
)
@click.option(
    "--batch-retry",
    type=click.Choice(RETRY_MODES),
    help="items a batch fails or expires: run them live (default), in a new batch, or not",
)
@pass_session
def run(
    session: Session,
    name: str,
    inputs: tuple[str, ...],
    as_json: bool,
    quiet: bool,
    out: str | None,
    batch: bool,
    batch_retry: str | None,
) -> int:
    """Run a workflow (progress on stderr).

    NAME is a workflow name (see `sparklio workflow list`) or a .toml file. Results go to stdout (and the
    deliverable to --out).
    """
    values = parse_inputs(inputs)
    _check_out(out)
    progress = _progress_printer(quiet)
    mode = (batch_retry or "live") if batch else None

    async def running(app) -> RunResult:
        await app.refresh_local(timeout=0.5)
        return await _engine(app).run(name, values, on_progress=progress, batch=mode)

    result = session.run(running)
    _export(result, out)
    return _finish(result, as_json)


@workflow.command()
@click.argument("run_id", type=ROW_ID)
@click.argument("dest")
@pass_session
def export(session: Session, run_id: int, dest: str) -> int:
    """Write a run's result, images and manifest to a folder or .zip.

    DEST is a new or empty folder, or a path ending in .zip.
    """
    _check_out(dest)
    _export(_engine(session.app).result(run_id), dest)
    return 0


@workflow.command()
@click.argument("run_id", type=ROW_ID)
@click.argument("step")
@click.option("--model", help="pin this catalog id for the step (re-route)")
@json_flag
@click.option("--quiet", "-q", is_flag=True, help="no progress lines")
@pass_session
def retry(session: Session, run_id: int, step: str, model: str | None, as_json: bool, quiet: bool) -> int:
    """Retry or re-route a failed step, keeping earlier steps' outputs."""
    progress = _progress_printer(quiet)

    async def again(app) -> RunResult:
        await app.refresh_local(timeout=0.5)
        return await _engine(app).retry(run_id, step, model=model, on_progress=progress)

    return _finish(session.run(again), as_json)


@workflow.command()
@click.option("--limit", type=ROW_ID, default=20, show_default=True, help="how many runs")
@json_flag
@pass_session
def runs(session: Session, limit: int, as_json: bool) -> int:
    """Recent runs with estimated and actual cost."""
    found = _engine(session.app).runs(limit)
    if as_json:
        print_json(
            [
                {
                    "run_id": r.run_id,
                    "workflow": r.workflow,
                    "status": r.status,
                    "cost_usd": r.cost_usd,
                    "estimate_usd": r.estimate_usd,
                    "message": r.message,
                }
                for r in found
            ]
        )
        return 0
    for r in found:
        print(
            f"{r.run_id:5}  {r.workflow:16} {r.status:9} actual {_money(r.cost_usd)}  "
            f"estimated {_money(r.estimate_usd)}" + (f"  {r.message}" if r.message and r.status != "done" else "")
        )
    return 0


@workflow.command()
@click.argument("run_id", type=ROW_ID)
@json_flag
@pass_session
def show(session: Session, run_id: int, as_json: bool) -> int:
    """One run's steps and outputs."""
    _finish(_engine(session.app).result(run_id), as_json)
    return 0


COMMANDS = (workflow,)

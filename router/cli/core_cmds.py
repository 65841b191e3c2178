"""`sparklio route`, `ask`, `models`, `keys`, `demo`: the router core from a terminal."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from router.batch.types import RETRY_MODES
from router.cli.common import Session, json_flag, pass_session, print_json, read_prompt
from router.display import fmt_usd, strip_controls
from router.errors import AllProvidersFailedError, SparklioError
from router.providers.info import keyed
from router.types import (
    BUDGET_TIERS,
    COMPLEXITIES,
    QUALITIES,
    SPEED_TIERS,
    AnswerDone,
    AttemptFailed,
    AttemptStarted,
    ImageInput,
    Message,
    PartialWithdrawn,
    RetryScheduled,
    RouteRequest,
    TextDelta,
)

log = logging.getLogger(__name__)

KEY_PROVIDERS = keyed()  # providers with an API key, from the one provider table


def _read_image(path: str) -> ImageInput:
    from router.vision import load_image

    return load_image(path)


def request_from(app, prompt: str, flags: dict) -> RouteRequest:
    """A RouteRequest from route/ask flags (the task and a pinned model checked against the live tables)."""
    prompt = read_prompt(prompt)
    task, model = flags.get("task"), flags.get("model")
    if task:
        app.policy.task(task)
    if model:
        app.catalog.get(model)
    images = [_read_image(p) for p in flags.get("image", ())]
    return RouteRequest(
        [Message("user", prompt, images)],
        task=task,
        complexity=flags.get("complexity"),
        budget=flags.get("budget"),
        speed=flags.get("speed"),
        quality=flags.get("quality"),
        model=model,
        offline=True if flags.get("offline") else None,
        use_cache=not flags.get("no_cache", False),
        can_wait=bool(flags.get("can_wait", False)),
        batch_retry=flags.get("batch_retry"),
    )


def routing_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags `route` and `ask` share; choices come from the router's own tables."""
    for option in reversed(
        (
            click.argument("prompt"),
            click.option("--task", help="task type (default: auto)"),
            click.option("--complexity", type=click.Choice(COMPLEXITIES)),
            click.option("--budget", type=click.Choice(BUDGET_TIERS)),
            click.option("--speed", type=click.Choice(SPEED_TIERS)),
            click.option("--quality", type=click.Choice(QUALITIES)),
            click.option("--image", multiple=True, metavar="FILE", help="attach an image (repeatable)"),
            click.option("--offline", is_flag=True, help="local models only"),
            json_flag,
        )
    ):
        command = option(command)
    return command


@click.command()
@routing_options
@pass_session
def route(session: Session, prompt: str, as_json: bool, **flags: Any) -> int:
    """Show which models would answer, and why (no call).

    PROMPT is what you want (use - to read it from stdin).
    """

    async def plan(app) -> int:
        # issue 19: no Ollama probe: `Sparklio.open` installed the last list seen (router/local_snapshot.py)
        result = app.plan(request_from(app, prompt, flags))
        if as_json:
            print_json(result.to_json())
        else:
            print(result.explain())
        return 0

    return session.run(plan)


class _AnswerWriter:
    """Answer text to stdout: live on a terminal (a cut answer is marked in place), whole when piped."""

    def __init__(self, out, live: bool) -> None:
        self.out, self.live = out, live
        self.held: list[str] = []
        self.last = "\n"

    def text(self, chunk: str) -> None:
        """Stream one delta (a pipe gets it when the attempt completes)."""
        chunk = strip_controls(chunk)  # model text never drives the terminal (titles, clipboard); the DB keeps it
        if not chunk:
            return
        if self.live:
            self.out.write(chunk)
            self.out.flush()
            self.last = chunk
        else:
            self.held.append(chunk)

    def withdraw(self, model: str) -> None:
        """The attempt's text was cut off: say so where the text is (terminal) or drop it (pipe)."""
        if self.live:
            self.out.write(f"\n[cut off: the partial answer from {model} above is incomplete and discarded]\n")
            self.out.flush()
            self.last = "\n"
        self.held.clear()

    def finish(self) -> None:
        """Flush a piped answer; end the output with a newline."""
        if self.held:
            text = "".join(self.held)
            self.out.write(text)
            self.last = text
            self.held.clear()
        if not self.last.endswith("\n"):
            self.out.write("\n")
        self.out.flush()


async def _ask(app, request, as_json: bool):
    writer = None if as_json else _AnswerWriter(sys.stdout, sys.stdout.isatty())
    refresh: list[asyncio.Future] = []  # lists older than 24 h, fetched while the answer streams
    try:
        return await _stream(app, request, writer, refresh)
    finally:
        for job in refresh:
            if not job.done():
                job.cancel()  # never delays the command: the next run fetches again
            elif not job.cancelled() and job.exception() is not None:
                log.debug("model list refresh failed", exc_info=job.exception())


async def _stream(app, request, writer, refresh: list):
    answer = None
    async for ev in app.run(request):
        if isinstance(ev, TextDelta) and not refresh:  # after the first token: it never slows the answer down
            refresh.append(asyncio.ensure_future(app.refresh_models()))
        if isinstance(ev, TextDelta) and writer:
            writer.text(ev.text)
        elif isinstance(ev, AttemptStarted) and (ev.position or ev.attempt > 1 or sys.stderr.isatty()):
            wait = f"; waiting up to {ev.wait_s:.3g} s for the first words" if ev.wait_s else ""
            print(f"[{ev.model}: attempt {ev.attempt}{wait}]", file=sys.stderr)
        elif isinstance(ev, RetryScheduled):
            print(f"[{ev.model} failed ({strip_controls(ev.error)}); retrying in {ev.delay_s:.1f} s]", file=sys.stderr)
        elif isinstance(ev, AttemptFailed):
            print(f"[{ev.attempt.model} gave up: {strip_controls(ev.attempt.error or '')}]", file=sys.stderr)
        elif isinstance(ev, PartialWithdrawn) and writer:
            writer.withdraw(ev.model)
            print(f"[the answer from {ev.model} was cut off and is discarded]", file=sys.stderr)
        elif isinstance(ev, AnswerDone):
            answer = ev.answer
            if writer:
                writer.finish()
        elif hasattr(ev, "job_id"):  # BatchQueued: the answer comes later
            return ev
    return answer


@click.command()
@routing_options
@click.option("--model", help="use this catalog id")
@click.option("--no-cache", is_flag=True, help="skip the response cache")
@click.option(
    "--can-wait",
    is_flag=True,
    help="with --speed batch: send it through the provider's Batch API (half price, within 24 h)",
)
@click.option(
    "--batch-retry",
    type=click.Choice(RETRY_MODES),
    help="if the batch item fails or expires: retry live (default), in a new batch, or not",
)
@pass_session
def ask(session: Session, prompt: str, as_json: bool, **flags: Any) -> int:
    """Ask and stream the answer.

    Run a request. The answer streams to a terminal; piped or redirected, it is printed once complete (a cut-off
    attempt never reaches the pipe). Progress, retries and the cost line go to stderr. PROMPT is what you want
    (use - to read it from stdin).
    """

    async def answer(app) -> int:
        await app.refresh_local(timeout=0.5)
        request = request_from(app, prompt, flags)
        try:
            result = await _ask(app, request, as_json)
        except AllProvidersFailedError as exc:
            if as_json:
                print_json({"error": str(exc), "attempts": [a.__dict__ for a in exc.attempts]})
            raise
        return _print_answer(result, as_json)

    return session.run(answer)


def _print_answer(answer, as_json: bool) -> int:
    """The answer's JSON, or its footer line on stderr (the text has streamed already)."""
    if hasattr(answer, "job_id"):
        from router.cli.batch_cmds import print_queued

        return print_queued(answer, as_json)
    if as_json:
        print_json(answer.to_json())
        return 0
    cached = ", cached" if answer.cached else ""
    if answer.image:  # an image answer: size, steps, seconds, seed instead of tokens
        from router.cli.image_cmds import image_summary

        print(
            f"\n{image_summary(answer.model, answer.image, answer.cost_usd)} · message {answer.message_id}",
            file=sys.stderr,
        )
        return 0
    slot = f" (for {answer.serves_for})" if answer.serves_for else ""
    print(
        f"\n— {answer.model}{slot} · {answer.usage.input_tokens}→{answer.usage.output_tokens} tokens · "
        f"{fmt_usd(answer.cost_usd)} · {answer.latency_ms / 1000:.1f} s{cached} · message {answer.message_id}",
        file=sys.stderr,
    )
    return 0


@click.command()
@json_flag
@click.option("--refresh", is_flag=True, help="fetch every provider's model list first")
@pass_session
def models(session: Session, as_json: bool, refresh: bool) -> int:
    """List the catalog with availability."""

    async def listing(app) -> int:
        if refresh:
            for name, outcome in (await app.refresh_models(force=True)).items():
                print(f"{name}: {outcome}", file=sys.stderr)
        else:
            await app.refresh_local(timeout=0.5)
        _print_models(app, as_json)
        return 0

    return session.run(listing)


def _print_models(app, as_json: bool) -> None:
    """The catalog with availability, as JSON or a table with when each model list was fetched."""
    rows = app.model_status()
    retired = app.lifecycle.retired()
    if as_json:
        print_json(
            [
                {
                    "id": s.model.id,
                    "provider": s.model.provider,
                    "api_model": s.model.api_model,
                    "kind": s.model.kind,
                    "family": s.model.family,
                    "input_price": s.model.input_price,
                    "output_price": s.model.output_price,
                    "price_source": s.model.price_source,
                    "speed": s.model.speed,
                    "context_window": s.model.context_window,
                    "quality": s.model.quality,
                    "min_budget": s.model.min_budget,
                    "available": s.available,
                    "why": s.why,
                    "retired": s.model.id in retired,
                    "served_by": getattr(retired.get(s.model.id), "successor", None),
                    "retires": s.model.retires or None,
                }
                for s in rows
            ]
        )
        return
    print(
        f"{'model':26} {'provider':10} {'kind':9} {'$in/$out per 1M':>18} {'speed':9} {'context':>9} {'q':>5}  status"
    )
    for s in rows:
        m = s.model
        price = (
            "local"
            if m.local
            else "unknown"
            if not m.priced
            else "per image"
            if m.kind == "image"
            else f"{m.input_price:g}/{m.output_price:g}"
        )
        r = retired.get(m.id)
        state = (
            "✓ ready" if s.available else (f"✗ retired → served by {r.successor or 'nothing'}" if r else "✗ " + s.why)
        )
        if s.available and m.retires:
            state += f" (retires {m.retires})"
        print(
            f"{m.id:26} {m.provider:10} {m.kind:9} {price:>18} {m.speed:9} {m.context_window:>9,} {m.quality:>5g}  "
            f"{state}"
        )
    print(_lists_line(app))


def _lists_line(app) -> str:
    """When each provider's model list was fetched (or that none has been yet)."""
    import time

    from router.model_lists import age_text

    lists = app.lifecycle.lists
    if not lists:
        return "Model lists: none fetched yet (the catalog's published dates decide); run `sparklio models --refresh`."
    now = time.time()
    parts = [
        f"{p} {age_text(now - lst.fetched_at)}" + (f" (last refresh failed: {lst.error})" if lst.error else "")
        for p, lst in sorted(lists.items())
    ]
    return "Model lists fetched: " + "; ".join(parts)


@click.command()
@click.argument("action", type=click.Choice(["set", "delete", "list"]))
@click.argument("provider", required=False, type=click.Choice(KEY_PROVIDERS))
@click.option(
    "--file-store",
    is_flag=True,
    help="with set: keep keys in a plain file (mode 0600, UNENCRYPTED) where no keyring exists",
)
@pass_session
def keys(session: Session, action: str, provider: str | None, file_store: bool) -> int:
    """Manage API keys in the OS keyring.

    The key is typed at a hidden prompt (or read from stdin when piped); it is never an argument, never printed.
    """
    app = session.app
    if action == "list":
        for p in KEY_PROVIDERS:
            src = app.secrets.source(p)
            src = "plain file" if src == "keyring" and app.secrets.chosen_store else src
            print(f"{p:10} {'key from ' + src if src else 'no key'}")
        if not app.secrets.backend_ok or app.secrets.chosen_store:
            print(app.secrets.backend_message, file=sys.stderr)
        return 0
    if not provider:
        raise SparklioError(
            f"`sparklio keys {action}` needs a provider: {', '.join(KEY_PROVIDERS[:-1])} or {KEY_PROVIDERS[-1]}"
        )
    if action == "delete":
        removed = app.secrets.delete(provider)
        print(f"deleted the {provider} key" if removed else f"there was no stored {provider} key")
        return 0
    key = _read_key(provider)
    if file_store:
        where = _store_in_key_file(app, provider, key)
    elif not app.secrets.backend_ok:
        raise SparklioError(
            app.secrets.backend_message.replace(
                "keys you enter are kept for this session only", "the key cannot be kept from the command line"
            ).rstrip(".")
            + ", or add --file-store to keep it in a plain file (unencrypted)"
        )
    else:
        where = app.secrets.set(provider, key)
    print(f"stored the {provider} key in the {where}")
    return 0


def _store_in_key_file(app, provider: str, key: str) -> str:
    """The warned opt-in: the key in a plain 0600 file (where no keyring exists); returns where it went."""
    from router.key_file import WARNING, opt_in, restrict

    path = opt_in(app)
    print(f"sparklio: {WARNING.format(path=path)}", file=sys.stderr)
    app.secrets.set(provider, key)
    restrict(path)
    return f"plain file {path}"


def stdin_is_terminal() -> bool:
    """Whether a person types at this process (then the key prompt hides what they type)."""
    return sys.stdin.isatty()


def _read_key(provider: str) -> str:
    """The key from a hidden prompt on a terminal, else the first line of stdin (`... | sparklio keys set X`)."""
    if stdin_is_terminal():
        return click.prompt(f"{provider} API key (input hidden)", hide_input=True, err=True)
    return sys.stdin.readline()


@click.command()
@click.option("--seed", type=int, default=7, show_default=True, help="random seed of the demo data")
@pass_session
def demo(session: Session, seed: int) -> int:
    """Fill an EMPTY data folder with demo data (try the app without keys)."""
    from router.demo import seed_demo
    from router.paths import data_dir

    folder = data_dir(session.data_dir)
    summary = seed_demo(folder, seed=seed)
    print(
        f"demo data in {folder}: {summary.conversations} conversations, {summary.ledger_rows} ledger rows, "
        f"{summary.ratings} ratings, {fmt_usd(summary.month_spend_usd)} spent this month"
    )
    return 0


COMMANDS = (route, ask, models, keys, demo)

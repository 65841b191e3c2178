"""`sparklio route`, `ask`, `models`, `keys`: the router core from a terminal."""

from __future__ import annotations

import asyncio
import logging
import getpass
import sys

from router.display import fmt_usd, strip_controls
from router.errors import AllProvidersFailedError, SparklioError
from router.validate import read_stdin_text
from router.types import (AnswerDone, AttemptFailed, AttemptStarted, ImageInput, Message, PartialWithdrawn,
                          RetryScheduled, RouteRequest, TextDelta)
log = logging.getLogger(__name__)


def _read_prompt(text: str) -> str:
    if text == "-":
        text = read_stdin_text(sys.stdin)  # bytes that are not UTF-8 become U+FFFD, never a decode error
    if not text.strip():
        raise SparklioError("the prompt is empty: type something to send")
    return text


def _read_image(path: str) -> ImageInput:
    from router.vision import load_image

    return load_image(path)


def request_from(args, app) -> RouteRequest:
    """A RouteRequest from route/ask flags."""
    prompt = _read_prompt(args.prompt)
    if args.task:
        app.policy.task(args.task)
    model = getattr(args, "model", None)
    if model:
        app.catalog.get(model)
    images = [_read_image(p) for p in args.image]
    return RouteRequest([Message("user", prompt, images)], task=args.task, complexity=args.complexity,
                        budget=args.budget, speed=args.speed, quality=args.quality, model=model,
                        offline=True if args.offline else None,
                        use_cache=not getattr(args, "no_cache", False),
                        can_wait=bool(getattr(args, "can_wait", False)),
                        batch_retry=getattr(args, "batch_retry", None))


def _prepare(app) -> None:
    """Find installed Ollama models (local only, short timeout)."""
    asyncio.run(app.refresh_local(timeout=0.5))


def cmd_route(app, args) -> int:
    """Print the plan, make no call."""
    from router.cli import print_json

    _prepare(app)  # installed Ollama models are catalog ids too
    request = request_from(args, app)
    plan = app.plan(request)
    if args.json:
        print_json(plan.to_json())
    else:
        print(plan.explain())
    return 0


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


def cmd_ask(app, args) -> int:
    """Run a request and stream the answer."""
    from router.cli import print_json

    _prepare(app)
    request = request_from(args, app)
    try:
        answer = asyncio.run(_ask(app, request, args.json))
    except AllProvidersFailedError as exc:
        if args.json:
            print_json({"error": str(exc), "attempts": [a.__dict__ for a in exc.attempts]})
        raise
    if hasattr(answer, "job_id"):
        from router.cli.batch_cmds import print_queued

        return print_queued(answer, args.json)
    if args.json:
        print_json(answer.to_json())
    else:
        cached = ", cached" if answer.cached else ""
        if answer.image:  # an image answer: size, steps, seconds, seed instead of tokens
            from router.cli.image_cmds import image_summary

            print(f"\n{image_summary(answer.model, answer.image, answer.cost_usd)} · message {answer.message_id}",
                  file=sys.stderr)
            return 0
        slot = f" (for {answer.serves_for})" if answer.serves_for else ""
        print(f"\n— {answer.model}{slot} · {answer.usage.input_tokens}→{answer.usage.output_tokens} tokens · "
              f"{fmt_usd(answer.cost_usd)} · {answer.latency_ms / 1000:.1f} s{cached} · message {answer.message_id}",
              file=sys.stderr)
    return 0


def cmd_models(app, args) -> int:
    """The catalog with availability; `--refresh` first fetches every provider's model list."""
    from router.cli import print_json

    if args.refresh:
        for name, outcome in asyncio.run(app.refresh_models(force=True)).items():
            print(f"{name}: {outcome}", file=sys.stderr)
    else:
        _prepare(app)
    rows = app.model_status()
    retired = app.lifecycle.retired()
    if args.json:
        print_json([{
            "id": s.model.id, "provider": s.model.provider, "api_model": s.model.api_model, "kind": s.model.kind,
            "family": s.model.family, "input_price": s.model.input_price, "output_price": s.model.output_price,
            "price_source": s.model.price_source, "speed": s.model.speed, "context_window": s.model.context_window,
            "quality": s.model.quality, "min_budget": s.model.min_budget, "available": s.available, "why": s.why,
            "retired": s.model.id in retired, "served_by": getattr(retired.get(s.model.id), "successor", None),
            "retires": s.model.retires or None,
        } for s in rows])
        return 0
    print(f"{'model':26} {'provider':10} {'kind':9} {'$in/$out per 1M':>18} {'speed':9} {'context':>9} {'q':>5}  status")
    for s in rows:
        m = s.model
        price = ("local" if m.local else "unknown" if not m.priced else
                 "per image" if m.kind == "image" else f"{m.input_price:g}/{m.output_price:g}")
        r = retired.get(m.id)
        state = ("✓ ready" if s.available else (f"✗ retired → served by {r.successor or 'nothing'}" if r else
                                                 "✗ " + s.why))
        if s.available and m.retires:
            state += f" (retires {m.retires})"
        print(f"{m.id:26} {m.provider:10} {m.kind:9} {price:>18} {m.speed:9} {m.context_window:>9,} {m.quality:>5g}  "
              f"{state}")
    print(_lists_line(app))
    return 0


def _lists_line(app) -> str:
    """When each provider's model list was fetched (or that none has been yet)."""
    import time

    from router.model_lists import age_text

    lists = app.lifecycle.lists
    if not lists:
        return "Model lists: none fetched yet (the catalog's published dates decide); run `sparklio models --refresh`."
    now = time.time()
    parts = [f"{p} {age_text(now - lst.fetched_at)}" + (f" (last refresh failed: {lst.error})" if lst.error else "")
             for p, lst in sorted(lists.items())]
    return "Model lists fetched: " + "; ".join(parts)


def cmd_keys(app, args) -> int:
    """Store, delete or list provider keys (keyring only; keys are never printed)."""
    if args.action == "list":
        for p in ("openai", "anthropic", "google", "compat"):
            src = app.secrets.source(p)
            src = "plain file" if src == "keyring" and app.secrets.chosen_store else src
            print(f"{p:10} {'key from ' + src if src else 'no key'}")
        if not app.secrets.backend_ok or app.secrets.chosen_store:
            print(app.secrets.backend_message, file=sys.stderr)
        return 0
    if not args.provider:
        raise SparklioError(f"`sparklio keys {args.action}` needs a provider: openai, anthropic, google or compat")
    if args.action == "set":
        if sys.stdin.isatty():
            key = getpass.getpass(f"{args.provider} API key (input hidden): ")
        else:
            key = sys.stdin.readline()
        if args.file_store:
            from router.key_file import WARNING, opt_in, restrict

            path = opt_in(app)
            print(f"sparklio: {WARNING.format(path=path)}", file=sys.stderr)
        elif not app.secrets.backend_ok:
            raise SparklioError(app.secrets.backend_message.replace(
                "keys you enter are kept for this session only",
                "the key cannot be kept from the command line").rstrip(".")
                + ", or add --file-store to keep it in a plain file (unencrypted)")
        where = app.secrets.set(args.provider, key)
        if args.file_store:
            restrict(path)
            where = f"plain file {path}"
        print(f"stored the {args.provider} key in the {where}")
        return 0
    removed = app.secrets.delete(args.provider)
    print(f"deleted the {args.provider} key" if removed else f"there was no stored {args.provider} key")
    return 0


def cmd_demo(_app, args) -> int:
    """Fill an empty data folder with a month of demo conversations, spend and ratings."""
    from router.demo import seed_demo
    from router.paths import data_dir

    folder = data_dir(args.data_dir)
    summary = seed_demo(folder, seed=args.seed)
    print(f"demo data in {folder}: {summary.conversations} conversations, {summary.ledger_rows} ledger rows, "
          f"{summary.ratings} ratings, {fmt_usd(summary.month_spend_usd)} spent this month")
    return 0


def register(sub, routing_flags) -> None:
    """Add route/ask/models/keys to the CLI."""
    p = sub.add_parser("route", help="show which models would answer, and why (no call)")
    routing_flags(p)
    p.set_defaults(func=cmd_route)
    p = sub.add_parser("ask", help="ask and stream the answer",
                       description="Run a request. The answer streams to a terminal; piped or redirected, it is "
                                   "printed once complete (a cut-off attempt never reaches the pipe). Progress, "
                                   "retries and the cost line go to stderr.")
    routing_flags(p)
    p.add_argument("--model", help="use this catalog id")
    p.add_argument("--no-cache", action="store_true", help="skip the response cache")
    p.add_argument("--can-wait", action="store_true",
                   help="with --speed batch: send it through the provider's Batch API (half price, within 24 h)")
    p.add_argument("--batch-retry", choices=["live", "batch", "none"],
                   help="if the batch item fails or expires: retry live (default), in a new batch, or not")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("models", help="list the catalog with availability")
    p.add_argument("--json", action="store_true")
    p.add_argument("--refresh", action="store_true", help="fetch every provider's model list first")
    p.set_defaults(func=cmd_models)
    p = sub.add_parser("demo", help="fill an EMPTY data folder with demo data (try the app without keys)")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=cmd_demo, needs_app=False)
    p = sub.add_parser("keys", help="manage API keys in the OS keyring")
    p.add_argument("action", choices=["set", "delete", "list"])
    p.add_argument("provider", nargs="?", choices=["openai", "anthropic", "google", "compat"])
    p.add_argument("--file-store", action="store_true",
                   help="with set: keep keys in a plain file (mode 0600, UNENCRYPTED) where no keyring exists")
    p.set_defaults(func=cmd_keys)

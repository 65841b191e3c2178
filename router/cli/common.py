"""What every CLI command shares: the session (global options, the app, its one event loop), JSON out, id types."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from router.display import strip_controls
from router.errors import SparklioError
from router.validate import MAX_ROW_ID, read_stdin_text

if TYPE_CHECKING:
    from router.app import Sparklio

T = TypeVar("T")


class Session:
    """One CLI run: the global options and, once a command asks for it, the open app."""

    def __init__(self) -> None:
        self.data_dir: str | None = None
        self.offline = False
        self.verbose = False
        self._app: Sparklio | None = None

    @property
    def app(self) -> Sparklio:
        """The app on the data folder, opened on first use (budget alerts reach stderr)."""
        if self._app is None:
            from router.app import Sparklio

            self._app = Sparklio.open(self.data_dir)
            self._app.events.subscribe(_print_alert)
            if self.offline:
                self._app.force_offline = True
        return self._app

    @property
    def store_path(self) -> Path | str:
        """The open database's file ("" before the app opens): for the damaged/locked-database line."""
        return getattr(getattr(self._app, "store", None), "path", "")

    def run(self, body: Callable[[Sparklio], Awaitable[T]]) -> T:
        """Run the command's async body and close the app in that same event loop: one loop per command."""
        app = self.app

        async def whole() -> T:
            me = asyncio.current_task()
            assert me is not None  # inside asyncio.run
            _RUNNING.append(me)
            try:
                return await body(app)
            finally:
                _RUNNING.pop()
                self._app = None
                await app.aclose()

        try:
            return asyncio.run(whole())
        except asyncio.CancelledError:  # stopped by SIGTERM (on_sigterm): the command was interrupted
            raise KeyboardInterrupt from None

    def close(self) -> None:
        """Close an app a synchronous command opened (its one event loop; nothing when none is open)."""
        app, self._app = self._app, None
        if app is not None:
            try:
                asyncio.run(app.aclose())
            except Exception:
                pass


_RUNNING: list[asyncio.Task] = []  # the command's task while Session.run runs it (what SIGTERM stops)


def on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM stops a command the way Ctrl-C stops it inside asyncio.run: the running request is cancelled (its
    answer marked cancelled, its partial spend recorded), whatever Ctrl-C's handling the process inherited (a job a
    script started in the background ignores Ctrl-C); a second SIGTERM, or one outside a request, interrupts at once."""
    task = _RUNNING[-1] if _RUNNING else None
    if task is None or task.done() or task.cancelling():
        raise KeyboardInterrupt
    task.cancel()
    task.get_loop().call_soon_threadsafe(lambda: None)  # wake the loop if it waits in select()


pass_session = click.make_pass_decorator(Session)
json_flag = click.option("--json", "as_json", is_flag=True, help="machine-readable output")


class RowId(click.ParamType):
    """A database id (1 … 2^63-1): anything else is a usage error (exit 2)."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            n = int(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if not 1 <= n <= MAX_ROW_ID:
            self.fail(f"{value} is not a valid id (ids are whole numbers from 1)", param, ctx)
        return n


ROW_ID = RowId()


def _print_alert(event: Any) -> None:
    """Budget alerts, cost anomalies and GPU arbitration steps reach the terminal as one line on stderr."""
    if event.kind in ("budget_alert", "cost_anomaly", "gpu_notice"):  # a refusal is already the error line
        line = f"{event.title}: {event.message}" if event.title else event.message  # the text never repeats the title
        print(f"sparklio: {strip_controls(line)}", file=sys.stderr)


def print_json(obj: Any) -> None:
    """Pretty JSON on stdout."""
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def read_prompt(text: str) -> str:
    """The prompt argument (`-` reads stdin); an empty one is refused in one line."""
    if text == "-":
        text = read_stdin_text(sys.stdin)  # bytes that are not UTF-8 become U+FFFD, never a decode error
    if not text.strip():
        raise SparklioError("the prompt is empty: type something to send")
    return text

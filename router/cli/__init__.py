"""The `sparklio` command line: route, ask, models, keys (+ money and workflow commands)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
from pathlib import Path

from router.display import strip_controls
from router.errors import SparklioError
from router.validate import clean_text, database_problem

EXTRA_COMMANDS = ("router.cli.money_cmds", "router.cli.workflow_cmds", "router.cli.local_cmds",
                  "router.cli.image_cmds", "router.cli.install_cmds", "router.cli.batch_cmds",
                  "router.cli.doctor_cmds", "router.cli.studio_cmds")
OWN_LOGGERS = ("router", "local_models", "ui", "__main__")  # what reaches the terminal without -v


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one clear line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"sparklio: error: {message} (see `sparklio {self.prog.split(' ', 1)[-1] if ' ' in self.prog else ''} --help`)\n".replace("  ", " "))


def _routing_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("prompt", help="what you want (use - to read it from stdin)")
    p.add_argument("--task", help="task type (default: auto)")
    p.add_argument("--complexity", choices=["simple", "medium", "complex"])
    p.add_argument("--budget", choices=["low", "standard", "premium"])
    p.add_argument("--speed", choices=["realtime", "standard", "batch"])
    p.add_argument("--quality", choices=["draft", "standard", "production"])
    p.add_argument("--image", action="append", default=[], metavar="FILE", help="attach an image (repeatable)")
    p.add_argument("--offline", action="store_true", default=None, help="local models only")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def build_parser() -> argparse.ArgumentParser:
    """The full command tree."""
    parser = _Parser(prog="sparklio", description="Sparklio Desktop: route every AI request to the right model.")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (default: $SPARKLIO_HOME or the platform's)")
    parser.add_argument("--offline", dest="global_offline", action="store_true", help="local-only mode for this run")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.add_parser("gui", help="launch the desktop app (the default)",
                   description="Open the desktop app; also what `sparklio` with no command does. The global "
                               "--data-dir, --offline and -v options apply (give them before `gui`).")

    from router.cli import core_cmds

    core_cmds.register(sub, _routing_flags)
    for name in EXTRA_COMMANDS:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        mod.register(sub)
    return parser


def _log_path(data_dir: Path | None, create: bool = True) -> Path | None:
    try:
        from router.paths import data_dir as resolve

        log = resolve(data_dir) / "logs" / "sparklio.log"
        if create:
            _create_private(log)
        return log
    except Exception:
        return None


def _create_private(log: Path) -> None:
    """The log and its folder, 0600 / 0700: the log can hold prompts."""
    from router.store.db import private

    log.parent.mkdir(parents=True, exist_ok=True)
    log.touch()
    for p in (log.parent, log):
        private(p)


class _LogFile(logging.FileHandler):
    """The data folder's log, created (private) with its folder only when something is written."""

    def _open(self):
        _create_private(Path(self.baseFilename))
        return super()._open()


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command; expected failures print one line on stderr and return non-zero."""
    parser = build_parser()
    from router.cli.studio_cmds import alias_argv

    args = parser.parse_args(alias_argv([clean_text(a) for a in (sys.argv[1:] if argv is None else argv)]))
    terminate_like_interrupt()  # SIGTERM stops a run the way Ctrl-C does (partial spend recorded)
    _setup_logging(args)
    if args.command in (None, "gui"):  # main.py opens the app; here only for `sparklio gui --help` and the like
        parser.print_help()
        return 0
    app = None
    try:
        if not getattr(args, "needs_app", True):
            return int(args.func(None, args) or 0)
        from router.app import Sparklio

        app = Sparklio.open(args.data_dir)
        app.events.subscribe(_print_alert)
        if args.global_offline:
            app.force_offline = True
        return int(args.func(app, args) or 0)
    except SparklioError as exc:
        print(f"sparklio: error: {strip_controls(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sparklio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `sparklio stats | head`: the reader left, which is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # never a traceback for the user: log it, say where
        known = database_problem(exc, getattr(getattr(app, "store", None), "path", ""))
        if known is not None:  # a locked or damaged database: one line with the fix
            print(f"sparklio: error: {known}", file=sys.stderr)
            return 1
        path = _log_path(args.data_dir)
        if path is not None:
            import traceback

            with path.open("a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc())
        print(f"sparklio: unexpected error: {type(exc).__name__}: {exc}"
              + (f" (details in {path})" if path else ""), file=sys.stderr)
        return 1
    finally:
        if app is not None:
            try:
                asyncio.run(app.aclose())
            except Exception:
                pass


def _setup_logging(args) -> None:
    """Our warnings on stderr (everything with -v); third-party library noise only in the log file."""
    def own(record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] in OWN_LOGGERS

    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if not args.verbose:
        console.setLevel(logging.WARNING)
        console.addFilter(own)
    handlers: list[logging.Handler] = [console]
    path = _log_path(args.data_dir, create=False) if args.command not in (None, "gui") else None
    if path is not None:  # our INFO lines (e.g. VRAM arbitration steps) and everyone's warnings
        to_file = _LogFile(path, encoding="utf-8", delay=True)
        to_file.addFilter(lambda r: r.levelno >= logging.WARNING or own(r))
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, handlers=handlers)


def terminate_like_interrupt() -> None:
    """SIGTERM raises SIGINT: inside asyncio.run the running request is cancelled exactly as by Ctrl-C."""
    import signal

    if hasattr(signal, "SIGTERM"):
        try:
            signal.signal(signal.SIGTERM, lambda *_: signal.raise_signal(signal.SIGINT))
        except ValueError:  # not the main thread (embedded use): leave the default
            pass


def _print_alert(event) -> None:
    """Budget alerts, cost anomalies and GPU arbitration steps reach the terminal as one line on stderr."""
    if event.kind in ("budget_alert", "cost_anomaly", "gpu_notice"):  # a refusal is already the error line
        line = f"{event.title}: {event.message}" if event.title else event.message  # the text never repeats the title
        print(f"sparklio: {strip_controls(line)}", file=sys.stderr)


def print_json(obj) -> None:
    """Pretty JSON on stdout."""
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))

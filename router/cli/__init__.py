"""The `sparklio` command line: one click group; each area's commands live in its own module."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from router.cli.common import Session, on_sigterm, print_json
from router.display import strip_controls
from router.errors import SparklioError
from router.validate import clean_text, database_problem

__all__ = ["cli", "main", "print_json"]
OWN_LOGGERS = ("router", "local_models", "ui", "__main__")  # what reaches the terminal without -v


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}, invoke_without_command=True
)
@click.option("--data-dir", metavar="DIR", help="data folder (default: $SPARKLIO_HOME or the platform's)")
@click.option("--offline", is_flag=True, help="local-only mode for this run")
@click.option("-v", "--verbose", is_flag=True, help="log details to stderr")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, offline: bool, verbose: bool) -> int:
    """Sparklio Desktop: route every AI request to the right model."""
    session = ctx.ensure_object(Session)
    session.data_dir, session.offline, session.verbose = data_dir, offline, verbose
    ctx.call_on_close(session.close)  # a synchronous command's app closes when the command ends
    _setup_logging(session, ctx.invoked_subcommand)
    if ctx.invoked_subcommand is None:  # main.py opens the app; here only when the CLI runs on its own
        click.echo(ctx.get_help())
    return 0


@cli.command()
@click.pass_context
def gui(ctx: click.Context) -> int:
    """Launch the desktop app (the default).

    Open the desktop app; also what `sparklio` with no command does. The global --data-dir, --offline and -v
    options apply (give them before `gui`).
    """
    click.echo(ctx.parent.get_help() if ctx.parent else "")
    return 0


def _add_commands() -> None:
    """Every area's commands, imported by name (a broken module fails loudly, never silently missing)."""
    from router.cli import (
        batch_cmds,
        core_cmds,
        doctor_cmds,
        image_cmds,
        install_cmds,
        money_cmds,
        studio_cmds,
        workflow_cmds,
    )

    for module in (
        core_cmds,
        image_cmds,
        studio_cmds,
        batch_cmds,
        install_cmds,
        money_cmds,
        workflow_cmds,
        doctor_cmds,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_add_commands()


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command; expected failures print one line on stderr and return non-zero."""
    from router.cli.studio_cmds import alias_argv

    args = alias_argv([clean_text(a) for a in (sys.argv[1:] if argv is None else argv)])
    terminate_like_interrupt()  # SIGTERM stops a run the way Ctrl-C does (partial spend recorded)
    session = Session()
    try:
        with cli.make_context("sparklio", args, obj=session) as ctx:
            return int(cli.invoke(ctx) or 0)
    except click.exceptions.Exit as done:  # --help
        return done.exit_code
    except click.UsageError as exc:  # a bad flag, choice or missing argument: one line, exit 2
        print(f"sparklio: error: {_usage_line(exc)}", file=sys.stderr)
        return 2
    except SparklioError as exc:
        print(f"sparklio: error: {strip_controls(str(exc))}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, click.Abort):
        print("sparklio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `sparklio stats | head`: the reader left, which is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # never a traceback for the user: log it, say where
        return _unexpected(exc, session)
    finally:
        session.close()


def _usage_line(exc: click.UsageError) -> str:
    """A usage error as one line that ends with where the help is (never click's multi-line usage block)."""
    where = exc.ctx.command_path if exc.ctx else "sparklio"
    if isinstance(exc, click.exceptions.NoArgsIsHelpError) and isinstance(exc.ctx.command, click.Group):
        names = ", ".join(exc.ctx.command.list_commands(exc.ctx))
        return f"`{where}` needs a command: {names} (see `{where} --help`)"
    return f"{exc.format_message().rstrip('.')} (see `{where} --help`)"


def _unexpected(exc: Exception, session: Session) -> int:
    """A known database problem as its one line; anything else logged with its traceback."""
    known = database_problem(exc, session.store_path)
    if known is not None:  # a locked or damaged database: one line with the fix
        print(f"sparklio: error: {known}", file=sys.stderr)
        return 1
    path = _log_path(session.data_dir)
    if path is not None:
        import traceback

        with path.open("a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
    print(
        f"sparklio: unexpected error: {type(exc).__name__}: {exc}" + (f" (details in {path})" if path else ""),
        file=sys.stderr,
    )
    return 1


def _log_path(data_dir: str | Path | None, create: bool = True) -> Path | None:
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


def _setup_logging(session: Session, command: str | None) -> None:
    """Our warnings on stderr (everything with -v); third-party library noise only in the log file."""

    def own(record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] in OWN_LOGGERS

    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if not session.verbose:
        console.setLevel(logging.WARNING)
        console.addFilter(own)
    handlers: list[logging.Handler] = [console]
    path = _log_path(session.data_dir, create=False) if command not in (None, "gui") else None
    if path is not None:  # our INFO lines (e.g. VRAM arbitration steps) and everyone's warnings
        to_file = _LogFile(path, encoding="utf-8", delay=True)
        to_file.addFilter(lambda r: r.levelno >= logging.WARNING or own(r))
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
    logging.basicConfig(level=logging.DEBUG if session.verbose else logging.INFO, handlers=handlers)


def terminate_like_interrupt() -> None:
    """SIGTERM stops a run the way Ctrl-C does (common.on_sigterm), also in a process started with Ctrl-C ignored."""
    import signal

    if hasattr(signal, "SIGTERM"):
        try:
            signal.signal(signal.SIGTERM, on_sigterm)
        except ValueError:  # not the main thread (embedded use): leave the default
            pass

"""Sparklio entry point: no subcommand (or `gui`) opens the desktop app, anything else is the CLI."""

from __future__ import annotations

import argparse
import os
import sys


def _global_options(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Pick out --data-dir and --offline wherever they appear; the rest stays in order."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir", dest="data_dir", default=None)
    parser.add_argument("--offline", action="store_true")
    return parser.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    """`sparklio [--data-dir DIR] [--offline] [gui | COMMAND ...]`; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) >= 2 and argv[0] in ("-m", "-c"):  # `-m pip ...` / `-c CODE`: the built app standing in for python
        from router.interpreter import run_as_interpreter

        return run_as_interpreter(argv)
    opts, rest = _global_options(argv)
    verbose = [a for a in rest if a in ("-v", "--verbose")]
    others = [a for a in rest if a not in verbose]
    wants_help = "-h" in rest or "--help" in rest
    if not wants_help and (not others or others[0] == "gui"):
        from ui.app import run

        if os.environ.get("SPARKLIO_SMOKE_TEST"):  # packaging/build.sh: start, paint, open the data folder, quit
            from ui.smoke import run_smoke

            return run_smoke(opts.data_dir)

        if verbose:
            import logging

            logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
        return run([sys.argv[0], *others[1:]], data_dir=opts.data_dir, offline=opts.offline)
    from router.cli import main as cli_main  # the CLI parses the same global options itself

    return int(cli_main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main())

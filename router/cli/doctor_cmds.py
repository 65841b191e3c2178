"""`sparklio doctor`: check the database; with consent, repair it or start fresh (the old file is kept)."""

from __future__ import annotations

import sys

import click

from router.cli.common import Session, pass_session
from router.errors import SparklioError


@click.command()
@click.option("--repair", is_flag=True, help="rebuild a damaged database (asks first)")
@click.option("--yes", is_flag=True, help="with --repair: do not ask")
@pass_session
def doctor(session: Session, repair: bool, yes: bool) -> int:
    """Check the database; --repair rebuilds it (keeping the old file).

    Prints each check; --repair asks first (or takes --yes), then repairs.
    """
    from router.doctor import check
    from router.doctor import repair as rebuild
    from router.paths import data_dir

    folder = data_dir(session.data_dir)
    findings = check(folder)
    for f in findings:
        print(f"{'ok ' if f.ok else 'BAD'}  {f.name:12} {f.detail}")
    broken = any(not f.ok and f.name in ("integrity", "database") for f in findings)
    if not repair:
        if broken:
            print("Run `sparklio doctor --repair` to rebuild it (the old file is kept).", file=sys.stderr)
        return 1 if broken else 0
    if not yes:
        if not sys.stdin.isatty():
            raise SparklioError("repairing needs your consent: run `sparklio doctor --repair --yes`")
        answer = input("Keep the old file and rebuild the database (or start fresh if it cannot be read)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    print(rebuild(folder))
    return 0


COMMANDS = (doctor,)

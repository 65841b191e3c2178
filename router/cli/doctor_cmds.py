"""`sparklio doctor`: check the database; with consent, repair it or start fresh (the old file is kept)."""

from __future__ import annotations

import sys

from router.errors import SparklioError


def cmd_doctor(_app, args) -> int:
    """Print each check; --repair asks first (or takes --yes), then repairs."""
    from router.doctor import check, repair
    from router.paths import data_dir

    folder = data_dir(args.data_dir)
    findings = check(folder)
    for f in findings:
        print(f"{'ok ' if f.ok else 'BAD'}  {f.name:12} {f.detail}")
    broken = any(not f.ok and f.name in ("integrity", "database") for f in findings)
    if not args.repair:
        if broken:
            print("Run `sparklio doctor --repair` to rebuild it (the old file is kept).", file=sys.stderr)
        return 1 if broken else 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise SparklioError("repairing needs your consent: run `sparklio doctor --repair --yes`")
        answer = input("Keep the old file and rebuild the database (or start fresh if it cannot be read)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    print(repair(folder))
    return 0


def register(sub) -> None:
    """Add `doctor` to the CLI."""
    p = sub.add_parser("doctor", help="check the database; --repair rebuilds it (keeping the old file)")
    p.add_argument("--repair", action="store_true", help="rebuild a damaged database (asks first)")
    p.add_argument("--yes", action="store_true", help="with --repair: do not ask")
    p.set_defaults(func=cmd_doctor, needs_app=False)

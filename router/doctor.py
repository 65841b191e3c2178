"""`sparklio doctor`: check the data folder's database and, with consent, repair it or start fresh keeping the old."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from router.errors import SparklioError
from router.store.db import DB_FILENAME


@dataclass
class Finding:
    """One check: ok or not, and what it found."""

    name: str
    ok: bool
    detail: str


def _connect(path: Path, timeout: float = 2.0) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout)


def check(data_dir: Path) -> list[Finding]:
    """Integrity, lock, leftovers of dead processes and permissions; reads only."""
    path = Path(data_dir) / DB_FILENAME
    if not path.exists():
        return [Finding("database", True, f"no database yet at {path} (one is made on first start)")]
    out: list[Finding] = []
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        return [Finding("database", False, f"cannot open {path}: {exc}")]
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
        ok = rows == ["ok"]
        out.append(Finding("integrity", ok, "ok" if ok else "; ".join(map(str, rows))[:300]))
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.rollback()
            out.append(Finding("lock", True, "no other process is writing"))
        except sqlite3.OperationalError as exc:
            out.append(Finding("lock", False, f"another process holds the database ({exc})"))
        if ok:
            out += _leftovers(conn)
    except sqlite3.DatabaseError as exc:
        out.append(Finding("integrity", False, str(exc)))
    finally:
        conn.close()
    if os.name == "posix":
        mode = path.stat().st_mode & 0o777
        out.append(Finding("permissions", mode & 0o077 == 0, f"{oct(mode)} (0o600 keeps your prompts private)"))
    return out


def _leftovers(conn: sqlite3.Connection) -> list[Finding]:
    from router.recovery import is_alive

    try:
        pending = conn.execute("SELECT owner_pid, owner_started FROM messages WHERE status = 'pending'").fetchall()
        holds = conn.execute("SELECT owner_pid, owner_started FROM reservations").fetchall()
    except sqlite3.Error:  # an older schema: the next start migrates it
        return []
    dead_p = sum(1 for pid, st in pending if not is_alive(pid, st))
    dead_h = sum(1 for pid, st in holds if not is_alive(pid, st))
    return [
        Finding(
            "leftovers",
            not (dead_p or dead_h),
            f"{dead_p} unfinished answers and {dead_h} budget holds from closed processes (the next start settles them)"
            if dead_p or dead_h
            else "none",
        )
    ]


def repair(data_dir: Path) -> str:
    """Keep the old file, then rebuild the database from what is readable, or start fresh; returns what was done."""
    path = Path(data_dir) / DB_FILENAME
    if not path.exists():
        raise SparklioError(f"there is no database at {path} to repair")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{DB_FILENAME}.broken-{stamp}")
    rebuilt = path.with_name(f"{DB_FILENAME}.rebuilt-{stamp}")
    try:
        src = _connect(path, timeout=10.0)
        try:
            src.execute("VACUUM INTO ?", (str(rebuilt),))
        finally:
            src.close()
        fixed = sqlite3.connect(rebuilt)
        try:
            good = fixed.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            fixed.close()
    except sqlite3.Error:
        good = False
    lost: list[str] = []
    if not good:  # table by table: whatever still reads goes into a freshly migrated database
        rebuilt.unlink(missing_ok=True)
        lost = _salvage(path, rebuilt)
    _move_aside(path, kept)
    rebuilt.replace(path)
    if good:
        return f"rebuilt the database from its readable pages; the old file is kept as {kept.name}"
    if lost:
        return (
            f"started a fresh database with what could be read (lost: {', '.join(lost)});"
            f" the old file is kept as {kept.name}"
        )
    return f"rebuilt the database table by table (every table was readable); the old file is kept as {kept.name}"


_DERIVED = frozenset({"schema_migrations", "spend_totals", "usage_rollup", "latency_hist", "hist_buckets"})


def _salvage(path: Path, target: Path) -> list[str]:
    """Copy every readable table of `path` into a new database at `target` (derived totals rebuild themselves)."""
    import peewee

    from router.store.db import _migrate

    fresh = peewee.SqliteDatabase(str(target))
    fresh.connect()
    _migrate(fresh)
    fresh.close()
    conn = sqlite3.connect(target)
    lost: list[str] = []
    try:
        conn.execute("ATTACH DATABASE ? AS old", (f"file:{path}?mode=ro",))
    except sqlite3.Error:
        conn.close()
        return ["everything (the old file cannot be opened)"]
    try:
        try:
            old_tables = {r[0] for r in conn.execute("SELECT name FROM old.sqlite_master WHERE type = 'table'")}
        except sqlite3.Error:
            old_tables = set()
            lost.append("the table list")
        for (name,) in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'").fetchall():
            if name in _DERIVED or name.startswith("sqlite_") or name not in old_tables:
                continue
            try:
                new_cols = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{name}")')]
                old_cols = {r[1] for r in conn.execute(f'PRAGMA old.table_info("{name}")')}
                cols = ", ".join(f'"{c}"' for c in new_cols if c in old_cols)
                conn.execute(f'INSERT OR IGNORE INTO main."{name}" ({cols}) SELECT {cols} FROM old."{name}"')
                conn.commit()
            except sqlite3.Error:
                conn.rollback()
                lost.append(name)
    finally:
        conn.close()
    return lost


def _move_aside(path: Path, kept: Path) -> None:
    """Move the database (and its -wal/-shm) aside under the `kept` name."""
    shutil.move(str(path), str(kept))
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.move(str(side), str(kept.with_name(kept.name + suffix)))

"""Open the app database (WAL), apply numbered migrations, bind the peewee models."""

from __future__ import annotations

import os
import re
import sqlite3
import time
import uuid
from importlib import resources
from pathlib import Path

import peewee

from router.errors import SparklioError
from router.store.checkpoint import Checkpointer
from router.store.loop_writes import LoopWrites

# Every model binds to this proxy; `open_store` points it at the data dir's file.
database = peewee.DatabaseProxy()

DB_FILENAME = "sparklio.db"
BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another process's lock (never on the loop: LoopWrites)
_MIGRATION_RE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def _migrations() -> list[tuple[int, str, str]]:
    """All (number, name, sql) migrations shipped in router/store/migrations, in order."""
    found = []
    for entry in resources.files("router.store").joinpath("migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Store:
    """The open database of one data dir."""

    def __init__(self, db: peewee.SqliteDatabase, path: Path) -> None:
        self.db = db
        self.path = path
        self.checkpointer = Checkpointer(path)  # commits never checkpoint; this thread does, in the background
        # the request path's awaited writes, never waiting on the loop; through the proxy the writes themselves use
        self.writes = LoopWrites(database, BUSY_TIMEOUT_MS)

    def close(self) -> None:
        """Stop the background checkpoints (leaving an empty WAL), close this thread's connection."""
        self.checkpointer.close()
        if not self.db.is_closed():
            self.db.close()


def _migrate(db: peewee.SqliteDatabase) -> None:
    """Apply each migration not yet recorded, each in its own transaction."""
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at REAL)"
    )
    applied = {r[0] for r in db.execute_sql("SELECT version FROM schema_migrations").fetchall()}
    for version, name, sql in _migrations():
        if version in applied:
            continue
        conn = db.connection()
        record = (
            f"INSERT INTO schema_migrations(version, name, applied_at) VALUES ({version}, '{name}', {time.time()});"
        )
        try:  # the migration and its record commit together
            conn.executescript("BEGIN;\n" + sql + "\n" + record + "\nCOMMIT;")
        except sqlite3.Error as exc:
            conn.rollback()
            raise SparklioError(f"database migration {name} failed: {exc}") from exc


def private(path: Path) -> None:
    """Owner-only permissions on POSIX (folders 0700, files 0600): prompts and answers are nobody else's."""
    if os.name != "posix":
        return
    try:
        mode = 0o700 if path.is_dir() else 0o600
        if path.exists() and (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
    except OSError:  # a folder we do not own (a shared mount): leave it
        pass


def open_store(data_dir: Path) -> Store:
    """Open (creating if needed) `data_dir/sparklio.db`, migrate it and bind the models to it."""
    data_dir = Path(data_dir)
    blocker = next((p for p in (data_dir, *data_dir.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise SparklioError(f"data folder {data_dir} cannot be created: {blocker} is a file, not a folder")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        private(data_dir)
        probe = data_dir / f".write-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        probe.write_text("ok")
        probe.unlink(missing_ok=True)
    except OSError as exc:
        raise SparklioError(f"data folder {data_dir} is not writable: {exc.strerror or exc}") from exc
    path = data_dir / DB_FILENAME
    db = peewee.SqliteDatabase(
        str(path),
        # Applied to every connection peewee opens (one per thread); wal_autocheckpoint=0: see Checkpointer.
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "synchronous": "normal",
            "busy_timeout": BUSY_TIMEOUT_MS,
            "wal_autocheckpoint": 0,
        },
        check_same_thread=False,
    )
    try:
        db.connect(reuse_if_open=True)
        _migrate(db)
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        from router.validate import database_problem

        db.close()
        raise database_problem(exc, path) or SparklioError(f"cannot open database {path}: {exc}") from None
    for leaf in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        private(leaf)
    database.initialize(db)
    store = Store(db, path)
    store.checkpointer.start()
    return store

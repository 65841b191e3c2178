"""Run generated SQL read-only: ro URI, query_only, an authorizer, one statement, a time limit and a row cap."""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from router.errors import SparklioError

DEFAULT_MAX_ROWS = 1000
DEFAULT_TIMEOUT_S = 2.0
MAX_VALUE_BYTES = 10_000_000  # the longest string or blob a query may build
MAX_COLUMNS = 2000
READ_ONLY_NOTE = "Sparklio only runs read-only queries"

_ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})
_DENIED_FUNCTIONS = frozenset({"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit", "sqlar_compress"})
_FIRST_WORDS = frozenset({"select", "with", "values"})
_WRITE_WORDS = {
    "insert": "INSERT",
    "replace": "REPLACE",
    "update": "UPDATE",
    "delete": "DELETE",
    "drop": "DROP",
    "create": "CREATE",
    "alter": "ALTER",
    "attach": "ATTACH",
    "detach": "DETACH",
    "pragma": "PRAGMA",
    "vacuum": "VACUUM",
    "reindex": "REINDEX",
    "analyze": "ANALYZE",
    "begin": "BEGIN",
    "commit": "COMMIT",
    "end": "END",
    "rollback": "ROLLBACK",
    "savepoint": "SAVEPOINT",
    "release": "RELEASE",
    "upsert": "UPSERT",
}


_ACTION_ATTRS = (
    "CREATE_INDEX",
    "CREATE_TABLE",
    "CREATE_TEMP_INDEX",
    "CREATE_TEMP_TABLE",
    "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW",
    "CREATE_TRIGGER",
    "CREATE_VIEW",
    "CREATE_VTABLE",
    "DELETE",
    "DROP_INDEX",
    "DROP_TABLE",
    "DROP_TEMP_INDEX",
    "DROP_TEMP_TABLE",
    "DROP_TEMP_TRIGGER",
    "DROP_TEMP_VIEW",
    "DROP_TRIGGER",
    "DROP_VIEW",
    "DROP_VTABLE",
    "INSERT",
    "PRAGMA",
    "TRANSACTION",
    "UPDATE",
    "ATTACH",
    "DETACH",
    "ALTER_TABLE",
    "REINDEX",
    "ANALYZE",
    "SAVEPOINT",
)


def _action_names() -> dict[int, str]:
    """sqlite3 authorizer action code -> the SQL verb shown to the user (CREATE, DROP, ATTACH, ...)."""
    names: dict[int, str] = {}
    for attr in _ACTION_ATTRS:
        code = getattr(sqlite3, "SQLITE_" + attr, None)
        if isinstance(code, int):
            names[code] = "ALTER" if attr == "ALTER_TABLE" else attr.split("_")[0]
    return names


_ACTION_NAMES = _action_names()


@dataclass
class QueryResult:
    """Rows returned by a guarded query (at most max_rows; `truncated` when more existed)."""

    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    truncated: bool = False
    elapsed_ms: float = 0.0
    sql: str = ""

    def to_json(self) -> dict:
        """JSON-safe shape (blobs summarised)."""

        def safe(v: object) -> object:
            return f"<blob {len(v)} bytes>" if isinstance(v, bytes) else v

        return {
            "columns": self.columns,
            "rows": [[safe(v) for v in r] for r in self.rows],
            "truncated": self.truncated,
            "sql": self.sql,
        }


def _skip_space_and_comments(sql: str, i: int) -> int:
    """Index of the next character after whitespace and SQL comments starting at `i`."""
    n = len(sql)
    while i < n:
        if sql[i].isspace():
            i += 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            break
    return i


def single_statement(sql: str) -> str:
    """The one statement in `sql` (without the trailing ';'); refuses empty input and stacked statements."""
    text = sql.strip()
    if _skip_space_and_comments(text, 0) >= len(text):
        raise SparklioError("The query is empty: there is no SQL to run")
    # Find the first ';' that really ends a statement (sqlite3.complete_statement knows literals and comments).
    end = None
    for m in re.finditer(";", text):
        if sqlite3.complete_statement(text[: m.end()]):
            end = m.start()
            break
    if end is None:
        return text
    rest = _skip_space_and_comments(text, end + 1)
    while rest < len(text) and text[rest] == ";":
        rest = _skip_space_and_comments(text, rest + 1)
    if rest < len(text):
        nxt = re.match(r"[A-Za-z]+", text[rest:])
        extra = f" ({nxt.group(0).upper()} …)" if nxt else ""
        raise SparklioError(
            f"The query holds more than one statement{extra}: Sparklio runs exactly one read-only query"
        )
    return text[:end].rstrip()


def first_keyword(statement: str) -> str:
    """The statement's first SQL word, lower-cased ('' when it starts with something else)."""
    i = _skip_space_and_comments(statement, 0)
    m = re.match(r"[A-Za-z]+", statement[i:])
    return m.group(0).lower() if m else ""


def _refuse_write(verb: str) -> SparklioError:
    return SparklioError(f"This query would modify data ({verb}): {READ_ONLY_NOTE}")


def check_read_only_text(statement: str) -> None:
    """Refuse statements whose first word is not SELECT / WITH / VALUES, naming the verb."""
    word = first_keyword(statement)
    if word in _FIRST_WORDS:
        return
    if word in _WRITE_WORDS:
        verb = _WRITE_WORDS[word]
        if verb == "PRAGMA":
            raise SparklioError(f"This query is a PRAGMA, which can change database settings: {READ_ONLY_NOTE}")
        raise _refuse_write(verb)
    shown = word.upper() or statement.strip()[:20]
    raise SparklioError(f"This query starts with {shown!s}, not SELECT: {READ_ONLY_NOTE}")


def _ro_uri(path: Path) -> str:
    """`file:` URI opening `path` read-only; immutable when no write-ahead log is pending beside it."""
    wal = path.with_name(path.name + "-wal")
    immutable = not (wal.exists() and wal.stat().st_size > 0)
    return f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")


def open_readonly(path: Path | str) -> sqlite3.Connection:
    """Open a SQLite file read-only (ro URI + query_only); raises SparklioError if it is not a database."""
    path = Path(path)
    if not path.is_file():
        raise SparklioError(f"Data file {path} does not exist")
    try:
        conn = sqlite3.connect(_ro_uri(path), uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only=1")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SparklioError(f"{path.name} is not a readable SQLite database ({exc})") from None
    return conn


class _Authorizer:
    """Allows reads only and remembers the first thing it denied."""

    def __init__(self, pragmas: frozenset[str] = frozenset()) -> None:
        self.denied: str | None = None
        self.pragmas = pragmas  # read-only pragmas the schema step needs (table_info)

    def __call__(self, action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None) -> int:
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _DENIED_FUNCTIONS:
            self.denied = self.denied or f"function {arg2}"
            return sqlite3.SQLITE_DENY
        if action in _ALLOWED:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in self.pragmas:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
            return sqlite3.SQLITE_OK  # json_each() and other built-in virtual tables registering (connection is ro)
        self.denied = self.denied or _ACTION_NAMES.get(action, f"action {action}")
        return sqlite3.SQLITE_DENY


_WIDTH = re.compile(r"%[-+ 0#,!]*(\d+)?(?:\.(\d+))?")
_MAX_PAD = 100_000
_builtin: sqlite3.Connection | None = None


def _bounded_printf(fmt: object, *args: object) -> Any:
    """printf()/format() with widths and precisions up to 100,000 (then SQLite's own printf does the work)."""
    global _builtin
    text = str(fmt) if fmt is not None else ""
    numbers = [int(n) for m in _WIDTH.finditer(text) for n in m.groups() if n]
    if "*" in text:
        numbers += [abs(a) for a in args if isinstance(a, int)]
    if any(n > _MAX_PAD for n in numbers):
        raise ValueError(f"printf width over {_MAX_PAD:,}: string or blob too big")
    if _builtin is None:
        _builtin = sqlite3.connect(":memory:", check_same_thread=False)
    marks = ", ".join("?" for _ in range(len(args) + 1))
    return _builtin.execute(f"SELECT printf({marks})", (fmt, *args)).fetchone()[0]


class Guard:
    """Authorizer, progress-handler deadline and value/column limits on one read-only connection."""

    def __init__(self, conn: sqlite3.Connection, timeout_s: float, *, pragmas: frozenset[str] = frozenset()) -> None:
        self.timeout_s = timeout_s
        self.auth = _Authorizer(pragmas)
        self.deadline = time.monotonic() + timeout_s
        self.timed_out = False
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)  # randomblob(1e9), printf('%.*c', 1e9, 'x')
        conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
        conn.set_authorizer(self.auth)
        conn.set_progress_handler(self._progress, 2000)
        for name in ("printf", "format"):  # SQLite pads in one opcode the progress handler cannot interrupt
            conn.create_function(name, -1, _bounded_printf, deterministic=True)

    def _progress(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def error(self, exc: sqlite3.Error, name: str) -> SparklioError:
        """The one-line message for a failure under this guard."""
        if self.timed_out:
            return SparklioError(f"The query ran longer than {self.timeout_s:g} s and was stopped (time limit)")
        if self.auth.denied:
            what = self.auth.denied
            if what.startswith("function "):
                return SparklioError(f"This query calls {what}(), which is not allowed: {READ_ONLY_NOTE}")
            return _refuse_write(what)
        if "too big" in str(exc) or "user-defined function raised" in str(exc):  # the only UDF: bounded printf
            return SparklioError(
                f"The query builds a value over {MAX_VALUE_BYTES // 1_000_000} MB, which is not allowed (size limit)"
            )
        return SparklioError(f"The query failed on {name}: {exc}")


def run_readonly(
    path: Path | str,
    sql: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    params: tuple = (),
) -> QueryResult:
    """Execute one read-only statement against the file at `path` and return at most `max_rows` rows."""
    statement = single_statement(sql)
    check_read_only_text(statement)
    path = Path(path)
    conn = open_readonly(path)
    started = time.perf_counter()
    try:
        guard = Guard(conn, timeout_s)
        cur = conn.execute(statement, params)
        columns = [d[0] for d in (cur.description or [])]
        rows = cur.fetchmany(max_rows + 1)
    except sqlite3.Error as exc:
        raise guard.error(exc, path.name) from None
    finally:
        conn.close()
    truncated = len(rows) > max_rows
    return QueryResult(
        columns, [tuple(r) for r in rows[:max_rows]], truncated, (time.perf_counter() - started) * 1000.0, statement
    )

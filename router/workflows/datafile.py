"""'Ask your data' files: read a SQLite schema without loading data; load a CSV into a temp SQLite table."""

from __future__ import annotations

import csv
import io
import keyword
import re
import shutil
import sqlite3
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from router.errors import SparklioError
from router.recovery import temp_dir
from router.workflows.sqlguard import Guard, QueryResult, open_readonly, run_readonly

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db", ".db3")
SCHEMA_TIMEOUT_S = 2.0  # per sample query of the schema step
MAX_TABLES = 200
MAX_CSV_BYTES = 100_000_000
MAX_CSV_COLUMNS = 1000
MAX_CELL_CHARS = 1_000_000
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SQL_WORDS = frozenset(
    "abort action add after all alter analyze and as asc attach autoincrement before begin between by cascade case "
    "cast check collate column commit conflict constraint create cross current default deferrable deferred delete "
    "desc detach distinct drop each else end escape except exclusive exists explain fail for foreign from full glob "
    "group having if ignore immediate in index indexed initially inner insert instead intersect into is isnull join "
    "key left like limit match natural no not notnull null of offset on or order outer plan pragma primary query "
    "raise recursive references regexp reindex release rename replace restrict right rollback row rowid savepoint "
    "select set table temp temporary then to transaction trigger union unique update using vacuum values view "
    "virtual when where with without".split()
)
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "Th",
    }
)


@dataclass
class Column:
    """One column: its safe SQL name, declared type and (for CSV) the original header."""

    name: str
    type: str
    original: str = ""
    pk: bool = False


@dataclass
class Table:
    """One table or view with its columns and a few sample rows (values cut short in SQL)."""

    name: str
    columns: list[Column]
    kind: str = "table"
    original: str = ""
    samples: list[tuple] = field(default_factory=list)


@dataclass
class DataSource:
    """An opened data file: the SQLite file to query (the original, or a temp copy of a CSV) and its schema."""

    path: Path
    db_path: Path
    kind: str  # sqlite | csv
    tables: list[Table]
    encoding: str = ""
    _tmp_dir: Path | None = None

    def schema_text(self) -> str:
        """The schema as shown to the model: tables, columns, types, header mapping, sample rows."""
        lines = [f"Data file: {self.path.name} ({'CSV loaded as a SQLite table' if self.kind == 'csv' else 'SQLite'})"]
        for t in self.tables:
            cols = ", ".join(f"{c.name} {c.type or 'ANY'}{' PRIMARY KEY' if c.pk else ''}" for c in t.columns)
            lines.append(f"{t.kind.upper()} {t.name} ({cols})")
            renamed = [c for c in t.columns if c.original and c.original != c.name]
            if renamed:
                lines.append(
                    "  column names from the CSV header: " + "; ".join(f"{c.original!r} -> {c.name}" for c in renamed)
                )
            for row in t.samples:
                lines.append("  sample: " + ", ".join("NULL" if v is None else str(v) for v in row))
        return "\n".join(lines)

    def query(self, sql: str, *, max_rows: int = 1000, timeout_s: float = 2.0) -> QueryResult:
        """Run one read-only statement through the SQL guard."""
        return run_readonly(self.db_path, sql, max_rows=max_rows, timeout_s=timeout_s)

    def close(self) -> None:
        """Remove the temp database made for a CSV."""
        if self._tmp_dir is not None:
            shutil.rmtree(self._tmp_dir, ignore_errors=True)
            self._tmp_dir = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sample_sql(table: Table, limit: int) -> str:
    """SELECT that cuts text to 60 characters and replaces blobs by their size, so no big value reaches Python."""
    parts = []
    for c in table.columns:
        q = _quote(c.name)
        parts.append(
            f"CASE typeof({q}) WHEN 'blob' THEN '<blob ' || length({q}) || ' bytes>' "
            f"WHEN 'text' THEN substr({q}, 1, 60) ELSE {q} END"
        )
    return f"SELECT {', '.join(parts) or '1'} FROM {_quote(table.name)} LIMIT {int(limit)}"


def read_sqlite_schema(path: Path | str, *, samples: int = 3) -> list[Table]:
    """Tables/views and their columns from sqlite_master + PRAGMA table_info (no table scan)."""
    path = Path(path)
    conn = open_readonly(path)
    guard = Guard(conn, SCHEMA_TIMEOUT_S, pragmas=frozenset({"table_info"}))  # a hostile view cannot hang this
    samples_until = time.monotonic() + 5 * SCHEMA_TIMEOUT_S  # samples stop after 10 s in all
    try:
        objs = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
        ).fetchall()
        tables = []
        for kind, name in objs:
            info = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
            cols = [Column(r[1], r[2] or "", pk=bool(r[5])) for r in info]
            table = Table(name, cols, kind)
            if samples and cols and time.monotonic() < samples_until:
                guard.timed_out, guard.deadline = False, time.monotonic() + SCHEMA_TIMEOUT_S  # per sample query
                try:
                    table.samples = [tuple(r) for r in conn.execute(_sample_sql(table, samples))]
                except sqlite3.Error:
                    table.samples = []  # an endless or oversized view: shown without samples
                guard.deadline = time.monotonic() + SCHEMA_TIMEOUT_S
            tables.append(table)
            if len(tables) >= MAX_TABLES:
                break
    except sqlite3.Error as exc:
        raise SparklioError(f"Cannot read the schema of {path.name}: {guard.error(exc, path.name)}") from None
    finally:
        conn.close()
    if not tables:
        raise SparklioError(f"{path.name} has no tables to ask about")
    return tables


def safe_identifier(raw: str, index: int) -> str:
    """A safe lower-case SQL name for a header: ASCII letters, digits and '_' (column_N when nothing is left)."""
    folded = unicodedata.normalize("NFKD", (raw or "").translate(_FOLD)).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^0-9a-zA-Z]+", "_", folded).strip("_").lower()
    if not name:
        return f"column_{index + 1}"
    if name[0].isdigit():
        name = "c_" + name
    if name in _SQL_WORDS or keyword.iskeyword(name):
        name += "_"
    return name


def sanitize_headers(headers: list[str]) -> list[str]:
    """Safe, unique column names for CSV headers (spaces, duplicates, empty, unicode, leading digits)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(headers):
        base = safe_identifier(h.strip(), i)
        name, n = base, 2
        while name in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name)
        out.append(name)
    return out


def _as_int(v: str) -> int | None:
    s = v.strip().replace("_", "")
    return int(s) if re.fullmatch(r"[+-]?\d{1,18}", s) else None


def _as_real(v: str) -> float | None:
    s = v.strip()
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        return None
    return float(s)


def sniff_type(values: list[str]) -> str:
    """INTEGER, REAL or TEXT for a column's non-empty values (empty -> TEXT)."""
    filled = [v for v in values if v.strip() != ""]
    if not filled:
        return "TEXT"
    if all(_as_int(v) is not None for v in filled):
        return "INTEGER"
    if all(_as_real(v) is not None for v in filled):
        return "REAL"
    return "TEXT"


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_text(data: bytes, name: str = "the file") -> tuple[str, str]:
    """Decode bytes by BOM (UTF-32, UTF-16, UTF-8), as UTF-8, a detected charset, then cp1252/latin-1."""
    for bom, codec in _BOMS:  # UTF-32's BOM starts like UTF-16's: check it first
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                raise SparklioError(
                    f"{name} starts with a {codec.upper()} mark but is not valid {codec.upper()}"
                    " text: save it as UTF-8 CSV"
                ) from None
    if b"\x00" in data[:65536]:
        raise SparklioError(f"{name} looks like a binary file, not CSV text: export it as CSV (UTF-8)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # charset-normalizer ships with the HTTP stack; optional
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace"), best.encoding
    except Exception:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _read_rows(text: str, dialect: Any, name: str) -> list[list[str]]:
    """Non-empty CSV rows; a cell over MAX_CELL_CHARS or broken quoting is one clear line."""
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise SparklioError(
                f"{name} has a cell over {MAX_CELL_CHARS:,} characters; cells that large cannot be asked about"
            ) from None
        raise SparklioError(f"{name} is not readable as CSV: {exc}") from None
    return [r for r in rows if any(cell.strip() for cell in r)]


def _convert(value: str, kind: str) -> object:
    if value.strip() == "":
        return None
    if kind == "INTEGER":
        return _as_int(value)
    if kind == "REAL":
        return _as_real(value)
    return value


def load_csv(path: Path | str, db_path: Path | str) -> tuple[Table, str]:
    """Load a CSV into table `<safe stem>` of a new SQLite file; returns (table, encoding used)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise SparklioError(
            f"{path.name} is {size / 1e6:.0f} MB; CSV files up to {MAX_CSV_BYTES // 1_000_000} MB"
            " can be asked about (filter or split it first)"
        )
    text, encoding = decode_text(path.read_bytes(), path.name)
    if not text.strip():
        raise SparklioError(f"{path.name} is empty: there is no data to ask about")
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = _read_rows(text, dialect, path.name)
    if not rows:
        raise SparklioError(f"{path.name} is empty: there is no data to ask about")
    headers, body = rows[0], rows[1:]
    width = max(len(headers), *(len(r) for r in body)) if body else len(headers)
    if width > MAX_CSV_COLUMNS:
        raise SparklioError(f"{path.name} has {width:,} columns; up to {MAX_CSV_COLUMNS:,} can be asked about")
    headers = headers + [""] * (width - len(headers))
    names = sanitize_headers(headers)
    body = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in body]
    types = [sniff_type([r[i] for r in body]) for i in range(width)]
    table_name = safe_identifier(path.stem, 0)
    if table_name.startswith("column_"):
        table_name = "data"
    cols = [Column(n, t, original=h) for n, t, h in zip(names, types, headers)]
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(f"CREATE TABLE {_quote(table_name)} ({', '.join(f'{_quote(c.name)} {c.type}' for c in cols)})")
        marks = ", ".join("?" for _ in cols)
        conn.executemany(
            f"INSERT INTO {_quote(table_name)} VALUES ({marks})",
            ([_convert(v, t) for v, t in zip(r, types)] for r in body),
        )
        conn.commit()
    finally:
        conn.close()
    return Table(table_name, cols, "table", original=path.name), encoding


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == _SQLITE_MAGIC


def open_data(path: Path | str, *, samples: int = 3) -> DataSource:
    """Open a SQLite or CSV file for questions; CSVs are loaded into a temp SQLite file (close() removes it)."""
    path = Path(path).expanduser()
    try:
        exists = path.is_file()
    except OSError:
        exists = False
    if not exists:
        raise SparklioError(f"Data file {path} does not exist")
    if path.stat().st_size == 0:
        raise SparklioError(f"{path.name} is empty: there is no data to ask about")
    if _is_sqlite(path):
        return DataSource(path, path, "sqlite", read_sqlite_schema(path, samples=samples))
    if path.suffix.lower() in SQLITE_SUFFIXES:
        raise SparklioError(f"{path.name} is not a SQLite database (its header is wrong)")
    tmp = temp_dir()  # named after this process: a later start sweeps it if this one is killed
    db_path = tmp / "data.sqlite"
    try:
        table, encoding = load_csv(path, db_path)
        tables = read_sqlite_schema(db_path, samples=samples)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    by_name = {c.name: c.original for c in table.columns}
    for t in tables:
        t.original = table.original
        for c in t.columns:
            c.original = by_name.get(c.name, "")
    return DataSource(path, db_path, "csv", tables, encoding, tmp)

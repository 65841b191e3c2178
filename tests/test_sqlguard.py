"""The read-only SQL guard: hostile or careless statements are refused and the file stays byte-identical."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from router.errors import SparklioError
from router.workflows.sqlguard import run_readonly, single_statement


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sales_db(tmp_path):
    """A small real SQLite file with one table (rollback journal, no WAL)."""
    path = tmp_path / "sales.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL)")
    conn.executemany(
        "INSERT INTO sales(region, amount) VALUES (?, ?)",
        [("north", 10.5), ("south", 20.0), ("east", 7.25), ("west", 3.0)] * 600,
    )
    conn.commit()
    conn.close()
    return path


HOSTILE = [
    ("DROP TABLE sales", "(DROP)"),
    ("DELETE FROM sales", "(DELETE)"),
    ("UPDATE sales SET amount = 0", "(UPDATE)"),
    ("INSERT INTO sales(region, amount) VALUES ('x', 1)", "(INSERT)"),
    ("REPLACE INTO sales(id, region, amount) VALUES (1, 'x', 1)", "(REPLACE)"),
    ("ATTACH DATABASE 'other.db' AS other", "(ATTACH)"),
    ("DETACH DATABASE main", "(DETACH)"),
    ("PRAGMA journal_mode=DELETE", "PRAGMA"),
    ("PRAGMA user_version=7", "PRAGMA"),
    ("  pragma writable_schema = 1", "PRAGMA"),
    ("VACUUM", "(VACUUM)"),
    ("VACUUM INTO 'copy.db'", "(VACUUM)"),
    ("CREATE TABLE t2 (a)", "(CREATE)"),
    ("CREATE INDEX i ON sales(region)", "(CREATE)"),
    ("REINDEX", "(REINDEX)"),
    ("ANALYZE", "(ANALYZE)"),
    ("ALTER TABLE sales ADD COLUMN x", "(ALTER)"),
    ("BEGIN IMMEDIATE", "(BEGIN)"),
    ("SELECT 1; DROP TABLE sales", "more than one statement (DROP"),
    ("SELECT 'a;b' AS x; DELETE FROM sales;", "more than one statement (DELETE"),
    ("SELECT 1 /* ; */ ; UPDATE sales SET amount=1", "more than one statement (UPDATE"),
    ("WITH doomed AS (SELECT id FROM sales) DELETE FROM sales WHERE id IN (SELECT id FROM doomed)", "(DELETE)"),
    ("WITH x AS (SELECT 1) INSERT INTO sales(region) SELECT * FROM x", "(INSERT)"),
    ("SELECT load_extension('/tmp/evil.so')", "load_extension"),
    ("-- just a comment\nDROP TABLE sales", "(DROP)"),
    ("", "empty"),
    ("EXPLAIN DELETE FROM sales", "EXPLAIN"),
]


@pytest.mark.parametrize("sql,expected", HOSTILE, ids=[h[0][:40] or "empty" for h in HOSTILE])
def test_hostile_statement_refused_and_file_unchanged(sales_db, sql, expected):
    before = _sha(sales_db)
    with pytest.raises(SparklioError) as info:
        run_readonly(sales_db, sql)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert _sha(sales_db) == before
    assert not (sales_db.parent / "copy.db").exists()
    assert not (sales_db.parent / "other.db").exists()


def test_runaway_recursive_cte_hits_time_limit(sales_db):
    before = _sha(sales_db)
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    with pytest.raises(SparklioError, match="time limit"):
        run_readonly(sales_db, sql, timeout_s=0.1)
    assert _sha(sales_db) == before


def test_unbounded_rows_are_capped_with_truncated_flag(sales_db):
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    result = run_readonly(sales_db, sql, max_rows=1000)
    assert len(result.rows) == 1000
    assert result.truncated is True
    assert result.rows[-1] == (1000,)


def test_real_select_returns_rows(sales_db):
    result = run_readonly(
        sales_db, "SELECT region, SUM(amount) AS total FROM sales GROUP BY region ORDER BY total DESC;"
    )
    assert result.columns == ["region", "total"]
    assert result.rows[0] == ("south", 12000.0)
    assert result.truncated is False


def test_semicolon_inside_literal_is_one_statement():
    assert single_statement("SELECT ';' AS s ; -- trailing comment") == "SELECT ';' AS s"


def test_recursive_cte_within_limits_is_allowed(sales_db):
    result = run_readonly(
        sales_db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 5) SELECT sum(x) FROM c"
    )
    assert result.rows == [(15,)]


def test_unknown_column_is_a_clear_error(sales_db):
    with pytest.raises(SparklioError, match="no such column: price"):
        run_readonly(sales_db, "SELECT price FROM sales")


def test_wal_database_is_read_without_changes(tmp_path):
    path = tmp_path / "wal.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (a)")
    conn.execute("INSERT INTO t VALUES (1), (2)")
    conn.commit()
    conn.close()  # last connection closed: the WAL is checkpointed into the main file
    before = _sha(path)
    assert run_readonly(path, "SELECT sum(a) FROM t").rows == [(3,)]
    with pytest.raises(SparklioError, match=r"\(UPDATE\)"):
        run_readonly(path, "UPDATE t SET a = 0")
    assert _sha(path) == before


def test_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("hello, this is not sqlite " * 100)
    with pytest.raises(SparklioError, match="not a readable SQLite database"):
        run_readonly(path, "SELECT 1")

"""Reliability: hostile SQLite files and the CSV corpus end in a clear line or a correct schema, never a hang."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import pytest

from router import recovery
from router.errors import SparklioError
from router.workflows import datafile
from router.workflows.datafile import open_data
from router.workflows.sqlguard import run_readonly


@pytest.fixture
def hostile_db(tmp_path) -> Path:
    path = tmp_path / "hostile.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sales (region TEXT, amount REAL)")
    conn.execute("INSERT INTO sales VALUES ('north', 10.5), ('south', 7.25)")
    conn.execute(
        "CREATE VIEW forever AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    )
    conn.commit()
    conn.close()
    return path


def test_endless_view_does_not_hang_the_schema_step(hostile_db, monkeypatch):
    monkeypatch.setattr(datafile, "SCHEMA_TIMEOUT_S", 0.3)
    src = open_data(hostile_db)
    tables = {t.name: t for t in src.tables}
    assert tables["forever"].kind == "view" and tables["forever"].samples == []  # stopped, shown without samples
    assert tables["sales"].samples == [("north", 10.5), ("south", 7.25)]
    with pytest.raises(SparklioError, match=r"ran longer than 0.3 s and was stopped"):
        src.query("SELECT COUNT(*) FROM forever", timeout_s=0.3)


@pytest.mark.parametrize(
    "sql", ["SELECT randomblob(1000000000)", "SELECT printf('%.*c', 1000000000, 'x')", "SELECT zeroblob(500000000)"]
)
def test_one_huge_expression_is_refused_by_the_size_limit(hostile_db, sql):
    with pytest.raises(SparklioError) as info:
        run_readonly(hostile_db, sql)
    assert "size limit" in str(info.value) and "\n" not in str(info.value)


def test_json_each_is_a_read(hostile_db):
    res = run_readonly(hostile_db, "SELECT value FROM json_each('[1, 2, 3]')")
    assert res.rows == [(1,), (2,), (3,)]


def _csv(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_corpus(tmp_path, monkeypatch):
    wide = ",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("1" for _ in range(5000)) + "\n"
    cases = {
        "wide.csv": (wide.encode(), "has 5,000 columns; up to 1,000"),
        "random.csv": (os.urandom(50_000) + b"\x00", "looks like a binary file"),
        "bigcell.csv": (b"a,b\n1," + b"x" * 1_200_000 + b"\n", "has a cell over 1,000,000 characters"),
        "badquote.csv": (b'a,b\n"1,2\n', None),  # an unterminated quote is read to the end: still a table
    }
    for name, (data, expected) in cases.items():
        path = _csv(tmp_path, name, data)
        if expected is None:
            open_data(path).close()
            continue
        with pytest.raises(SparklioError) as info:
            open_data(path)
        assert expected in str(info.value) and "\n" not in str(info.value), name
    monkeypatch.setattr(datafile, "MAX_CSV_BYTES", 1000)
    with pytest.raises(SparklioError, match=r"CSV files up to 0 MB"):
        open_data(_csv(tmp_path, "big.csv", b"a,b\n" + b"1,2\n" * 1000))


@pytest.mark.parametrize("codec", ["utf-32", "utf-16", "utf-8-sig"])
def test_csv_encodings_with_a_byte_order_mark(tmp_path, codec):
    text = "name,city\nJosé,Zürich\nAiko,東京\n"
    src = open_data(_csv(tmp_path, f"people-{codec}.csv", text.encode(codec)))
    try:
        assert src.encoding.replace("-sig", "") == codec.replace("-sig", "").replace("utf-8", "utf-8")
        assert src.query("SELECT name, city FROM people_" + codec.replace("-", "_") + " ORDER BY name").rows == [
            ("Aiko", "東京"),
            ("José", "Zürich"),
        ]
    finally:
        src.close()


def test_csv_temp_copy_is_removed_on_close_and_named_for_the_sweep(tmp_path):
    src = open_data(_csv(tmp_path, "a.csv", b"x,y\n1,2\n"))
    folder = src.db_path.parent
    pid, started = recovery.me()
    assert folder.name.startswith(f"{recovery.TEMP_PREFIX}{pid}-{started:.2f}-")
    assert Path(tempfile.gettempdir()) == folder.parent
    src.close()
    assert not folder.exists()

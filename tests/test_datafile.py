"""'Ask your data' files: CSV with awkward headers, a 100 MB SQLite schema read, encodings, empty files."""

from __future__ import annotations

import sqlite3
import tracemalloc

import pytest

from router.errors import SparklioError
from router.workflows.datafile import open_data, read_sqlite_schema, sanitize_headers, sniff_type


def test_sanitize_awkward_headers():
    headers = ["Unit Price ($)", "unit price", "", "  ", "価格", "2024 Sales", "Café Name", "select", "id", "ID"]
    names = sanitize_headers(headers)
    assert names == [
        "unit_price",
        "unit_price_2",
        "column_3",
        "column_4",
        "column_5",
        "c_2024_sales",
        "cafe_name",
        "select_",
        "id",
        "id_2",
    ]
    assert len(set(names)) == len(names)


def test_sniff_types():
    assert sniff_type(["1", "2", " 3 ", ""]) == "INTEGER"
    assert sniff_type(["1", "2.5", "-3e2"]) == "REAL"
    assert sniff_type(["1", "two"]) == "TEXT"
    assert sniff_type(["", " "]) == "TEXT"


def test_csv_with_awkward_headers_loads_and_maps(tmp_path):
    path = tmp_path / "2024 shop sales.csv"
    path.write_text(
        "Region,Unit Price ($),unit price,,価格,2024 Sales,Café Name,select\n"
        "north,10.5,11,x,100,7,Le Café,a\n"
        "south,20,21,y,200,8,Bistro,b\n"
        "east,,22,z,300,9,Diner,c\n",
        encoding="utf-8",
    )
    src = open_data(path)
    try:
        assert src.kind == "csv"
        table = src.tables[0]
        assert table.name == "c_2024_shop_sales"
        types = {c.name: c.type for c in table.columns}
        assert types["unit_price"] == "REAL"
        assert types["unit_price_2"] == "INTEGER"
        assert types["column_4"] == "TEXT"
        assert types["column_5"] == "INTEGER"
        schema = src.schema_text()
        assert "'Unit Price ($)' -> unit_price" in schema
        assert "'価格' -> column_5" in schema
        assert "'Café Name' -> cafe_name" in schema
        result = src.query("SELECT region, column_5 * 2 FROM c_2024_shop_sales WHERE unit_price IS NULL")
        assert result.rows == [("east", 600)]
        assert src.db_path.exists()
    finally:
        src.close()
    assert not src.db_path.exists()


def test_csv_encoding_fallback_and_semicolons(tmp_path):
    path = tmp_path / "umlaut.csv"
    path.write_bytes("Straße;Größe\nMüller;1,5\nBär;2\n".encode("cp1252"))
    src = open_data(path)
    try:
        assert src.encoding != "utf-8"
        assert [c.name for c in src.tables[0].columns] == ["strasse", "grosse"]
        rows = src.query("SELECT strasse FROM umlaut ORDER BY strasse").rows
        assert rows == [("Bär",), ("Müller",)]
    finally:
        src.close()


def test_empty_csv_is_a_clear_message(tmp_path):
    path = tmp_path / "nothing.csv"
    path.write_text("\n\n  \n")
    with pytest.raises(SparklioError, match="nothing.csv is empty"):
        open_data(path)


def test_missing_file_and_fake_sqlite(tmp_path):
    with pytest.raises(SparklioError, match="does not exist"):
        open_data(tmp_path / "nope.csv")
    bad = tmp_path / "fake.db"
    bad.write_text("not a database")
    with pytest.raises(SparklioError, match="not a SQLite database"):
        open_data(bad)


def _build_big_sqlite(path, megabytes: int = 100) -> None:
    """~`megabytes` MB real SQLite file built inside SQLite (10 KB random blobs per row)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, payload BLOB, note TEXT)")
    conn.execute("CREATE TABLE kinds (kind TEXT PRIMARY KEY, label TEXT)")
    conn.execute("CREATE VIEW big_events AS SELECT * FROM events WHERE length(payload) > 100")
    rows = megabytes * 100
    conn.execute(
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?) "
        "INSERT INTO events(kind, payload, note) SELECT 'k' || (i % 7), randomblob(10240), "
        "printf('%.200c', 'x') FROM c",
        (rows,),
    )
    conn.commit()
    conn.close()


def test_100mb_sqlite_schema_read_without_loading(tmp_path):
    path = tmp_path / "big.sqlite"
    _build_big_sqlite(path)
    assert path.stat().st_size > 100 * 1024 * 1024
    tracemalloc.start()
    try:
        tables = read_sqlite_schema(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # the data is 100 MB; the schema read allocates well under 1 MB
    by_name = {t.name: t for t in tables}
    assert set(by_name) == {"events", "kinds", "big_events"}
    assert by_name["big_events"].kind == "view"
    assert [c.name for c in by_name["events"].columns] == ["id", "kind", "payload", "note"]
    sample = by_name["events"].samples[0]
    assert sample[2] == "<blob 10240 bytes>"
    assert len(sample[3]) == 60  # long text is cut in SQL

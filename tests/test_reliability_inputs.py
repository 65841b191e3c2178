"""Reliability: the bad-input corpus gets one clear line each (never "unexpected error"), and nothing is lost."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from router.cli import main
from tests.fakes.ollama_server import down_url


@pytest.fixture(autouse=True)
def no_ollama(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", down_url())


def one_line_error(capsys, rc: int) -> str:
    err = capsys.readouterr().err.strip()
    assert rc != 0 and "\n" not in err and err.startswith("sparklio: error: "), err
    assert "unexpected" not in err and "Traceback" not in err
    return err


def _write(path, data: bytes) -> None:
    path.write_bytes(data)


CORPUS = [
    # (argv after --data-dir, files to write first {name: bytes}, expected text in the one line)
    (["rate", "99999999999999999999999", "3"], {}, "a message id must be a whole number"),
    (["workflow", "show", "99999999999999999999999"], {}, "is not a valid id"),
    (["workflow", "retry", "99999999999999999999999", "draft"], {}, "is not a valid id"),
    (["stats", "--since", "9999-12-31"], {}, "between 2000-01-01 and 2999-12-31"),
    (["budget", "--set-monthly", "1e308"], {}, "at most $1,000,000"),
    (["budget", "--set-monthly", "nan"], {}, "zero or more US dollars"),
    (["route", "hi"], {"policy.toml": b'tasks = "x"\n'}, "[tasks] must be a table"),
    (["route", "hi"], {"policy.toml": b"[weights]\nspeed = nan\n"}, "weights.speed must be a non-negative number"),
    (["route", "hi"], {"catalog.toml": b'[models."gpt-4"]\nname = "caf\xe9"\n'}, "is not UTF-8 text"),
    (["route", "hi"], {"catalog.toml": b'[models."gpt-4"]\ninput_price = nan\n'}, "input_price must be a non-neg"),
    (["route", "hi"], {"catalog.toml": b'[models."gpt-4"]\noutput_price = inf\n'}, "output_price must be a non-neg"),
    (["route", "hi"], {"catalog.toml": b'[models."gpt-4"]\nquality = nan\n'}, "quality must be a non-negative"),
]


@pytest.mark.parametrize(
    "argv, files, expected", CORPUS, ids=[" ".join(c[0][:2]) + str(i) for i, c in enumerate(CORPUS)]
)
def test_bad_input_corpus_gets_one_clear_line(data_dir, capsys, argv, files, expected):
    for name, data in files.items():
        _write(data_dir / name, data)
    rc = main(["--data-dir", str(data_dir), *argv])  # usage errors return 2, the rest 1: one line each
    err = one_line_error(capsys, rc)
    assert expected in err


def test_non_utf8_prompt_is_stored_first_with_replacement_characters(data_dir, capsys):
    rc = main(["--data-dir", str(data_dir), "--offline", "ask", "hello \udcff\udcfe"])  # argv bytes \xff\xfe
    one_line_error(capsys, rc)
    conn = sqlite3.connect(data_dir / "sparklio.db")
    ((content,),) = conn.execute("SELECT content FROM messages WHERE role = 'user'").fetchall()
    conn.close()
    assert content == "hello \ufffd\ufffd"


def test_binary_stdin_is_stored_not_a_decode_error(data_dir, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"bin\x00ary \xff\xfe text")))
    one_line_error(capsys, main(["--data-dir", str(data_dir), "--offline", "ask", "-"]))
    conn = sqlite3.connect(data_dir / "sparklio.db")
    ((content,),) = conn.execute("SELECT content FROM messages WHERE role = 'user'").fetchall()
    conn.close()
    assert content.startswith("bin\ufffdary ") and content.endswith(" text")


def test_corrupt_database_says_how_to_fix_and_doctor_starts_fresh_keeping_the_old(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "budget"]) == 0
    db = data_dir / "sparklio.db"
    raw = bytearray(db.read_bytes())
    raw[4096 * 2 : 4096 * 6] = b"Z" * len(raw[4096 * 2 : 4096 * 6])
    db.write_bytes(bytes(raw))
    capsys.readouterr()
    err = one_line_error(capsys, main(["--data-dir", str(data_dir), "budget"]))
    assert "damaged" in err and "`sparklio doctor`" in err
    assert main(["--data-dir", str(data_dir), "doctor"]) == 1
    assert "BAD  integrity" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "doctor", "--repair", "--yes"]) == 0
    done = capsys.readouterr().out
    assert "the old file is kept as sparklio.db.broken-" in done and ("table by table" in done or "lost:" in done)
    kept = [p.name for p in data_dir.iterdir() if p.name.startswith("sparklio.db.broken-") and p.name[-1].isdigit()]
    assert len(kept) == 1 and (data_dir / kept[0]).stat().st_size == len(raw)
    assert main(["--data-dir", str(data_dir), "budget"]) == 0


def test_doctor_repair_needs_consent(data_dir, capsys, monkeypatch):
    main(["--data-dir", str(data_dir), "budget"])
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    err = one_line_error(capsys, main(["--data-dir", str(data_dir), "doctor", "--repair"]))
    assert "--repair --yes" in err and (data_dir / "sparklio.db").exists()


@pytest.mark.slow
def test_locked_database_is_one_line_with_the_fix(data_dir, capsys):
    main(["--data-dir", str(data_dir), "budget"])
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
                " c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)"
            ),
            str(data_dir / "sparklio.db"),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert locker.stdout.readline().strip() == b"locked"
        capsys.readouterr()
        t0 = time.monotonic()
        err = one_line_error(capsys, main(["--data-dir", str(data_dir), "budget", "--set-monthly", "5"]))
        assert "is busy: another Sparklio process" in err and time.monotonic() - t0 < 25
    finally:
        locker.kill()
        locker.wait()


def test_budget_json_is_rounded_and_the_alert_is_worded_once(cloud_app, data_dir, capsys):
    model = cloud_app.catalog.get("gpt-4o-mini")
    cloud_app.budget.record_attempt(
        None, task="chat_response", model=model.id, provider=model.provider, outcome="ok", cost_usd=0.26217440000000003
    )
    cloud_app.store.close()
    assert main(["--data-dir", str(data_dir), "budget", "--set-monthly", "0.26", "--json"]) == 0
    out, err = capsys.readouterr()
    status = json.loads(out)
    assert status["spent_usd"] == 0.262174 and status["remaining_usd"] == 0
    assert all(len(repr(a["spent"])) <= 10 for a in status["alerts"])
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sparklio: Monthly budget: 100% reached: $0.26 of $0.26 spent")
    assert lines[0].count("Monthly budget") == 1
    assert main(["--data-dir", str(data_dir), "budget"]) == 0
    text = capsys.readouterr().out
    assert "$0.00 left" in text and "-$" not in text and "$-" not in text


def test_model_text_reaches_the_terminal_without_escape_sequences(data_dir, memory_keyring, capsys, fake_openai):
    hostile = "Hi \x1b]0;pwned\x07there \x1b]52;c;aGVsbG8=\x07friend \x1b[31mred\x1b[0m\r\n"
    fake_openai.reply_text = hostile
    from tests.conftest import make_cloud_app

    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    app.store.close()
    import keyring

    keyring.set_keyring(memory_keyring)
    assert main(["--data-dir", str(data_dir), "ask", "say hi", "--model", "gpt-4o-mini"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "Hi there friend red" and "\x1b" not in out and "\x07" not in out
    conn = sqlite3.connect(data_dir / "sparklio.db")
    ((stored,),) = conn.execute("SELECT content FROM messages WHERE role = 'assistant'").fetchall()
    conn.close()
    assert stored == hostile  # the database keeps exactly what the model sent


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_data_folder_database_and_log_are_private(data_dir, capsys):
    data_dir.chmod(0o755)
    assert main(["--data-dir", str(data_dir), "budget"]) == 0
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "sparklio.db").stat().st_mode & 0o777 == 0o600
    from router.cli import _log_path

    log = _log_path(data_dir)
    assert log.stat().st_mode & 0o777 == 0o600 and log.parent.stat().st_mode & 0o777 == 0o700


def test_doctor_salvages_every_readable_table(data_dir, capsys):
    from router.demo import seed_demo
    from router.store.db import database

    seed_demo(data_dir, seed=3)
    database.close()
    conn = sqlite3.connect(data_dir / "sparklio.db")
    # every page in the main file (a WAL copy of the damaged page would hide the damage): retry while a background
    # checkpoint or another connection of this process still reads
    deadline = time.monotonic() + 10
    while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone() == (0, 0, 0)
    before = conn.execute("SELECT COUNT(*), SUM(cost_usd) FROM llm_usage").fetchone()
    messages = conn.execute("SELECT COUNT(*) FROM messages").fetchone()
    ((root,),) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'usage_rollup'").fetchall()
    conn.close()
    db = data_dir / "sparklio.db"
    raw = bytearray(db.read_bytes())
    start = (root - 1) * 4096  # damage a derived table: the ledger and the chats survive, totals are rebuilt
    raw[start : start + 4096] = b"Z" * 4096
    db.write_bytes(bytes(raw))
    assert main(["--data-dir", str(data_dir), "doctor", "--repair", "--yes"]) == 0
    assert "table by table" in capsys.readouterr().out
    conn = sqlite3.connect(data_dir / "sparklio.db")
    assert conn.execute("SELECT COUNT(*), SUM(cost_usd) FROM llm_usage").fetchone() == before
    assert conn.execute("SELECT COUNT(*) FROM messages").fetchone() == messages
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    ((spent,),) = conn.execute("SELECT SUM(cost_usd) FROM spend_totals WHERE length(period) = 7").fetchall()
    conn.close()
    assert spent == pytest.approx(before[1])  # the totals were rebuilt by the ledger's triggers

"""`echo KEY | sparklio keys set PROVIDER --file-store`: the explicit, warned opt-in to a 0600 plain key file."""

from __future__ import annotations

import base64
import io
import json
import stat

import keyring
import pytest
from keyring.backends import fail

from router.cli import main as cli_main


@pytest.fixture
def no_keyring():
    """A machine whose only keyring is none at all (a headless workstation)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def run(capsys, monkeypatch, *argv, stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_without_a_keyring_the_cli_refuses_and_names_the_opt_in(data_dir, capsys, monkeypatch, no_keyring):
    code, out, err = run(
        capsys, monkeypatch, "--data-dir", str(data_dir), "keys", "set", "openai", stdin="sk-file-123\n"
    )
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "the key cannot be kept from the command line" in err and "--file-store" in err
    assert not (data_dir / "keys.cfg").exists() and "sk-file-123" not in out + err


def test_file_store_is_warned_0600_remembered_and_used(data_dir, capsys, monkeypatch, no_keyring):
    code, out, err = run(
        capsys, monkeypatch, "--data-dir", str(data_dir), "keys", "set", "openai", "--file-store", stdin="sk-file-123\n"
    )
    path = data_dir / "keys.cfg"
    assert code == 0 and f"stored the openai key in the plain file {path}" in out
    assert "warning: API keys go UNENCRYPTED into" in err and str(path) in err
    assert "sk-file-123" not in out + err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert base64.b64encode(b"sk-file-123") in path.read_bytes()  # keyrings.alt's plaintext: base64, not secret
    db = b"".join(p.read_bytes() for p in data_dir.glob("sparklio.db*"))
    assert b"sk-file-123" not in db  # the database holds only the file's path
    # later runs keep using the chosen file, and say so
    code, out, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "keys", "list")
    assert "openai     key from plain file" in out and f"stored where you chose: {path} (not encrypted)" in err
    code, out, _ = run(capsys, monkeypatch, "--data-dir", str(data_dir), "route", "write a tagline", "--json")
    assert code == 0 and "openai" in {c["provider"] for c in json.loads(out)["chain"]}
    code, out, _ = run(capsys, monkeypatch, "--data-dir", str(data_dir), "keys", "delete", "openai")
    assert code == 0 and base64.b64encode(b"sk-file-123") not in path.read_bytes()

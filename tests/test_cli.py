"""The `sparklio` CLI as a user runs it: one clear line per failure, JSON shapes, keys never echoed."""

from __future__ import annotations

import io
import json

import pytest

from router.cli import main


@pytest.fixture
def env_keys(monkeypatch, fake_openai, fake_anthropic, fake_gemini, data_dir):
    """Keys and endpoints through each SDK's own environment variables (no settings)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-openai")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-env-anthropic")
    monkeypatch.setenv("GOOGLE_API_KEY", "g-env-google")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_anthropic.base_url)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake_gemini.url)
    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    from router.settings import Settings
    from router.store import open_store

    store = open_store(data_dir)
    Settings(store).set("exploration_rate", 0.0)  # no 5 % experiments: these tests check the documents' primaries
    store.close()
    return data_dir


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_route_json_shape(env_keys, capsys, memory_keyring):
    code, out, err = run(
        capsys, "route", "Write a tagline for a vegan bakery", "--task", "copywriting_standard", "--json"
    )
    assert code == 0, err
    plan = json.loads(out)
    assert set(plan) == {
        "task",
        "complexity",
        "budget",
        "speed",
        "quality",
        "offline",
        "chain",
        "excluded",
        "auto_task",
        "auto_complexity",
        "task_confidence",
        "complexity_confidence",
        "complexity_guess",
    }
    assert plan["auto_task"] is False and plan["task_confidence"] is None
    assert plan["chain"][0]["model"] == "claude-3-5-sonnet"  # the documents' id, exactly
    assert plan["chain"][0]["serves"] != "claude-3-5-sonnet"  # the model actually called: 3.5 Sonnet is retired
    assert "claude-3-5-sonnet → served by claude-sonnet-5-5 (Anthropic retired" in plan["chain"][0]["why"]
    assert set(plan["chain"][0]) == {"model", "serves", "provider", "score", "why"}
    assert all(set(x) == {"model", "reason"} for x in plan["excluded"])


def test_route_auto_classifies(env_keys, capsys, memory_keyring):
    code, out, _ = run(capsys, "route", "Translate 'good morning, friends' into Spanish and French", "--json")
    assert code == 0 and json.loads(out)["task"] == "translation"


def test_ask_streams_and_reports_json(env_keys, capsys, memory_keyring, fake_anthropic):
    code, out, err = run(
        capsys,
        "ask",
        "Write a caption for our sourdough launch",
        "--task",
        "copywriting_standard",
        "--model",
        "claude-sonnet-5-5",
        "--json",
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["model"] == "claude-sonnet-5-5" and answer["text"].startswith("Echo:")
    assert answer["attempts"] == [{"model": "claude-sonnet-5-5", "provider": "anthropic", "outcome": "ok", "error": ""}]
    assert answer["cost_usd"] > 0 and answer["input_tokens"] > 0 and answer["cached"] is False
    h = fake_anthropic.last.headers
    assert "sk-env-anthropic" in (h.get("x-api-key", "") + h.get("authorization", ""))
    code, out, _ = run(capsys, "ask", "Write a caption for our sourdough launch", "--task", "copywriting_standard")
    assert code == 0 and out.startswith("Echo:")
    code, out, _ = run(
        capsys,
        "ask",
        "Write a caption for our sourdough launch",
        "--task",
        "copywriting_standard",
        "--model",
        "claude-sonnet-5-5",
        "--json",
    )
    assert json.loads(out)["cached"] is True
    code, out, _ = run(
        capsys,
        "ask",
        "Write a caption for our sourdough launch",
        "--task",
        "copywriting_standard",
        "--model",
        "claude-sonnet-5-5",
        "--json",
        "--no-cache",
    )
    assert json.loads(out)["cached"] is False


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["ask", ""], "the prompt is empty"),
        (["route", "hello", "--task", "poetry"], "unknown task type 'poetry'"),
        (["ask", "hello", "--model", "gpt-99"], "unknown model id 'gpt-99'"),
        (["route", "describe this", "--image", "/nonexistent.png"], "does not exist"),
    ],
)
def test_bad_input_is_one_clear_line(env_keys, capsys, memory_keyring, argv, needle):
    code, _out, err = run(capsys, *argv)
    assert code == 1 and needle in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_flag_is_one_line(capsys):
    assert main(["route", "hi", "--budget", "infinite"]) == 2  # a usage error: exit 2, as argparse had it
    err = capsys.readouterr().err
    assert err == (
        "sparklio: error: Invalid value for '--budget': 'infinite' is not one of 'low', 'standard', "
        "'premium' (see `sparklio route --help`)\n"
    )


def test_no_keys_no_model_is_clear(data_dir, capsys, memory_keyring, monkeypatch):
    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    code, _, err = run(capsys, "ask", "hello there")
    assert code == 1 and "no model can take this" in err and "Settings → Keys" in err


def test_unreadable_data_dir(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "--data-dir", str(blocker / "sub"), "models")
    assert code == 1 and "is a file, not a folder" in err and "Traceback" not in err


def test_keys_set_list_delete_never_echo(data_dir, capsys, memory_keyring, monkeypatch):
    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("sk-secret-123\n"))
    code, out, err = run(capsys, "keys", "set", "openai")
    assert code == 0 and "sk-secret-123" not in out + err
    assert memory_keyring.get_password("sparklio", "openai") == "sk-secret-123"
    code, out, _ = run(capsys, "keys", "list")
    assert "openai     key from keyring" in out and "sk-secret" not in out
    db = (data_dir / "sparklio.db").read_bytes() + b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert b"sk-secret-123" not in db
    code, out, _ = run(capsys, "keys", "delete", "openai")
    assert code == 0 and memory_keyring.get_password("sparklio", "openai") is None


def test_models_json_lists_catalog_with_why(data_dir, capsys, memory_keyring, monkeypatch):
    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    code, out, _ = run(capsys, "models", "--json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert code == 0 and len(rows) >= 31
    assert rows["gpt-5.2"]["available"] is False and "no OpenAI API key" in rows["gpt-5.2"]["why"]
    assert rows["gpt-4"]["retired"] and rows["gpt-4"]["served_by"] == "gpt-5.5"
    assert rows["gpt-4"]["why"] == "retired (OpenAI retired GPT-4 on 2026-10-23); served by gpt-5.5"  # the display name
    assert rows["gpt-5.1-high-reasoning"]["api_model"] == "gpt-5.1"
    assert rows["claude-3-5-sonnet"]["price_source"] == "genai-prices"


def test_demo_fills_an_empty_folder_once(tmp_path, capsys):
    folder = tmp_path / "demo"
    code, out, _ = run(capsys, "--data-dir", str(folder), "demo")
    assert code == 0 and "ledger rows" in out
    code, _, err = run(capsys, "--data-dir", str(folder), "demo")
    assert code == 1 and "needs an empty data folder" in err
    code, out, _ = run(capsys, "--data-dir", str(folder), "stats", "--json")
    assert code == 0 and json.loads(out)


def test_global_offline_is_for_one_run_only(data_dir, capsys, memory_keyring, monkeypatch):
    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    code, out, _ = run(capsys, "--offline", "models", "--json")
    assert code == 0 and "offline mode" in {r["id"]: r for r in json.loads(out)}["gpt-5.2"]["why"]
    code, out, _ = run(capsys, "models", "--json")
    assert {r["id"]: r for r in json.loads(out)}["gpt-5.2"]["available"] is True


def test_budget_alerts_are_printed_by_the_cli(env_keys, capsys, memory_keyring):
    code, _, _ = run(capsys, "budget", "--set-monthly", "0.0001")
    assert code == 0
    code, _out, err = run(
        capsys,
        "ask",
        "Write a caption for our sourdough launch",
        "--task",
        "copywriting_standard",
        "--model",
        "gpt-4o-mini",
    )
    assert "sparklio: " in err and "budget" in err.lower()


def test_route_accounts_for_every_catalog_model(env_keys, capsys, memory_keyring):
    code, out, err = run(capsys, "route", "what should I post this week?", "--task", "chat_response", "--json")
    assert code == 0, err
    plan = json.loads(out)
    code, out, _ = run(capsys, "models", "--json")
    catalog = {m["id"] for m in json.loads(out)}
    excluded = [x["model"] for x in plan["excluded"]]
    assert len(excluded) == len(set(excluded))  # each once, each with a reason
    listed = [e["model"] for e in plan["chain"]] + excluded  # a retired row id is in both: its slot and its reason
    serving = {e["serves"] for e in plan["chain"]}  # a model serving a retired or dominated row's slot
    assert set(listed) | serving == catalog
    assert any(x["reason"].startswith("eligible but not needed") for x in plan["excluded"])


def test_installed_ollama_model_can_be_pinned(data_dir, capsys, memory_keyring, monkeypatch):
    from tests.fakes.ollama_server import FakeOllama

    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    with FakeOllama() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        code, out, err = run(capsys, "models", "--json")
        assert code == 0, err
        found = [m["id"] for m in json.loads(out) if m["provider"] == "ollama" and m["available"]]
        discovered = [m for m in found if ":" in m] or found
        assert discovered
        code, out, err = run(capsys, "ask", "hello there", "--model", discovered[0], "--json")
        assert code == 0, err
        answer = json.loads(out)
        assert answer["model"] == discovered[0] and answer["provider"] == "ollama" and answer["text"]


def test_route_plans_from_the_last_ollama_list_without_asking_it(data_dir, capsys, memory_keyring, monkeypatch):
    """Issue 19: `route` makes no network call at all, Ollama included; it uses the list seen last time."""
    from tests.fakes.ollama_server import FakeOllama

    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    with FakeOllama() as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        code, out, err = run(capsys, "models", "--json")  # a check that saves the list
        assert code == 0, err
        local = [m["id"] for m in json.loads(out) if m["provider"] == "ollama" and m["available"]]
        assert local
        asked = len(fake.state.requests)
        code, out, err = run(capsys, "route", "hello there", "--offline", "--json")
        assert code == 0, err
        assert {e["model"] for e in json.loads(out)["chain"]} & set(local)  # the installed models are planned
        assert len(fake.state.requests) == asked  # route asked Ollama nothing

"""The click CLI's own promises: hidden key input, typed choices as one line with exit 2, one event loop per command."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner

from router.cli import cli, core_cmds, main
from tests.test_cli import env_keys  # noqa: F401 (fixture)


def test_key_typed_at_a_terminal_is_hidden(data_dir, memory_keyring, monkeypatch):
    monkeypatch.setattr(core_cmds, "stdin_is_terminal", lambda: True)  # CliRunner's stdin stands in for the person
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "keys", "set", "openai"], input="sk-hidden-456\n")
    assert result.exit_code == 0, result.output
    assert "openai API key (input hidden):" in result.stderr  # the prompt is shown; what is typed is not
    assert "sk-hidden-456" not in result.output
    assert result.stdout == "stored the openai key in the keyring\n"
    assert memory_keyring.get_password("sparklio", "openai") == "sk-hidden-456"


def test_key_piped_in_is_read_from_stdin(data_dir, memory_keyring):
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "keys", "set", "anthropic"], input="sk-pipe-789\n")
    assert result.exit_code == 0 and "sk-pipe-789" not in result.output
    assert memory_keyring.get_password("sparklio", "anthropic") == "sk-pipe-789"


@pytest.mark.parametrize(
    "argv, expected",
    [
        (
            ["keys", "set", "mistral"],
            "sparklio: error: Invalid value for '[openai|anthropic|google|compat]': 'mistral' is not one of 'openai', "
            "'anthropic', 'google', 'compat' (see `sparklio keys --help`)",
        ),
        (
            ["route", "hi", "--complexity", "epic"],
            "sparklio: error: Invalid value for '--complexity': 'epic' is not one of 'simple', 'medium', 'complex' "
            "(see `sparklio route --help`)",
        ),
        (
            ["gpu", "install", "--build", "cu999"],
            "sparklio: error: Invalid value for '--build': 'cu999' is not one of 'cpu', 'cu118', 'cu126', 'cu128' "
            "(see `sparklio gpu --help`)",
        ),
        (
            ["batch", "wait", "0"],
            "sparklio: error: Invalid value for 'JOB': 0 is not a valid id (ids are whole numbers from 1) "
            "(see `sparklio batch wait --help`)",
        ),
        (
            ["workflow", "show", "x1"],
            "sparklio: error: Invalid value for 'RUN_ID': 'x1' is not a whole number (see `sparklio workflow show --help`)",
        ),
        (["nonsense"], "sparklio: error: No such command 'nonsense' (see `sparklio --help`)"),
        (["ask"], "sparklio: error: Missing argument 'PROMPT' (see `sparklio ask --help`)"),
        (["policy"], "sparklio: error: `sparklio policy` needs a command: suggestions (see `sparklio policy --help`)"),
    ],
)
def test_a_bad_choice_is_one_line_and_exit_2(data_dir, capsys, argv, expected):
    assert main(["--data-dir", str(data_dir), *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == expected + "\n"
    assert not (data_dir / "sparklio.db").exists()  # refused before the app opened anything


def test_help_is_exit_0_and_lists_every_area(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in (
        "route",
        "ask",
        "image",
        "config",
        "batch",
        "models",
        "keys",
        "gpu",
        "update",
        "budget",
        "stats",
        "rate",
        "policy",
        "workflow",
        "demo",
        "doctor",
        "gui",
    ):
        assert f"\n  {command} " in out


def test_torch_builds_match_the_installer(capsys):
    from local_models.gpu_support import CUDA_FLAVOURS
    from router.cli.install_cmds import TORCH_BUILDS

    assert set(TORCH_BUILDS) == {"cpu", *(f for _, f in CUDA_FLAVOURS)}


@pytest.fixture
def loops(monkeypatch):
    """Every event loop asyncio.run starts in this test."""
    started: list[asyncio.AbstractEventLoop] = []
    new_loop = asyncio.events.new_event_loop

    def counted() -> asyncio.AbstractEventLoop:
        started.append(new_loop())
        return started[-1]

    monkeypatch.setattr(asyncio.events, "new_event_loop", counted)
    return started


def test_ask_runs_in_one_event_loop(env_keys, capsys, memory_keyring, fake_anthropic, loops):  # noqa: F811
    code = main(
        [
            "ask",
            "Write a caption for our sourdough launch",
            "--task",
            "copywriting_standard",
            "--model",
            "claude-sonnet-5-5",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["model"] == "claude-sonnet-5-5"
    assert len(loops) == 1 and loops[0].is_closed()  # Ollama discovery, the answer and closing the app: one loop


@pytest.mark.parametrize(
    "argv",
    [
        ["batch", "status", "--json"],
        ["models", "--json"],
        ["budget", "--json"],
        ["workflow", "estimate", "blog_post", "--input", "topic=bread", "--json"],
    ],
)
def test_every_command_runs_in_one_event_loop(data_dir, capsys, memory_keyring, loops, argv):
    code = main(["--data-dir", str(data_dir), "--offline", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    json.loads(out)
    assert len(loops) == 1  # async work and closing the app (or only the close, for a synchronous command)


def test_help_loads_no_database_pricing_or_sdk():
    """`sparklio --help` stays fast: the command modules import their heavy parts only when a command runs."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = (
        "import sys, io, contextlib, main\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = main.main(['--help'])\n"
        "heavy = ('peewee', 'genai_prices', 'router.app', 'router.workflows.runner', 'openai', 'anthropic',"
        " 'google.genai', 'ollama', 'torch', 'PySide6')\n"
        "print(rc, [m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "0 []", out.stderr

"""GPU support on demand, end to end: real pip against a loopback package index of tiny fake torch/diffusers wheels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from local_models import gpu_support as gs
from router.cli import main as cli_main
from tests.fakes.package_index import PackageIndex, build_fake_gpu_wheels

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def restore_sys_path():
    """An in-process install activates its fake site-packages: later tests must import the real packages."""
    before = list(sys.path)
    yield
    sys.path[:] = before


@pytest.fixture
def index(tmp_path, monkeypatch):
    """A served fake index; pip in child processes reads no user/global config (no other index, no cache)."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    with PackageIndex(build_fake_gpu_wheels(tmp_path / "wheels")) as idx:
        yield idx


@pytest.mark.parametrize(
    "driver,flavour",
    [
        (None, "cpu"),
        (11040, "cpu"),
        (11080, "cu118"),
        (12040, "cu118"),
        (12060, "cu126"),
        (12080, "cu128"),
        (13000, "cu128"),
    ],
)
def test_torch_build_follows_the_drivers_cuda_version(driver, flavour):
    assert gs.choose_flavour(driver) == flavour


def test_no_driver_here_means_the_cpu_build():
    assert gs.driver_cuda_version() is None and gs.status(Path("/nonexistent"))["flavour"] == "cpu"


def test_cli_install_says_size_installs_verifies_and_the_app_finds_it(index, data_dir, capsys):
    argv = ["--data-dir", str(data_dir), "gpu", "install", "--yes", "--force", "--index-url", index.simple]
    assert cli_main(argv) == 0
    out, err = capsys.readouterr()
    assert "GPU support: torch (CPU build) and diffusers, 8 packages, ~2.0 MB to download" in err
    assert "100%" in err  # the progress bar reached the end
    assert "GPU support installed: torch 2.14.1, diffusers 0.35.0, CUDA available: False" in out
    heads = [i for i, (m, p, _) in enumerate(index.requests) if m == "HEAD"]
    gets = [i for i, (m, p, _) in enumerate(index.requests) if m == "GET" and p.endswith(".whl")]
    assert heads and gets and max(heads) < min(gets)  # every size known before the first wheel is fetched
    site = gs.site_dir(data_dir)
    record = gs.installed_record(data_dir)
    assert record["flavour"] == "cpu" and Path(record["torch_file"]).parent == site / "torch"
    assert not (gs.env_dir(data_dir) / "downloads").exists()
    # a fresh app process on this data folder imports the installed torch, not any other
    code = (
        "import sys; from pathlib import Path; from router.app import Sparklio; "
        "Sparklio(Path(sys.argv[1])); import torch; print(torch.__file__)"
    )
    found = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).parent == site / "torch"
    assert cli_main(["--data-dir", str(data_dir), "gpu", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["installed"]["torch_version"] == "2.14.1" and status["flavour"] == "cpu"


def test_cancel_keeps_the_partial_download_and_the_next_run_resumes(index, data_dir):
    plan = gs.plan(index_url=index.simple)
    torch_wheel = next(w for w in plan.wheels if w.name == "torch")
    cancel = threading.Event()
    with pytest.raises(gs.GpuInstallCancelled, match="run it again to resume"):
        gs.install(plan, data_dir, progress=lambda done, total: done > 300_000 and cancel.set(), cancel=cancel)
    part = gs.env_dir(data_dir) / "downloads" / (torch_wheel.filename + ".part")
    assert 0 < part.stat().st_size < torch_wheel.size
    assert gs.installed_record(data_dir) is None
    seen = []
    result = gs.install(plan, data_dir, progress=lambda done, total: seen.append((done, total)))
    assert result.torch_version == "2.14.1" and result.cuda_available is False
    ranges = [r for m, p, r in index.requests if m == "GET" and p.endswith(torch_wheel.filename) and r]
    assert ranges and ranges[-1].startswith("bytes=") and int(ranges[-1][6:-1]) > 0
    assert seen[-1] == (plan.total_bytes, plan.total_bytes)


def test_a_failed_download_is_one_line_and_installs_nothing(index, data_dir, capsys):
    index.fail_files = True
    argv = ["--data-dir", str(data_dir), "gpu", "install", "--yes", "--force", "--index-url", index.simple]
    assert cli_main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("sparklio: error: downloading ") and "HTTP 503" in err and "resume" in err
    assert gs.installed_record(data_dir) is None and not gs.site_dir(data_dir).exists()


def test_offline_mode_refuses_the_download(data_dir, capsys):
    assert cli_main(["--data-dir", str(data_dir), "--offline", "gpu", "install", "--yes", "--force"]) == 1
    assert "offline mode is on" in capsys.readouterr().err


def test_without_consent_nothing_is_downloaded(index, data_dir, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # no terminal: no silent yes
    assert cli_main(["--data-dir", str(data_dir), "gpu", "install", "--force", "--index-url", index.simple]) == 1
    assert "add --yes" in capsys.readouterr().err
    assert not [r for r in index.requests if r[1].endswith(".whl") and r[0] == "GET"]


def test_the_app_stands_in_for_python_for_pip_and_probes(capfd):
    import main

    assert main.main(["-c", "import sys; print('args', sys.argv[1:])", "x"]) == 0
    assert main.main(["-m", "pip", "--version"]) == 0
    out = capfd.readouterr().out
    assert "args ['x']" in out and out.splitlines()[-1].startswith("pip ")

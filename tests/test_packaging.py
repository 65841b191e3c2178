"""Packaging definitions: the Python finder, bootstrap's no-rebuild path, the spec, the workflow, the installers."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def fake_python(folder: Path, name: str, minor: int) -> None:
    """A stand-in `python3.X` that answers find_python.sh's version probe as Python 3.minor would."""
    script = folder / name
    script.write_text(
        "#!/bin/sh\nwant=$(echo \"$2\" | sed -n 's/.*(3, \\([0-9]*\\)).*/\\1/p')\n"
        f'[ -z "$want" ] || [ {minor} -ge "$want" ]\n'
    )
    script.chmod(0o755)


def find_python(tmp_path: Path, fakes: dict[str, int], python: str | None = None) -> subprocess.CompletedProcess:
    """Source find_python.sh with only the fakes (and /usr/bin, /bin) on PATH; prints the choice."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name, minor in fakes.items():
        fake_python(folder, name, minor)
    env = {"PATH": f"{folder}:/usr/bin:/bin", "HOME": str(tmp_path)}
    if python:
        env["PYTHON"] = python
    return subprocess.run(
        ["bash", "-c", f'. {PACKAGING / "find_python.sh"}; find_python && echo "PY=$PY"'],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )


@pytest.mark.parametrize(
    "fakes,chosen",
    [
        ({"python3.13": 13, "python3.12": 12}, "python3.13"),
        ({"python3.12": 12, "python3.11": 11}, "python3.12"),
    ],
)
def test_bootstrap_prefers_the_newest_python_from_3_12(tmp_path, fakes, chosen):
    out = find_python(tmp_path, fakes)
    assert out.returncode == 0 and out.stdout.strip() == f"PY={chosen}"


def test_bootstrap_falls_back_to_3_11(tmp_path):
    out = find_python(tmp_path, {"python3.11": 11})
    assert out.returncode == 0 and out.stdout.strip() == "PY=python3.11"


def test_a_too_old_python_is_one_clear_line(tmp_path):
    fake_python(tmp_path, "old", 10)
    out = find_python(tmp_path, {}, python=str(tmp_path / "old"))
    assert out.returncode == 1 and out.stderr.strip().startswith("Sparklio needs Python 3.11 or newer; PYTHON=")


def test_bootstrap_keeps_an_installed_venv_without_rebuilding(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "bin" / "python").chmod(0o755)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + (PACKAGING / "bootstrap.sh").read_bytes())
    (venv / ".sparklio-installed").write_text(digest.hexdigest() + "\n")
    env = {**os.environ, "SPARKLIO_VENV": str(venv), "PYTHON": "/nonexistent/python"}
    out = subprocess.run(
        ["bash", str(PACKAGING / "bootstrap.sh"), "test", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "==>" not in out.stdout + out.stderr and "pytest" in out.stdout + out.stderr


def test_the_built_app_leaves_out_exactly_what_gpu_support_installs():
    sys.path.insert(0, str(PACKAGING))
    try:
        from build_deps import ON_DEMAND, requirements
    finally:
        sys.path.remove(str(PACKAGING))
    from local_models.gpu_support import PACKAGES

    names = {re.split(r"[<>=!~ ]", r, maxsplit=1)[0].lower() for r in requirements()}
    assert not names & ON_DEMAND and "pyinstaller" in names and "pyside6-essentials" in names
    assert {re.split(r"[<>=]", p, maxsplit=1)[0] for p in PACKAGES} | {"torch", "torchvision"} == ON_DEMAND
    spec = (PACKAGING / "sparklio.spec").read_text()
    assert "*sorted(ON_DEMAND)" in spec and '"resources"' in spec and "migrations" in spec


def test_the_workflow_builds_all_three_with_the_same_script():
    yaml = pytest.importorskip("yaml")
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "build.yml").read_text())
    job = flow["jobs"]["build"]
    assert {o.split("-")[0] for o in job["strategy"]["matrix"]["os"]} == {"ubuntu", "macos", "windows"}
    runs = [s.get("run", "") for s in job["steps"]]
    assert "bash packaging/build.sh --package" in runs
    assert any("packaging\\windows\\sparklio.iss" in r for r in runs)
    assert (ROOT / "packaging" / "windows" / "sparklio.iss").is_file()
    assert "bash packaging/build.sh" in (ROOT / ".ci" / "run").read_text()  # CI runs the same script


def test_the_windows_installer_is_per_user_and_keeps_the_data_folder():
    iss = (PACKAGING / "windows" / "sparklio.iss").read_text()
    assert "PrivilegesRequired=lowest" in iss and "{autoprograms}\\Sparklio" in iss
    ask = iss.index("MsgBox(")
    assert "MB_DEFBUTTON2" in iss[ask:] and iss.index("DelTree") > iss.index("= IDYES", ask)


def test_bootstrap_ps1_mirrors_bootstrap_sh():
    ps1 = (PACKAGING / "bootstrap.ps1").read_text()
    code = re.sub(r'"[^"\n]*"|\'[^\'\n]*\'|#.*', "", ps1)
    for a, b in ("{}", "()", "[]"):
        assert code.count(a) == code.count(b), f"unbalanced {a}{b}"
    for needle in (
        '"app"',
        '"test"',
        ".sparklio-installed",
        "SHA256",
        "nvidia-smi",
        "whl/cu128",
        '@("py", "-3.13")',
        '@("py", "-3.12")',
        "QT_QPA_PLATFORM",
        '-e ".[test]"',
    ):
        assert needle in ps1


def test_the_smoke_mode_paints_opens_the_data_folder_and_quits(tmp_path):
    env = {**os.environ, "SPARKLIO_SMOKE_TEST": "1", "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "smoke: first window painted",
        f"smoke: data folder open at {tmp_path / 'data'}",
        "smoke: quit cleanly",
    ]
    assert (tmp_path / "data" / "sparklio.db").is_file()

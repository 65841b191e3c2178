"""GPU support on demand: torch (CUDA build on NVIDIA machines, CPU build otherwise) and diffusers, installed by pip
into a folder of the data folder that the app then puts on sys.path. No torch import here: pip and a probe run in
child processes (`sys.executable -m pip`, which the frozen app answers too: see main.py)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from router.errors import SparklioError

log = logging.getLogger(__name__)

TORCH_VERSION = "2.14.1"  # the release bootstrap.sh installs (SPARKLIO_TORCH_VERSION there)
TORCHVISION_VERSION = "0.29.1"  # built for that torch (spandrel's upscalers import it)
PACKAGES = (
    "diffusers>=0.35",
    "accelerate>=1.0",
    "transformers>=4.44",
    "safetensors>=0.4",
    "peft>=0.17",
    "spandrel>=0.4",
)
TORCH_INDEX = "https://download.pytorch.org/whl/{flavour}"
PYPI_INDEX = "https://pypi.org/simple"
# (lowest driver CUDA version as NVML reports it, e.g. 12080 = 12.8; PyTorch wheel flavour), newest first
CUDA_FLAVOURS = ((12080, "cu128"), (12060, "cu126"), (11080, "cu118"))
FOLDER = "gpu-support"
CHUNK = 256 * 1024


class GpuInstallError(SparklioError):
    """Installing GPU support failed (one line saying why and what to do)."""


class GpuInstallCancelled(GpuInstallError):
    """The user cancelled; finished downloads are kept and the next run resumes."""


@dataclass
class Wheel:
    """One file pip chose: where to fetch it, its hash and its size."""

    name: str
    version: str
    url: str
    sha256: str
    size: int = 0

    @property
    def filename(self) -> str:
        """The wheel's file name (the last part of its URL)."""
        return self.url.rsplit("/", 1)[-1].split("#", 1)[0]


@dataclass
class InstallPlan:
    """What `install` will download, from where, and how much."""

    flavour: str
    driver_cuda: int | None
    index_url: str
    extra_index_urls: list[str]
    wheels: list[Wheel] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """Download size of every wheel."""
        return sum(w.size for w in self.wheels)

    def describe(self) -> str:
        """One line for the user: what and how big."""
        build = "CPU build" if self.flavour == "cpu" else f"CUDA {self.flavour[2:-1]}.{self.flavour[-1]} build"
        driver = f" for your NVIDIA driver (CUDA {cuda_text(self.driver_cuda)})" if self.driver_cuda else ""
        return (
            f"GPU support: torch ({build}{driver}) and diffusers, {len(self.wheels)} packages, "
            f"~{gigabytes(self.total_bytes)} to download"
        )


@dataclass
class ProbeResult:
    """What importing torch in the installed environment said."""

    torch_version: str
    cuda_available: bool
    torch_file: str
    diffusers_version: str


def cuda_text(version: int | None) -> str:
    """12080 -> '12.8'."""
    return "none" if not version else f"{version // 1000}.{version % 1000 // 10}"


def gigabytes(n: int) -> str:
    """Bytes in the unit a person reads: GB above 1 GB, else MB."""
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB"


def env_dir(data_dir: Path) -> Path:
    """The folder the app owns for GPU support (downloads, site-packages, the install record)."""
    return Path(data_dir) / FOLDER


def site_dir(data_dir: Path) -> Path:
    """The installed packages (put on sys.path by `activate`)."""
    return env_dir(data_dir) / "site-packages"


def record_path(data_dir: Path) -> Path:
    """The record written once an install was verified."""
    return env_dir(data_dir) / "installed.json"


def installed_record(data_dir: Path) -> dict | None:
    """The verified install's record, or None."""
    try:
        return json.loads(record_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def activate(data_dir: Path) -> bool:
    """Put a verified GPU-support environment first on sys.path (before torch is ever imported); True if so."""
    site = site_dir(data_dir)
    if installed_record(data_dir) is None or not site.is_dir():
        return False
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    return True


def torch_importable() -> bool:
    """True when torch and diffusers can be imported here (source install, or an activated environment)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "diffusers"))


def driver_cuda_version() -> int | None:
    """The CUDA version the NVIDIA driver supports (NVML, e.g. 12080), or None without a driver."""
    try:
        import pynvml

        pynvml.nvmlInit()
        try:
            return int(pynvml.nvmlSystemGetCudaDriverVersion_v2())
        finally:
            pynvml.nvmlShutdown()
    except Exception:
        return None


def choose_flavour(driver_cuda: int | None) -> str:
    """The newest PyTorch CUDA build the driver can run, else 'cpu'."""
    if driver_cuda:
        for lowest, flavour in CUDA_FLAVOURS:
            if driver_cuda >= lowest:
                return flavour
    return "cpu"


def python_command() -> list[str]:
    """How to run Python here: the interpreter, or the built app (main.py answers `-m` and `-c`)."""
    exe = Path(sys.executable)
    if getattr(sys, "frozen", False) and exe.name.lower() == "sparklio.exe":  # Windows: the console twin has stdout
        return [str(exe.with_name("sparklio-cli.exe"))]
    return [str(exe)]


def _run(args: list[str], what: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run a child Python; a failure becomes one line with pip's last words."""
    try:
        out = subprocess.run([*python_command(), *args], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GpuInstallError(f"{what} failed: {exc}") from None
    if out.returncode != 0:
        last = [ln for ln in (out.stderr or out.stdout).splitlines() if ln.strip()][-1:] or ["no output"]
        log.info("%s failed:\n%s", what, out.stderr)
        raise GpuInstallError(f"{what} failed: {last[0].strip()}")
    return out


def _index_args(index_url: str, extra: list[str]) -> list[str]:
    args = ["--index-url", index_url]
    for url in extra:
        args += ["--extra-index-url", url]
    return args


def plan(
    *,
    flavour: str | None = None,
    index_url: str | None = None,
    extra_index_urls: list[str] | None = None,
    packages: tuple[str, ...] = PACKAGES,
    torch_version: str = TORCH_VERSION,
    head: Callable[[str], int] | None = None,
) -> InstallPlan:
    """Ask pip (dry run) which wheels it would install, then each file's size: the size said before anything."""
    driver = driver_cuda_version()
    flavour = flavour or choose_flavour(driver)
    index_url = index_url or os.environ.get("SPARKLIO_GPU_INDEX_URL")  # a mirror holding torch and the rest
    index = index_url or TORCH_INDEX.format(flavour=flavour)
    extra = list(extra_index_urls if extra_index_urls is not None else ([] if index_url else [PYPI_INDEX]))
    with tempfile.TemporaryDirectory(prefix="sparklio-plan-") as tmp:
        report = Path(tmp) / "report.json"
        _run(
            [
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "--only-binary",
                ":all:",
                "--ignore-installed",
                "--report",
                str(report),
                *_index_args(index, extra),
                f"torch=={torch_version}",
                f"torchvision=={TORCHVISION_VERSION}",
                *packages,
            ],
            "resolving GPU support",
        )
        items = json.loads(report.read_text(encoding="utf-8")).get("install", [])
    wheels = [
        Wheel(
            i["metadata"]["name"],
            i["metadata"]["version"],
            i["download_info"]["url"],
            i["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256", ""),
        )
        for i in items
    ]
    size_of = head or _content_length
    for w in wheels:
        w.size = size_of(w.url)
    return InstallPlan(flavour, driver, index, extra, wheels)


def _content_length(url: str) -> int:
    """A file's size from a HEAD request (0 when the server does not say)."""
    import httpx

    try:
        r = httpx.head(url, follow_redirects=True, timeout=30)
        return int(r.headers.get("content-length", 0)) if r.status_code < 400 else 0
    except (httpx.HTTPError, ValueError):
        return 0


Progress = Callable[[int, int], None]  # (bytes done, bytes total)


def download(
    plan_: InstallPlan, folder: Path, *, progress: Progress | None = None, cancel: threading.Event | None = None
) -> list[Path]:
    """Fetch every wheel into `folder`, resuming `.part` files with HTTP ranges; verified by sha256."""
    import httpx

    folder.mkdir(parents=True, exist_ok=True)
    total, done, files = plan_.total_bytes, 0, []
    with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30, read=120)) as client:
        for w in plan_.wheels:
            dest = folder / w.filename
            if not (dest.exists() and _sha256(dest) == w.sha256):
                _fetch(client, w, dest, lambda n, done=done: progress and progress(done + n, total), cancel)
            done += dest.stat().st_size
            if progress:
                progress(done, total)
            files.append(dest)
    return files


def _fetch(client, wheel: Wheel, dest: Path, moved: Callable[[int], None], cancel: threading.Event | None) -> None:
    """One file, resumed from its `.part` when the server honours Range."""
    import httpx

    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with client.stream("GET", wheel.url, headers=headers) as r:
            if r.status_code == 416:  # already complete
                pass
            elif r.status_code >= 400:
                raise GpuInstallError(
                    f"downloading {wheel.filename} failed: HTTP {r.status_code}; run it again later to resume"
                )
            else:
                mode = "ab" if r.status_code == 206 else "wb"
                have = have if mode == "ab" else 0
                with part.open(mode) as fh:
                    for chunk in r.iter_bytes(CHUNK):
                        if cancel is not None and cancel.is_set():
                            raise GpuInstallCancelled("GPU support install cancelled; run it again to resume")
                        fh.write(chunk)
                        have += len(chunk)
                        moved(have)
    except httpx.HTTPError as exc:
        raise GpuInstallError(
            f"downloading {wheel.filename} failed ({type(exc).__name__}); run it again to resume"
        ) from None
    if wheel.sha256 and _sha256(part) != wheel.sha256:
        part.unlink(missing_ok=True)
        raise GpuInstallError(f"{wheel.filename} arrived damaged (hash mismatch); run it again to fetch it afresh")
    part.replace(dest)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


PROBE = (
    "import json, sys; sys.path.insert(0, sys.argv[1]); import torch, diffusers; "
    "print(json.dumps({'torch_version': torch.__version__, 'cuda_available': bool(torch.cuda.is_available()),"
    " 'torch_file': torch.__file__, 'diffusers_version': diffusers.__version__}))"
)


def probe(site: Path) -> ProbeResult:
    """Import torch and diffusers from `site` in a child process; what they report."""
    out = _run(["-c", PROBE, str(site)], "checking the installed torch", timeout=300)
    try:
        return ProbeResult(**json.loads(out.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError, TypeError):
        raise GpuInstallError("checking the installed torch failed: it printed no result") from None


def install(
    plan_: InstallPlan, data_dir: Path, *, progress: Progress | None = None, cancel: threading.Event | None = None
) -> ProbeResult:
    """Download (resumable), pip-install into a fresh folder, swap it in, verify by importing torch there."""
    root = env_dir(data_dir)
    files = download(plan_, root / "downloads", progress=progress, cancel=cancel)
    staging = root / "site-packages.new"
    shutil.rmtree(staging, ignore_errors=True)
    _run(
        [
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--no-index",
            "--no-deps",
            "--target",
            str(staging),
            *map(str, files),
        ],
        "installing GPU support",
    )
    result = probe(staging)
    if not Path(result.torch_file).resolve().is_relative_to(staging.resolve()):
        raise GpuInstallError(f"the check imported another torch ({result.torch_file}); the install is incomplete")
    site = site_dir(data_dir)
    shutil.rmtree(site, ignore_errors=True)
    staging.replace(site)
    result.torch_file = result.torch_file.replace(str(staging), str(site))
    record = {"flavour": plan_.flavour, "driver_cuda": plan_.driver_cuda, **asdict(result)}
    record_path(data_dir).write_text(json.dumps(record, indent=2), encoding="utf-8")
    shutil.rmtree(root / "downloads", ignore_errors=True)
    return result


def uninstall(data_dir: Path) -> bool:
    """Remove the GPU-support folder; True if there was one."""
    root = env_dir(data_dir)
    existed = root.exists()
    shutil.rmtree(root, ignore_errors=True)
    return existed


def status(data_dir: Path) -> dict:
    """Driver, chosen build, and what is installed (for `sparklio gpu status` and the Images page)."""
    driver = driver_cuda_version()
    return {
        "driver_cuda": cuda_text(driver) if driver else None,
        "flavour": choose_flavour(driver),
        "folder": str(env_dir(data_dir)),
        "installed": installed_record(data_dir),
        "importable": torch_importable(),
        "frozen": bool(getattr(sys, "frozen", False)),
    }

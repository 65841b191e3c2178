"""`sparklio gpu status|install|uninstall` (torch + diffusers on demand) and `sparklio update check`."""

from __future__ import annotations

import sys
import threading

import click

from router.cli.common import Session, pass_session, print_json
from router.errors import SparklioError

TORCH_BUILDS = ("cpu", "cu118", "cu126", "cu128")  # local_models.gpu_support's flavours (router may not import it)


def _bar(done: int, total: int, width: int = 30) -> str:
    """A one-line text progress bar."""
    from local_models.gpu_support import gigabytes

    frac = min(1.0, done / total) if total else 0.0
    filled = int(frac * width)
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {frac:4.0%}  {gigabytes(done)} of {gigabytes(total)}"


def _confirm(question: str) -> bool:
    """Ask on the terminal; without one, the answer is no (use --yes)."""
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


@click.command()
@click.argument("action", type=click.Choice(["status", "install", "uninstall"]))
@click.option("--yes", is_flag=True, help="install without asking")
@click.option("--force", is_flag=True, help="install even when torch can already be imported")
@click.option("--build", type=click.Choice(TORCH_BUILDS), help="torch build (default: detected)")
@click.option("--index-url", help="package index for torch (default: download.pytorch.org for the build)")
@click.option("--extra-index-url", multiple=True, help="more package indexes (default: PyPI)")
@click.option("--json", "as_json", is_flag=True, help="machine-readable status")
@pass_session
def gpu(session: Session, action: str, as_json: bool, **options) -> int:
    """GPU support for local images: torch + diffusers installed on demand.

    The built app ships without torch and diffusers; `install` fetches the matching torch build (CUDA on NVIDIA
    machines, CPU otherwise) and diffusers into the data folder, says the size first, resumes and verifies.
    """
    from local_models import gpu_support as gs

    app = session.app
    if action == "status":
        info = gs.status(app.data_dir)
        if as_json:
            print_json(info)
            return 0
        rec = info["installed"]
        print(
            f"NVIDIA driver: {'CUDA ' + info['driver_cuda'] if info['driver_cuda'] else 'none found'}"
            f" -> torch build: {info['flavour']}"
        )
        print(
            f"installed here: torch {rec['torch_version']}, CUDA available: {rec['cuda_available']} ({info['folder']})"
            if rec
            else f"not installed in {info['folder']}"
        )
        print("torch and diffusers can be imported" if info["importable"] else "torch/diffusers are missing")
        return 0
    if action == "uninstall":
        print("removed GPU support" if gs.uninstall(app.data_dir) else "GPU support was not installed here")
        return 0
    return _install(app, options, gs)


def _install(app, options: dict, gs) -> int:
    """Resolve, say the size, ask, download with a progress bar (Ctrl-C cancels, rerun resumes), verify."""
    if gs.torch_importable() and not options["force"]:
        print("torch and diffusers are already installed (use --force to install the app's own copy anyway)")
        return 0
    if app.offline:
        raise SparklioError("offline mode is on: GPU support needs a download (run without --offline)")
    extra = list(options["extra_index_url"]) or None
    plan = gs.plan(flavour=options["build"], index_url=options["index_url"], extra_index_urls=extra)
    print(plan.describe(), file=sys.stderr)
    print(f"into {gs.env_dir(app.data_dir)}", file=sys.stderr)
    if not options["yes"] and not _confirm("Download and install?"):
        print("nothing installed (add --yes to install without asking)", file=sys.stderr)
        return 1
    cancel = threading.Event()
    try:
        result = gs.install(
            plan, app.data_dir, progress=lambda d, t: print(_bar(d, t), end="", file=sys.stderr), cancel=cancel
        )
    except KeyboardInterrupt:
        cancel.set()
        print(
            "\nsparklio: cancelled; finished downloads are kept and the next `sparklio gpu install` resumes",
            file=sys.stderr,
        )
        return 130
    print(file=sys.stderr)
    print(
        f"GPU support installed: torch {result.torch_version}, diffusers {result.diffusers_version}, "
        f"CUDA available: {result.cuda_available}"
    )
    return 0


@click.command()
@click.argument("action", type=click.Choice(["check"]))
@pass_session
def update(session: Session, action: str) -> int:
    """Check the release feed for a newer Sparklio (never downloads).

    Asks the release feed (setting update_feed_url) whether a newer version exists and prints its download page;
    nothing is downloaded.
    """
    import time

    from router import __version__
    from router.updates import check

    app = session.app
    if app.offline:
        raise SparklioError("offline mode is on: update checks are off")
    info = check(app.settings.update_feed_url, strict=True)
    app.settings.update_last_check = time.time()
    if info is None:
        print(f"Sparklio {__version__} is the newest version")
        return 0
    print(f"Sparklio {info.version} is available (you have {__version__}); download it from {info.url}")
    return 0


COMMANDS = (gpu, update)

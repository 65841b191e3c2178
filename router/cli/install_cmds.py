"""`sparklio gpu status|install|uninstall` (torch + diffusers on demand) and `sparklio update check`."""

from __future__ import annotations

import sys
import threading

from router.errors import SparklioError


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


def cmd_gpu(app, args) -> int:
    """Show, install or remove GPU support in the data folder."""
    from local_models import gpu_support as gs
    from router.cli import print_json

    if args.action == "status":
        info = gs.status(app.data_dir)
        if args.json:
            print_json(info)
            return 0
        rec = info["installed"]
        print(f"NVIDIA driver: {'CUDA ' + info['driver_cuda'] if info['driver_cuda'] else 'none found'}"
              f" -> torch build: {info['flavour']}")
        print(f"installed here: torch {rec['torch_version']}, CUDA available: {rec['cuda_available']} "
              f"({info['folder']})" if rec else f"not installed in {info['folder']}")
        print("torch and diffusers can be imported" if info["importable"] else "torch/diffusers are missing")
        return 0
    if args.action == "uninstall":
        print("removed GPU support" if gs.uninstall(app.data_dir) else "GPU support was not installed here")
        return 0
    return _install(app, args, gs)


def _install(app, args, gs) -> int:
    """Resolve, say the size, ask, download with a progress bar (Ctrl-C cancels, rerun resumes), verify."""
    if gs.torch_importable() and not args.force:
        print("torch and diffusers are already installed (use --force to install the app's own copy anyway)")
        return 0
    if app.offline:
        raise SparklioError("offline mode is on: GPU support needs a download (run without --offline)")
    extra = args.extra_index_url if args.extra_index_url else None
    plan = gs.plan(flavour=args.build, index_url=args.index_url, extra_index_urls=extra)
    print(plan.describe(), file=sys.stderr)
    print(f"into {gs.env_dir(app.data_dir)}", file=sys.stderr)
    if not args.yes and not _confirm("Download and install?"):
        print("nothing installed (add --yes to install without asking)", file=sys.stderr)
        return 1
    cancel = threading.Event()
    try:
        result = gs.install(plan, app.data_dir, progress=lambda d, t: print(_bar(d, t), end="", file=sys.stderr),
                            cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        print("\nsparklio: cancelled; finished downloads are kept and the next `sparklio gpu install` resumes",
              file=sys.stderr)
        return 130
    print(file=sys.stderr)
    print(f"GPU support installed: torch {result.torch_version}, diffusers {result.diffusers_version}, "
          f"CUDA available: {result.cuda_available}")
    return 0


def cmd_update(app, args) -> int:
    """Check the release feed now; prints the newer version and its page (nothing is downloaded)."""
    import time

    from router import __version__
    from router.updates import check

    if app.offline:
        raise SparklioError("offline mode is on: update checks are off")
    info = check(app.settings.get("update_feed_url"), strict=True)
    app.settings.set("update_last_check", time.time())
    if info is None:
        print(f"Sparklio {__version__} is the newest version")
        return 0
    print(f"Sparklio {info.version} is available (you have {__version__}); download it from {info.url}")
    return 0


def register(sub) -> None:
    """Add `gpu` and `update` to the CLI."""
    p = sub.add_parser("gpu", help="GPU support for local images: torch + diffusers installed on demand",
                       description="The built app ships without torch and diffusers; `install` fetches the "
                                   "matching torch build (CUDA on NVIDIA machines, CPU otherwise) and diffusers "
                                   "into the data folder, says the size first, resumes and verifies.")
    p.add_argument("action", choices=["status", "install", "uninstall"])
    p.add_argument("--yes", action="store_true", help="install without asking")
    p.add_argument("--force", action="store_true", help="install even when torch can already be imported")
    p.add_argument("--build", choices=["cpu", "cu118", "cu126", "cu128"], help="torch build (default: detected)")
    p.add_argument("--index-url", help="package index for torch (default: download.pytorch.org for the build)")
    p.add_argument("--extra-index-url", action="append", help="more package indexes (default: PyPI)")
    p.add_argument("--json", action="store_true", help="machine-readable status")
    p.set_defaults(func=cmd_gpu)
    p = sub.add_parser("update", help="check the release feed for a newer Sparklio (never downloads)",
                       description="Asks the release feed (setting update_feed_url) whether a newer version "
                                   "exists and prints its download page; nothing is downloaded.")
    p.add_argument("action", choices=["check"])
    p.set_defaults(func=cmd_update)

"""Print the requirements of a lean build venv: pyproject's dependencies without the on-demand GPU parts, + PyInstaller."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ON_DEMAND = {
    "torch",
    "torchvision",
    "diffusers",
    "transformers",
    "accelerate",
    "safetensors",
    "peft",
    "spandrel",
}  # local_models/gpu_support.py


def requirements(build_only: bool = False) -> list[str]:
    """The requirement strings, one per package."""
    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    build = project["optional-dependencies"]["build"]
    if build_only:
        return build
    runtime = [
        r for r in project["dependencies"] if re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() not in ON_DEMAND
    ]
    return runtime + build


if __name__ == "__main__":
    print(" ".join(requirements("--build-only" in sys.argv)))

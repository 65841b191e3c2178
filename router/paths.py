"""Where things live: the data folder (flag, SPARKLIO_HOME, platform dir) and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
if getattr(sys, "frozen", False):  # PyInstaller bundle
    RESOURCES = Path(getattr(sys, "_MEIPASS", ".")) / "resources"


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data folder: --data-dir, else $SPARKLIO_HOME, else the platform's user data dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("SPARKLIO_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("Sparklio", "Sparklio"))

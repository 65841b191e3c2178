"""Where things live: the data folder (flag, SPARKLIO_HOME, platform dir) and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
if getattr(sys, "frozen", False):  # PyInstaller bundle
    RESOURCES = Path(getattr(sys, "_MEIPASS", ".")) / "resources"


def _pointer() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("Sparklio", "Sparklio")) / "data-dir.txt"


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data folder: --data-dir, else $SPARKLIO_HOME, else the one chosen in Settings, else the platform's."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("SPARKLIO_HOME")
    if env:
        return Path(env).expanduser()
    try:
        chosen = _pointer().read_text(encoding="utf-8").strip()
        if chosen:
            return Path(chosen).expanduser()
    except OSError:
        pass
    from platformdirs import user_data_dir

    return Path(user_data_dir("Sparklio", "Sparklio"))


def set_default_data_dir(path: str | Path | None) -> None:
    """Remember the data folder chosen in Settings (used from the next start; None forgets it)."""
    pointer = _pointer()
    if path is None:
        pointer.unlink(missing_ok=True)
        return
    pointer.parent.mkdir(parents=True, exist_ok=True)
    pointer.write_text(str(Path(path).expanduser()), encoding="utf-8")

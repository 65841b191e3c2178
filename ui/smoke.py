"""Start-up self-test for built apps (`SPARKLIO_SMOKE_TEST=1 sparklio`): paint, open the data folder, quit."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any


def run_smoke(data_dir: str | Path | None = None) -> int:
    """Run the real app until its facade is ready, print what happened, then quit like the tray's Quit."""
    from PySide6.QtWidgets import QApplication

    from ui.app import run

    seen: dict[str, Any] = {}

    def painted() -> None:
        seen["painted"] = True
        print("smoke: first window painted", flush=True)

    def ready(app: Any) -> None:
        seen["ready"] = app is not None
        if app is not None:
            print(f"smoke: data folder open at {app.data_dir}", flush=True)
        for w in QApplication.topLevelWidgets():
            if w.isWindow() and w.metaObject().className() == "MainWindow":
                asyncio.get_event_loop().call_soon(w.quit)

    code = run([sys.argv[0]], data_dir=data_dir, on_first_paint=painted, on_ready=ready)
    ok = code == 0 and seen.get("painted") and seen.get("ready")
    print("smoke: quit cleanly" if ok else "smoke: FAILED", flush=True)
    return 0 if ok else 1

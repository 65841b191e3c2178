"""Polls the providers' Batch API jobs while the app runs (once at start, then every minute when any is open)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

POLL_MS = 60_000


class BatchPoller(QObject):
    """A timer that asks `app.batch.poll_all()` to settle finished jobs; results land where they belong."""

    def __init__(self, controller: Any, interval_ms: int = POLL_MS) -> None:
        super().__init__(controller)
        self.controller = controller
        self.running: Any = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.poll)
        self.timer.start(interval_ms)

    def poll(self) -> Any:
        """Start one poll when a job is open and none is in flight; returns the task (or None)."""
        app = self.controller.app
        if app is None or (self.running is not None and not self.running.done()):
            return None
        from router.batch import store

        if not store.jobs(open_only=True, limit=1):
            return None
        self.running = self.controller.spawn(app.batch.poll_all())
        return self.running

"""A tiny synchronous event bus: budget alerts, anomalies and setting changes reach the UI and CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class AppEvent:
    """Something the user should hear about (kind: budget_alert, cost_anomaly, budget_refused, settings_changed, catalog_changed)."""

    kind: str
    title: str = ""
    message: str = ""
    data: dict = field(default_factory=dict)


class EventBus:
    """Publish/subscribe; a failing subscriber is logged and never breaks the publisher."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[AppEvent], None]] = []
        self.history: list[AppEvent] = []

    def subscribe(self, callback: Callable[[AppEvent], None]) -> Callable[[], None]:
        """Register `callback`; returns a function that unsubscribes it."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def publish(self, event: AppEvent) -> None:
        """Deliver `event` to every subscriber (and keep the last 200 in history)."""
        self.history.append(event)
        del self.history[:-200]
        for cb in list(self._subscribers):
            try:
                cb(event)
            except Exception:  # a broken listener must not break a request
                log.exception("event subscriber failed for %s", event.kind)

"""Status bar: month budget meter, Ollama status, VRAM meter (only with a GPU) and the offline badge."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressBar, QStatusBar, QToolButton, QWidget

from router.display import fmt_usd
from ui import theme

log = logging.getLogger(__name__)


def money(usd: float) -> str:
    """$12.40 / $100 (whole dollars from $10 lose their cents; sub-cent amounts keep 2 significant digits)."""
    if abs(usd) >= 10 and abs(usd - round(usd)) < 0.005:
        return f"${usd:,.0f}"
    return fmt_usd(usd)


def budget_text(spent: float, limit: float) -> tuple[str, float]:
    """("$12.40 of $100 (12%)", fraction) for the meter."""
    if limit <= 0:
        return (f"{money(spent)} spent (no limit)", 0.0)
    frac = spent / limit
    return (f"{money(spent)} of {money(limit)} ({frac * 100:.0f}%)", frac)


class BudgetMeter(QProgressBar):
    """The month's spend against the limit; amber from 80%, red from 100%. Click opens Budget."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BudgetMeter")
        self.setRange(0, 1000)
        self.setTextVisible(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedWidth(230)
        self.level = "ok"
        self.set_spend(0.0, 0.0)

    def set_spend(self, spent: float, limit: float, tooltip: str = "") -> None:
        """Show `spent` of `limit` dollars."""
        text, frac = budget_text(spent, limit)
        self.setValue(int(min(max(frac, 0.0), 1.0) * 1000))
        self.setFormat(text)
        level = "over" if frac >= 1.0 else "warn" if frac >= 0.8 else "ok"
        if level != self.level:
            self.level = level
            self.setProperty("level", level)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setToolTip(tooltip or f"This month: {text}")

    def mousePressEvent(self, event: Any) -> None:
        self.clicked.emit()


class StatusBar(QStatusBar):
    """Keeps its meters current from controller signals plus a slow timer."""

    def __init__(
        self, controller: Any, parent: QWidget | None = None, *, gpu: Any = None, poll_s: float = 30.0
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setSizeGripEnabled(False)
        self.gpu = gpu  # local_models.gpu.GpuMonitor (None: looked up lazily)
        self._gpu_checked = gpu is not None
        self.ollama = QToolButton(self)
        self.ollama.setObjectName("StatusLabel")
        self.ollama.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.ollama.clicked.connect(lambda: controller.refresh_local())
        self.vram = QProgressBar(self)
        self.vram.setObjectName("VramMeter")
        self.vram.setVisible(False)
        self.vram.setFixedWidth(190)
        self.budget = BudgetMeter(self)
        self.budget.clicked.connect(lambda: controller.navigate("budget"))
        self.offline = QToolButton(self)
        self.offline.setObjectName("OfflineBadge")
        self.offline.setCheckable(True)
        self.offline.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.offline.clicked.connect(self._toggle_offline)
        for w in (self.ollama, self.vram, self.budget, self.offline):
            self.addPermanentWidget(w)
        self._set_offline_badge(False)
        self.ollama.setText("○ Ollama …")
        controller.ready.connect(self.refresh)
        controller.ledgerChanged.connect(self.refresh_budget)
        controller.catalogChanged.connect(self.refresh_ollama)
        controller.offlineChanged.connect(self._set_offline_badge)
        controller.appEvent.connect(self._on_event)
        controller.message.connect(self.show_line)
        self.last_line: tuple[str, str] = ("", "")  # (level, text) of the last page message shown
        self.timer = QTimer(self, interval=int(poll_s * 1000))
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    # ---- refresh ----
    def refresh(self) -> None:
        """Re-read everything."""
        self.refresh_budget()
        self.refresh_ollama()
        self._set_offline_badge(self.controller.offline)
        self.controller.spawn(self.refresh_vram())

    def refresh_budget(self) -> None:
        """Month spend against the limit."""
        st = self.controller.month_status()
        if st is None:
            return
        lines = [f"This month ({st.month}): {money(st.spent_usd)} of {money(st.limit_usd)}"]
        lines += [f"  {p}: {money(c)}" for p, c in st.spent_by_provider.items()]
        lines.append(f"Forecast for the month: {money(st.forecast_usd)} · tier {st.tier}")
        lines.append("Click for the Budget page")
        self.budget.set_spend(st.spent_usd, st.limit_usd, "\n".join(lines))

    def refresh_ollama(self) -> None:
        """Ollama's reachability (probed by controller.refresh_local)."""
        ok, message = self.controller.ollama_state()
        colour = theme.current().color("ok" if ok else "muted")
        self.ollama.setText("● Ollama running" if ok else "○ Ollama off" if ok is False else "○ Ollama …")
        self.ollama.setStyleSheet(f"color: {colour};")
        self.ollama.setToolTip(f"{message}\nClick to check again.")

    async def refresh_vram(self) -> None:
        """VRAM use from NVML, read off the UI thread; the meter stays hidden without a GPU."""
        if not self._gpu_checked:
            self._gpu_checked = True
            try:
                from local_models.gpu import GpuMonitor

                self.gpu = await asyncio.to_thread(GpuMonitor)
            except Exception:
                log.info("GPU monitor unavailable", exc_info=True)
                self.gpu = None
        if self.gpu is None:
            return
        snap = await asyncio.to_thread(self.gpu.snapshot)
        if snap is None or not snap.total_mib:
            self.vram.setVisible(False)
            return
        self.vram.setRange(0, snap.total_mib)
        self.vram.setValue(snap.used_mib)
        self.vram.setFormat(f"VRAM {snap.used_mib / 1024:.1f} / {snap.total_mib / 1024:.0f} GB")
        self.vram.setToolTip(f"{snap.name}: {snap.free_mib:,} MiB free")
        self.vram.setVisible(True)

    def _tick(self) -> None:
        if self.controller.app is None:
            return
        self.refresh_budget()
        self.controller.refresh_local()
        self.controller.spawn(self.refresh_vram())

    def refresh_theme(self) -> None:
        """Re-tint after a light/dark switch."""
        self._set_offline_badge(self.controller.offline)
        self.refresh_ollama()

    # ---- offline badge ----
    def _toggle_offline(self) -> None:
        self._set_offline_badge(self.controller.set_offline(self.offline.isChecked()))

    def _set_offline_badge(self, on: bool) -> None:
        t = theme.current()
        self.offline.setChecked(bool(on))
        self.offline.setText("Offline" if on else "Online")
        self.offline.setIcon(t.icon("offline" if on else "online", "accent_text" if on else "muted", 14))
        self.offline.setToolTip(
            "Offline mode: only local models run and nothing leaves this machine. Click to go online."
            if on
            else "Click for offline mode: only local models, nothing leaves this machine."
        )

    def show_line(self, level: str, text: str) -> None:
        """A page's error or notice (AppController.message), coloured by level, for 15 s (errors) or 8 s."""
        self.last_line = (level, text)
        token = {"error": "danger", "warning": "warn"}.get(level, "text")
        self.setStyleSheet(f"QStatusBar {{ color: {theme.current().color(token)}; }}")
        self.showMessage(text, 15000 if level == "error" else 8000)

    def _on_event(self, event: Any) -> None:
        if event.kind == "gpu_notice":  # VRAM arbitration: Ollama unloaded, SD moved off the GPU, or no GPU
            self.showMessage(event.message, 15000)
        if event.kind == "settings_changed" and event.data.get("key") in (
            "monthly_limit_usd",
            "provider_limits",
            "alert_thresholds",
        ):
            self.refresh_budget()

"""Models page: the catalog with availability and why, the local Ollama server, and the GPU."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ui.pages.models_ollama import OllamaCard
from ui.widgets.card import Card, Meter, muted
from ui.widgets.format import money
from ui.widgets.page import PageBase
from ui.widgets.table import Column, RecordTable


def price_text(m: Any) -> str:
    """A model's price in the unit it is sold by."""
    if m.local:
        return "free (local)"
    if m.price_source == "unknown":
        return "unknown"
    if m.kind == "image":
        return f"{money(m.image_price())} / image" if m.image_prices else "—"
    if m.kind == "embedding":
        return f"{money(m.input_price, precise=True)} / 1M tokens"
    return f"{money(m.input_price, precise=True)} in · {money(m.output_price, precise=True)} out"


def _ctx(v: Any) -> str:
    if not v:
        return "—"
    v = int(v)
    return f"{v // 1000}k" if v >= 1000 else str(v)


CATALOG_COLUMNS = [
    Column("name", "Model"),
    Column("provider", "Provider"),
    Column("state", "Available"),
    Column("price", "Price", tooltip="USD per 1M tokens in / out, or per image"),
    Column("price_source", "Price from"),
    Column("speed", "Speed"),
    Column("context_window", "Context", _ctx, True),
    Column("quality", "Quality", lambda v: f"{v:.1f}" if v is not None else "—", True, "0–10, from the catalog"),
    Column("kind", "Kind"),
    Column("why", "Why not"),
]


def _state(st: Any, retired: dict) -> str:
    """'✓ ready', '✓ ready · retires DATE', '✗ retired → X' or '✗ not now'."""
    r = retired.get(st.model.id)
    if r is not None:
        return f"✗ retired → {r.successor}" if r.successor else "✗ retired"
    if st.available:
        return f"✓ ready · retires {st.model.retires}" if st.model.retires else "✓ ready"
    return "✗ not now"


def lists_text(app: Any) -> str:
    """When each provider's model list was fetched, for the line under the table."""
    import time

    from router.model_lists import age_text

    lists = getattr(getattr(app, "lifecycle", None), "lists", {}) or {}
    if not lists:
        return "Model lists: none fetched yet — the catalog's published retirement dates decide."
    now = time.time()
    return "Model lists fetched: " + " · ".join(
        f"{p} {age_text(now - lst.fetched_at)}" + (f" (refresh failed: {lst.error})" if lst.error else "")
        for p, lst in sorted(lists.items())
    )


def catalog_records(statuses: list[Any], retired: dict | None = None) -> list[dict]:
    """Rows of the catalog table from app.model_status() (retired models name their successor)."""
    out = []
    retired = retired or {}
    for st in statuses:
        m = st.model
        out.append(
            {
                "name": m.name,
                "id": m.id,
                "provider": m.provider,
                "kind": m.kind,
                "state": _state(st, retired),
                "available": st.available,
                "why": "" if st.available else st.why,
                "price": price_text(m),
                "price_source": "local" if m.local else m.price_source,
                "speed": f"{m.speed} (~{m.latency_s:g} s)",
                "context_window": m.context_window,
                "quality": m.quality,
            }
        )
    return out


class GpuCard(Card):
    """NVML snapshot: memory, load, temperature, power and the processes holding VRAM."""

    def __init__(self) -> None:
        super().__init__("GPU")
        self.monitor: Any = None
        self.meter = Meter("Memory")
        self.body.addWidget(self.meter)
        self.details = muted(QLabel(""))
        self.details.setWordWrap(True)
        self.body.addWidget(self.details)

    def read(self) -> Any:
        """Take a snapshot (runs in a worker thread); returns (snapshot or None, message)."""
        if self.monitor is None:
            from local_models.gpu import GpuMonitor

            self.monitor = GpuMonitor()
        snap = self.monitor.snapshot()
        return snap, self.monitor.message

    def fill(self, result: Any) -> None:
        """Show a snapshot, or say plainly that there is no NVIDIA GPU."""
        snap, message = result
        if snap is None:
            self.title_label.setText("GPU")
            self.meter.hide()
            self.details.setText(message or "No NVIDIA GPU found")
            return
        self.title_label.setText(f"GPU · {snap.name}")
        self.meter.show()
        frac = snap.used_mib / snap.total_mib if snap.total_mib else 0.0
        self.meter.set_fraction(frac, f"{snap.used_mib / 1024:.1f} of {snap.total_mib / 1024:.1f} GiB used")
        bits = []
        if snap.utilization_pct is not None:
            bits.append(f"load {snap.utilization_pct}%")
        if snap.temperature_c is not None:
            bits.append(f"{snap.temperature_c} °C")
        if snap.power_w is not None:
            bits.append(f"{snap.power_w:.0f} W")
        procs = ", ".join(
            f"{p.name} ({p.used_mib / 1024:.1f} GiB)" if p.used_mib else p.name for p in snap.processes[:5]
        )
        self.details.setText(" · ".join(bits) + (f"<br>Holding memory: {procs}" if procs else ""))


class ModelsPage(PageBase):
    """Catalog availability, Ollama management and the GPU panel."""

    follows_ledger = False  # catalog changes arrive on catalogChanged; Ollama is probed on show

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(
            controller, "Models", "Every model Sparklio can route to, with prices and availability.", parent=parent
        )
        self.catalog_card = Card(
            "Catalog",
            "Prices are USD; “genai-prices” means the maintained price database"
            " knew the model, “catalog” that Sparklio's own figure is used.",
        )
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter models…")
        self.available_only = QCheckBox("Available now only")
        self.refresh_btn = QPushButton("Refresh model lists")
        self.refresh_btn.setToolTip("Ask every provider with a key which models it serves now")
        bar.addWidget(self.search, 1)
        bar.addWidget(self.available_only)
        bar.addWidget(self.refresh_btn)
        self.catalog_card.body.addLayout(bar)
        self.catalog = RecordTable(CATALOG_COLUMNS, sort_key="provider", descending=False, max_rows=12)
        self.catalog.proxy.setFilterKeyColumn(-1)
        self.catalog_card.body.addWidget(self.catalog)
        self.summary = muted(QLabel(""))
        self.catalog_card.body.addWidget(self.summary)
        self.lists = muted(QLabel(""))
        self.lists.setWordWrap(True)
        self.catalog_card.body.addWidget(self.lists)
        self.ollama = OllamaCard(self)
        self.gpu = GpuCard()
        self.content.addWidget(self.catalog_card)
        self.content.addWidget(self.ollama)
        self.content.addWidget(self.gpu)
        self.content.addStretch(1)
        self.records: list[dict] = []
        self.search.textChanged.connect(self.catalog.proxy.setFilterFixedString)
        self.available_only.toggled.connect(lambda _on: self._fill_catalog())
        self.refresh_btn.clicked.connect(self.refresh_lists)
        controller.catalogChanged.connect(self._catalog_changed)
        self._pending_loads = 0

    def _catalog_changed(self) -> None:
        if self.app is not None:
            self._load_records(self.app)

    def _load_records(self, app: Any) -> None:
        statuses = app.model_status()
        lifecycle = getattr(app, "lifecycle", None)
        self.records = catalog_records(statuses, lifecycle.retired() if lifecycle is not None else {})
        self._fill_catalog()
        self.lists.setText(lists_text(app))

    def refresh_lists(self) -> None:
        """The Refresh button: fetch every provider's model list now, then redraw."""
        if self.app is None or not hasattr(self.app, "refresh_models"):
            return
        self.refresh_btn.setEnabled(False)
        self.lists.setText("Asking each provider which models it serves…")

        def done(results: Any) -> None:
            self.refresh_btn.setEnabled(True)
            self._load_records(self.app)
            failed = [f"{p}: {r}" for p, r in (results or {}).items() if r.startswith("failed")]
            if failed:
                self.banner.show_message("; ".join(failed), "warn")
            self.loaded.emit()

        def failed(msg: str) -> None:
            self.refresh_btn.setEnabled(True)
            self.controller.error(msg)

        self.spawn(self.app.refresh_models(force=True), done, failed)

    def _fill_catalog(self) -> None:
        rows = [r for r in self.records if r["available"] or not self.available_only.isChecked()]
        self.catalog.set_records(rows)
        n_ok = sum(r["available"] for r in self.records)
        self.summary.setText(f"{n_ok} of {len(self.records)} models can be used now.")

    def reload(self, app: Any) -> None:
        """Catalog now; Ollama status and the GPU snapshot in the background."""
        self._load_records(app)
        if app.offline:
            self.banner.show_message(
                "Offline mode is on: only local models run. Cloud models wait until you switch it off in Settings.",
                "info",
            )
        else:
            self.banner.clear_message()
        self._pending_loads = 2

        def one_done() -> None:
            self._pending_loads -= 1
            if self._pending_loads == 0:
                self.loaded.emit()

        def ollama_failed(msg: str) -> None:
            self.controller.error(msg)
            one_done()

        self.spawn(self.ollama.fetch(app), lambda d: (self.ollama.fill(d), one_done()), ollama_failed)
        self.in_thread(
            self.gpu.read,
            on_done=lambda r: (self.gpu.fill(r), one_done()),
            on_error=lambda m: (self.gpu.fill((None, m)), one_done()),
        )

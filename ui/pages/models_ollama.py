"""Models → Ollama: server status and start, installed models, pull with progress and cancel, load/unload, delete."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMessageBox, QProgressBar, QPushButton, QWidget

from ui.widgets import palette
from ui.widgets.card import Card, muted
from ui.widgets.format import human_bytes, percent
from ui.widgets.table import Column, RecordTable

INSTALL_HELP = (
    "Ollama runs open models (Qwen, Llama, Mistral) on this machine for $0. Install it from "
    "<a href='https://ollama.com/download'>ollama.com/download</a>, then press Check again."
)


def _ctx(v: Any) -> str:
    return "—" if not v else f"{int(v) // 1024}k" if int(v) >= 1024 else str(v)


def _expires(v: Any) -> str:
    if not isinstance(v, datetime):
        return "—"
    now = datetime.now(v.tzinfo or UTC)
    mins = (v - now).total_seconds() / 60
    if mins > 60 * 24 * 365:
        return "kept loaded"
    if mins <= 0:
        return "unloading"
    return f"in {mins:.0f} min" if mins >= 1 else "in < 1 min"


INSTALLED_COLUMNS = [
    Column("name", "Model"),
    Column("family", "Family"),
    Column("parameter_size", "Parameters"),
    Column("quantization", "Quantisation"),
    Column("context_length", "Context", _ctx, True),
    Column("size_bytes", "Size", human_bytes, True),
    Column("loaded", "Loaded"),
]
RUNNING_COLUMNS = [
    Column("name", "Model"),
    Column("size_vram", "In VRAM", human_bytes, True),
    Column(
        "vram_share",
        "VRAM share",
        lambda v: percent(v) if v is not None else "—",
        True,
        "part of the model held in GPU memory (the rest is in system RAM)",
    ),
    Column("context_length", "Context", _ctx, True),
    Column("expires_at", "Unloads", _expires),
]


class OllamaCard(Card):
    """Everything about the local Ollama server; network calls run as tasks on the event loop."""

    def __init__(self, page: Any) -> None:
        super().__init__("Ollama", "Local text models: free, private, and available offline.")
        self.page = page
        self.manager: Any = None
        self.pull_cancel: asyncio.Event | None = None
        top = QHBoxLayout()
        self.status = QLabel("Checking Ollama…")
        self.status.setWordWrap(True)
        self.status.setOpenExternalLinks(True)
        top.addWidget(self.status, 1)
        self.start_btn = QPushButton("Start Ollama")
        self.start_btn.setObjectName("Primary")
        self.check_btn = QPushButton("Check again")
        top.addWidget(self.start_btn)
        top.addWidget(self.check_btn)
        self.body.addLayout(top)
        self.installed = RecordTable(INSTALLED_COLUMNS, sort_key="name", descending=False, max_rows=8)
        self.body.addWidget(self.installed)
        acts = QHBoxLayout()
        self.load_btn = QPushButton("Load")
        self.unload_btn = QPushButton("Unload")
        self.delete_btn = QPushButton("Delete…")
        for b in (self.load_btn, self.unload_btn, self.delete_btn):
            acts.addWidget(b)
        acts.addStretch(1)
        self.pull_name = QLineEdit()
        self.pull_name.setPlaceholderText("model to download, e.g. qwen2.5:7b")
        self.pull_name.setMinimumWidth(220)
        self.pull_btn = QPushButton("Pull")
        acts.addWidget(self.pull_name)
        acts.addWidget(self.pull_btn)
        self.body.addLayout(acts)
        prog = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.pull_text = muted(QLabel(""))
        self.cancel_btn = QPushButton("Cancel")
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.pull_text)
        prog.addWidget(self.cancel_btn)
        self.pull_row = QWidget()
        self.pull_row.setLayout(prog)
        self.pull_row.hide()
        self.body.addWidget(self.pull_row)
        self.message = muted(QLabel(""))
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        self.running_label = QLabel("Loaded in memory")
        self.running_label.setStyleSheet("font-weight: 600;")
        self.body.addWidget(self.running_label)
        self.running = RecordTable(RUNNING_COLUMNS, sort_key="size_vram", max_rows=4)
        self.body.addWidget(self.running)
        self.running_empty = muted(QLabel("No model is loaded right now; the first request loads one."))
        self.body.addWidget(self.running_empty)
        self.start_btn.clicked.connect(self.start_server)
        self.check_btn.clicked.connect(lambda: self.page.refresh())
        self.load_btn.clicked.connect(lambda: self._on_selected("load"))
        self.unload_btn.clicked.connect(lambda: self._on_selected("unload"))
        self.delete_btn.clicked.connect(self.delete_selected)
        self.pull_btn.clicked.connect(lambda: self.pull(self.pull_name.text()))
        self.pull_name.returnPressed.connect(lambda: self.pull(self.pull_name.text()))
        self.cancel_btn.clicked.connect(self.cancel_pull)
        self.set_running(False)

    # ---- state ----
    def mgr(self, app: Any) -> Any:
        """The OllamaManager for the configured host (rebuilt when the host changes)."""
        from local_models.ollama import OllamaManager, normalize_host

        host = app.registry.ollama_host()
        if self.manager is None or self.manager.host != normalize_host(host):
            old, self.manager = self.manager, OllamaManager(host, timeout=10.0)
            if old is not None:
                self.page.spawn(old.aclose())
        return self.manager

    def say(self, text: str, kind: str = "muted") -> None:
        """Message line under the actions."""
        c = palette.color({"ok": "ok", "error": "danger", "warn": "warn"}.get(kind, "muted")).name()
        self.message.setStyleSheet(f"color: {c};")
        self.message.setText(text)

    def set_running(self, running: bool, installed: bool = True) -> None:
        """Enable what makes sense for the server state."""
        self.start_btn.setVisible(not running and installed)
        for w in (
            self.installed,
            self.load_btn,
            self.unload_btn,
            self.delete_btn,
            self.pull_btn,
            self.pull_name,
            self.running,
        ):
            w.setEnabled(running)

    async def fetch(self, app: Any) -> dict:
        """Status, installed and running models (never raises for a server that is down)."""
        m = self.mgr(app)
        st = await m.status()
        out: dict = {"status": st, "models": [], "running": []}
        if st.running:
            out["models"] = await m.list_models()
            out["running"] = await m.running()
        return out

    def fill(self, data: dict) -> None:
        """Fill the card from `fetch` results."""
        st = data["status"]
        if st.running:
            self.status.setText(f"<b>●</b> {st.message}")
            self.status.setStyleSheet(f"color: {palette.color('ok').name()};")
        elif st.installed:
            self.status.setText(st.message)
            self.status.setStyleSheet(f"color: {palette.color('warn').name()};")
        else:
            self.status.setText(INSTALL_HELP)
            self.status.setStyleSheet("")
        self.set_running(st.running, st.installed)
        loaded = {r.name for r in data["running"]}
        self.installed.set_records(
            [{**m.__dict__, "loaded": "yes" if m.name in loaded else ""} for m in data["models"]]
        )
        self.running.set_records(
            [
                {**r.__dict__, "vram_share": (r.size_vram / r.size_bytes) if r.size_bytes else None}
                for r in data["running"]
            ]
        )
        self.running.setVisible(bool(data["running"]))
        self.running_empty.setVisible(st.running and not data["running"])
        self.running_label.setVisible(st.running)

    def selected(self) -> str | None:
        """Name of the selected installed model."""
        rows = self.installed.selectionModel().selectedRows() if self.installed.selectionModel() else []
        if not rows:
            return None
        src = self.installed.proxy.mapToSource(rows[0])
        return self.installed.source.records[src.row()]["name"]

    # ---- actions ----
    def start_server(self) -> None:
        """Run `ollama serve` and wait until it answers."""
        app = self.page.app
        self.start_btn.setEnabled(False)
        self.say("Starting Ollama…")

        def done(_st: Any) -> None:
            self.start_btn.setEnabled(True)
            self.say("Ollama started.", "ok")
            self.after_change()

        def failed(msg: str) -> None:
            self.start_btn.setEnabled(True)
            self.page.controller.error(msg)

        self.page.spawn(self.mgr(app).start_server(), done, failed)

    def _on_selected(self, what: str) -> None:
        name = self.selected()
        if not name:
            self.say("Select a model in the list first.", "warn")
            return
        m = self.mgr(self.page.app)
        self.say(f"{'Loading' if what == 'load' else 'Unloading'} {name}…")
        coro = m.load(name) if what == "load" else m.unload(name)
        self.page.spawn(
            coro,
            lambda _r: (self.say(f"{name} {what}ed.", "ok"), self.page.refresh()),
            lambda msg: self.page.controller.error(msg),
        )

    def delete_selected(self, *, confirm: bool = True) -> None:
        """Delete the selected model after a confirmation."""
        name = self.selected()
        if not name:
            self.say("Select a model in the list first.", "warn")
            return
        if (
            confirm
            and QMessageBox.question(
                self, "Delete model?", f"Delete {name} from this machine? You can pull it again later."
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        self.page.spawn(
            self.mgr(self.page.app).delete(name),
            lambda _r: (self.say(f"Deleted {name}.", "ok"), self.after_change()),
            lambda msg: self.page.controller.error(msg),
        )

    def pull(self, name: str) -> None:
        """Download `name` with live progress; Cancel stops it."""
        name = name.strip()
        if not name:
            self.say("Type the name of a model to download (see ollama.com/library).", "warn")
            return
        if self.pull_cancel is not None:
            self.say("A download is already running.", "warn")
            return
        self.pull_cancel = asyncio.Event()
        self.pull_row.show()
        self.progress.setValue(0)
        self.pull_text.setText(f"{name}: starting…")
        self.pull_btn.setEnabled(False)

        def on_progress(p: Any) -> None:
            if p.percent is not None:
                self.progress.setValue(int(p.percent * 10))
            speed = f" · {human_bytes(p.speed_bps)}/s" if p.speed_bps else ""
            size = f" {human_bytes(p.completed)} of {human_bytes(p.total)}" if p.total else ""
            self.pull_text.setText(f"{name}: {p.status}{size}{speed}")

        def finish(text: str, kind: str, changed: bool) -> None:
            self.pull_cancel = None
            self.pull_btn.setEnabled(True)
            self.pull_row.hide()
            self.say(text, kind)
            if changed:
                self.pull_name.clear()
                self.after_change()

        self.page.spawn(
            self.mgr(self.page.app).pull(name, on_progress, self.pull_cancel),
            lambda _r: finish(f"Downloaded {name}.", "ok", True),
            lambda msg: finish(msg, "warn" if "cancelled" in msg else "error", False),
        )

    def cancel_pull(self) -> None:
        """Stop the running download."""
        if self.pull_cancel is not None:
            self.pull_cancel.set()

    def after_change(self) -> None:
        """Installed models changed: re-discover them into the catalog, then reload the page."""
        app = self.page.app
        if hasattr(app, "refresh_local"):
            self.page.spawn(app.refresh_local(), lambda _ok: self.page.refresh())  # it publishes catalog_changed
        else:
            self.page.refresh()

"""Workflows page: pick a workflow, fill its inputs, compare the estimate with premium, run, cancel, retry."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from router.errors import SparklioError
from ui.pages.workflow_results import ResultView
from ui.pages.workflows_run import RunView
from ui.widgets import palette
from ui.widgets.card import Card, muted
from ui.widgets.format import money
from ui.widgets.page import PageBase
from ui.widgets.retry_choice import RetryChoice

EST_HEADERS = ["Step", "Model", "Estimate", "Premium model", "Premium"]


class WorkflowsPage(PageBase):
    """Workflows from resources/workflows and the data folder, estimated, run step by step, retried."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(
            controller,
            "Workflows",
            "Multi-step jobs that route each step to the right model — priced before they run.",
            parent=parent,
        )
        self.engine: Any = None
        self.workflows: dict[str, Any] = {}
        self.current: Any = None
        self.fields: dict[str, QWidget] = {}
        self.folder_buttons: dict[str, QPushButton] = {}
        self.job: asyncio.Task | None = None
        self.choice: asyncio.Future | None = None
        self.last_result: Any = None
        top = QHBoxLayout()
        top.setSpacing(14)
        self.list_card = Card("Workflows")
        self.list = QListWidget()
        self.list.setMinimumWidth(180)
        self.list.setMaximumWidth(220)
        t = palette.tokens()
        self.list.setStyleSheet(
            "QListWidget { border: none; background: transparent; outline: none; }"
            " QListWidget::item { padding: 6px 6px; border-radius: 6px; }"
            f" QListWidget::item:selected {{ background: {t['accent_soft']}; color: {t['text']};"
            " font-weight: 600; }"
        )
        self.list_card.body.addWidget(self.list, 1)
        self.problems = muted(QLabel(""))
        self.problems.setWordWrap(True)
        self.list_card.body.addWidget(self.problems)
        top.addWidget(self.list_card)
        self.form_card = Card("")
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(12)
        self.form_card.body.addLayout(self.form)
        self.est_table = QTableWidget(0, len(EST_HEADERS))
        self.est_table.setHorizontalHeaderLabels(EST_HEADERS)
        self.est_table.verticalHeader().hide()
        self.est_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.est_table.setShowGrid(False)
        self.est_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.est_table.horizontalHeader().setStretchLastSection(True)
        self.form_card.body.addWidget(self.est_table)
        row = QHBoxLayout()
        self.est_summary = QLabel("")
        self.est_summary.setWordWrap(True)
        row.addWidget(self.est_summary, 1)
        self.batch_box = QCheckBox("Batch APIs: half price, within 24 h")
        self.batch_box.setToolTip(
            "Text steps go through the providers' Batch APIs; the run waits for them and "
            "continues when they end (failed items: as chosen beside it)"
        )
        row.addWidget(self.batch_box)
        self.retry_choice = RetryChoice()
        self.retry_choice.setEnabled(False)
        self.batch_box.toggled.connect(lambda on: self.retry_choice.setEnabled(on and self.batch_box.isEnabled()))
        row.addWidget(self.retry_choice)
        self.cancel_btn = QPushButton("Cancel")
        self.run_btn = QPushButton("Run")
        self.run_btn.setObjectName("Primary")
        row.addWidget(self.cancel_btn)
        row.addWidget(self.run_btn)
        self.form_card.body.addLayout(row)
        self.pick_row = QWidget()
        pick = QHBoxLayout(self.pick_row)
        pick.setContentsMargins(0, 0, 0, 0)
        self.pick_label = QLabel("")
        self.pick_combo = QComboBox()
        self.pick_btn = QPushButton("Continue")
        pick.addWidget(self.pick_label)
        pick.addWidget(self.pick_combo, 1)
        pick.addWidget(self.pick_btn)
        self.pick_row.hide()
        self.form_card.body.addWidget(self.pick_row)
        top.addWidget(self.form_card, 1)
        self.content.addLayout(top)
        self.result_view = ResultView(
            lambda text, kind: (self.controller.error if kind == "error" else self.controller.info)(text)
        )
        self.content.addWidget(self.result_view)
        self.run_view = RunView(self.retry)
        self.content.addWidget(self.run_view)
        self.content.addStretch(1)
        self.cancel_btn.setEnabled(False)
        self.est_timer = QTimer(self)
        self.est_timer.setSingleShot(True)
        self.est_timer.setInterval(350)
        self.est_timer.timeout.connect(self.update_estimate)
        self.list.currentItemChanged.connect(
            lambda cur, _p: self.select(cur.data(Qt.ItemDataRole.UserRole) if cur else None)
        )
        self.run_btn.clicked.connect(self.run)
        self.cancel_btn.clicked.connect(self.cancel)
        self.pick_btn.clicked.connect(self._picked)

    # ---- catalogue ----
    def reload(self, app: Any) -> None:
        """List the workflows (built-in and the user's); keep the selection."""
        if self.engine is None or self.engine.app is not app:
            engine = getattr(app, "workflows", None)
            if engine is None:
                from router.workflows.runner import WorkflowRunner

                engine = WorkflowRunner(app)
            self.engine = engine
        found, problems = self.engine.list()
        self.workflows = found
        if app.offline:
            self.banner.show_message(
                "Offline mode is on: every step runs on a local model (Ollama, Stable"
                " Diffusion) or waits; cloud steps show no model in the estimate.",
                "info",
            )
        elif self.banner.kind == "info":
            self.banner.clear_message()
        keep = self.current.name if self.current is not None else None
        self.list.blockSignals(True)
        self.list.clear()
        for wf in sorted(found.values(), key=lambda w: (w.category or "~", w.title)):
            it = QListWidgetItem(wf.title)
            it.setData(Qt.ItemDataRole.UserRole, wf.name)
            it.setToolTip(wf.description)
            self.list.addItem(it)
            if wf.name == keep:
                self.list.setCurrentItem(it)
        self.list.blockSignals(False)
        self.problems.setText("\n".join(f"Not loaded: {p}" for p in problems))
        self.problems.setVisible(bool(problems))
        if keep is None and self.list.count():
            self.list.setCurrentRow(0)
        elif keep is not None:
            self.update_estimate()
        if not found:
            self.form_card.set_title(
                "No workflows found", "Put workflow .toml files in the data folder's workflows/ folder."
            )
        self.loaded.emit()

    def select(self, name: str | None) -> None:
        """Show a workflow's description, inputs form and estimate."""
        wf = self.workflows.get(name or "")
        self.current = wf
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        self.folder_buttons = {}
        if wf is None:
            return
        self.form_card.set_title(wf.title, wf.description)
        for spec in wf.inputs.values():
            self.form.addRow(spec.label + ("" if spec.required else " (optional)"), self._input_widget(spec))
        self.update_estimate()

    def _input_widget(self, spec: Any) -> QWidget:
        if spec.kind in ("file", "image"):
            edit = QLineEdit()
            edit.setPlaceholderText(spec.description or ("a file" if spec.kind == "file" else "an image"))
            btn = QPushButton("Browse…")
            filt = (
                "Images (*.png *.jpg *.jpeg *.webp)"
                if spec.kind == "image"
                else ("Data (" + " ".join(f"*{a}" for a in spec.accept) + ")" if spec.accept else "All files (*)")
            )
            btn.clicked.connect(
                lambda: edit.setText(QFileDialog.getOpenFileName(self, spec.label, "", filt)[0] or edit.text())
            )
            box = QWidget()
            lay = QHBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(edit, 1)
            lay.addWidget(btn)
            self.fields[spec.name] = edit
            edit.textChanged.connect(lambda _t: self.est_timer.start())
            return box
        if spec.kind == "list" or (spec.kind == "text" and spec.expected_chars > 120):
            w = QPlainTextEdit()
            w.setFixedHeight(96 if spec.kind == "list" else 72)
            w.textChanged.connect(self.est_timer.start)
        else:
            w = QLineEdit()
            w.textChanged.connect(lambda _t: self.est_timer.start())
        hint = spec.description or (
            "one item per line, @file.csv#column or @folder of images" if spec.kind == "list" else ""
        )
        if spec.default:  # left empty, the default applies
            hint = f"{hint} (default: {spec.default})" if hint else f"default: {spec.default}"
        w.setPlaceholderText(hint)
        self.fields[spec.name] = w
        return self._with_folder_button(w, spec) if spec.kind == "list" else w

    def _with_folder_button(self, edit: QPlainTextEdit, spec: Any) -> QWidget:
        """A list field with a "Folder…" button: the chosen folder's images become the items (`@folder`)."""
        btn = QPushButton("Folder…")
        btn.setToolTip("Use every image in a folder (PNG, JPEG, WebP, GIF) as the items")
        btn.clicked.connect(lambda: self._pick_folder(edit, spec.label))
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(edit, 1)
        lay.addWidget(btn, 0, Qt.AlignmentFlag.AlignTop)
        self.folder_buttons[spec.name] = btn
        return box

    def _pick_folder(self, edit: QPlainTextEdit, label: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, label or "Folder of images")
        if folder:
            edit.setPlainText(f"@{folder}")

    def inputs(self) -> dict[str, str]:
        """The form's values (empty ones left out so defaults apply)."""
        out = {}
        for name, w in self.fields.items():
            text = w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()
            if text.strip():
                out[name] = text.strip()
        return out

    def set_inputs(self, values: dict[str, str]) -> None:
        """Fill the form (tests and "run again")."""
        for name, value in values.items():
            w = self.fields[name]
            (w.setPlainText if isinstance(w, QPlainTextEdit) else w.setText)(value)

    # ---- estimate ----
    def update_estimate(self) -> None:
        """Model and price of every step as routed now, beside the premium tier's figure."""
        if self.current is None or self.engine is None:
            return
        try:
            est = self.engine.estimate(self.current, self.inputs())
        except SparklioError as exc:
            self.est_summary.setText(str(exc))
            self.est_table.setRowCount(0)
            return
        self.estimate = est
        self.est_table.setRowCount(len(est.steps))
        for r, s in enumerate(est.steps):
            model = s.model or ("local action" if s.task is None else "no model")
            cells = [
                s.title + (f" ×{s.calls}" if s.calls > 1 else "") + (f" · {s.upscales} upscaled" if s.upscales else ""),
                model + (" (local)" if s.local and s.model else ""),
                money(s.cost_usd),
                s.premium_model or "—",
                money(s.premium_cost_usd),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (2, 4):
                    item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if s.note:
                    item.setToolTip(s.note)
                self.est_table.setItem(r, c, item)
        self.est_table.setFixedHeight(32 + 28 * max(1, len(est.steps)))
        saved = est.premium_total_usd - est.total_usd
        tail = f" — saves {money(saved)}" if saved > 0.005 else ""
        batch = (
            f"; <b>~{money(est.batch_total_usd)}</b> through the Batch APIs (within 24 h)"
            if est.batch_total_usd < est.total_usd - 1e-9
            else ""
        )
        self.batch_box.setEnabled(bool(batch))
        self.retry_choice.setEnabled(bool(batch) and self.batch_box.isChecked())
        self.est_summary.setText(
            f"<b>~{money(est.total_usd)}</b> as routed now{batch} "
            f"<span style='color:{palette.muted_color().name()}'>(vs "
            f"{money(est.premium_total_usd)} with every step on the premium tier{tail})</span>"
        )

    # ---- running ----
    def _models(self) -> list[str]:
        return sorted(m.id for m in self.app.catalog if m.kind in ("chat", "image"))

    def run(self) -> None:
        """Start the selected workflow with the form's inputs."""
        if self.current is None or self.job is not None:
            return
        wf = self.current
        try:
            est = self.engine.estimate(wf, self.inputs())
            ests = {s.step_id: s.cost_usd for s in est.steps}
        except SparklioError:
            ests = {}
        self.run_view.start([(s.id, s.label, ests.get(s.id)) for s in wf.steps], self._models(), wf.title)
        self.result_view.hide()
        batch = self.retry_choice.mode() if self.batch_box.isEnabled() and self.batch_box.isChecked() else None
        self._started(
            self.engine.run(wf, self.inputs(), on_progress=self.run_view.progress, choose=self.choose, batch=batch)
        )

    def retry(self, step_id: str, model: str | None) -> None:
        """Re-run a failed step (optionally on `model`) and the steps after it."""
        if self.job is not None or self.run_view.run_id is None:
            return
        self._started(
            self.engine.retry(
                self.run_view.run_id, step_id, model=model, on_progress=self.run_view.progress, choose=self.choose
            )
        )

    def _started(self, coro: Any) -> None:
        self.run_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.banner.clear_message()
        self.job = self.spawn(coro, self._finished, self._failed)

    def _end(self) -> None:
        self.job = None
        self.run_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        self.pick_row.hide()
        self.controller.ledger_changed()

    def _finished(self, result: Any) -> None:
        self._end()
        self.last_result = result
        self.run_view.show_result(result)
        self.result_view.show_result(result)

    def _failed(self, message: str) -> None:
        self._end()
        self.controller.error(message)
        self._show_stored()

    def _show_stored(self) -> None:
        if self.run_view.run_id is not None:
            try:
                self.last_result = self.engine.result(self.run_view.run_id)
                self.run_view.show_result(self.last_result)
                self.result_view.show_result(self.last_result)
            except SparklioError:
                pass

    def cancel(self) -> None:
        """Stop the run; finished steps keep their outputs and a cancelled step can be retried."""
        if self.job is not None:
            self.job.cancel()
            self.job.add_done_callback(lambda _t: (self._end(), self._show_stored()))

    # ---- the "pick" action asks the user ----
    async def choose(self, title: str, options: list[str]) -> int | None:
        """Ask which option a pick step should take (1-based); Cancel picks the first."""
        self.pick_label.setText(f"{title}:")
        self.pick_combo.clear()
        for i, o in enumerate(options, 1):
            self.pick_combo.addItem(f"{i}. {o[:120]}", i)
        self.pick_row.show()
        self.choice = asyncio.get_running_loop().create_future()
        try:
            return await self.choice
        finally:
            self.choice = None
            self.pick_row.hide()

    def _picked(self) -> None:
        if self.choice is not None and not self.choice.done():
            self.choice.set_result(self.pick_combo.currentData())

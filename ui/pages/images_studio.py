"""Images → studio form: model (local SD or cloud), prompt, size, steps, guidance, sampler, seed, batch, price."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from router.errors import SparklioError
from ui.pages.images_family import apply_defaults, family_cells
from ui.pages.images_lora import LoraPicker
from ui.widgets import palette
from ui.widgets.card import Card, muted, plain_spins
from ui.widgets.format import money

LOCAL_SIZES = ["512x512", "512x768", "768x512", "768x768", "1024x1024"]
SCHEDULER_LABELS = {"euler_a": "Euler a", "euler": "Euler", "dpm++ 2m": "DPM++ 2M", "ddim": "DDIM", "pndm": "PLMS"}
MAX_SEED = 2**31 - 1


class StepBridge(QObject):
    """Carries per-step progress from the diffusion worker thread to the Qt thread."""

    step = Signal(int, int, object)  # step, total, preview PNG bytes or None


def cloud_sizes(spec: Any) -> tuple[list[str], list[str]]:
    """(sizes, qualities) a cloud image model is priced for."""
    sizes, qualities = [], ["standard"]
    for key in spec.image_prices:
        size, _, q = key.partition("/")
        if size != "default" and size not in sizes:
            sizes.append(size)
        if q and q not in qualities:
            qualities.append(q)
    return sizes or ["1024x1024"], qualities


class StudioCard(Card):
    """The form: model, prompt, negative prompt, size, steps, guidance, scheduler, seed, batch, price."""

    def __init__(self, page: Any) -> None:
        super().__init__("Create")
        self.page = page
        self.specs: dict[str, Any] = {}
        self.status: dict[str, Any] = {}
        self.last_seed: int | None = None
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.model = QComboBox()
        form.addRow("Model", self.model)
        self.why = muted(QLabel(""))
        self.why.setWordWrap(True)
        form.addRow("", self.why)
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("a Diffusers folder, or a .safetensors or .ckpt file")
        self.folder_btn = QPushButton("Folder…")
        self.file_btn = QPushButton("File…")
        prow = QHBoxLayout()
        prow.addWidget(self.path, 1)
        prow.addWidget(self.folder_btn)
        prow.addWidget(self.file_btn)
        self.path_row = QWidget()
        self.path_row.setLayout(prow)
        prow.setContentsMargins(0, 0, 0, 0)
        form.addRow("Weights", self.path_row)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe the image…")
        self.prompt.setFixedHeight(70)
        form.addRow("Prompt", self.prompt)
        self.negative = QLineEdit()
        self.negative.setPlaceholderText("what to avoid (blurry, text, watermark…)")
        form.addRow("Negative", self.negative)
        self.loras = LoraPicker(self.insert_word)
        form.addRow("LoRAs", self.loras)
        self.family_key: str | None = None
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.size = QComboBox()
        self.size.setEditable(True)  # any WIDTHxHEIGHT for local models (multiples of 8)
        self.quality = QComboBox()
        self.steps = QSpinBox()
        self.steps.setRange(1, 150)
        self.steps.setValue(25)
        self.guidance = QDoubleSpinBox()
        self.guidance.setRange(0.0, 30.0)
        self.guidance.setSingleStep(0.5)
        self.guidance.setValue(7.0)
        self.scheduler = QComboBox()
        for key, label in SCHEDULER_LABELS.items():
            self.scheduler.addItem(label, key)
        self.batch = QSpinBox()
        self.batch.setRange(1, 4)
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.random_seed = QCheckBox("Random")
        self.random_seed.setChecked(True)
        self.reuse_seed = QPushButton("Last seed")
        self.grid = grid
        self.cells = {
            key: (muted(QLabel(label)), w)
            for key, label, w in (
                ("size", "Size", self.size),
                ("quality", "Quality", self.quality),
                ("steps", "Steps", self.steps),
                ("guidance", "Guidance", self.guidance),
                ("sampler", "Sampler", self.scheduler),
                ("images", "Images", self.batch),
            )
        }
        self.tuning = QWidget()
        self.tuning.setLayout(grid)
        grid.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self.tuning)
        srow = QHBoxLayout()
        srow.setContentsMargins(0, 0, 0, 0)
        srow.addWidget(self.seed, 1)
        srow.addWidget(self.random_seed)
        srow.addWidget(self.reuse_seed)
        self.seed_row = QWidget()
        self.seed_row.setLayout(srow)
        form.addRow("Seed", self.seed_row)
        self.form = form
        self.body.addLayout(form)
        self.body.addStretch(1)
        act = QHBoxLayout()
        self.price = QLabel("")
        self.price.setWordWrap(True)
        act.addWidget(self.price, 1)
        self.generate_btn = QPushButton("Generate")
        self.generate_btn.setObjectName("Primary")
        act.addWidget(self.generate_btn)
        self.body.addLayout(act)
        self.model.currentIndexChanged.connect(lambda _i: self.model_changed())
        for sig in (self.size.currentIndexChanged, self.quality.currentIndexChanged, self.batch.valueChanged):
            sig.connect(lambda *_a: self.update_price())
        self.random_seed.toggled.connect(lambda on: self.seed.setEnabled(not on))
        self.reuse_seed.clicked.connect(self.use_last_seed)
        self.folder_btn.clicked.connect(lambda: self.choose_path(folder=True))
        self.file_btn.clicked.connect(lambda: self.choose_path(folder=False))
        self.seed.setEnabled(False)
        self.reuse_seed.setEnabled(False)
        plain_spins(self.steps, self.guidance, self.batch, self.seed)

    # ---- model and price ----
    def load(self, app: Any) -> None:
        """Image models from the catalog with availability; keeps the current choice."""
        current = self.model_id()
        self.status = {s.model.id: s for s in app.model_status() if s.model.kind == "image"}
        self.specs = {mid: s.model for mid, s in self.status.items()}
        self.model.blockSignals(True)
        self.model.clear()
        retired = app.lifecycle.retired() if hasattr(app, "lifecycle") else {}
        order = sorted(self.specs.values(), key=lambda m: (m.id in retired, not m.local, m.name))  # retired last
        for m in order:
            tag = "free, on this machine" if m.local else f"from {money(min(m.image_prices.values(), default=0))}"
            if m.id in retired:  # still listed (your history names it), marked with what serves it now
                tag = f"retired → served by {retired[m.id].successor or 'nothing'}"
            self.model.addItem(f"{m.name} — {tag}", m.id)
        usable = [m.id for m in order if self.status[m.id].available]
        idx = self.model.findData(current or (usable[0] if usable else None)) if (current or usable) else 0
        self.model.setCurrentIndex(max(idx, 0))
        self.model.blockSignals(False)
        self.path.setText(app.settings.sd_model_path)
        self.loras.load(app.settings.lora_folder)
        self.model_changed()

    def model_id(self) -> str | None:
        """The chosen catalog id."""
        return self.model.currentData()

    def spec(self) -> Any:
        """The chosen ModelSpec (None when the catalog has no image model)."""
        return self.specs.get(self.model_id() or "")

    def model_changed(self) -> None:
        """Show the fields the chosen model takes."""
        m = self.spec()
        if m is None:
            return
        local = m.local
        sizes, qualities = (LOCAL_SIZES, ["standard"]) if local else cloud_sizes(m)
        for box, items in ((self.size, sizes), (self.quality, qualities)):
            keep = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItems(items)
            if keep in items or (box is self.size and local and keep):  # a typed local size survives reloads
                box.setCurrentText(keep)
            box.blockSignals(False)
        self.size.setEditable(local)
        from local_models.sd_families import family_for_path  # header/config reads only

        family = family_for_path(self.path.text()) if local else None
        if local:
            apply_defaults(self, family)
        shown = family_cells(family) if local else ["size"] + (["quality"] if len(qualities) > 1 else []) + ["images"]
        self._layout_cells(shown)
        for w in (self.path_row, self.seed_row, self.loras):
            self.form.setRowVisible(w, local)
        self.form.setRowVisible(self.negative, local and (family is None or family.negative))
        st = self.status.get(m.id)
        self.why.setText("" if st is None or st.available else f"Not available now: {st.why}")
        self.form.setRowVisible(self.why, bool(self.why.text()))
        self.update_price()

    def _layout_cells(self, keys: list[str]) -> None:
        """Put the visible tuning fields three to a row, labels above."""
        for label, w in self.cells.values():
            self.grid.removeWidget(label)
            self.grid.removeWidget(w)
            label.hide()
            w.hide()
        for i, key in enumerate(keys):
            label, w = self.cells[key]
            self.grid.addWidget(label, (i // 3) * 2, i % 3)
            self.grid.addWidget(w, (i // 3) * 2 + 1, i % 3)
            label.show()
            w.show()

    def cost(self) -> float:
        """What the click will cost in USD (0 for local models)."""
        m = self.spec()
        if m is None or m.local:
            return 0.0
        return m.image_price(self.size.currentText(), self.quality.currentText()) * self.batch.value()

    def update_price(self) -> None:
        """Show the price before the click."""
        m = self.spec()
        if m is None:
            self.price.setText("No image model in the catalog.")
            return
        if m.local:
            self.price.setText("Free: runs on this machine's GPU (or CPU, slowly).")
            self.price.setStyleSheet("")
            return
        each = m.image_price(self.size.currentText(), self.quality.currentText())
        n = self.batch.value()
        text = f"Costs {money(each * n)}" + (f" ({n} × {money(each)})" if n > 1 else "")
        app = self.page.app
        if app is not None:
            left = app.budget.status().remaining_usd
            text += f" · {money(left)} left this month"
            colour = palette.color("danger" if each * n > left else "text").name()
            self.price.setStyleSheet(f"color: {colour};")
        self.price.setText(text)

    # ---- seed and weights ----
    def use_last_seed(self) -> None:
        """Put the last image's seed back (to vary only the prompt)."""
        if self.last_seed is not None:
            self.random_seed.setChecked(False)
            self.seed.setValue(int(self.last_seed) % (MAX_SEED + 1))

    def choose_path(self, folder: bool) -> None:
        """Pick the Stable Diffusion weights; stored in the sd_model_path setting."""
        start = self.path.text()
        if folder:
            path = QFileDialog.getExistingDirectory(self, "Stable Diffusion model folder (diffusers format)", start)
        else:
            path, _ = QFileDialog.getOpenFileName(
                self, "Stable Diffusion checkpoint", start, "Checkpoints (*.safetensors *.ckpt)"
            )
        if path:
            self.set_model_path(path)

    def set_model_path(self, path: str) -> None:
        """Store the weights location (validated: a bad one is refused with its reason) and refresh availability."""
        app = self.page.app
        try:
            path = app.settings.set("sd_model_path", path)
        except SparklioError as exc:
            self.page.controller.error(str(exc))
            return
        self.page.preview.say("")
        self.path.setText(path)  # the setting's event tells the controller: catalogChanged
        self.load(app)

    def insert_word(self, word: str) -> None:
        """Add a LoRA trigger word to the end of the prompt (once)."""
        text = self.prompt.toPlainText().rstrip()
        if word not in text:
            self.prompt.setPlainText(f"{text}, {word}" if text else word)

    # ---- request ----
    def apply_params(self, p: dict) -> None:
        """Fill the form from a gallery image's parameters ("reuse settings")."""
        model = p.get("catalog_model") or ("stable-diffusion" if p.get("steps") else p.get("model"))
        if model and self.model.findData(model) >= 0:
            self.model.setCurrentIndex(self.model.findData(model))
        self.prompt.setPlainText(p.get("prompt", ""))
        self.negative.setText(p.get("negative_prompt", "") or "")
        size = p.get("size") or (f"{p['width']}x{p['height']}" if p.get("width") else "")
        if size and self.size.findText(size) >= 0:
            self.size.setCurrentText(size)
        if p.get("quality") and self.quality.findText(p["quality"]) >= 0:
            self.quality.setCurrentText(p["quality"])
        if p.get("steps"):
            self.steps.setValue(int(p["steps"]))
        if p.get("guidance") is not None:
            self.guidance.setValue(float(p["guidance"]))
        if p.get("scheduler") and self.scheduler.findData(p["scheduler"]) >= 0:
            self.scheduler.setCurrentIndex(self.scheduler.findData(p["scheduler"]))
        if p.get("seed") is not None:
            self.random_seed.setChecked(False)
            self.seed.setValue(int(p["seed"]) % (MAX_SEED + 1))
        missing = self.loras.select(p.get("loras") or [])
        if missing:
            self.page.preview.say(f"LoRA not in your LoRA folder: {', '.join(missing)}", "warn")

    def request(self) -> tuple[str, dict]:
        """(prompt, keyword arguments for app.generate_image); SparklioError when the form is incomplete."""
        m = self.spec()
        if m is None:
            raise SparklioError("there is no image model in the catalog")
        prompt = self.prompt.toPlainText().strip()
        if not prompt:
            raise SparklioError("describe the image first")
        kw: dict = {
            "model": m.id,
            "size": self.size.currentText(),
            "quality": self.quality.currentText() or "standard",
            "n": self.batch.value(),
            "task": "image_generation_bulk" if m.local else "image_generation_quality",
        }
        if m.local:
            from local_models.lora import resolve
            from router.gallery import split_tags

            prompt, tags = split_tags(prompt)  # `<lora:name:w>` typed into the prompt works too
            folder = self.page.app.settings.get("lora_folder") if self.page.app is not None else ""
            kw["loras"] = self.loras.selected() + [resolve(folder, n, w) for n, w in tags]
            kw.update(
                negative_prompt=self.negative.text().strip(),
                steps=self.steps.value(),
                guidance=self.guidance.value(),
                scheduler=self.scheduler.currentData(),
                seed=None if self.random_seed.isChecked() else self.seed.value(),
            )
        return prompt, kw

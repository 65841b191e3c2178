"""Documents attached to a conversation: removable chips above the composer; attaching runs in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from router.errors import SparklioError

log = logging.getLogger(__name__)
MAX_CHIPS = 8  # more documents collapse into "+N more"


def skipped_note(skipped: list[tuple[str, str]]) -> tuple[str, str]:
    """('3 files skipped', tooltip listing each with its reason) for a folder's skipped files."""
    if not skipped:
        return "", ""
    n = len(skipped)
    tip = "\n".join(f"{name}: {why}" for name, why in skipped[:30])
    if n > 30:
        tip += f"\n… and {n - 30} more"
    return f"{n} file{'s' if n != 1 else ''} skipped", tip


class KnowledgeBar(QWidget):
    """Chips for the current conversation's documents; `attach_paths` adds, a chip's ✕ removes."""

    changed = Signal()  # the attached documents changed

    def __init__(
        self, controller: Any, ensure_conversation: Callable[[], int | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.ensure_conversation = ensure_conversation  # creates the conversation when there is none
        self.conversation_id: int | None = None
        self.task: asyncio.Task | None = None
        self.chips: dict[int, QPushButton] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.title = QLabel("Documents:", self)
        self.title.setObjectName("Muted")
        lay.addWidget(self.title)
        self.row = QHBoxLayout()
        self.row.setSpacing(6)
        lay.addLayout(self.row)
        self.status = QLabel("", self)
        self.status.setObjectName("Muted")
        lay.addWidget(self.status)
        lay.addStretch(1)
        self.setVisible(False)

    # ---- public API ----
    @property
    def busy(self) -> bool:
        """True while documents are being added."""
        return self.task is not None and not self.task.done()

    def names(self) -> list[str]:
        """Names on the chips shown now (for tests and accessibility)."""
        return [self.chips[i].property("doc_name") for i in sorted(self.chips)]

    def reload(self, conversation_id: int | None) -> None:
        """Show the documents of `conversation_id` (none for a new chat)."""
        if conversation_id != self.conversation_id and not self.busy:
            self.status.setText("")
            self.status.setToolTip("")
        self.conversation_id = conversation_id
        app = self.controller.app
        rows: list[Any] = []
        if app is not None and conversation_id is not None:
            try:
                rows = app.knowledge.sources(conversation_id)
            except Exception as exc:  # a broken store: say so, keep the chat usable
                log.exception("could not list documents")
                self.controller.error(str(exc) if isinstance(exc, SparklioError) else "Could not list the documents.")
        self._show(rows)

    def attach_paths(self, paths: list[str | Path]) -> asyncio.Task | None:
        """Add files or folders to the current conversation (created first when needed), in the background."""
        app = self.controller.app
        paths = [Path(p) for p in paths if str(p)]
        if app is None or not paths or self.busy:
            return None
        try:
            cid = self.ensure_conversation()
        except SparklioError as exc:
            self.controller.error(str(exc))
            return None
        if cid is None:
            return None
        self.conversation_id = cid
        self.task = self.controller.spawn(self._attach(cid, paths))
        return self.task

    def remove(self, source_id: int) -> None:
        """Forget one document (its chip goes too)."""
        app = self.controller.app
        if app is None:
            return
        try:
            app.knowledge.remove(source_id)
        except Exception as exc:
            log.exception("could not remove a document")
            self.controller.error(str(exc) if isinstance(exc, SparklioError) else "Could not remove the document.")
            return
        self.reload(self.conversation_id)
        self.changed.emit()

    # ---- internals ----
    async def _attach(self, cid: int, paths: list[Path]) -> None:
        app = self.controller.app
        skipped: list[tuple[str, str]] = []
        failures: list[str] = []
        self.setVisible(True)
        for i, path in enumerate(paths, 1):
            more = f" ({i} of {len(paths)})" if len(paths) > 1 else ""
            self.status.setText(f"Adding {path.name}{more}…")
            self.status.setToolTip("")
            try:
                report = await app.knowledge.attach(cid, path)
                skipped.extend(report.skipped)
            except SparklioError as exc:
                failures.append(str(exc))
            except Exception as exc:  # never a traceback in the UI
                log.exception("attaching %s failed", path)
                failures.append(f"Could not add {path.name} ({type(exc).__name__}: {exc})")
            if self.conversation_id == cid:
                self.reload(cid)
        text, tip = skipped_note(skipped)
        self.status.setText(text)
        self.status.setToolTip(tip)
        if failures:
            more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
            self.controller.error(failures[0] + more)
        self.setVisible(bool(self.chips) or bool(text))
        self.changed.emit()

    def _show(self, rows: list[Any]) -> None:
        for chip in self.chips.values():
            chip.deleteLater()
        self.chips.clear()
        while self.row.count():
            w = self.row.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for src in rows[:MAX_CHIPS]:
            chip = QPushButton(f"{src.name}  ✕", self)
            chip.setObjectName("AttachmentChip")
            chip.setFlat(True)
            chip.setProperty("doc_name", src.name)
            chunks = getattr(src, "chunks", 0) or 0
            where = "" if src.conversation_id is not None else " · attached to every chat"
            chip.setToolTip(f"{src.path}\n{chunks} passage{'s' if chunks != 1 else ''}{where}\nClick to remove")
            chip.clicked.connect(lambda _c=False, sid=src.id: self.remove(sid))
            self.row.addWidget(chip)
            self.chips[src.id] = chip
        if len(rows) > MAX_CHIPS:
            extra = QLabel(f"+{len(rows) - MAX_CHIPS} more", self)
            extra.setObjectName("Muted")
            extra.setToolTip("\n".join(s.name for s in rows[MAX_CHIPS:]))
            self.row.addWidget(extra)
        self.setVisible(bool(rows) or bool(self.status.text()))

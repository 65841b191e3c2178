"""Auto for one data folder: the saved classifier plus the user's corrections, which it learns (capped)."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from router import classify as clf
from router.errors import SparklioError
from router.store.db import database

log = logging.getLogger(__name__)
CORRECTION_CAP = 200  # the most recent corrections that join the training data (the base set is ~4,500 rows)
SOURCES = ("composer", "answer", "cli")


class AutoClassifier:
    """Classifies prompts with the model for this folder's corrections; records corrections and retrains."""

    def __init__(self, data_dir: Path, cap: int = CORRECTION_CAP) -> None:
        self.folder = Path(data_dir) / "cache"
        self.cap = cap
        self._model: clf.Classifier | None = None
        self._lock = threading.Lock()
        self._retrain: threading.Thread | None = None

    # ---- classifying ----
    def model(self) -> clf.Classifier:
        """The current model: loaded from the cache folder, or trained and saved when the data changed."""
        model = self._model
        if model is None:
            with self._lock:
                if self._model is None:
                    from router.classify_store import load_or_train

                    self._model = load_or_train(self.folder, self.training_rows())
                model = self._model
        return model

    @property
    def ready(self) -> bool:
        """The model is in memory: classifying now takes under a millisecond (no load, no training)."""
        return self._model is not None

    def classify(self, prompt: str, has_image: bool = False) -> clf.Classification:
        """Auto task and complexity, with confidences."""
        return clf.classify(prompt, has_image, self.model())

    # ---- corrections ----
    def training_rows(self) -> list[dict]:
        """The user's most recent corrections (one per prompt, newest wins, at most `cap`), oldest first."""
        rows = database.execute_sql(
            "SELECT prompt, has_image, task, complexity FROM classifier_corrections "
            "WHERE id IN (SELECT MAX(id) FROM classifier_corrections GROUP BY prompt, has_image) "
            "ORDER BY id DESC LIMIT ?",
            (self.cap,),
        ).fetchall()
        return [{"prompt": p, "has_image": bool(img), "task": t, "complexity": c} for p, img, t, c in reversed(rows)]

    def record(
        self,
        prompt: str,
        has_image: bool,
        task: str,
        complexity: str | None = None,
        *,
        source: str,
        message_id: int | None = None,
        background: bool = False,
    ) -> clf.Classification:
        """Store a correction (the task/complexity the user says `prompt` is) and retrain; returns Auto's old guess.

        `background`: retrain in a thread (the GUI) while the current model keeps answering; else retrain now.
        """
        if task not in clf.TASK_TYPES:
            raise SparklioError(f"unknown task {task!r}: choose one of {', '.join(clf.TASK_TYPES)}")
        if complexity is not None and complexity not in clf.COMPLEXITY_LEVELS:
            raise SparklioError(f"unknown complexity {complexity!r}: choose simple, medium or complex")
        if source not in SOURCES:
            raise ValueError(f"unknown correction source {source!r}")
        if not prompt.strip():
            raise SparklioError("there is no prompt to learn from")
        guess = self.classify(prompt, has_image)
        with database.atomic():
            database.execute_sql(
                "INSERT INTO classifier_corrections (message_id, prompt, has_image, auto_task, auto_complexity, task,"
                " complexity, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message_id,
                    prompt,
                    int(has_image),
                    guess.task,
                    guess.complexity,
                    task,
                    complexity or guess.complexity,
                    source,
                    time.time(),
                ),
            )
        self._refresh(background)
        return guess

    def correct_answer(
        self, message_id: int, task: str, complexity: str | None = None, *, source: str, background: bool = False
    ) -> clf.Classification:
        """Correct the routing of a stored answer: the prompt is the user message just before it."""
        row = database.execute_sql(
            "SELECT conversation_id, meta FROM messages WHERE id = ? AND role = 'assistant'", (message_id,)
        ).fetchone()
        if row is None:
            raise SparklioError(f"there is no answer with id {message_id}")
        prompt = database.execute_sql(
            "SELECT content, attachments FROM messages WHERE conversation_id IS ? AND role = 'user' AND id < ? "
            "ORDER BY id DESC LIMIT 1",
            (row[0], message_id),
        ).fetchone()
        if prompt is None:
            raise SparklioError(f"answer {message_id} has no stored prompt to learn from")
        try:
            meta = json.loads(row[1] or "{}")
            has_image = any(a.get("kind") == "image" for a in json.loads(prompt[1] or "[]"))
        except (ValueError, AttributeError):
            meta, has_image = {}, False
        if complexity is None and meta.get("task") == task and meta.get("complexity") in clf.COMPLEXITY_LEVELS:
            complexity = meta["complexity"]
        guess = self.record(
            prompt[0], has_image, task, complexity, source=source, message_id=message_id, background=background
        )
        meta["corrected_task"] = task  # the answer's footer says so from now on
        with database.atomic():
            database.execute_sql("UPDATE messages SET meta = ? WHERE id = ?", (json.dumps(meta), message_id))
        return guess

    def note_choice(self, prompt: str, has_image: bool, task: str | None, complexity: str | None) -> None:
        """A task picked in the composer that Auto would have got wrong is a correction too."""
        if task is None or not prompt.strip():
            return
        guess = self.classify(prompt, has_image)
        if guess.task != task or (complexity is not None and guess.complexity != complexity):
            self.record(prompt, has_image, task, complexity, source="composer", background=True)

    def summary(self) -> dict:
        """How often Auto was corrected: auto-routed answers, corrections, and their ratio."""
        auto = database.execute_sql(
            "SELECT COUNT(*) FROM messages WHERE role = 'assistant' AND meta LIKE '%\"auto_task\": true%'"
        ).fetchone()[0]
        by_source = dict(
            database.execute_sql("SELECT source, COUNT(*) FROM classifier_corrections GROUP BY source").fetchall()
        )
        answers = by_source.get("answer", 0) + by_source.get("cli", 0)
        return {
            "auto_answers": auto,
            "corrections": sum(by_source.values()),
            "answer_corrections": answers,
            "composer_corrections": by_source.get("composer", 0),
            "corrected_rate": answers / auto if auto else None,
        }

    def _refresh(self, background: bool) -> None:
        """Retrain on the new corrections (the old model answers until the new one is ready)."""
        if not background:
            model = self._train()
            with self._lock:
                self._model = model
            return

        def run() -> None:
            try:
                model = self._train()
            except Exception:
                log.exception("retraining the classifier failed")
                return
            with self._lock:
                self._model = model

        self._retrain = threading.Thread(target=run, name="sparklio-classifier-retrain", daemon=True)
        self._retrain.start()

    def _train(self) -> clf.Classifier:
        """Load or train the model for the current corrections."""
        from router.classify_store import load_or_train

        return load_or_train(self.folder, self.training_rows())

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background retrain to finish (tests, shutdown)."""
        if self._retrain is not None:
            self._retrain.join(timeout)

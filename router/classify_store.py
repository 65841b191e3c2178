"""The trained Auto classifier saved next to its training data's hash: loaded in milliseconds, rebuilt when stale."""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import sys
import threading
from pathlib import Path

from router import classify as clf

log = logging.getLogger(__name__)
_MAGIC = b"SPARKLIO-CLASSIFIER-1\n"
_PREFIX = "classifier-"
_SUFFIX = ".bin"
_CODE = sorted(Path(clf.__file__).parent.glob("classify*.py"))  # the classifier's modules: a new one counts too


def _inputs() -> list[Path]:
    """What a saved model depends on besides the user's corrections: the data and the code that builds it."""
    from router.classify_text import ENGLISH_TEMPLATES_PATH, LEXICON_PATH

    return [
        clf.TRAINING_PATH,
        clf.LABELLED_PATH,
        clf.TRAINING_PATH.with_name(clf.WRITTEN_PATH.name),
        *(clf.TRAINING_PATH.with_name(name) for name in clf.HAND_FILES),
        LEXICON_PATH,
        ENGLISH_TEMPLATES_PATH,
        *_CODE,
    ]


def training_hash(corrections: list[dict]) -> str:
    """sha256 over the training files, the classifier's code, the Python version and the user's corrections."""
    h = hashlib.sha256(sys.version.encode())
    for path in _inputs():
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"-")
    h.update(json.dumps(corrections, sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def model_path(folder: Path, digest: str) -> Path:
    """Where the model trained on data with this hash is saved."""
    return Path(folder) / f"{_PREFIX}{digest[:24]}{_SUFFIX}"


def load(path: Path) -> clf.Classifier | None:
    """The saved model, or None when the file is missing, truncated, altered or unreadable."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, digest, payload = blob[: len(_MAGIC)], blob[len(_MAGIC) : len(_MAGIC) + 32], blob[len(_MAGIC) + 32 :]
    if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
        log.warning("saved classifier %s is corrupt: rebuilding it", path)
        return None
    try:
        return clf.Classifier.from_state(marshal.loads(payload))
    except (ValueError, EOFError, TypeError, KeyError) as exc:
        log.warning("saved classifier %s is unreadable (%s): rebuilding it", path, exc)
        return None


def save(model: clf.Classifier, path: Path) -> None:
    """Write the model atomically (a crash leaves the old file or none, never half a file); stale models removed."""
    payload = marshal.dumps(model.state())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
        for old in path.parent.glob(f"{_PREFIX}*{_SUFFIX}"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only folder: the model still works, it is just trained again next time
        log.warning("cannot save the classifier to %s: %s", path, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def load_or_train(folder: Path, corrections: list[dict]) -> clf.Classifier:
    """The model for the shipped training data plus `corrections`: loaded if saved, else trained and saved.

    Models built in this process are kept by hash too (a second data folder with the same data reuses it)."""
    digest = training_hash(corrections)
    path = model_path(folder, digest)
    model = load(path)
    if model is None:
        with _memo_lock:
            model = _memo.get(digest)
        if model is None:
            labelled = clf._read_rows(clf.LABELLED_PATH) if clf.LABELLED_PATH.exists() else []
            model = clf.Classifier(clf.TRAINING_PATH, labelled, clf.LABELLED_WEIGHT, corrections=corrections)
        save(model, path)
    with _memo_lock:
        _memo[digest] = model
        while len(_memo) > _MEMO_SIZE:
            _memo.pop(next(iter(_memo)))
    return model


_MEMO_SIZE = 4
_memo: dict[str, clf.Classifier] = {}
_memo_lock = threading.Lock()

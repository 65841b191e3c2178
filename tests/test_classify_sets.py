"""The held-out prompt sets: the shipped model's floors on both blind sets and per language, each set's make-up,
and the guards that no training prompt shares a nine-word run with a prompt it is scored on."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

from router import classify as clf
from tests.test_classify import EVAL_SET, ROOT, _eval_rows

BLIND_SET = ROOT / "benchmarks" / "data" / "blind_prompts.jsonl"  # written by the team without seeing any template
# The shipped model on the blind set measures task 92.4%, complexity 86.4% (issue 11k): issue 11's targets are the floors.
BLIND_TASK_FLOOR = 0.90
BLIND_COMPLEXITY_FLOOR = 0.85
# Second blind set (362 prompts, 12 languages, casual; benchmarks/data/HOW_MADE.md): task 91.4%, complexity 87.6%
# (issue 11k): issue 11's targets, 90% / 85%, are the floors.
BLIND_2_SET = ROOT / "benchmarks" / "data" / "blind_prompts_2.jsonl"
DEV_SET = ROOT / "resources" / "classifier" / "dev_prompts.jsonl"  # training data since issue 11e
BLIND_2_TASK_FLOOR = 0.90
# Check set (330 prompts in 11 languages written blind for issue 11k; benchmarks/data/HOW_MADE.md): the shipped model
# measures task 85.8 %, complexity 77.3 % (73.3 % before issue 11k): floors a little under them, against regressions.
CHECK_SET = ROOT / "benchmarks" / "data" / "check_prompts_mx.jsonl"
CHECK_TASK_FLOOR = 0.84
CHECK_COMPLEXITY_FLOOR = 0.75
BLIND_2_COMPLEXITY_FLOOR = 0.85
# Every language with 20+ prompts in the second blind set (lowest measured: Italian task 71%, Italian complexity 62%).
LANGUAGE_TASK_FLOOR = 0.65
LANGUAGE_COMPLEXITY_FLOOR = 0.60
# Two 9-word runs the blind author wrote that already were in the English templates written before the set existed
# ("what would you do on a rainy sunday if you were a person", "write a python script that reads a folder of").
KNOWN_CHANCE_OVERLAPS = {"c013", "c212"}


def _blind_rows() -> list[dict]:
    return [json.loads(line) for line in BLIND_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_blind_set_is_balanced_and_unseen():
    rows = _blind_rows()
    assert len(rows) == 132 and len({r["id"] for r in rows}) == 132
    assert {r["task"] for r in rows} == set(clf.TASK_TYPES)
    training = {
        json.loads(line)["prompt"].strip().lower()
        for path in (clf.TRAINING_PATH, clf.LABELLED_PATH)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert not [r["id"] for r in rows if r["prompt"].strip().lower() in training]


def test_shipped_model_on_the_blind_set_above_floor():
    """The shipped model (synthetic + all labelled rows) on prompts written apart from every template."""
    task, cx = _accuracy(_blind_rows())
    assert task >= BLIND_TASK_FLOOR, f"blind-set task accuracy {task:.1%}"
    assert cx >= BLIND_COMPLEXITY_FLOOR, f"blind-set complexity accuracy {cx:.1%}"


def _runs(text: str, k: int = 9) -> set[str]:
    """Every run of k consecutive words (lowercased, punctuation dropped)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def test_no_training_prompt_shares_a_nine_word_run_with_a_labelled_prompt():
    """Templates are written from the task definitions, not paraphrased from the prompts they are scored on.

    (The blind set was written after the templates, by someone who never saw them; it is left out here because a
    common phrase such as "talk this through with me like a friend would" may turn up in both by chance.)
    """
    training: set[str] = set()
    for line in clf.TRAINING_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            training |= _runs(json.loads(line)["prompt"])
    shared = [r["id"] for r in _eval_rows() if _runs(r["prompt"]) & training]
    assert shared == []
    written = set().union(*(_any_script_runs(r["prompt"]) for r in clf.read_written()))
    assert [r["id"] for r in _eval_rows() if _any_script_runs(r["prompt"]) & written] == []


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@functools.lru_cache(maxsize=1)
def _shipped_model() -> clf.Classifier:
    """The shipped model (synthetic + every labelled row), trained once for the floor tests."""
    return clf.Classifier(clf.TRAINING_PATH, _eval_rows(), clf.LABELLED_WEIGHT)


def _accuracy(rows: list[dict]) -> tuple[float, float]:
    model = _shipped_model()
    results = [model.classify(r["prompt"], bool(r.get("has_image"))) for r in rows]
    task = sum(res.task == r["task"] for res, r in zip(results, rows)) / len(rows)
    cx = sum(res.complexity == r["complexity"] for res, r in zip(results, rows)) / len(rows)
    return task, cx


def test_second_blind_set_is_multilingual_balanced_and_unseen():
    rows, dev = _rows(BLIND_2_SET), _rows(DEV_SET)
    assert len(rows) >= 300 and len({r["id"] for r in rows}) == len(rows)
    assert {r["task"] for r in rows} == set(clf.TASK_TYPES) == {r["task"] for r in dev}
    langs = [r["lang"] for r in rows]
    assert sum(lang != "en" for lang in langs) / len(rows) >= 0.30
    assert len(set(langs) - {"en"}) >= 8 and {"ko", "ja", "zh", "es", "pt", "de", "fr"} <= set(langs)
    assert any(r["has_image"] for r in rows)
    training = {
        json.loads(line)["prompt"].strip().lower()
        for path in (clf.TRAINING_PATH, clf.LABELLED_PATH)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert not [r["id"] for r in rows + dev if r["prompt"].strip().lower() in training]
    assert not {r["prompt"].strip().lower() for r in rows} & {r["prompt"].strip().lower() for r in dev}


def test_shipped_model_on_the_second_blind_set_above_floor():
    task, cx = _accuracy(_rows(BLIND_2_SET))
    assert task >= BLIND_2_TASK_FLOOR, f"blind set 2 task accuracy {task:.1%}"
    assert cx >= BLIND_2_COMPLEXITY_FLOOR, f"blind set 2 complexity accuracy {cx:.1%}"


def test_every_language_of_the_second_blind_set_above_floor():
    rows = _rows(BLIND_2_SET)
    by_lang: dict[str, list[dict]] = {}
    for r in rows:
        by_lang.setdefault(r["lang"], []).append(r)
    big = {lang: rs for lang, rs in by_lang.items() if len(rs) >= 20}
    assert len(big) >= 9
    for lang, rs in big.items():
        task, cx = _accuracy(rs)
        assert task >= LANGUAGE_TASK_FLOOR and cx >= LANGUAGE_COMPLEXITY_FLOOR, f"{lang}: {task:.0%} / {cx:.0%}"


def _any_script_runs(text: str, k: int = 9) -> set[str]:
    """Every run of k consecutive words in any script (lowercased, punctuation dropped)."""
    words = re.findall(r"[^\W_]+", text.lower())
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def test_no_training_prompt_shares_a_nine_word_run_with_the_new_sets():
    """The multilingual templates and written prompts were written without the blind or dev prompts; the English
    templates predate both."""
    intl: set[str] = set()
    for line in clf.TRAINING_PATH.with_name("templates_intl.txt").read_text(encoding="utf-8").splitlines():
        intl |= _any_script_runs(line)
    for row in clf.read_written():  # the hand-written prompts (written.txt) are held to the same rule
        intl |= _any_script_runs(row["prompt"])
    training: set[str] = set()
    for line in clf.TRAINING_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            training |= _any_script_runs(json.loads(line)["prompt"])
    for path in (BLIND_2_SET, DEV_SET, EVAL_SET, CHECK_SET):
        rows = _rows(path)
        assert [r["id"] for r in rows if _any_script_runs(r["prompt"]) & intl] == [], path.name
        shared = {r["id"] for r in rows if _any_script_runs(r["prompt"]) & training}
        assert shared <= KNOWN_CHANCE_OVERLAPS, path.name


def test_hand_written_training_sets_share_no_nine_word_run_with_the_blind_or_labelled_sets():
    """dev_prompts.jsonl, authored.jsonl and authored_en.jsonl are training data: no run of nine words in common with
    either blind set (or the user's labelled prompts, whose cross-validation they also train)."""
    held: set[str] = set()
    for path in (BLIND_SET, BLIND_2_SET, EVAL_SET, CHECK_SET):
        for r in _rows(path):
            held |= _any_script_runs(r["prompt"])
    assert [r["id"] for r in clf.read_hand() if _any_script_runs(r["prompt"]) & held] == []


@pytest.mark.parametrize("name", ["authored_en.jsonl", "authored_en2.jsonl"])
def test_english_authored_sets_are_large_english_and_cover_every_task(name):
    """authored_en.jsonl (issue 11h) and authored_en2.jsonl (issue 11j's check set, training data since issue 11k):
    350+ English prompts each, every task at least 12 times, with attached pictures."""
    rows = _rows(ROOT / "resources" / "classifier" / name)
    assert len(rows) >= 350 and len({r["id"] for r in rows}) == len(rows)
    assert {r["lang"] for r in rows} == {"en"} and any(r["has_image"] for r in rows)
    counts = {task: sum(r["task"] == task for r in rows) for task in clf.TASK_TYPES}
    assert min(counts.values()) >= 12, counts
    assert name in clf.HAND_FILES
    assert len({r["prompt"].strip().lower() for r in rows}) == len(rows)


def test_check_set_is_multilingual_covers_every_task_and_shares_nothing_with_the_training_prompts():
    """check_prompts_mx.jsonl (issue 11k): 300+ prompts written blind, 8+ languages and 40 %+ not English, every task
    15+ times, some with a picture; not training data, and no nine-word run in common with any training prompt."""
    rows = _rows(CHECK_SET)
    assert len(rows) >= 300 and len({r["id"] for r in rows}) == len(rows)
    langs = {r["lang"] for r in rows}
    assert len(langs) >= 8 and sum(r["lang"] != "en" for r in rows) >= 0.4 * len(rows), langs
    assert any(r["has_image"] for r in rows)
    counts = {task: sum(r["task"] == task for r in rows) for task in clf.TASK_TYPES}
    assert min(counts.values()) >= 15, counts
    assert {r["complexity"] for r in rows} == {"simple", "medium", "complex"}
    assert CHECK_SET.name not in clf.HAND_FILES
    trained = set().union(*(_any_script_runs(r["prompt"]) for r in _eval_rows() + clf.read_written() + clf.read_hand()))
    assert [r["id"] for r in rows if _any_script_runs(r["prompt"]) & trained] == []


def test_shipped_model_on_the_check_set_above_floor():
    task, cx = _accuracy(_rows(CHECK_SET))
    assert task >= CHECK_TASK_FLOOR, f"check set task accuracy {task:.1%}"
    assert cx >= CHECK_COMPLEXITY_FLOOR, f"check set complexity accuracy {cx:.1%}"

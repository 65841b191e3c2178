"""Benchmark the Auto classifier: k-fold CV on the labelled prompts, the blind sets, the dev set, and latency.

Every accuracy printed here is measured on prompts the scoring model was NOT trained on: each labelled fold is
scored by a model trained on the synthetic rows plus the other folds (headline), or on the synthetic rows alone.
The blind sets are scored by the shipped model, which was never tuned against them:
  blind_prompts.jsonl   132 English prompts written by the team from the task definitions, without any template;
  blind_prompts_2.jsonl 362 prompts (55 % not English, 12 languages, casual) by a separate "blind author"
                        (benchmarks/data/HOW_MADE.md), never used for training or tuning.
The hand-written training sets in the blind author's style (resources/classifier/dev_prompts.jsonl, 242, which was
also used to tune the lexicon, authored.jsonl, written for issue 11 by a second engineer, and authored_en.jsonl, 451
English prompts written blind by a third (issue 11h), and authored_en2.jsonl, 366 English prompts written blind by a
fourth (issue 11j's check set, training data since issue 11k)) are scored by k-fold cross-validation over their own
prompts: each fold by a model trained on everything else (dev-CV, authored-CV, authored_en-CV, authored_en2-CV).
The check set (benchmarks/data/check_prompts_mx.jsonl, 330 prompts in 11 languages written blind for issue 11k, not
training data) is scored by the shipped model, with the blind sets or without them (--no-blind).
Per language and per task accuracies, and the confusions, are printed for the blind sets and the hand-written sets.
--generator-seeds regenerates the synthetic training set with other seeds (in a temporary folder) and repeats the
cross-validation on each, to show how much the figures move with the generator's random draws.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from router import classify as clf  # noqa: E402

DEFAULT_DATA = ROOT / "benchmarks" / "data" / "routing_prompts.jsonl"
BLIND_DATA = ROOT / "benchmarks" / "data" / "blind_prompts.jsonl"
BLIND_2_DATA = ROOT / "benchmarks" / "data" / "blind_prompts_2.jsonl"
DEV_DATA = ROOT / "resources" / "classifier" / "dev_prompts.jsonl"
AUTHORED_DATA = ROOT / "resources" / "classifier" / "authored.jsonl"
AUTHORED_EN_DATA = ROOT / "resources" / "classifier" / "authored_en.jsonl"
AUTHORED_EN2_DATA = ROOT / "resources" / "classifier" / "authored_en2.jsonl"
CHECK_DATA = ROOT / "benchmarks" / "data" / "check_prompts_mx.jsonl"
DEFAULT_SEEDS = (11, 23, 37)


def load(path: Path) -> list[dict]:
    """Read the labelled jsonl (id, prompt, task, complexity, has_image)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def stratified_folds(rows: list[dict], k: int, seed: int) -> list[list[int]]:
    """Row indexes split into k folds, each task spread evenly across folds (shuffled with `seed`)."""
    rng = random.Random(seed)
    by_task: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_task.setdefault(row["task"], []).append(i)
    folds: list[list[int]] = [[] for _ in range(k)]
    j = 0
    for task in sorted(by_task):
        idx = by_task[task][:]
        rng.shuffle(idx)
        for i in idx:
            folds[j % k].append(i)
            j += 1
    return folds


def _score(model: clf.Classifier, rows: list[dict], out: dict) -> None:
    """Add each row's hits and confusions to `out` (and per language / per task when `out` has "groups")."""
    for row in rows:
        res = model.classify(row["prompt"], bool(row.get("has_image")))
        for key in ("lang", "task") if "groups" in out else ():
            g = out["groups"].setdefault(key, {}).setdefault(row.get(key, "en"), [0, 0, 0])
            g[0] += 1
            g[1] += res.task == row["task"]
            g[2] += res.complexity == row["complexity"]
        out["n"] += 1
        if res.task == row["task"]:
            out["task_ok"] += 1
        else:
            out["task_conf"][f"{row['task']} -> {res.task}"] += 1
        if res.complexity == row["complexity"]:
            out["cx_ok"] += 1
        else:
            out["cx_conf"][f"{row['complexity']} -> {res.complexity}"] += 1


def cross_validate(
    rows: list[dict], seeds: tuple[int, ...] = DEFAULT_SEEDS, k: int = 5, weight: float = clf.LABELLED_WEIGHT
) -> dict:
    """Stratified k-fold CV, averaged over seeds: each fold scored by synthetic + the other folds' rows."""
    out: dict = {"n": 0, "task_ok": 0, "cx_ok": 0, "task_conf": Counter(), "cx_conf": Counter()}
    for seed in seeds:
        for fold in stratified_folds(rows, k, seed):
            held = set(fold)
            train = [r for i, r in enumerate(rows) if i not in held]
            _score(clf.Classifier(clf.TRAINING_PATH, train, weight), [rows[i] for i in fold], out)
    return _summary(out, seeds=list(seeds), folds=k)


def synthetic_only(rows: list[dict]) -> dict:
    """Accuracy of a model trained on the synthetic rows and written.txt alone (no labelled or hand-set prompt)."""
    out: dict = {"n": 0, "task_ok": 0, "cx_ok": 0, "task_conf": Counter(), "cx_conf": Counter()}
    _score(clf.Classifier(clf.TRAINING_PATH, hand_rows=[]), rows, out)
    return _summary(out)


def hand_cross_validate(labelled: list[dict], name: str, seeds: tuple[int, ...] = DEFAULT_SEEDS, k: int = 5) -> dict:
    """k-fold CV over one hand-written set (`HAND_FILES` name): each fold scored by a model trained on the synthetic
    rows, every labelled row, the other hand-written sets and the other folds; per language and per task."""
    path = clf.TRAINING_PATH.with_name(name)
    rows = load(path)
    others = [r for other in clf.HAND_FILES if other != name for r in _load_if(path.with_name(other))]
    out: dict = {"n": 0, "task_ok": 0, "cx_ok": 0, "task_conf": Counter(), "cx_conf": Counter(), "groups": {}}
    for seed in seeds:
        for fold in stratified_folds(rows, k, seed):
            held = set(fold)
            train = others + [r for i, r in enumerate(rows) if i not in held]
            model = clf.Classifier(clf.TRAINING_PATH, labelled, clf.LABELLED_WEIGHT, hand_rows=train)
            _score(model, [rows[i] for i in fold], out)
    return {**_summary(out, seeds=list(seeds), folds=k), "by": _groups(out)}


def _load_if(path: Path) -> list[dict]:
    """The rows of a jsonl file, none when it is missing."""
    return load(path) if path.exists() else []


def blind(shipped: clf.Classifier, rows: list[dict]) -> dict:
    """Accuracy of the shipped model (synthetic + every labelled row) on a held-out set, per language and task."""
    out: dict = {"n": 0, "task_ok": 0, "cx_ok": 0, "task_conf": Counter(), "cx_conf": Counter(), "groups": {}}
    _score(shipped, rows, out)
    return {**_summary(out), "by": _groups(out)}


def _groups(out: dict) -> dict:
    """Per-language and per-task accuracy from `_score`'s group counts."""
    return {
        key: {
            k: {"n": n, "task": round(t / n, 3), "complexity": round(c / n, 3)} for k, (n, t, c) in sorted(vals.items())
        }
        for key, vals in out["groups"].items()
    }


def generator_spread(rows: list[dict], seeds: list[int], cv_seeds: tuple[int, ...]) -> list[dict]:
    """CV accuracy with the synthetic set regenerated from each generator seed (the shipped file is left alone)."""
    import tempfile

    import make_classifier_training as gen

    shipped = clf.TRAINING_PATH
    out = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for seed in seeds:
                path = Path(tmp) / f"{seed}" / "training.jsonl"
                path.parent.mkdir()
                for name in (clf.WRITTEN_PATH.name, *clf.HAND_FILES):  # read beside the training file
                    if shipped.with_name(name).exists():
                        (path.parent / name).write_bytes(shipped.with_name(name).read_bytes())
                path.write_text(
                    "".join(
                        json.dumps(r, ensure_ascii=False) + "\n"
                        for r in gen.generate(60, seed) + gen.generate_intl(seed)
                    ),
                    encoding="utf-8",
                )
                clf.TRAINING_PATH = path
                cv = cross_validate(rows, cv_seeds)
                out.append(
                    {
                        "generator_seed": seed,
                        "task_accuracy": cv["task_accuracy"],
                        "complexity_accuracy": cv["complexity_accuracy"],
                    }
                )
    finally:
        clf.TRAINING_PATH = shipped
    return out


def _summary(out: dict, **extra: object) -> dict:
    """Accuracies and the most common confusions from raw counts."""
    n = max(1, out["n"])
    return {
        "scored": out["n"],
        "task_accuracy": round(out["task_ok"] / n, 4),
        "complexity_accuracy": round(out["cx_ok"] / n, 4),
        **extra,
        "task_confusions": dict(out["task_conf"].most_common(12)),
        "complexity_confusions": dict(out["cx_conf"].most_common()),
    }


def latency(rows: list[dict], repeats: int) -> dict:
    """Training and saved-model load time of the shipped model, and per-prompt classify() time (ms)."""
    import tempfile

    from router import classify_store
    from router.classify_text import instruction

    clf._model = None
    t0 = time.perf_counter()
    clf.classify("warm up the model", False)  # first call trains the shipped model
    train_ms = (time.perf_counter() - t0) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        classify_store.load_or_train(Path(tmp), [])  # trains and saves
        t0 = time.perf_counter()
        classify_store.load_or_train(Path(tmp), [])  # what every later start does: hash the data, load the file
        load_ms = (time.perf_counter() - t0) * 1000
    per_prompt: list[float] = []  # each prompt's median over `repeats` runs (scheduler noise on a shared CPU)
    every: list[float] = []
    for row in rows:
        runs = []
        for _ in range(repeats):
            instruction.cache_clear()  # each run reads the prompt afresh, as a new prompt is
            start = time.perf_counter()
            clf.classify(row["prompt"], bool(row.get("has_image")))
            runs.append((time.perf_counter() - start) * 1000)
        every.extend(runs)
        per_prompt.append(statistics.median(runs))
    per_prompt.sort()
    every.sort()
    return {
        "train_ms": round(train_ms, 1),
        "load_ms": round(load_ms, 1),
        "median_ms": round(statistics.median(per_prompt), 4),
        "p95_ms": round(per_prompt[int(0.95 * (len(per_prompt) - 1))], 4),
        "max_ms": round(per_prompt[-1], 4),
        "p95_all_runs_ms": round(every[int(0.95 * (len(every) - 1))], 4),
    }


def main() -> None:
    """CLI entry: print a table or --json."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS), help="CV shuffle seeds")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--weight", type=float, default=clf.LABELLED_WEIGHT, help="weight of one labelled row")
    ap.add_argument("--blind", type=Path, default=BLIND_DATA, help="blind set scored by the shipped model")
    ap.add_argument("--blind-2", type=Path, default=BLIND_2_DATA, help="second (multilingual, casual) blind set")
    ap.add_argument("--no-blind", action="store_true", help="do not score the blind sets (development runs)")
    ap.add_argument(
        "--generator-seeds",
        type=int,
        nargs="*",
        default=[],
        help="also regenerate the synthetic set with these seeds and cross-validate each",
    )
    ap.add_argument("--repeats", type=int, default=20, help="timed classifications per prompt")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = ap.parse_args()
    rows = load(args.data)
    shipped = clf.Classifier(clf.TRAINING_PATH, rows, clf.LABELLED_WEIGHT)  # trained once for every held-out set
    res = {
        "prompts": len(rows),
        "cv_synthetic_plus_labelled": cross_validate(rows, tuple(args.seeds), args.folds, args.weight),
        "synthetic_only": synthetic_only(rows),
        **(
            {}
            if args.no_blind
            else {"blind": blind(shipped, load(args.blind)), "blind_2": blind(shipped, load(args.blind_2))}
        ),
        "check": blind(shipped, load(CHECK_DATA)),
        "dev_cv": hand_cross_validate(rows, DEV_DATA.name, tuple(args.seeds), args.folds),
        "authored_cv": hand_cross_validate(rows, AUTHORED_DATA.name, tuple(args.seeds), args.folds),
        "authored_en_cv": hand_cross_validate(rows, AUTHORED_EN_DATA.name, tuple(args.seeds), args.folds),
        "authored_en2_cv": hand_cross_validate(rows, AUTHORED_EN2_DATA.name, tuple(args.seeds), args.folds),
        "generator_seeds": generator_spread(rows, args.generator_seeds, tuple(args.seeds)),
        "latency": latency(rows + load(DEV_DATA), max(1, args.repeats)),
    }
    if args.json:
        print(json.dumps(res, indent=2))
        return
    cv, syn, lat = res["cv_synthetic_plus_labelled"], res["synthetic_only"], res["latency"]
    print(f"labelled prompts: {len(rows)}   (targets: task >= 85%, complexity >= 80%, < 5 ms per prompt)")
    print(f"{'model (never scored on its own training prompts)':<58} {'task':>7} {'complexity':>11}")
    label = f"synthetic + labelled, {args.folds}-fold CV x {len(args.seeds)} seeds"
    print(f"{label:<58} {cv['task_accuracy']:>7.1%} {cv['complexity_accuracy']:>11.1%}")
    print(f"{'synthetic + written.txt only':<58} {syn['task_accuracy']:>7.1%} {syn['complexity_accuracy']:>11.1%}")
    for key, what in (
        ("blind", "shipped model on the blind set 1, team-written, English"),
        ("blind_2", "shipped model on the blind set 2, 12 languages"),
        ("check", "shipped model on the check set, 11 languages (issue 11k)"),
        ("dev_cv", f"dev set, {args.folds}-fold CV (lexicon tuned on it)"),
        ("authored_cv", f"authored set, {args.folds}-fold CV"),
        ("authored_en_cv", f"English authored set, {args.folds}-fold CV"),
        ("authored_en2_cv", f"second English authored set, {args.folds}-fold CV"),
    ):
        if key not in res:
            continue
        bl = res[key]
        label = f"{what} ({bl['scored']})"
        print(f"{label:<58} {bl['task_accuracy']:>7.1%} {bl['complexity_accuracy']:>11.1%}")
    for g in res["generator_seeds"]:
        label = f"  CV with the synthetic set regenerated, seed {g['generator_seed']}"
        print(f"{label:<58} {g['task_accuracy']:>7.1%} {g['complexity_accuracy']:>11.1%}")
    print(
        f"training (first call): {lat['train_ms']:.1f} ms; saved model load: {lat['load_ms']:.1f} ms; per prompt: "
        f"median {lat['median_ms']:.3f} ms, p95 {lat['p95_ms']:.3f} ms, max {lat['max_ms']:.3f} ms (each prompt's "
        f"median of {args.repeats} runs; p95 of every single run {lat['p95_all_runs_ms']:.3f} ms)"
    )
    _print_groups(res)
    print("CV task confusions (gold -> predicted, summed over seeds):")
    for pair, count in cv["task_confusions"].items():
        print(f"  {count:3d}  {pair}")
    print("CV complexity confusions (gold -> predicted, summed over seeds):")
    for pair, count in cv["complexity_confusions"].items():
        print(f"  {count:3d}  {pair}")


def _print_groups(res: dict) -> None:
    """Per-language and per-task task/complexity accuracy of the held-out sets, and their confusions."""
    for key in ("blind", "blind_2", "check", "dev_cv", "authored_cv", "authored_en_cv", "authored_en2_cv"):
        if key not in res:
            continue
        by = res[key]["by"]
        print(
            f"{key} per language (task / complexity):  "
            + "  ".join(f"{k} {v['task']:.0%}/{v['complexity']:.0%} ({v['n']})" for k, v in by["lang"].items())
        )
        worst = sorted(by["task"].items(), key=lambda kv: kv[1]["task"])[:6]
        print(f"{key} weakest tasks: " + ", ".join(f"{k} {v['task']:.0%}" for k, v in worst))
        print(f"{key} task confusions: " + ", ".join(f"{p} ({n})" for p, n in res[key]["task_confusions"].items()))
        print(
            f"{key} complexity confusions: "
            + ", ".join(f"{p} ({n})" for p, n in res[key]["complexity_confusions"].items())
        )


if __name__ == "__main__":
    main()

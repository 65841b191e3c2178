"""What real prompts' words say about their level: naive Bayes over the labelled and hand-written prompts' complexity
labels (the synthetic word model only knows the templates' words), read as two evidence numbers (stdlib only)."""

from __future__ import annotations

import random

from router.classify_model import COMPLEXITY_LEVELS, NaiveBayes

LEVEL_WORD_PARTS: tuple[str, ...] = ("level_words", "medium_words")  # complex vs simple; medium vs the outer two
_ALPHA = 1.0  # Laplace smoothing (issue 11j, by 5-fold CV x 3 seeds: 0.3 and 3 were no better)
_FOLDS = 5  # the calibration rows' own evidence comes from models that never saw them
_SEED = 7


def fit_level_words(docs: list[list[str]], levels: list[str], weights: list[float]) -> NaiveBayes:
    """A complexity model of the calibration prompts' features, each prompt counting its weight."""
    model = NaiveBayes(COMPLEXITY_LEVELS, _ALPHA)
    model.fit(docs, levels, weights)
    return model


def level_evidence(model: NaiveBayes | None, feats: list[str]) -> list[float]:
    """(complex vs simple log-odds, medium vs the mean of the outer two) of a prompt's features; zeros without a
    model."""
    if model is None:
        return [0.0, 0.0]
    s = model.scores(feats)
    return [s[2] - s[0], s[1] - (s[0] + s[2]) / 2]


def cross_fitted_evidence(docs: list[list[str]], levels: list[str], weights: list[float]) -> list[list[float]]:
    """Each calibration prompt's evidence from a model fitted on the other folds (so the weights fitted on it see
    the evidence a new prompt would get, not a memorised one)."""
    order = list(range(len(docs)))
    random.Random(_SEED).shuffle(order)
    out: list[list[float]] = [[0.0, 0.0] for _ in docs]
    for k in range(_FOLDS):
        held = set(order[k::_FOLDS])
        train = [i for i in order if i not in held]
        model = fit_level_words([docs[i] for i in train], [levels[i] for i in train], [weights[i] for i in train])
        for i in held:
            out[i] = level_evidence(model, docs[i])
    return out

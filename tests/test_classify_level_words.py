"""What real prompts' words say about their level (router/classify_level_words.py): the cross-fitted evidence, and
how the shipped classifier's score and band models read it."""

from __future__ import annotations

import marshal

from router import classify as clf
from router.classify_band import BAND_PARTS
from router.classify_level_words import LEVEL_WORD_PARTS, cross_fitted_evidence, fit_level_words, level_evidence
from router.classify_text import features
from tests.test_classify_band import _shipped

BIG = "write a complete launch strategy with budget trade offs for each channel"
SMALL = "quick caption for our latte"


def _docs() -> tuple[list[list[str]], list[str]]:
    """Toy calibration rows: a strategy's words mark complex asks, a caption's simple ones, a post's medium ones."""
    docs = [features(BIG, False)] * 6 + [features(SMALL, False)] * 6 + [features("a short post for friday", False)] * 6
    return docs + [["zzqx", "rare"]], ["complex"] * 6 + ["simple"] * 6 + ["medium"] * 6 + ["complex"]


def test_the_words_of_each_level_point_their_way():
    docs, levels = _docs()
    model = fit_level_words(docs, levels, [1.0] * len(docs))
    big, small = level_evidence(model, features(BIG, False)), level_evidence(model, features(SMALL, False))
    post = level_evidence(model, features("a short post for monday", False))
    assert big[0] > 0 > small[0]  # complex versus simple
    assert post[1] > max(big[1], small[1])  # medium versus the outer two
    assert level_evidence(None, features(BIG, False)) == [0.0, 0.0]


def test_a_calibration_row_is_read_by_a_model_that_never_saw_it():
    docs, levels = _docs()
    own = level_evidence(fit_level_words(docs, levels, [1.0] * len(docs)), docs[-1])
    crossed = cross_fitted_evidence(docs, levels, [1.0] * len(docs))
    assert len(crossed) == len(docs)
    assert own[0] > 0  # its one-off words, memorised, would say "complex"
    assert crossed[-1][0] < own[0] / 2  # words no other row has say little
    assert crossed == cross_fitted_evidence(
        docs, levels, [1.0] * len(docs)
    )  # fixed folds: the same model every time it is trained


def test_the_shipped_score_and_bands_read_the_evidence():
    model = _shipped()
    assert model.level_words is not None
    feats = clf._features(BIG, False)
    parts = model._scores(BIG, False, feats)[5]
    assert parts[-2:] == level_evidence(model.level_words, feats) and parts[-2] > 0
    assert list(BAND_PARTS[7:9]) == list(LEVEL_WORD_PARTS)
    assert all(band is not None and len(band.coef) == len(BAND_PARTS) for band in model.bands)
    words, model.level_words = model.level_words, None  # the score without the evidence is lower for this ask
    try:
        assert model._scores(BIG, False, feats)[3] < model._scores(BIG, False, feats, parts[-2:])[3]
    finally:
        model.level_words = words


def test_the_saved_model_keeps_its_level_words():
    model = _shipped()
    loaded = clf.Classifier.from_state(marshal.loads(marshal.dumps(model.state())))
    assert loaded.level_words is not None
    feats = clf._features(SMALL, False)
    assert level_evidence(loaded.level_words, feats) == level_evidence(model.level_words, feats)

"""The complex band's second look (router/classify_band.py): the fitted logistic model, its saved form, and what it
changes in the shipped classifier."""

from __future__ import annotations

import functools
import json
import marshal
import random

import pytest

from router import classify as clf
from router.classify_band import BAND_PARTS, BandModel, fit_band, text_parts
from tests.test_classify import _eval_rows

# A medium ask (translate a pasted paragraph) that the length-driven score alone puts in the complex band.
PASTED_TRANSLATION = (
    "Translate this product description into Spanish, keep the warm tone:\n\nOur Harbor mug is thrown by hand in small "
    "batches from local clay. Each one has a speckled glaze, a thumb rest and holds 12 oz of coffee, tea or cocoa. "
    "Dishwasher safe, microwave safe, and made to last for years of slow mornings."
)
BIG_PLAN = (
    "Write a complete 90-day go-to-market strategy for launching our B2B analytics platform in three new European "
    "markets: positioning against each local competitor, pricing tiers, channel mix with budget split, hiring plan, "
    "risks and the metrics we review every week."
)


@functools.lru_cache(maxsize=1)
def _shipped() -> clf.Classifier:
    """The shipped model (synthetic + every labelled row + the hand-written sets), trained once for these tests."""
    return clf.Classifier(clf.TRAINING_PATH, _eval_rows(), clf.LABELLED_WEIGHT)


def _toy(n: int = 400, seed: int = 3) -> tuple[list[list[float]], list[int]]:
    """Rows whose label is 1 when the first feature outweighs the second (plus noise); the third is noise."""
    rng = random.Random(seed)
    xs = [[rng.gauss(0, 1), rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(n)]
    return xs, [int(a - b + rng.gauss(0, 0.5) > 0) for a, b, _ in xs]


def test_fit_band_recovers_the_direction_of_the_evidence():
    xs, ys = _toy()
    model = fit_band(xs, ys, [1.0] * len(ys))
    assert model is not None
    assert model.coef[0] > 1.0 and model.coef[1] < -1.0 and abs(model.coef[2]) < 0.3
    hits = sum((model.prob(x) >= 0.5) == bool(y) for x, y in zip(xs, ys))
    assert hits / len(ys) > 0.85
    probs = [model.prob([a, 0.0, 0.0]) for a in (-2.0, -1.0, 0.0, 1.0, 2.0)]
    assert probs == sorted(probs) and probs[0] < 0.1 < 0.9 < probs[-1]  # monotone in the evidence


def test_row_weights_count_like_repeated_rows():
    xs, ys = _toy(120, 5)
    doubled = fit_band(xs + xs[:30], ys + ys[:30], [1.0] * 150)
    weighted = fit_band(xs, ys, [2.0] * 30 + [1.0] * 90)
    assert doubled is not None and weighted is not None
    assert weighted.coef == pytest.approx(doubled.coef, abs=1e-6)
    assert weighted.bias == pytest.approx(doubled.bias, abs=1e-6)


def test_no_band_model_without_both_classes():
    assert fit_band([[1.0], [2.0]], [1, 1], [1.0, 1.0]) is None
    assert fit_band([], [], []) is None


def test_separable_rows_stay_finite():
    model = fit_band([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1], [1.0] * 4)
    assert model is not None and all(abs(c) < 100 for c in model.coef)
    assert model.prob([0.0]) < 0.5 < model.prob([3.0])


def test_text_parts_read_what_is_asked_and_what_is_pasted():
    plain = text_parts("Write a caption for our new latte")
    pasted = text_parts("Translate this into French:\nReturns are accepted within 30 days.\nItems must be unused.")
    assert len(plain) + 10 == len(BAND_PARTS)  # the score's nine parts and the distance past the cut come beside
    names = BAND_PARTS[9:-1]
    assert dict(zip(names, pasted))["block_words"] > 0 == dict(zip(names, plain))["block_words"]
    assert dict(zip(names, pasted))["lines"] > 0
    assert dict(zip(names, text_parts("Give me 12 tweets and 3 emails")))["items_asked"] > 0


def test_saved_band_model_round_trips_and_rejects_a_wrong_shape():
    band = _shipped().bands[1]
    assert band is not None
    again = BandModel.from_state(marshal.loads(marshal.dumps(band.state())))
    x = [0.5] * len(BAND_PARTS)
    assert again.prob(x) == band.prob(x)
    with pytest.raises(ValueError):
        BandModel.from_state({**band.state(), "coef": band.coef[:-1]})


def test_shipped_model_with_its_band_survives_the_saved_state():
    model = _shipped()
    loaded = clf.Classifier.from_state(marshal.loads(marshal.dumps(model.state())))
    assert loaded.bands[0] is not None and loaded.bands[1] is not None
    labelled = [json.loads(line) for line in clf.LABELLED_PATH.read_text(encoding="utf-8").splitlines()][:40]
    for prompt in [PASTED_TRANSLATION, BIG_PLAN] + [r["prompt"] for r in labelled]:
        assert loaded.classify(prompt, False) == model.classify(prompt, False)


@pytest.mark.parametrize("band_index, towards_medium", [(0, 1.0), (1, -1.0)])
def test_a_score_nearer_the_medium_band_is_more_likely_medium(band_index, towards_medium):
    band = _shipped().bands[band_index]  # 0: below the low cut (simple), 1: past the high cut (complex)
    assert band is not None and band.coef[BAND_PARTS.index("past_cut")] * towards_medium > 0
    x = list(band.mean)
    nearer, farther = x[:], x[:]
    nearer[-1], farther[-1] = x[-1] + towards_medium, x[-1] - towards_medium
    assert band.prob(farther) < band.prob(x) < band.prob(nearer)


def test_a_detailed_medium_ask_in_the_complex_band_is_read_as_medium():
    model = _shipped()
    moved = model.classify(PASTED_TRANSLATION, False)
    kept = model.classify(BIG_PLAN, False)
    bands, model.bands = model.bands, (None, None)
    try:
        assert model.classify(PASTED_TRANSLATION, False).complexity == "complex"  # the score alone
        assert model.classify(BIG_PLAN, False).complexity == "complex"
    finally:
        model.bands = bands
    assert moved.complexity == "medium" and moved.complexity_confidence >= 0.5 and 0 < moved.complexity_up < 0.5
    assert kept.complexity == "complex"

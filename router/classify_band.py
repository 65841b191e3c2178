"""A fitted second look at prompts the calibrated score puts in the complex band: a logistic model, trained on the
labelled and hand-written prompts in that band, that tells a complex ask from a detailed medium one (stdlib only)."""

from __future__ import annotations

import math
import re
from operator import mul

from router.classify_asks import _DEPTH, _ROW_RE, _STEP_RE, asked_words
from router.classify_level_words import LEVEL_WORD_PARTS
from router.classify_text import _PAYLOAD_RE, _WORD_RE, casual, instruction

_ITEMS_RE = re.compile(r"\b(\d{1,3})\s+(?:[a-z-]+\s+){0,2}?[a-z]+s\b")  # "5 tweets", "3 pricing tiers"
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_SENTENCE_RE = re.compile(r"[.!?](?:\s|$)|[。！？]")
_AND_RE = re.compile(r"\b(?:and|plus|also)\b|&")
_BLOCK_RE = re.compile(r":\s*\n")  # "...into French:\n<the text>": what follows is material, not the ask
BAND_PARTS: tuple[str, ...] = (
    # the calibrated score's own parts (classify.Classifier._scores) ...
    "word_evidence",
    "shape_evidence",
    "relative_log_words",
    "log_words",
    "ask_score",
    "foreign_share",
    "back_story",
    *LEVEL_WORD_PARTS,
    # ... what the prompt asks for and brings with it (text_parts) ...
    "separators",
    "numbers",
    "lines",
    "payload_words",
    "block_words",
    "items_asked",
    "words_asked",
    "questions",
    "sentences",
    "casual",
    "depth_words",
    "chained_steps",
    "data_rows",
    "conjunctions",
    # ... and how far the score is past the complex cut.
    "past_cut",
)
_L2 = 0.01  # ridge penalty on the standardised coefficients (issue 11i, by 5-fold CV x 3 seeds)
_MAX_ITERATIONS = 30


def text_parts(prompt: str) -> list[float]:
    """The band model's text features of a prompt, in `BAND_PARTS` order (log counts, flags)."""
    ask = instruction(prompt)
    low = ask.lower()
    total, asked = len(_WORD_RE.findall(prompt)), len(_WORD_RE.findall(ask))
    block = _BLOCK_RE.search(prompt)
    items = [int(x) for x in _ITEMS_RE.findall(low)]
    rows = sum(len(_ROW_RE.findall(m.group(0))) for m in _PAYLOAD_RE.finditer(prompt))
    return [
        math.log1p(ask.count(",") + ask.count(";") + ask.count(":")),
        math.log1p(len(_NUMBER_RE.findall(prompt))),
        math.log1p(prompt.count("\n")),
        math.log1p(max(0, total - asked)),
        math.log1p(len(_WORD_RE.findall(prompt[block.end() :])) if block else 0),
        math.log1p(min(max(items), 100)) if items else 0.0,
        math.log1p(asked_words(prompt)),
        float(min(prompt.count("?"), 3)),
        math.log1p(len(_SENTENCE_RE.findall(prompt))),
        float(casual(prompt)),
        float(min(sum(1 for d in _DEPTH if d in low), 3)),
        float(min(len(_STEP_RE.findall(ask)), 4)),
        math.log2(1 + rows),
        math.log1p(len(_AND_RE.findall(low))),
    ]


class BandModel:
    """Logistic regression over standardised features, fitted by Newton's method with a ridge penalty."""

    def __init__(self, mean: list[float], scale: list[float], coef: list[float], bias: float) -> None:
        self.mean, self.scale, self.coef, self.bias = mean, scale, coef, bias

    def prob(self, x: list[float]) -> float:
        """The fitted chance that a prompt with features `x` is what the model was trained to find (level 1)."""
        z = self.bias + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def state(self) -> dict:
        """Plain data that rebuilds this model."""
        return {"mean": self.mean, "scale": self.scale, "coef": self.coef, "bias": self.bias}

    @classmethod
    def from_state(cls, st: dict) -> BandModel:
        """The model `state()` described (ValueError when its vectors do not match)."""
        model = cls(
            [float(v) for v in st["mean"]],
            [float(v) for v in st["scale"]],
            [float(v) for v in st["coef"]],
            float(st["bias"]),
        )
        if not len(model.mean) == len(model.scale) == len(model.coef) == len(BAND_PARTS):
            raise ValueError("the saved band model has other features")
        return model


def band_vector(prompt: str, parts: list[float], x: float, cuts: tuple[float, float], band: int) -> list[float]:
    """A band model's features (`BAND_PARTS`): the score's parts, the prompt's text parts, the distance of its
    (style-shifted) score `x` from the band's cut."""
    return parts + text_parts(prompt) + [x - cuts[band // 2]]


def fit_band_rows(
    rows: list[tuple[str, list[float], float, int, float]], cuts: tuple[float, float], band: int
) -> BandModel | None:
    """A band's (0: simple, 2: complex) model of "medium", fitted on the calibration rows (prompt, score parts, shifted
    score, level index, weight) of that level or medium that the cut points put in the band."""
    low, high = cuts
    inside = [r for r in rows if r[3] in (band, 1) and (0 if r[2] < low else 1 if r[2] < high else 2) == band]
    return fit_band(
        [band_vector(prompt, parts, x, cuts, band) for prompt, parts, x, _, _ in inside],
        [int(level == 1) for _, _, _, level, _ in inside],
        [weight for *_, weight in inside],
    )


def fit_band(xs: list[list[float]], ys: list[int], weights: list[float], l2: float = _L2) -> BandModel | None:
    """A logistic model of ys (0/1) on xs, each row counting `weights[i]`; None without both classes in the rows."""
    total = sum(weights)
    if not xs or total <= 0 or len({y for y, w in zip(ys, weights) if w > 0}) < 2:
        return None
    d = len(xs[0])
    mean = [sum(w * x[j] for x, w in zip(xs, weights)) / total for j in range(d)]
    scale = [math.sqrt(sum(w * (x[j] - mean[j]) ** 2 for x, w in zip(xs, weights)) / total) or 1.0 for j in range(d)]
    cols = [[(x[j] - mean[j]) / scale[j] for x in xs] for j in range(d)] + [[1.0] * len(xs)]
    beta = [0.0] * (d + 1)  # coefficients, then the bias (not penalised)
    for _ in range(_MAX_ITERATIONS):
        z = [0.0] * len(xs)
        for col, b in zip(cols, beta):
            z = [v + b * c for v, c in zip(z, col)]
        p = [1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, v)))) for v in z]
        resid = [w * (pi - y) / total for pi, y, w in zip(p, ys, weights)]
        curv = [w * pi * (1.0 - pi) / total for pi, w in zip(p, weights)]
        grad = [sum(map(mul, resid, col)) + (2 * l2 * beta[j] if j < d else 0.0) for j, col in enumerate(cols)]
        hess = _hessian(cols, curv, d, l2)
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return BandModel(mean, scale, beta[:d], beta[d])


def _hessian(cols: list[list[float]], curv: list[float], d: int, l2: float) -> list[list[float]]:
    """The penalised log-loss's second derivatives (symmetric, (d + 1) x (d + 1))."""
    weighted = [list(map(mul, curv, col)) for col in cols]
    n = len(cols)
    hess = [[0.0] * n for _ in range(n)]
    for j in range(n):
        for k in range(j, n):
            hess[j][k] = hess[k][j] = sum(map(mul, weighted[j], cols[k]))
        if j < d:
            hess[j][j] += 2 * l2
    return hess


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a·x = b (Gaussian elimination with partial pivoting; `a` is positive definite here)."""
    n = len(b)
    m = [row[:] + [v] for row, v in zip(a, b)]
    for i in range(n):
        piv = max(range(i, n), key=lambda r: abs(m[r][i]))
        m[i], m[piv] = m[piv], m[i]
        if abs(m[i][i]) < 1e-300:
            continue
        for r in range(i + 1, n):
            f = m[r][i] / m[i][i]
            if f:
                m[r] = [u - f * v for u, v in zip(m[r], m[i])]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (m[i][n] - sum(m[i][k] * x[k] for k in range(i + 1, n))) / m[i][i] if abs(m[i][i]) >= 1e-300 else 0.0
    return x

"""The classifier's statistical parts: naive Bayes, a per-task length model, ordinal cut fitting (stdlib only)."""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left

COMPLEXITY_LEVELS: tuple[str, ...] = ("simple", "medium", "complex")


class NaiveBayes:
    """Multinomial naive Bayes over binary features with uniform class priors (log-likelihoods computed lazily)."""

    def __init__(self, labels: tuple[str, ...], alpha: float) -> None:
        self.labels = labels
        self.alpha = alpha
        self.counts: dict[str, list[float]] = {}
        self.loglik: dict[str, list[float]] = {}
        self.denom: list[float] = []
        self.smooth = 0.0
        # A loaded model (counts stay unbuilt): the sorted features, and each one's non-zero class counts in
        # cls/vals[starts[i]:starts[i + 1]] (most features occur in one class: the file stays small, loads fast).
        self.vocab: list[str] = []
        self.starts = array("I")
        self.cls = array("B")
        self.vals = array("d")

    def fit(self, docs: list[list[str]], ys: list[str], doc_weights: list[float] | None = None) -> None:
        """Count features per class (a document counts `doc_weights[i]` times), each class weighted to the same total."""
        idx = {c: i for i, c in enumerate(self.labels)}
        k = len(self.labels)
        dw = doc_weights or [1.0] * len(ys)
        ndocs = [0.0] * k
        for y, d in zip(ys, dw):
            ndocs[idx[y]] += d
        weights = [1.0 / n if n > 0 else 1.0 for n in ndocs]
        counts: dict[str, list[float]] = {}
        totals = [0.0] * k
        for feats, y, d in zip(docs, ys, dw):
            ci = idx[y]
            w = weights[ci] * d
            for f in feats:
                row = counts.get(f)
                if row is None:
                    row = counts[f] = [0.0] * k
                row[ci] += w
                totals[ci] += w
        self.smooth = self.alpha / max(1.0, sum(ndocs) / k)
        self.denom = [math.log(totals[c] + self.smooth * len(counts)) for c in range(k)]
        self.counts = counts
        self.loglik = {}

    def _row(self, f: str) -> list[float] | None:
        """Smoothed log-likelihoods of one feature (memoised)."""
        row = self.loglik.get(f)
        if row is None:
            cnt = self.counts.get(f)
            if cnt is None:
                i = bisect_left(self.vocab, f)
                if i == len(self.vocab) or self.vocab[i] != f:
                    return None
                cnt = self._counts_at(i)
            row = self.loglik[f] = [math.log(x + self.smooth) - d for x, d in zip(cnt, self.denom)]
        return row

    def scores(self, feats: list[str]) -> list[float]:
        """Sum of log-likelihoods per class (features never seen in training are ignored)."""
        return self.scores_known(feats)[0]

    def scores_known(self, feats: list[str]) -> tuple[list[float], int]:
        """Sum of log-likelihoods per class, and how many of `feats` the model knows."""
        s = [0.0] * len(self.labels)
        known = 0
        for f in feats:
            row = self._row(f)
            if row is not None:
                known += 1
                for c, v in enumerate(row):
                    s[c] += v
        return s, known

    def state(self) -> dict:
        """Plain data that rebuilds this model (for the saved-model file)."""
        vocab = sorted(self.counts) if self.counts else self.vocab
        starts, cls, vals = array("I", [0]), array("B"), array("d")
        for i, f in enumerate(vocab):
            for c, v in enumerate(self.counts[f] if self.counts else self._counts_at(i)):
                if v:
                    cls.append(c)
                    vals.append(v)
            starts.append(len(vals))
        return {
            "labels": list(self.labels),
            "alpha": self.alpha,
            "vocab": "\x00".join(vocab),
            "starts": starts.tobytes(),
            "cls": cls.tobytes(),
            "vals": vals.tobytes(),
            "denom": self.denom,
            "smooth": self.smooth,
        }

    def _counts_at(self, i: int) -> list[float]:
        """One loaded feature's per-class counts."""
        row = [0.0] * len(self.labels)
        for j in range(self.starts[i], self.starts[i + 1]):
            row[self.cls[j]] = self.vals[j]
        return row

    @classmethod
    def from_state(cls, st: dict) -> NaiveBayes:
        """The model `state()` described."""
        nb = cls(tuple(st["labels"]), float(st["alpha"]))
        nb.denom, nb.smooth = list(st["denom"]), float(st["smooth"])
        nb.vocab = st["vocab"].split("\x00") if st["vocab"] else []
        nb.starts.frombytes(st["starts"])
        nb.cls.frombytes(st["cls"])
        nb.vals.frombytes(st["vals"])
        n = len(nb.vals)
        if (
            len(nb.starts) != len(nb.vocab) + 1
            or nb.starts[-1] != n
            or len(nb.cls) != n
            or (n and max(nb.cls) >= len(nb.labels))
            or len(nb.denom) != len(nb.labels)
        ):
            raise ValueError("the saved classifier's tables do not match")
        return nb


def softmax(scores: list[float], temperature: float) -> list[float]:
    """Probabilities from log-scores, flattened by `temperature` so they stay informative."""
    m = max(scores)
    exps = [math.exp((s - m) / temperature) if s > -math.inf else 0.0 for s in scores]
    z = sum(exps)
    return [e / z for e in exps]


class LengthModel:
    """Log-normal prompt length per (task, complexity): how long a simple/medium/complex prompt is for each task."""

    def __init__(self) -> None:
        self.params: dict[tuple[str, str], tuple[float, float]] = {}

    def fit(self, rows: list[tuple[str, str, int]]) -> None:
        """rows: (task, complexity, word count)."""
        groups: dict[tuple[str, str], list[float]] = {}
        for task, cx, n in rows:
            groups.setdefault((task, cx), []).append(math.log(n + 1))
        for key, xs in groups.items():
            mu = sum(xs) / len(xs)
            var = sum((x - mu) ** 2 for x in xs) / max(1, len(xs) - 1)
            self.params[key] = (mu, math.sqrt(var + 0.04))

    def loglik(self, task: str, n: int) -> list[float]:
        """log p(length | task, complexity) for each complexity level."""
        x = math.log(n + 1)
        out = []
        for cx in COMPLEXITY_LEVELS:
            mu, sd = self.params.get((task, cx), (2.5, 1.0))
            out.append(-0.5 * ((x - mu) / sd) ** 2 - math.log(sd))
        return out


def fit_cuts(scored: list[tuple[float, int]]) -> tuple[float, float]:
    """Two cut points on a score that make the fewest ordinal mistakes on (score, level) pairs (ties: lowest cuts)."""
    scored = sorted(scored)
    xs = [x for x, _ in scored]
    n = len(scored)
    pre = [[0] * (n + 1) for _ in COMPLEXITY_LEVELS]  # pre[c][i]: rows of level c among the i lowest scores
    for i, (_, y) in enumerate(scored):
        for c in range(len(COMPLEXITY_LEVELS)):
            pre[c][i + 1] = pre[c][i] + (y == c)
    cuts = [0] + [i for i in range(1, n) if xs[i] > xs[i - 1]] + [n]
    best = (n + 1, 0, 0)
    for a, i in enumerate(cuts):
        for j in cuts[a:]:
            right = pre[0][i] + pre[1][j] - pre[1][i] + pre[2][n] - pre[2][j]
            best = min(best, (n - right, i, j))
    _, i, j = best

    def at(k: int) -> float:
        return xs[0] - 1.0 if k == 0 else xs[-1] + 1.0 if k == n else (xs[k - 1] + xs[k]) / 2

    return at(i), at(j)


def fit_offset(scored: list[tuple[float, int]], cuts: tuple[float, float], grid: tuple[float, ...]) -> float:
    """The shift from `grid` that makes the most (score + shift, level) pairs fall between the right cuts
    (ties: the smallest shift)."""
    low, high = cuts

    def hits(d: float) -> int:
        return sum((0 if x + d < low else 1 if x + d < high else 2) == y for x, y in scored)

    return max(grid, key=lambda d: (hits(d), -abs(d)))

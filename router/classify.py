"""Auto task/complexity classifier: naive Bayes over words plus a few robust features (stdlib only, no network)."""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from router.errors import ConfigError

TASK_TYPES: tuple[str, ...] = (
    "chat_response", "brief_questions", "copywriting_standard", "copywriting_premium", "strategy_planning",
    "template_generation", "trend_analysis", "image_analysis", "image_generation_quality",
    "image_generation_bulk", "code_generation", "translation", "embeddings", "query_interpretation",
    "sql_generation", "insights_generation", "evaluation", "vision_analysis", "workflow_orchestration",
    "data_processing", "report_generation", "predictive_analytics",
)
COMPLEXITY_LEVELS: tuple[str, ...] = ("simple", "medium", "complex")
IMAGE_INPUT_TASKS: frozenset[str] = frozenset({"image_analysis", "vision_analysis"})
TRAINING_PATH = Path(__file__).resolve().parent.parent / "resources" / "classifier" / "training.jsonl"
DEFAULT_TASK = "chat_response"

_TASK_ALPHA = 0.5  # Laplace smoothing, in units of "one training prompt"
_CX_ALPHA = 3.0
_CX_SHAPE_WEIGHT = 2.0  # how much the length/structure markers count versus one word
_CX_MIN_TASKS = 1  # complexity words must occur in at least this many task types
_LENGTH_WEIGHT = 1.0  # weight of the per-task length model in the complexity score
_IMAGE_BONUS = 4.0  # log-odds added to image-input tasks when a picture is attached
_NO_IMAGE_PENALTY = 1.0  # log-odds removed from them when none is (the prompt may still link one)

_WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[$%#@{}`;=<>]")
_STOP = frozenset(
    "a an the to of and or for in on at by is are be it this that these those with our my me i we you your "
    "us as from into its it's i'm can could would will please just so do some any all".split()
)
_NUMBER_WORDS = frozenset("two three four five six seven eight nine ten twelve fifteen twenty thirty forty fifty "
                          "hundred dozen".split())
_LANGUAGES = frozenset(
    "spanish french german japanese korean portuguese italian chinese mandarin arabic dutch hindi polish turkish "
    "swedish vietnamese russian thai indonesian greek hebrew danish norwegian finnish czech english".split()
)
_IMAGE_NOUNS = r"(?:images?|pictures?|photos?|illustrations?|visuals?|renders?|logos?|posters?|banners?|icons?|" \
               r"thumbnails?|mockups?|stickers?|avatars?|pins?|wallpapers?|artworks?|drawings?|portraits?|" \
               r"backgrounds?|creatives?|variations?|variants?|headers?|graphics?)"
_GEN_IMG_RE = re.compile(
    r"\b(?:generate|create|make|draw|render|paint|design|produce|illustrate|imagine)\b(?:\W+\w+){0,6}?\W+"
    + _IMAGE_NOUNS + r"\b|\b(?:draw|paint|illustrate|render)\b"
)
_COUNT_IMG_RE = re.compile(
    r"\b(\d+|" + "|".join(_NUMBER_WORDS) + r"|a dozen|dozens|hundreds|lots|bunch|batch|bulk|set)\b(?:\W+\w+){0,4}?\W+"
    + _IMAGE_NOUNS + r"\b"
)
_SQL_RE = re.compile(r"\bselect\b[\s\S]*\bfrom\b|\bgroup by\b|\bjoin\b|\bwhere\b[\s\S]*=|\bsql\b|\bcte\b")
_CODE_RE = re.compile(r"```|`[^`]+`|\bdef \w+\(|=>|\bfunction\b|\bconst \w+|\breturn\b|\(\)|\w+\.\w+\(")
_URL_RE = re.compile(r"https?://\S+")
_IMG_REF_RE = re.compile(r"\b(?:this|these|the|attached)\s+(?:\w+\s+){0,2}?(?:image|photo|picture|screenshot|"
                         r"scan|chart|graph|shot|logo|design|banner|receipt|invoice|menu|whiteboard)s?\b")
_PAYLOAD_RE = re.compile(
    r"```.*?```|`[^`\n]{8,}`|\"[^\"]{25,}\"|“[^”]{25,}”|(?<![a-z])'[^'\n]{40,}'(?![a-z])|(?:\n[^\n,;|\t]*[,;|\t][^\n]*){2,}",
    re.S)
_MONTHS = frozenset("jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
                    "august september october november december mon tue wed thu fri sat sun week".split())
_LIST_MARK_RE = re.compile(r"(?:^|\s)(?:\d+[.)]|[-*•])\s")


@dataclass(frozen=True)
class Classification:
    """The classifier's guess for one prompt, with confidences in [0, 1]."""

    task: str
    complexity: str
    task_confidence: float
    complexity_confidence: float


def _tokens(text: str) -> list[str]:
    """Lowercased word tokens; digits collapse to <num>."""
    out = []
    for t in _WORD_RE.findall(text.lower().replace("’", "'")):
        out.append("<num>" if t[0].isdigit() else t)
    return out


def _is_word(token: str) -> bool:
    """True for word and number tokens (not the single punctuation marks)."""
    return token[0].isalnum() or token == "<num>"


def _shape_features(text: str, n: int) -> list[str]:
    """Length and structure markers that drive complexity (`n` = word count)."""
    size = "xs" if n <= 6 else "s" if n <= 14 else "m" if n <= 28 else "l" if n <= 50 else "xl"
    seps = text.count(",") + text.count(";") + text.count(":") + len(_LIST_MARK_RE.findall(text))
    sentences = len(re.findall(r"[.!?](?:\s|$)", text))
    feats = [f"__len_{size}", f"__seps_{min(seps, 8) // 2}", f"__sent_{min(sentences, 4)}"]
    if n > 28:
        feats.append("__long")
    return feats


def _features(prompt: str, has_image: bool, *, shape: bool) -> list[str]:
    """The bag of features for one prompt: unigrams, bigrams and marker pseudo-words."""
    text = prompt.strip()
    low = text.lower()
    toks = _tokens(text)
    words = [t for t in toks if _is_word(t)]
    feats = {t for t in words if t not in _STOP and len(t) > 1 or t == "<num>"}
    feats.update(f"{a}_{b}" for a, b in zip(words, words[1:]))
    if has_image:
        feats.add("__img")
    if _GEN_IMG_RE.search(low):
        feats.add("__gen_img")
    m = _COUNT_IMG_RE.search(low)
    if m and (not m.group(1).isdigit() or int(m.group(1)) >= 3):
        feats.add("__many_imgs")
    if _SQL_RE.search(low):
        feats.add("__sql")
    if _CODE_RE.search(text):
        feats.add("__code")
    if _URL_RE.search(low):
        feats.add("__url")
    if _IMG_REF_RE.search(low):
        feats.add("__img_ref")
    if any(w in _LANGUAGES for w in words):
        feats.add("__lang")
    out = list(feats)
    if shape:
        out.extend(_shape_features(text, len(words)))
    return out


class _NaiveBayes:
    """Multinomial naive Bayes over binary features with uniform class priors (log-likelihoods computed lazily)."""

    def __init__(self, labels: tuple[str, ...], alpha: float, marker_weight: float = 1.0) -> None:
        self.labels = labels
        self.alpha = alpha
        self.marker_weight = marker_weight
        self.counts: dict[str, list[float]] = {}
        self.loglik: dict[str, list[float]] = {}
        self.denom: list[float] = []
        self.smooth = 0.0

    def fit(self, docs: list[list[str]], ys: list[str], keep: set[str] | None = None) -> None:
        """Count features per class (only those in `keep` when given), each class weighted to the same total."""
        idx = {c: i for i, c in enumerate(self.labels)}
        k = len(self.labels)
        ndocs = [0] * k
        for y in ys:
            ndocs[idx[y]] += 1
        weights = [1.0 / max(1, n) for n in ndocs]
        counts: dict[str, list[float]] = {}
        totals = [0.0] * k
        for feats, y in zip(docs, ys):
            ci = idx[y]
            w = weights[ci]
            for f in feats:
                if keep is not None and f not in keep and not f.startswith("__"):
                    continue
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
                return None
            row = self.loglik[f] = [math.log(x + self.smooth) - d for x, d in zip(cnt, self.denom)]
        return row

    def scores(self, feats: list[str]) -> list[float]:
        """Sum of log-likelihoods per class (features never seen in training are ignored)."""
        s = [0.0] * len(self.labels)
        for f in feats:
            row = self._row(f)
            if row is not None:
                w = self.marker_weight if f.startswith("__") else 1.0
                for c, v in enumerate(row):
                    s[c] += w * v
        return s


def _softmax(scores: list[float], temperature: float) -> list[float]:
    """Probabilities from log-scores, flattened by `temperature` so they stay informative."""
    m = max(scores)
    exps = [math.exp((s - m) / temperature) for s in scores]
    z = sum(exps)
    return [e / z for e in exps]


def _word_count(prompt: str) -> int:
    """Words of instruction: pasted material (quotes, code, data rows, number runs) counts as one word each."""
    text = _PAYLOAD_RE.sub(" <payload> ", prompt)
    n = 0
    prev_num = False
    for t in _tokens(text):
        if not _is_word(t):
            continue
        is_num = t == "<num>" or t in _MONTHS
        if not (is_num and prev_num):
            n += 1
        prev_num = is_num
    return n


class _LengthModel:
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


def _shared_features(docs: list[list[str]], rows: list[dict]) -> set[str] | None:
    """Words used across many task types: complexity cues that generalise beyond one task's templates."""
    if _CX_MIN_TASKS <= 1:
        return None
    seen: dict[str, set[str]] = {}
    for feats, r in zip(docs, rows):
        for f in feats:
            seen.setdefault(f, set()).add(r["task"])
    return {f for f, tasks in seen.items() if len(tasks) >= _CX_MIN_TASKS}


class _Model:
    """The task and complexity models, trained together from the training jsonl."""

    def __init__(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            rows = [json.loads(line) for line in lines if line.strip()]
        except (OSError, ValueError) as exc:
            raise ConfigError(f"Cannot read the classifier training data {path}: {exc}") from exc
        rows = [r for r in rows if r.get("task") in TASK_TYPES and r.get("complexity") in COMPLEXITY_LEVELS]
        if not rows:
            raise ConfigError(f"The classifier training data {path} has no usable rows")
        docs = [_features(r["prompt"], bool(r.get("has_image")), shape=False) for r in rows]
        self.task_nb = _NaiveBayes(TASK_TYPES, _TASK_ALPHA)
        self.task_nb.fit(docs, [r["task"] for r in rows])
        counts = [_word_count(r["prompt"]) for r in rows]
        self.cx_nb = _NaiveBayes(COMPLEXITY_LEVELS, _CX_ALPHA, _CX_SHAPE_WEIGHT)
        self.cx_nb.fit([d + _shape_features(r["prompt"], n) for d, r, n in zip(docs, rows, counts)],
                       [r["complexity"] for r in rows], keep=_shared_features(docs, rows))
        self.length = _LengthModel()
        self.length.fit([(r["task"], r["complexity"], n) for r, n in zip(rows, counts)])

    def classify(self, prompt: str, has_image: bool) -> Classification:
        """Score one prompt with both models."""
        feats = _features(prompt, has_image, shape=False)
        ts = self.task_nb.scores(feats)
        for i, t in enumerate(TASK_TYPES):
            if t in IMAGE_INPUT_TASKS:
                ts[i] += _IMAGE_BONUS if has_image else -_NO_IMAGE_PENALTY
        tp = _softmax(ts, max(1.0, math.sqrt(len(feats))))
        ti = max(range(len(tp)), key=tp.__getitem__)
        n = _word_count(prompt)
        cfeats = feats + _shape_features(prompt, n)
        cs = self.cx_nb.scores(cfeats)
        if _LENGTH_WEIGHT:
            ll = self.length.loglik(TASK_TYPES[ti], n)
            cs = [c + _LENGTH_WEIGHT * x for c, x in zip(cs, ll)]
        cp = _softmax(cs, max(1.0, math.sqrt(len(cfeats))))
        ci = max(range(len(cp)), key=cp.__getitem__)
        return Classification(TASK_TYPES[ti], COMPLEXITY_LEVELS[ci], round(tp[ti], 4), round(cp[ci], 4))


_model: _Model | None = None
_lock = threading.Lock()


def _get_model() -> _Model:
    """Train once, on first use (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _Model(TRAINING_PATH)
    return _model


def classify(prompt: str, has_image: bool = False) -> Classification:
    """Guess the task type and complexity of `prompt` (no network; well under a millisecond once trained)."""
    prompt = prompt or ""
    if not prompt.strip():
        if has_image:
            return Classification("image_analysis", "simple", 0.5, 0.9)
        return Classification(DEFAULT_TASK, "simple", 0.0, 1.0)
    return _get_model().classify(prompt, has_image)

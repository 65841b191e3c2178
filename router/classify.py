"""Auto task/complexity classifier: naive Bayes over words, calibrated on labelled prompts (stdlib, no network)."""

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
LABELLED_PATH = TRAINING_PATH.with_name("labelled.jsonl")  # real prompts labelled by the user
LABELLED_WEIGHT = 10  # one labelled prompt counts as this many synthetic ones in the task model (chosen by 5-fold CV)
DEFAULT_TASK = "chat_response"
_DEFAULT_INDEX = TASK_TYPES.index(DEFAULT_TASK)
_IMAGE_INDEXES = frozenset(TASK_TYPES.index(t) for t in IMAGE_INPUT_TASKS)
# Tasks a prompt with an attached picture can never be (the picture would be ignored by their models).
_NO_IMAGE_INPUT_INDEXES = frozenset(TASK_TYPES.index(t) for t in (
    "image_generation_quality", "image_generation_bulk", "embeddings"))

_TASK_ALPHA = 0.3  # Laplace smoothing, in units of "one training prompt"
_CX_ALPHA = 3.0  # heavier smoothing for complexity: its word evidence is weaker
_CX_SHAPE_WEIGHT = 2.0  # how much a length/structure marker counts versus one word (uncalibrated argmax)
_LENGTH_WEIGHT = 1.0  # weight of the per-task length model in the uncalibrated complexity score
# The calibrated score (cut at fitted thresholds) is mostly length relative to the task's typical labelled length:
# the user's levels rank prompts within a task (a 10-word data question is "medium", a 25-word caption "simple").
# Weights chosen by 5-fold CV (3 seeds) over five generated training sets.
_CAL_WORD_WEIGHT = 0.25  # synthetic word evidence (complex versus simple log-odds)
_CAL_SHAPE_WEIGHT = 0.25  # synthetic structure-marker evidence
_CAL_LOG_WORDS = 6.0  # log word count minus the task's mean labelled log word count
_TASK_LENGTH_PRIOR = 1.0  # the task mean is shrunk towards the overall mean as if by this many extra prompts
_MAX_CHARS = 4000  # longer prompts are classified on their head and tail (keeps the cost bounded)
_MIN_TASK_CONFIDENCE = 0.15  # below this the guess is noise and DEFAULT_TASK is used
_GREETING_WORDS = 2  # a prompt this short is conversation, whatever its words resemble
_IMAGE_BONUS = 3.0  # log-odds added to the image-input tasks when a picture is attached ("thoughts?" + photo)
_NO_IMAGE_PENALTY = 1.0  # log-odds taken from the image-input tasks when nothing is attached (a URL may be)
_MIN_CALIBRATION_ROWS = 12  # fewer labelled rows than this: complexity is the synthetic model's argmax

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
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
_CODE_WORDS = frozenset(
    "python javascript typescript js ts node nodejs react vue angular django flask fastapi php ruby rust golang java "
    "kotlin swift bash shell regex css html function functions script scripts api endpoint webhook json yaml class "
    "method bug debug error exception stacktrace refactor compile unittest pytest git docker kubernetes npm pip "
    "library package cli repo".split()
)
_IMAGE_NOUNS = r"(?:images?|pictures?|photos?|illustrations?|visuals?|renders?|logos?|posters?|banners?|icons?|" \
               r"thumbnails?|mockups?|stickers?|avatars?|pins?|wallpapers?|artworks?|drawings?|portraits?|" \
               r"backgrounds?|creatives?|variations?|variants?|headers?|graphics?)"
_IMAGE_WORDS = frozenset(re.findall(r"[a-z]+", _IMAGE_NOUNS.replace("s?", " ")) + [
    w + "s" for w in re.findall(r"[a-z]+", _IMAGE_NOUNS.replace("s?", " "))] + ["draw", "paint", "illustrate", "render"])
_SQL_WORDS = frozenset("select group join where sql cte".split())
_GEN_IMG_RE = re.compile(
    r"\b(?:generate|create|make|draw|render|paint|design|produce|illustrate|imagine)\b(?:\W+\w+){0,6}?\W+"
    + _IMAGE_NOUNS + r"\b|\b(?:draw|paint|illustrate|render)\b"
)
_COUNT_IMG_RE = re.compile(
    r"\b(\d+|" + "|".join(_NUMBER_WORDS) + r"|a dozen|dozens|hundreds|lots|bunch|batch|bulk|set)\b(?:\W+\w+){0,4}?\W+"
    + _IMAGE_NOUNS + r"\b"
)
_SQL_RE = re.compile(r"\bselect\b[\s\S]{0,300}?\bfrom\b|\bgroup by\b|\bjoin\b|\bwhere\b[^\n]{0,80}?=|\bsql\b|\bcte\b")
_CODE_RE = re.compile(r"```|`[^`]+`|\bdef \w+\(|=>|\bfunction\b|\bconst \w+|\breturn\b|\(\)|\w+\.\w+\(")
_URL_RE = re.compile(r"https?://\S+")
_IMG_REF_RE = re.compile(r"\b(?:this|these|the|attached)\s+(?:\w+\s+){0,2}?(?:image|photo|picture|screenshot|"
                         r"scan|chart|graph|shot|logo|design|banner|receipt|invoice|menu|whiteboard)s?\b")
_PAYLOAD_RE = re.compile(
    r"```.*?```|`[^`\n]{8,}`|\"[^\"]{25,}\"|“[^”]{25,}”|(?<![a-z])'[^'\n]{40,}'(?![a-z])|(?:\n[^\n,;|\t]*[,;|\t][^\n]*){2,}",
    re.S)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Za-z])")
_CONTEXT_RE = re.compile(
    r"\s*(?:hi|hello|hey|thanks|thank you|thx|cheers|context|background|fyi|for context|i'm|i am|i run|i work|"
    r"we're|we are|we've|we have|we run|we sell|our (?:team|company|brand|audience|customers|main)|this is for|"
    r"it's for|my (?:boss|manager|team)|keep in mind|happy to|nothing fancy|please be|i'd like it)\b[^?]*[.!]?\s*$",
    re.I)
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
    """Lowercased word tokens; numbers collapse to <num>."""
    return ["<num>" if t[0].isdigit() else t for t in _WORD_RE.findall(text.lower().replace("’", "'"))]


def _shape_features(text: str, n: int) -> list[str]:
    """Length and structure markers that drive complexity (`n` = word count)."""
    size = "xs" if n <= 6 else "s" if n <= 14 else "m" if n <= 28 else "l" if n <= 50 else "xl"
    seps = text.count(",") + text.count(";") + text.count(":") + len(_LIST_MARK_RE.findall(text))
    sentences = len(re.findall(r"[.!?](?:\s|$)", text))
    feats = [f"__len_{size}", f"__seps_{min(seps, 8) // 2}", f"__sent_{min(sentences, 4)}"]
    if n > 28:
        feats.append("__long")
    return feats


def _features(prompt: str, has_image: bool) -> list[str]:
    """The bag of task features for one prompt: unigrams, bigrams and marker pseudo-words."""
    text = prompt.strip()
    low = text.lower()
    words = _tokens(text)
    wordset = set(words)
    feats = {t for t in wordset if t not in _STOP and len(t) > 1 or t == "<num>"}
    feats.update(f"{a}_{b}" for a, b in zip(words, words[1:]))
    if has_image:
        feats.add("__img")
    if wordset & _IMAGE_WORDS:
        if _GEN_IMG_RE.search(low):
            feats.add("__gen_img")
        m = _COUNT_IMG_RE.search(low)
        if m and (not m.group(1).isdigit() or int(m.group(1)) >= 3):
            feats.add("__many_imgs")
    if _IMG_REF_RE.search(low):
        feats.add("__img_ref")
    if wordset & _SQL_WORDS and _SQL_RE.search(low):
        feats.add("__sql")
    if _CODE_RE.search(text):
        feats.add("__code")
    if "http" in low and _URL_RE.search(low):
        feats.add("__url")
    if wordset & _LANGUAGES:
        feats.add("__lang")
    if wordset & _CODE_WORDS:
        feats.add("__codeword")
    return sorted(feats)  # fixed order: identical float sums in every process


class _NaiveBayes:
    """Multinomial naive Bayes over binary features with uniform class priors (log-likelihoods computed lazily)."""

    def __init__(self, labels: tuple[str, ...], alpha: float) -> None:
        self.labels = labels
        self.alpha = alpha
        self.counts: dict[str, list[float]] = {}
        self.loglik: dict[str, list[float]] = {}
        self.denom: list[float] = []
        self.smooth = 0.0

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
                return None
            row = self.loglik[f] = [math.log(x + self.smooth) - d for x, d in zip(cnt, self.denom)]
        return row

    def scores(self, feats: list[str]) -> list[float]:
        """Sum of log-likelihoods per class (features never seen in training are ignored)."""
        s = [0.0] * len(self.labels)
        for f in feats:
            row = self._row(f)
            if row is not None:
                for c, v in enumerate(row):
                    s[c] += v
        return s


def _softmax(scores: list[float], temperature: float) -> list[float]:
    """Probabilities from log-scores, flattened by `temperature` so they stay informative."""
    m = max(scores)
    exps = [math.exp((s - m) / temperature) if s > -math.inf else 0.0 for s in scores]
    z = sum(exps)
    return [e / z for e in exps]


def _instruction(prompt: str) -> str:
    """The prompt without background sentences ("We're a small team.", "Thanks!") that add length, not work."""
    text = _PAYLOAD_RE.sub(" <payload> ", prompt)
    parts = _SENTENCE_SPLIT_RE.split(text)
    kept = [p for p in parts if not _CONTEXT_RE.match(p)]
    return " ".join(kept) if kept else text


def _word_count(prompt: str) -> int:
    """Words of instruction: pasted material (quotes, code, data rows, number runs) counts as one word each."""
    text = _instruction(prompt)
    n = 0
    prev_num = False
    for t in _tokens(text):
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


def _read_rows(path: Path) -> list[dict]:
    """Rows of a training jsonl (prompt, task, complexity, has_image)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the classifier training data {path}: {exc}") from exc


def _usable(rows: list) -> list[dict]:
    """The rows with a prompt and known task and complexity labels."""
    return [r for r in rows if isinstance(r, dict) and isinstance(r.get("prompt"), str)
            and r.get("task") in TASK_TYPES and r.get("complexity") in COMPLEXITY_LEVELS]


def _fit_cuts(scored: list[tuple[float, int]]) -> tuple[float, float]:
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


class Classifier:
    """Task and complexity models: naive Bayes trained on a training jsonl, calibrated on optional labelled rows.

    Labelled rows (`extra_rows`) join the task model with `extra_weight` each. The complexity model stays
    synthetic-only; its calibrated score (log length relative to the task's mean labelled length, plus damped
    complex-versus-simple log-odds of the synthetic word and structure models) is cut into levels at the thresholds
    that best fit the labelled rows, so the user's idea of "simple"/"medium"/"complex" wins over the synthetic one.
    """

    def __init__(self, path: Path = TRAINING_PATH, extra_rows: list[dict] | None = None,
                 extra_weight: float = 1) -> None:
        base = _usable(_read_rows(path))
        extra = _usable(list(extra_rows or []))
        if not base and not extra:
            raise ConfigError(f"The classifier training data {path} has no usable rows")
        rows = base + extra
        docs = [_features(r["prompt"], bool(r.get("has_image"))) for r in rows]
        self.task_nb = _NaiveBayes(TASK_TYPES, _TASK_ALPHA)
        self.task_nb.fit(docs, [r["task"] for r in rows], [1.0] * len(base) + [float(extra_weight)] * len(extra))
        cx_rows = base or extra
        counts = [_word_count(r["prompt"]) for r in cx_rows]
        self.cx_nb = _NaiveBayes(COMPLEXITY_LEVELS, _CX_ALPHA)
        self.cx_nb.fit([d + _shape_features(r["prompt"], n) for d, r, n in zip(docs, cx_rows, counts)],
                       [r["complexity"] for r in cx_rows])
        self.length = _LengthModel()
        self.length.fit([(r["task"], r["complexity"], n) for r, n in zip(cx_rows, counts)])
        self.cuts: tuple[float, float] | None = None
        self.task_log_len: dict[str, float] = {}
        self.mean_log_len = 0.0
        if base and len(extra) >= _MIN_CALIBRATION_ROWS:
            self._fit_task_lengths(extra)
            scored = []
            for r, d in zip(extra, docs[len(base):]):
                _, _, _, x, _ = self._scores(r["prompt"], bool(r.get("has_image")), d)
                scored.append((x, COMPLEXITY_LEVELS.index(r["complexity"])))
            self.cuts = _fit_cuts(scored)

    def _fit_task_lengths(self, rows: list[dict]) -> None:
        """Each task's mean log word count over the labelled rows, shrunk towards the overall mean."""
        logs: dict[str, list[float]] = {}
        for r in rows:
            logs.setdefault(r["task"], []).append(math.log(_word_count(r["prompt"]) + 1))
        every = [x for xs in logs.values() for x in xs]
        self.mean_log_len = sum(every) / len(every)
        k = _TASK_LENGTH_PRIOR
        self.task_log_len = {t: (sum(xs) + k * self.mean_log_len) / (len(xs) + k) for t, xs in logs.items()}

    def _scores(self, prompt: str, has_image: bool,
                feats: list[str]) -> tuple[int, list[float], list[float], float, int]:
        """(task index, task probabilities, complexity log-scores, calibrated score, feature count) for one prompt."""
        ts = self.task_nb.scores(feats)
        if has_image:  # a picture is input: not an image to make or a text to embed; image tasks favoured
            ts = [-math.inf if i in _NO_IMAGE_INPUT_INDEXES else s + (_IMAGE_BONUS if i in _IMAGE_INDEXES else 0.0)
                  for i, s in enumerate(ts)]
        else:
            for i in _IMAGE_INDEXES:
                ts[i] -= _NO_IMAGE_PENALTY
        tp = _softmax(ts, max(1.0, math.sqrt(len(feats))))
        ti = max(range(len(tp)), key=tp.__getitem__)
        n = _word_count(prompt)
        if not has_image and (tp[ti] < _MIN_TASK_CONFIDENCE or n <= _GREETING_WORDS):
            ti = _DEFAULT_INDEX  # nothing recognisable ("hi!", "hello", "sure, go ahead"): treat it as chat
        shape = _shape_features(prompt, n)
        ws, ss = self.cx_nb.scores(feats), self.cx_nb.scores(shape)
        ll = self.length.loglik(TASK_TYPES[ti], n)
        cs = [w + _CX_SHAPE_WEIGHT * s + _LENGTH_WEIGHT * x for w, s, x in zip(ws, ss, ll)]
        rel = math.log(n + 1) - self.task_log_len.get(TASK_TYPES[ti], self.mean_log_len)
        x = _CAL_WORD_WEIGHT * (ws[2] - ws[0]) + _CAL_SHAPE_WEIGHT * (ss[2] - ss[0]) + _CAL_LOG_WORDS * rel
        return ti, tp, cs, x, len(feats) + len(shape)

    def classify(self, prompt: str, has_image: bool) -> Classification:
        """Score one prompt with both models."""
        ti, tp, cs, x, nfeats = self._scores(prompt, has_image, _features(prompt, has_image))
        temperature = max(1.0, math.sqrt(nfeats))
        if self.cuts is None:
            cp = _softmax(cs, temperature)
            ci = max(range(len(cp)), key=cp.__getitem__)
            cconf = cp[ci]
        else:
            low, high = self.cuts
            ci = 0 if x < low else 1 if x < high else 2
            margin = min(abs(x - low) if ci < 2 else math.inf, abs(x - high) if ci > 0 else math.inf)
            cconf = 1.0 / (1.0 + math.exp(-margin / temperature))  # 0.5 on a cut point, towards 1 far from both
        return Classification(TASK_TYPES[ti], COMPLEXITY_LEVELS[ci], round(tp[ti], 4), round(cconf, 4))


_model: Classifier | None = None
_lock = threading.Lock()


def _get_model() -> Classifier:
    """Train once, on first use (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                labelled = _read_rows(LABELLED_PATH) if LABELLED_PATH.exists() else []
                _model = Classifier(TRAINING_PATH, labelled, LABELLED_WEIGHT)
    return _model


def classify(prompt: str, has_image: bool = False) -> Classification:
    """Guess the task type and complexity of `prompt` (no network; well under a millisecond once trained)."""
    prompt = prompt or ""
    if len(prompt) > _MAX_CHARS:  # a pasted document: its head and tail say what is wanted
        prompt = prompt[: _MAX_CHARS - 1000] + "\n" + prompt[-1000:]
    if not prompt.strip():
        if has_image:
            return Classification("image_analysis", "simple", 0.5, 0.9)
        return Classification(DEFAULT_TASK, "simple", 0.0, 1.0)
    return _get_model().classify(prompt, has_image)

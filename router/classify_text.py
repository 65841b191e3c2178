"""Prompt text to classifier features: any-script tokens, a multilingual concept lexicon, markers, word counts."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "classifier" / "lexicon.txt"
ENGLISH_TEMPLATES_PATH = LEXICON_PATH.with_name("templates.txt")
# Length in English-equivalent words: Chinese ~1.8 characters a word, Japanese ~2.0 (kana included) (1.5 / 2.2 before
# issue 11e: chosen on the dev and authored sets, where Chinese levels came out too high, Japanese too low); a Korean
# space-separated word (eojeol: stem + particles) carries ~1.4 English words.
CHINESE_WORD_CHARS = 1.8
JAPANESE_WORD_CHARS = 2.0
HANGUL_WORD_WORDS = 1.4

# A word in any script (Indic and Thai vowel signs are marks, not letters: they stay inside the word).
_WORD_RE = re.compile(r"(?:[^\W_]|[\u0900-\u0dff\u0e00-\u0e7f])+(?:'[^\W_]+)?")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")  # kana and Han: no spaces between words
_HANGUL_RE = re.compile(r"[\uac00-\ud7af]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_STOP = frozenset(
    "a an the to of and or for in on at by is are be it this that these those with our my me i we you your "
    "us as from into its it's i'm can could would will please just so do some any all".split()
)
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten twelve fifteen twenty thirty forty fifty hundred dozen".split()
)
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
_IMAGE_NOUNS = (
    r"(?:images?|pictures?|photos?|illustrations?|visuals?|renders?|logos?|posters?|banners?|icons?|"
    r"thumbnails?|mockups?|stickers?|avatars?|pins?|wallpapers?|artworks?|drawings?|portraits?|"
    r"backgrounds?|creatives?|variations?|variants?|headers?|graphics?)"
)
_IMAGE_WORDS = frozenset(
    re.findall(r"[a-z]+", _IMAGE_NOUNS.replace("s?", " "))
    + [w + "s" for w in re.findall(r"[a-z]+", _IMAGE_NOUNS.replace("s?", " "))]
    + ["draw", "paint", "illustrate", "render"]
)
_SQL_WORDS = frozenset("select group join where sql cte".split())
_GEN_IMG_RE = re.compile(
    r"\b(?:generate|create|make|draw|render|paint|design|produce|illustrate|imagine)\b(?:\W+\w+){0,6}?\W+"
    + _IMAGE_NOUNS
    + r"\b|\b(?:draw|paint|illustrate|render)\b"
)
_COUNT_IMG_RE = re.compile(
    r"\b(\d+|"
    + "|".join(_NUMBER_WORDS)
    + r"|a dozen|dozens|hundreds|lots|bunch|batch|bulk|set)\b(?:\W+\w+){0,4}?\W+"
    + _IMAGE_NOUNS
    + r"\b"
)
_CJK_COUNT_RE = re.compile(r"(\d+)\s*(?:张|張|枚|장|幅|款|개의|가지)")  # "5张海报", "20枚", "10장"
_SQL_RE = re.compile(r"\bselect\b[\s\S]{0,300}?\bfrom\b|\bgroup by\b|\bjoin\b|\bwhere\b[^\n]{0,80}?=|\bsql\b|\bcte\b")
_CODE_RE = re.compile(r"```|`[^`]+`|\bdef \w+\(|=>|\bfunction\b|\bconst \w+|\breturn\b|\(\)|\w+\.\w+\(")
_URL_RE = re.compile(r"https?://\S+")
# A sum to work out ("2+2", "15% of 80", "17 mal 3", "39 곱하기 4", "15加27"): in a short prompt, a quick question,
# not an analysis of numbers (issue 11: "what is 2+2?" read as insights_generation). "x" and "×" are left out: in a
# creator's prompt they are mostly sizes ("a 5 x 7 flyer", "1080×1080").
_ARITH_RE = re.compile(
    r"\d(?:[.,]?\d)*\s*(?:[+*÷=^]|%\s*(?:of|off|de|von|di|du)\s|\s(?:times|plus|minus|divided by|mal|"
    r"geteilt durch|por|más|menos|dividido por|fois|moins|divisé par|per|più|meno|diviso|vezes|mais|dividido)\s)\s*\d"
    r"|\d\s*(?:곱하기|더하기|빼기|나누기|加|減|减|乘以?|除以|かける|たす|ひく|わる)\s*\d"
)
_ARITH_WORDS = 10  # at most this many words: a longer prompt with a sum in it is about more than the sum
_IMG_REF_RE = re.compile(
    r"\b(?:this|these|the|attached)\s+(?:\w+\s+){0,2}?(?:image|photo|picture|screenshot|"
    r"scan|chart|graph|shot|logo|design|banner|receipt|invoice|menu|whiteboard)s?\b"
)
_PAYLOAD_RE = re.compile(
    r"```.*?```|`[^`\n]{8,}`|\"[^\"]{25,}\"|“[^”]{25,}”|«[^»]{25,}»|「[^」]{15,}」|(?<![a-z])'[^'\n]{40,}'(?![a-z])"
    r"|(?:\n[^\n,;|\t]*[,;|\t][^\n]*){2,}",
    re.S,
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?。！？])\s*(?=[^\W\d_])")
_CONTEXT_RE = re.compile(
    r"\s*(?:hi|hello|hey|thanks|thank you|thx|cheers|context|background|fyi|for context|i'm|i am|i run|i work|"
    r"we're|we are|we've|we have|we run|we sell|our (?:team|company|brand|audience|customers|main)|this is for|"
    r"it's for|my (?:boss|manager|team)|keep in mind|happy to|nothing fancy|please be|i'd like it)\b[^?]*[.!]?\s*$",
    re.I,
)
_MONTHS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
    "august september october november december mon tue wed thu fri sat sun week".split()
)
_EXTRA_ENGLISH = frozenset(
    "subscription subscriptions description descriptions transcript prescription creative "
    "create created general generally generous kunde plane planet".split()
)
_LIST_MARK_RE = re.compile(r"(?:^|\s)(?:\d+[.)]|[-*•])\s")


_FOREIGN_STOP: set[str] = set()  # function words of other languages (lexicon lines "-: ..."), filled on load
_STOP_KEEP = frozenset("no me is do as be".split())  # English words the English model already weighs


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], int]:
    """(word stems, phrases, CJK/Hangul substrings, longest CJK key) -> the English words they stand for."""
    stems: dict[str, list[str]] = {}
    phrases: dict[str, list[str]] = {}
    stop: set[str] = set()
    cjk: dict[str, list[str]] = {}
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        english, _, variants = line.partition(":")
        targets = [" ".join(english.split())]
        for v in (_fold(x.strip()) for x in variants.split(",")):
            if not v:
                continue
            if english.strip() == "-":
                stop.add(v)
                continue
            table = cjk if _CJK_RE.search(v) or _HANGUL_RE.search(v) else phrases if " " in v else stems
            table.setdefault(v, []).extend(targets)
    longest = max((len(k) for k in cjk), default=1)
    _FOREIGN_STOP.update(stop - _STOP_KEEP)
    return (
        {k: tuple(v) for k, v in stems.items()},
        {k: tuple(v) for k, v in phrases.items()},
        {k: tuple(v) for k, v in cjk.items()},
        longest,
    )


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Words of the English templates: never read as foreign stems ("subscription" is not a script)."""
    text = ENGLISH_TEMPLATES_PATH.read_text(encoding="utf-8").lower() if ENGLISH_TEMPLATES_PATH.exists() else ""
    return frozenset(re.findall(r"[a-z]+", text)) | _EXTRA_ENGLISH


def _fold(text: str) -> str:
    """Lowercase with curly apostrophes straightened (accents kept: they tell languages apart)."""
    return unicodedata.normalize("NFC", text).lower().replace("’", "'")


def _concepts_of_word(word: str, stems: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """English words a foreign word stands for: a whole-word lexicon entry, the longest 5+ letter stem it starts
    with, else a 6+ letter stem inside it (German compounds: Produktbeschreibung)."""
    hit = stems.get(word)
    if hit is not None:
        return hit
    for k in range(min(len(word) - 1, 14), 4, -1):
        hit = stems.get(word[:k])
        if hit is not None:
            return hit
    if len(word) > 8:
        for i in range(1, len(word) - 5):
            for k in range(min(len(word) - i, 14), 5, -1):
                hit = stems.get(word[i : i + k])
                if hit is not None:
                    return hit
    return ()


def _concepts_of_run(run: str, cjk: dict[str, tuple[str, ...]], longest: int) -> list[str]:
    """English words found in a CJK/Hangul run (longest match at each position)."""
    out: list[str] = []
    i = 0
    while i < len(run):
        for k in range(min(longest, len(run) - i), 0, -1):
            hit = cjk.get(run[i : i + k])
            if hit is not None:
                out.extend(hit)
                i += k - 1
                break
        i += 1
    return out


def tokens(text: str) -> list[str]:
    """Word tokens in any script; numbers collapse to <num>; CJK/Hangul runs become character bigrams."""
    out: list[str] = []
    for t in _WORD_RE.findall(_fold(text)):
        if t[0].isdigit():
            out.append("<num>")
        elif _CJK_RE.search(t) or _HANGUL_RE.search(t):
            out.extend(t[i : i + 2] for i in range(max(1, len(t) - 1)))
        else:
            out.append(t)
    return out


def concepts(text: str) -> list[str]:
    """The English words/phrases the lexicon finds in a non-English prompt (so English training data carries over)."""
    stems, phrases, cjk, longest = _lexicon()
    english = _english_words()
    low = _fold(text)
    out: list[str] = []
    for t in _WORD_RE.findall(low):
        if _CJK_RE.search(t) or _HANGUL_RE.search(t):
            out.extend(_concepts_of_run(t, cjk, longest))
        elif not t[0].isdigit() and not (t.isascii() and t in english):
            out.extend(_concepts_of_word(t, stems))
    for ph, ws in phrases.items():
        if ph in low and re.search(r"(?<!\w)" + re.escape(ph) + r"(?!\w)", low):
            out.extend(ws)
    return out


def shape_features(text: str, n: int) -> list[str]:
    """Length and structure markers that drive complexity (`n` = word count)."""
    size = "xs" if n <= 6 else "s" if n <= 14 else "m" if n <= 28 else "l" if n <= 50 else "xl"
    seps = (
        text.count(",")
        + text.count(";")
        + text.count(":")
        + text.count("、")
        + text.count("，")
        + len(_LIST_MARK_RE.findall(text))
    )
    sentences = len(re.findall(r"[.!?](?:\s|$)|[。！？]", text))
    feats = [f"__len_{size}", f"__seps_{min(seps, 8) // 2}", f"__sent_{min(sentences, 4)}"]
    if n > 28:
        feats.append("__long")
    return feats


def features(prompt: str, has_image: bool) -> list[str]:
    """The bag of task features for one prompt: unigrams, bigrams, lexicon concepts and marker pseudo-words."""
    text = prompt.strip()
    low = _fold(text)
    words = tokens(text)
    mapped = concepts(text)
    wordset = set(words) | {w for phrase in mapped for w in phrase.split()}
    stop = _FOREIGN_STOP
    feats = {t for t in wordset if (t not in _STOP and t not in stop and len(t) > 1) or t == "<num>"}
    feats.update(f"{a}_{b}" for a, b in zip(words, words[1:]) if a not in stop or b not in stop)
    feats.update(phrase.replace(" ", "_") for phrase in mapped if " " in phrase)  # "how many", "landing page"
    if has_image:
        feats.add("__img")
    if wordset & _IMAGE_WORDS:
        lowmapped = low + " . " + " . ".join(mapped)
        if _GEN_IMG_RE.search(lowmapped):
            feats.add("__gen_img")
        m = _COUNT_IMG_RE.search(lowmapped) or _CJK_COUNT_RE.search(low)
        if m and (not m.group(1).isdigit() or int(m.group(1)) >= 3):
            feats.add("__many_imgs")
    if _IMG_REF_RE.search(low):
        feats.add("__img_ref")
    if wordset & _SQL_WORDS and _SQL_RE.search(low):
        feats.add("__sql")
    if _CODE_RE.search(text):
        feats.add("__code")
    if len(words) <= _ARITH_WORDS and _ARITH_RE.search(low):
        feats.add("__arith")
    if "http" in low and _URL_RE.search(low):
        feats.add("__url")
    if wordset & _LANGUAGES:
        feats.add("__lang")
    if wordset & _CODE_WORDS:
        feats.add("__codeword")
    return sorted(feats)  # fixed order: identical float sums in every process


@lru_cache(maxsize=64)  # one prompt's instruction is read by its word count, ask score and band parts
def instruction(prompt: str) -> str:
    """The prompt without background sentences ("We're a small team.", "Thanks!") that add length, not work."""
    text = _PAYLOAD_RE.sub(" <payload> ", prompt)
    parts = _SENTENCE_SPLIT_RE.split(text)
    kept = [p for p in parts if not _CONTEXT_RE.match(p)]
    return " ".join(kept) if kept else text


def word_count(prompt: str) -> int:
    """Words of instruction in any script: pasted material (quotes, code, data rows, number runs) counts as one
    word each; Chinese, Japanese and Korean are scaled to English-equivalent words."""
    text = instruction(prompt)
    n = 0.0
    prev_num = False
    for t in _WORD_RE.findall(_fold(text)):
        is_num = t[0].isdigit() or t in _MONTHS
        if _CJK_RE.search(t):
            cjk = len(_CJK_RE.findall(t))
            per_word = JAPANESE_WORD_CHARS if _KANA_RE.search(t) else CHINESE_WORD_CHARS
            n += cjk / per_word + (len(t) - cjk > 0)
        elif _HANGUL_RE.search(t):
            n += HANGUL_WORD_WORDS
        elif not (is_num and prev_num):
            n += 1
        prev_num = is_num
    return max(1, round(n)) if n > 0 else 0


_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_CASUAL_RE = re.compile(r"\b(?:pls|plz|gimme|lol|u|ur|thx|wanna|gonna)\b")


def casual(prompt: str) -> bool:
    """A prompt in a chat register: it starts in lower case, has an emoji, or says "pls" / "gimme" / "u"."""
    text = prompt.strip()
    return bool(text) and (text[0].islower() or bool(_EMOJI_RE.search(text)) or bool(_CASUAL_RE.search(text.lower())))


def foreign_share(prompt: str) -> float:
    """The share of a prompt's words that are not English (0 for English, about 1 for Korean or German)."""
    english = _english_words()
    words = [t for t in _WORD_RE.findall(_fold(prompt)) if not t[0].isdigit()]
    if not words:
        return 0.0
    return sum(1 for t in words if not (t.isascii() and (t in english or t in _STOP))) / len(words)

"""What a prompt asks for, in any language: the output length asked ("1500-word", "2000字", "800 palabras"), how deep
an analysis, how many chained steps, and how much data comes with it."""

from __future__ import annotations

import math
import re

from router.classify_text import _PAYLOAD_RE, instruction

_NUM = r"(\d{1,3}(?:[ .,]\d{3})+|\d+(?:[.,]\d+)?)\s*(k\b)?"
_WORDS_ASKED_RE = re.compile(
    _NUM + r"\s*[-‐]?\s*(?:\+\s*)?(?:words?|palabras?|palavras?|mots?|parole|wörter|worte|woorden|słów|slow|слов\w*|"
    r"kelime|kata|từ|단어|자|글자|字|文字|語|characters?|caracteres|zeichen)"
    r"(?:n|s)?(?![a-z])",
    re.I,
)
_CHAR_UNITS = ("字", "文字", "자", "글자", "character", "caracter", "zeichen")
# Words that ask for depth or completeness, in the supported languages (lowercase, matched inside words).
_DEPTH = (
    "in depth",
    "in-depth",
    "detailed",
    "comprehensive",
    "complete",
    "full ",
    "entire",
    "end-to-end",
    "thorough",
    "step by step",
    "step-by-step",
    "each ",
    "every ",
    "all of",
    "trade-off",
    "tradeoff",
    "root cause",
    "detallad",
    "complet",
    "exhaustiv",
    "profund",
    "a fondo",
    "cada ",
    "todos los",
    "todas las",
    "paso a paso",
    "detalhad",
    "aprofundad",
    "inteir",
    "approfondi",
    "détaillé",
    "chaque",
    "dettagliat",
    "approfondit",
    "intero",
    "ogni ",
    "ausführlich",
    "detailliert",
    "vollständig",
    "komplett",
    "gesamte",
    "jede",
    "schritt für schritt",
    "gründlich",
    "전체",
    "상세",
    "자세히",
    "심층",
    "종합",
    "모든",
    "각각",
    "全体",
    "詳細",
    "詳しく",
    "全て",
    "すべて",
    "それぞれ",
    "網羅",
    "一整套",
    "全部",
    "完整",
    "详细",
    "詳細",
    "深入",
    "全面",
    "系统",
    "逐一",
    "每个",
    "每一",
)
_STEP_RE = re.compile(
    r"→|->|=>|\b(?:then|after that|dann|danach|luego|después|depois|então|puis|ensuite|poi|"
    r"quindi)\b|然后|之后|그다음|그 다음|그리고 나서|その後|してから",
    re.I,
)
_ROW_RE = re.compile(r"\n[^\n]*\d[^\n]*")  # a pasted line with numbers: a data row
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")
_STORY_MIN_WORDS = 40  # a back-story needs this many words and four sentences or more
_STORY_ASK_SHARE = 0.4  # ... with the last two sentences (the ask) under this share of the words


def _number(text: str, k: str | None) -> int:
    """'1.500' / '1,500' / '1 500' / '2k' as an int (decimals dropped)."""
    digits = re.sub(r"[ .,](?=\d{3}\b)", "", text)
    digits = re.split(r"[.,]", digits)[0]
    value = int(digits) if digits.isdigit() else 0
    return value * 1000 if k else value


def asked_words(prompt: str) -> int:
    """The output length the prompt asks for, in words (0: not said); pasted quotes and data are not the ask."""
    return _asked_words_in(instruction(prompt))


def _asked_words_in(ask: str) -> int:
    """asked_words() on a prompt's instruction text."""
    words = 0
    for m in _WORDS_ASKED_RE.finditer(ask):
        unit = m.group(0).lower()
        n = _number(m.group(1), m.group(2))
        if any(u in unit for u in _CHAR_UNITS):  # characters: about 2 (Chinese, Japanese) or 3 per word
            n //= 2 if "字" in unit else 3
        words = max(words, n)
    return words


def ask_score(prompt: str) -> float:
    """How much work the prompt asks for beyond its length: depth words, chained steps, pasted data rows.

    0 for a plain ask, about 1-2 for a detailed or two-step ask, 3+ for a deep multi-step ask over pasted data.
    (Counts of items and list parts were tried and left out: the labelled levels are relative to the task, and
    "20 backgrounds" or "5 tweets" made cross-validation worse.)"""
    ask = instruction(prompt)
    low = ask.lower()
    depth = sum(1 for d in _DEPTH if d in low)
    steps = len(_STEP_RE.findall(ask))
    rows = sum(len(_ROW_RE.findall(m.group(0))) for m in _PAYLOAD_RE.finditer(prompt))
    return min(depth, 3) + min(steps, 4) + math.log2(1 + rows)


def back_story(prompt: str) -> bool:
    """Whether a long prompt is mostly story before a short ask at its end (LABELLING.md: a back-story does not make
    a prompt complex): four sentences or more, 40+ words, the last two sentences under 40 % of them."""
    sentences = [s for s in _SENTENCE_END_RE.split(prompt.strip()) if s]
    total = len(prompt.split())
    if len(sentences) < 4 or total < _STORY_MIN_WORDS:
        return False
    return len(" ".join(sentences[-2:]).split()) < _STORY_ASK_SHARE * total

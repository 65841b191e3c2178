"""What a prompt asks for, in any language: the length of output asked ("1500-word", "2000字", "800 palabras")."""

from __future__ import annotations

import re

from router.classify_text import instruction

_NUM = r"(\d{1,3}(?:[ .,]\d{3})+|\d+(?:[.,]\d+)?)\s*(k\b)?"
_WORDS_ASKED_RE = re.compile(
    _NUM + r"\s*[-‐]?\s*(?:\+\s*)?(?:words?|palabras?|palavras?|mots?|parole|wörter|worte|woorden|słów|slow|слов\w*|"
    r"kelime|kata|từ|단어|자|글자|字|文字|語|characters?|caracteres|zeichen)"
    r"(?:n|s)?(?![a-z])", re.I)
_CHAR_UNITS = ("字", "文字", "자", "글자", "character", "caracter", "zeichen")


def _number(text: str, k: str | None) -> int:
    """'1.500' / '1,500' / '1 500' / '2k' as an int (decimals dropped)."""
    digits = re.sub(r"[ .,](?=\d{3}\b)", "", text)
    digits = re.split(r"[.,]", digits)[0]
    value = int(digits) if digits.isdigit() else 0
    return value * 1000 if k else value


def asked_words(prompt: str) -> int:
    """The output length the prompt asks for, in words (0: not said); pasted quotes and data are not the ask."""
    words = 0
    for m in _WORDS_ASKED_RE.finditer(instruction(prompt)):
        unit = m.group(0).lower()
        n = _number(m.group(1), m.group(2))
        if any(u in unit for u in _CHAR_UNITS):  # characters: about 2 (Chinese, Japanese) or 3 per word
            n //= 2 if "字" in unit else 3
        words = max(words, n)
    return words

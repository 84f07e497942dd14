"""Word counts per language (``nlp/data/lexicon.json``) and a letter-trigram plausibility.

The counts come from ``scripts/build_lexicon.py``; they are evidence for de-hyphenation
("is 'external' a word?") and train a small letter-trigram model per language that says
how word-like a string is, to spot text layers that decode to garbage.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cache, lru_cache

from nlp.data import DATA

LANGS = ("kk", "ru", "en")
PATH = DATA / "lexicon.json"
_CYR = re.compile(r"[\u0400-\u04FF]")
SMOOTH = 0.05


def normalise(word: str) -> str:
    """Lower case, one kind of hyphen, Latin ``i`` inside a Cyrillic word as Kazakh ``і``."""
    word = word.lower().replace("\u2010", "-").replace("\u2011", "-")
    return word.replace("i", "і") if _CYR.search(word) else word


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, int]]:
    """``{lang: {word: count}}``; empty dicts if the data file is missing."""
    try:
        data = json.loads(PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {lang: {} for lang in LANGS}
    return {lang: data.get(lang, {}) for lang in LANGS}


def count(word: str, lang: str | None = None) -> int:
    """How often ``word`` was seen (in ``lang``, or in any language)."""
    w = normalise(word)
    table = words()
    if lang in table:
        return table[lang].get(w, 0)
    return max(table[x].get(w, 0) for x in LANGS)


@cache
def _model(lang: str) -> tuple[dict[str, float], dict[str, float], int]:
    """Trigram and bigram-context counts (word counts damped by a square root)."""
    tri: Counter = Counter()
    ctx: Counter = Counter()
    alphabet: set[str] = set()
    for word, n in words()[lang].items():
        w = f"^^{word.replace('-', '')}$"
        weight = math.sqrt(n)
        alphabet.update(word)
        for i in range(2, len(w)):
            tri[w[i - 2:i + 1]] += weight
            ctx[w[i - 2:i]] += weight
    return dict(tri), dict(ctx), max(len(alphabet), 26)


@lru_cache(maxsize=65536)
def plausibility(word: str, lang: str) -> float:
    """Mean log10 probability per letter of ``word`` under ``lang``'s trigram model."""
    tri, ctx, size = _model(lang)
    if not tri:
        return 0.0
    w = f"^^{normalise(word).replace('-', '')}$"
    total = 0.0
    for i in range(2, len(w)):
        p = (tri.get(w[i - 2:i + 1], 0.0) + SMOOTH) / (ctx.get(w[i - 2:i], 0.0) + SMOOTH * size)
        total += math.log10(p)
    return total / (len(w) - 2)


def best_plausibility(word: str) -> float:
    """The highest plausibility of ``word`` over the languages written in its script."""
    langs = ("kk", "ru") if _CYR.search(word) else ("en",)
    return max(plausibility(word, lang) for lang in langs)

"""Ranking helpers on plain ids and texts: fusion, near-duplicate collapse, best sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from nlp.analysis import terms

RRF_K = 60  # the constant of Cormack et al. (2009); damps the head of each list
_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+|$)")


def rrf(rankings: Iterable[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion of ranked id lists: (id, score), best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def shingles(text: str, lang: str = "und", n: int = 3) -> set[tuple[str, ...]]:
    """Word n-grams of the stemmed terms (for near-duplicate tests)."""
    words = terms(text, lang)
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def near_duplicate(a: set, b: set, threshold: float = 0.8) -> bool:
    """True when two shingle sets overlap by at least ``threshold`` (Jaccard)."""
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


def collapse(texts: Sequence[str], langs: Sequence[str], threshold: float = 0.8) -> list[int]:
    """Indexes of the texts to keep, in order, dropping near-duplicates of earlier ones."""
    kept: list[int] = []
    seen: list[set] = []
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        sh = shingles(text, lang)
        if not any(near_duplicate(sh, other, threshold) for other in seen):
            kept.append(i)
            seen.append(sh)
    return kept


def best_sentence(text: str, query: str, lang: str = "und") -> tuple[int, int]:
    """(start, end) in ``text`` of the sentence sharing most query terms (first if none)."""
    wanted = set(terms(query, lang))
    best, best_score = None, 0.0
    for m in _SENTENCE.finditer(text):
        if not m.group().strip():
            continue
        found = terms(m.group(), lang)
        score = len(wanted.intersection(found)) / (1 + 0.01 * len(found))
        if best is None or score > best_score:
            lead = len(m.group()) - len(m.group().lstrip())
            best, best_score = (m.start() + lead, m.end()), score
    return best or (0, len(text))

"""The ranking, on plain ids and texts: calibration across languages, fusion, near-duplicate
collapse, best sentence. ``order`` is the one ranking every search goes through."""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from nlp.text.terms import terms

RRF_K = 60  # the constant of Cormack et al. (2009); damps the head of each list
# a sentence ends at a blank line or page break (single line breaks are PDF line wraps), or
# at .!?… before a space and a word that is neither lower-case nor a number (so
# "No. 477-IV", "22.07.2011" and "art. 97" stay whole)
_END = re.compile(r"[.!?…]+[»\"”)]*(?=\s)|\n\s*\n|\f")


def rrf(rankings: Iterable[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion of ranked id lists: (id, score), best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def fuse_by_language(dense: Sequence[int], keyword: Sequence[int], lang: Mapping[int, str],
                     k: int = RRF_K, *evidence: Sequence[int]) -> list[tuple[int, float]]:
    """Hybrid ranking: (id, score) in the places of ``dense``, each refilled within its language.

    BM25 compares chunks only within one language (each has its own analyser and
    vocabulary); the dense model is the one judge across languages. So ``dense`` decides how
    many places each language gets and where, and the places of a language are filled, in
    order, by the RRF of the dense and keyword ids in that language (score = that RRF score).
    A keyword list in the query's language cannot push the other languages' passages out.
    Further ``evidence`` lists join the fusion as the keyword list does.
    """
    langs = dict.fromkeys(lang.get(i, "") for i in dense)
    per = {lg: iter(rrf([[i for i in ids if lang.get(i, "") == lg]
                         for ids in (dense, keyword, *evidence)], k)) for lg in langs}
    return [next(per[lang.get(i, "")]) for i in dense]


def keyword_evidence(same: Sequence[int], neutral: Sequence[int], lang: Mapping[int, str],
                     query_lang: str | None) -> list[int]:
    """The keyword ids hybrid fusion may use: ``same`` (hits on all the query's terms) in the
    query's language, and in other languages only ``neutral`` (hits on its numbers and codes
    such as 477-IV). A word shared across languages by chance says little, and it pulled
    translations down (laws ru->kk acc@1 0.94 -> 0.53 when every hit counted); so did a
    shared name (bitext en->kk 0.987 -> 0.957), and so did BM25 hits on the query's terms
    translated by the glossary (cross-language questions, dev hit@5 0.79 -> 0.69: the
    glossary serves the dense side, ``Index.query_vectors``). ``same`` whole when the
    query's language is unknown."""
    if query_lang is None:
        return list(same)
    return ([i for i in same if lang.get(i) == query_lang]
            + [i for i in neutral if lang.get(i) != query_lang])




def hybrid(dense: Sequence[int], same: Sequence[int], neutral: Sequence[int],
           lang: Mapping[int, str], query_lang: str | None,
           k: int = RRF_K, article: Collection = ()) -> list[tuple[int, float]]:
    """The hybrid ranking: ``fuse_by_language`` of the dense ids and the keyword evidence
    (``keyword_evidence`` of the hits on all the query's terms and on its identifiers), and,
    when the query cites an article, the dense ids of the chunks of that article (``article``:
    such ids, ``Candidates.article``)."""
    cited = [i for i in dense if i in article] if article else []
    return fuse_by_language(dense, keyword_evidence(same, neutral, lang, query_lang), lang, k,
                            *([cited] if cited else []))


def shingles(text: str, lang: str = "und", n: int = 3) -> set[tuple[str, ...]]:
    """Word n-grams of the stemmed terms (for near-duplicate tests)."""
    words = terms(text, lang)
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def near_duplicate(a: set, b: set, threshold: float = 0.8) -> bool:
    """True when two shingle sets overlap by at least ``threshold`` (Jaccard)."""
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


COLLAPSE_LIMIT = 60  # hits compared for near repeats; past them hits are kept as they come


def collapse(texts: Sequence[str], langs: Sequence[str], threshold: float = 0.8,
             limit: int = COLLAPSE_LIMIT) -> list[int]:
    """Indexes of the texts to keep, in order, dropping near-duplicates of earlier ones; once
    ``limit`` are kept the rest are kept unexamined (the comparison grows with the square of
    the hits: k=1000 took seconds, and people read the first screen)."""
    kept: list[int] = []
    seen: list[set] = []
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        if len(kept) >= limit:
            kept += range(i, len(texts))
            break
        sh = shingles(text, lang)
        if not any(near_duplicate(sh, other, threshold) for other in seen):
            kept.append(i)
            seen.append(sh)
    return kept


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``, leading and trailing spaces left out."""
    out, start = [], 0
    for m in _END.finditer(text):
        follow = text[m.end():].lstrip()[:1]
        if m.group()[0] in ".!?…" and follow and (follow.islower() or follow.isdigit()):
            continue
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e - len(text[s:e]) +
             len(text[s:e].rstrip())) for s, e in out if text[s:e].strip()]


def best_sentence(text: str, query: str, lang: str = "und") -> tuple[int, int]:
    """(start, end) in ``text`` of the sentence sharing most query terms (first if none)."""
    wanted = set(terms(query, lang))
    best, best_score = None, 0.0
    for start, end in sentences(text):
        found = terms(text[start:end], lang)
        score = len(wanted.intersection(found)) / (1 + 0.01 * len(found))
        if best is None or score > best_score:
            best, best_score = (start, end), score
    return best or (0, len(text))


@dataclass
class Candidates:
    """What an index found for one query, before ranking. Keys are chunk ids (or, for
    sharded indexes, (shard, id) pairs)."""

    dense: list[tuple[Hashable, float]] = field(default_factory=list)  # (key, cosine)
    lang: dict[Hashable, str] = field(default_factory=dict)  # language of every key
    # lang -> (its chunks, v · the sum of their vectors, all chunks, v · the sum of all
    # vectors), v the query vector that language is searched with; for every language held
    sums: dict[str, tuple[int, float, int, float]] = field(default_factory=dict)
    same: list[tuple[Hashable, float]] = field(default_factory=list)  # hits on all terms
    neutral: list[tuple[Hashable, float]] = field(default_factory=list)  # on identifiers
    keyword: list[tuple[Hashable, float]] = field(default_factory=list)  # (key, -BM25)
    # the keys in the article the query cites (``nlp.text.legal.cited_article``), if it does
    article: set[Hashable] = field(default_factory=set)


CENTROID_PRIOR = 30  # chunks' worth of the all-language mean in each language's centroid


def offsets(sums: Mapping[str, tuple[int, float, int, float]],
            prior: float = CENTROID_PRIOR) -> dict[str, float]:
    """The query's cosine to each language's centroid, from ``Candidates.sums``.

    Each centroid is drawn towards the mean of all chunks by ``prior`` chunks' worth, so a
    language with a handful of chunks (whose mean is mostly their topic) is hardly
    corrected, and an index with one chunk per language ranks by plain cosine."""
    return {lang: (dot + prior * dot_all / n_all) / (n + prior)
            for lang, (n, dot, n_all, dot_all) in sums.items() if n_all}


def calibrated(dense: Iterable[tuple[Hashable, float]], lang: Mapping[Hashable, str],
               offset: Mapping[str, float]) -> list[tuple[Hashable, float]]:
    """(key, cosine - the query's cosine to the centroid of the key's language), best first.

    A multilingual embedder scores any passage in the query's own language higher than an
    equally relevant one in another language; subtracting the query's similarity to an
    average passage of each language puts the languages on one scale (0: as similar as the
    average passage of that language)."""
    out = [(key, cos - offset.get(lang.get(key, ""), 0.0)) for key, cos in dense]
    return sorted(out, key=lambda pair: (-pair[1], str(pair[0])))


def order(found: Candidates, mode: str, query_lang: str | None, n: int,
          k: int = RRF_K) -> list[tuple[Hashable, float]]:
    """The top ``n`` (key, score) of ``mode``, scores descending.

    ``keyword``: -BM25. ``dense``: the calibrated cosine. ``hybrid``: ``hybrid`` over the
    calibrated dense ranking (which decides each language's places), the keyword evidence
    and the article the query cites; a hit's score is the calibrated score of the place it
    fills."""
    if mode == "keyword":
        return list(found.keyword[:n])
    dense = calibrated(found.dense, found.lang, offsets(found.sums))
    if mode == "dense":
        return dense[:n]
    fused = hybrid([key for key, _ in dense], [key for key, _ in found.same],
                   [key for key, _ in found.neutral], found.lang, query_lang, k, found.article)
    return [(key, place) for (key, _), (_, place) in zip(fused[:n], dense, strict=False)]
